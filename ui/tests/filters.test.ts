import { describe, expect, it } from "vitest";
import { EMPTY_FILTERS, filterByLevel, filtersFromParams, filtersToParams, toMentionFilter } from "../src/logic/filters";
import type { DashboardRow, Mention } from "../src/types";

const NOW = 1_700_000_000;

describe("filters → list_mentions filter", () => {
  it("an empty filter bar sends only the limit", () => {
    expect(toMentionFilter(EMPTY_FILTERS, NOW)).toEqual({ limit: 200 });
  });

  it("maps every set filter to the IPC keys (camelCase, numbers for ids)", () => {
    const f = { watch: "3", source: "12", lang: "FR", tonality: "negative", level: "alert", triage: "flagged", period: "24h", search: "  rappel produit " };
    expect(toMentionFilter(f, NOW, 50)).toEqual({
      watchId: 3,
      sourceId: 12,
      lang: "fr",
      tonality: "negative",
      triage: "flagged",
      since: NOW - 86_400,
      search: "rappel produit",
      limit: 50,
    });
  });

  it("drops values the shell would reject", () => {
    const f = { ...EMPTY_FILTERS, watch: "abc", source: "-1", tonality: "furious", triage: "done", period: "1y", lang: "français" };
    expect(toMentionFilter(f, NOW)).toEqual({ limit: 200 });
  });

  it("level is filtered in the UI through the watches at that level", () => {
    const rows = [
      { watch: { id: 1 }, level: { level: "alert" } },
      { watch: { id: 2 }, level: { level: "calm" } },
    ] as unknown as DashboardRow[];
    const ms = [{ id: 10, watch_ids: [1] }, { id: 11, watch_ids: [2] }, { id: 12, watch_ids: [2, 1] }] as Mention[];
    expect(filterByLevel(ms, rows, "alert").map((m) => m.id)).toEqual([10, 12]);
    expect(filterByLevel(ms, rows, "crisis")).toEqual([]);
    expect(filterByLevel(ms, rows, "")).toHaveLength(3);
  });

  it("round-trips through the route's query string", () => {
    const f = { ...EMPTY_FILTERS, watch: "2", triage: "new", search: "usine" };
    expect(filtersFromParams(new URLSearchParams(filtersToParams(f)))).toEqual(f);
  });
});
