import { describe, expect, it, afterEach } from "vitest";
import { DICTIONARIES, detectLanguage, setLanguage, t, tn } from "../src/i18n";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("i18n dictionaries", () => {
  afterEach(() => setLanguage("en"));

  it("every French key has an English translation", () => {
    const missing = Object.keys(DICTIONARIES.fr).filter((k) => !(k in DICTIONARIES.en));
    expect(missing).toEqual([]);
  });

  it("every English key has a French translation", () => {
    const missing = Object.keys(DICTIONARIES.en).filter((k) => !(k in DICTIONARIES.fr));
    expect(missing).toEqual([]);
  });

  it("no translation is empty and both use the same placeholders", () => {
    for (const [k, fr] of Object.entries(DICTIONARIES.fr)) {
      const en = (DICTIONARIES.en as Record<string, string>)[k];
      expect(fr.trim(), `fr ${k}`).not.toBe("");
      expect(en.trim(), `en ${k}`).not.toBe("");
      expect(placeholders(en), `placeholders of ${k}`).toEqual(placeholders(fr));
    }
  });

  it("plural keys come in one/other pairs", () => {
    for (const k of Object.keys(DICTIONARIES.fr)) {
      if (k.endsWith(".one")) expect(DICTIONARIES.fr).toHaveProperty(k.replace(/\.one$/, ".other"));
    }
  });

  it("uses the glossary for levels", () => {
    setLanguage("fr");
    expect(["calm", "watch", "alert", "crisis"].map((l) => t(`level.${l}` as "level.calm"))).toEqual(["calme", "vigilance", "alerte", "crise"]);
    expect(t("nav.watches")).toBe("Veilles");
    setLanguage("en");
    expect(t("level.watch")).toBe("watch");
  });

  it("French is the default only when the system language starts with fr", () => {
    expect(detectLanguage("fr-FR")).toBe("fr");
    expect(detectLanguage("fr")).toBe("fr");
    expect(detectLanguage("en-GB")).toBe("en");
    expect(detectLanguage("de-DE")).toBe("en");
    expect(detectLanguage(undefined)).toBe("en");
  });

  it("fills parameters and picks plural forms per language", () => {
    setLanguage("en");
    expect(tn("mentions.count", 1)).toBe("1 mention");
    expect(tn("mentions.count", 0)).toBe("0 mentions");
    setLanguage("fr");
    expect(tn("mentions.count", 0)).toBe("0 mention");
    expect(tn("mentions.count", 2)).toBe("2 mentions");
    expect(t("watch.saved", { name: "Lumen" })).toBe("Veille « Lumen » enregistrée");
  });
});

describe("numbers in the user's language", () => {
  afterEach(() => setLanguage("en"));

  it("percentages and decimals follow the language (the chart's negative share and axis)", async () => {
    const { number, percent } = await import("../src/logic/format");
    setLanguage("fr");
    expect(percent(12.5, 1).replace(/\s/g, " ")).toBe("12,5 %");
    expect(percent(25).replace(/\s/g, " ")).toBe("25 %");
    expect(number(2.5, 1)).toBe("2,5");
    setLanguage("en");
    expect(percent(12.5, 1)).toBe("12.5%");
    expect(number(1234)).toBe("1,234");
  });
});
