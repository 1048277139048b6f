import { describe, expect, it } from "vitest";
import { reduceKey, reselect } from "../src/logic/keyboard";

describe("keyboard reducer", () => {
  it("j selects the first row, then moves down and stops at the last", () => {
    let s = { selected: -1, count: 3 };
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = reduceKey(s, "j");
      s = r.state;
      seen.push(s.selected);
    }
    expect(seen).toEqual([0, 1, 2, 2, 2]);
  });

  it("k moves up and stops at the first", () => {
    expect(reduceKey({ selected: 2, count: 3 }, "k").state.selected).toBe(1);
    expect(reduceKey({ selected: 0, count: 3 }, "k").state.selected).toBe(0);
  });

  it("s, f, h triage the selected mention and move on to the next one (not past the last)", () => {
    expect(reduceKey({ selected: 1, count: 3 }, "s")).toEqual({ state: { selected: 2, count: 3 }, effect: { type: "triage", index: 1, triage: "seen", next: 2 } });
    expect(reduceKey({ selected: 1, count: 3 }, "f").effect).toEqual({ type: "triage", index: 1, triage: "flagged", next: 2 });
    expect(reduceKey({ selected: 0, count: 3 }, "h").effect).toEqual({ type: "triage", index: 0, triage: "handled", next: 1 });
    expect(reduceKey({ selected: 2, count: 3 }, "s")).toEqual({ state: { selected: 2, count: 3 }, effect: { type: "triage", index: 2, triage: "seen", next: 2 } });
  });

  it("triage keys do nothing without a selection", () => {
    expect(reduceKey({ selected: -1, count: 3 }, "s").effect.type).toBe("none");
  });

  it("/ focuses the search box, even on an empty list", () => {
    expect(reduceKey({ selected: -1, count: 0 }, "/").effect).toEqual({ type: "focusSearch" });
  });

  it("o opens the selected mention; other keys are ignored", () => {
    expect(reduceKey({ selected: 2, count: 3 }, "o").effect).toEqual({ type: "open", index: 2 });
    expect(reduceKey({ selected: 2, count: 3 }, "x").effect.type).toBe("none");
    expect(reduceKey({ selected: -1, count: 0 }, "j").effect.type).toBe("none");
  });

  it("keeps the same mention selected after a refresh", () => {
    expect(reselect(42, [99, 7, 42], 0)).toBe(2);
    expect(reselect(42, [1, 2], 5)).toBe(1);
    expect(reselect(null, [1, 2], -1)).toBe(-1);
    expect(reselect(3, [], 0)).toBe(-1);
  });
});
