import { describe, expect, it } from "vitest";
import { activeFilterCount, alertWindowRoute, appendPage, EMPTY_FILTERS, EVERYTHING, filtersFromParams, filtersToParams, parseHashFilters, toMentionFilter } from "../src/logic/filters";
import type { DashboardRow, Mention } from "../src/types";

const NOW = 1_700_000_000;
const ROWS = [
  { watch: { id: 1 }, level: { level: "alert" } },
  { watch: { id: 2 }, level: { level: "calm" } },
] as unknown as DashboardRow[];

describe("filters → list_mentions filter", () => {
  it("an empty filter bar sends only the limit", () => {
    expect(toMentionFilter(EMPTY_FILTERS, NOW)).toEqual({ limit: 200 });
  });

  it("maps every set filter to the IPC keys (camelCase, numbers for ids)", () => {
    const f = { watch: "3", source: "12", lang: "FR", tonality: "negative", level: "alert", triage: "flagged", period: "24h", from: "", to: "", search: "  rappel produit " };
    expect(toMentionFilter(f, NOW, 50, ROWS)).toEqual({
      watchId: 3,
      watchIds: [1],
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

  it("a level asks for what the watches at that level match, in the shell (not after the page is cut)", () => {
    expect(toMentionFilter({ ...EMPTY_FILTERS, level: "alert" }, NOW, 200, ROWS).watchIds).toEqual([1]);
    expect(toMentionFilter({ ...EMPTY_FILTERS, level: "crisis" }, NOW, 200, ROWS).watchIds).toEqual([]);
    expect(toMentionFilter({ ...EMPTY_FILTERS, level: "" }, NOW, 200, ROWS).watchIds).toBeUndefined();
  });

  it("by default the stream is what a watch matches; 'everything' also asks for the rest", () => {
    expect(toMentionFilter(EMPTY_FILTERS, NOW).everything).toBeUndefined();
    expect(toMentionFilter({ ...EMPTY_FILTERS, watch: EVERYTHING }, NOW)).toEqual({ everything: true, limit: 200 });
  });

  it("the next page starts after the last mention shown, and never repeats one", () => {
    const last = { id: 41, published_at: NOW - 600 } as Mention;
    expect(toMentionFilter(EMPTY_FILTERS, NOW, 200, [], last)).toEqual({ beforePublished: NOW - 600, beforeId: 41, limit: 200 });
    const shown = [{ id: 43 }, { id: 41 }] as Mention[];
    expect(appendPage(shown, [{ id: 41 }, { id: 40 }, { id: 39 }] as Mention[]).map((m) => m.id)).toEqual([43, 41, 40, 39]);
  });

  it("an alert opens its watch's mentions from two hours before it to the end of its bucket", () => {
    const route = alertWindowRoute(4, NOW);
    const f = parseHashFilters(route);
    expect(f).toMatchObject({ watch: "4", from: String(NOW - 7200), to: String(NOW + 300) });
    // The window wins over a period, and counts as one filter.
    expect(toMentionFilter({ ...f, period: "30d" }, NOW)).toMatchObject({ watchId: 4, since: NOW - 7200, until: NOW + 300 });
    expect(activeFilterCount(f)).toBe(2);
  });

  it("round-trips through the route's query string", () => {
    const f = { ...EMPTY_FILTERS, watch: "2", triage: "new", search: "usine" };
    expect(filtersFromParams(new URLSearchParams(filtersToParams(f)))).toEqual(f);
  });
});
