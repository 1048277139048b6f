import { afterEach, describe, expect, it } from "vitest";
import { compareLevels, levelStyle } from "../src/logic/levels";
import { levelBadge } from "../src/views/common";
import { setLanguage } from "../src/i18n";
import type { Level } from "../src/types";

describe("level → colour and label", () => {
  afterEach(() => setLanguage("en"));

  it("each level has its own colour variable and class", () => {
    const levels: Level[] = ["calm", "watch", "alert", "crisis"];
    const vars = levels.map((l) => levelStyle(l).colorVar);
    expect(vars).toEqual(["--level-calm", "--level-watch", "--level-alert", "--level-crisis"]);
    expect(levels.map((l) => levelStyle(l).className)).toEqual(["level-calm", "level-watch", "level-alert", "level-crisis"]);
  });

  it("labels follow the UI language", () => {
    setLanguage("fr");
    expect(levelStyle("watch").label).toBe("vigilance");
    expect(levelStyle("crisis").label).toBe("crise");
    setLanguage("en");
    expect(levelStyle("alert").label).toBe("alert");
  });

  it("an unknown level from a newer shell falls back to calm", () => {
    expect(levelStyle("meltdown" as Level).className).toBe("level-calm");
  });

  it("sorts the most severe first", () => {
    const sorted = (["calm", "crisis", "watch", "alert"] as Level[]).sort(compareLevels);
    expect(sorted).toEqual(["crisis", "alert", "watch", "calm"]);
  });

  it("the badge carries the class, the label and a test id", () => {
    setLanguage("fr");
    const b = levelBadge("alert");
    expect(b.classList.contains("level-alert")).toBe(true);
    expect(b.textContent).toBe("alerte");
    expect(b.dataset.testid).toBe("level-badge");
  });
});
