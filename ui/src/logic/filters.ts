import type { DashboardRow, Level, Mention, MentionFilter, ToneLabel, Triage } from "../types";
import { LEVELS, TONES, TRIAGES } from "../types";

/** What the filter bar holds (select values are strings; "" means "any"). `watch` is a watch
 * id, "" (what any watch matches: the default) or `EVERYTHING` (also what no watch matches). */
export interface FilterState {
  watch: string;
  source: string;
  lang: string;
  tonality: string;
  level: string;
  triage: string;
  period: string; // "" | "24h" | "7d" | "30d"
  /** A time window (unix seconds as text, e.g. around an alert): published from … to. */
  from: string;
  to: string;
  search: string;
}

export const EMPTY_FILTERS: FilterState = {
  watch: "",
  source: "",
  lang: "",
  tonality: "",
  level: "",
  triage: "",
  period: "",
  from: "",
  to: "",
  search: "",
};

export const PAGE_SIZE = 200;
export const EVERYTHING = "all";
const PERIODS: Record<string, number> = { "24h": 86_400, "7d": 7 * 86_400, "30d": 30 * 86_400 };

function id(v: string): number | undefined {
  if (!/^\d+$/.test(v.trim())) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The `list_mentions` filter for the UI state: only what is set, camelCase keys. The level
 * filter becomes the watches at that level now (`rows`: the dashboard's). `after`: the last
 * mention shown, to ask for the next page. */
export function toMentionFilter(
  f: FilterState,
  now: number,
  limit = PAGE_SIZE,
  rows: DashboardRow[] = [],
  after?: Mention,
): MentionFilter {
  const out: MentionFilter = {};
  const watchId = id(f.watch);
  if (watchId !== undefined) out.watchId = watchId;
  else if (f.watch === EVERYTHING) out.everything = true;
  if ((LEVELS as readonly string[]).includes(f.level)) {
    out.watchIds = rows.filter((r) => r.level.level === (f.level as Level)).map((r) => r.watch.id);
  }
  if (after) {
    out.beforePublished = after.published_at;
    out.beforeId = after.id;
  }
  const sourceId = id(f.source);
  if (sourceId !== undefined) out.sourceId = sourceId;
  const search = f.search.trim();
  if (search) out.search = search;
  const lang = f.lang.trim().toLowerCase();
  if (/^[a-z]{2,3}$/.test(lang)) out.lang = lang;
  if ((TONES as readonly string[]).includes(f.tonality)) out.tonality = f.tonality as ToneLabel;
  if ((TRIAGES as readonly string[]).includes(f.triage)) out.triage = f.triage as Triage;
  const secs = PERIODS[f.period];
  if (secs) out.since = Math.floor(now) - secs;
  // A window (around an alert) is more precise than a period.
  const from = id(f.from);
  const to = id(f.to);
  if (from !== undefined) out.since = from;
  if (to !== undefined) out.until = to;
  out.limit = limit;
  return out;
}

/** Appends a next page to the list, leaving out what is already there (a mention stored
 * meanwhile with the same time can shift the pages). */
export function appendPage(shown: Mention[], page: Mention[]): Mention[] {
  const ids = new Set(shown.map((m) => m.id));
  return [...shown, ...page.filter((m) => !ids.has(m.id))];
}

/** Reads filters from a route's query string (e.g. `#/mentions?watch=2&triage=new`). */
export function filtersFromParams(p: URLSearchParams): FilterState {
  const f = { ...EMPTY_FILTERS };
  for (const k of Object.keys(f) as (keyof FilterState)[]) {
    const v = p.get(k);
    if (v !== null) f[k] = v;
  }
  return f;
}

export function filtersToParams(f: FilterState): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
  return p.toString();
}

export function activeFilterCount(f: FilterState): number {
  // A window counts once, whether it has one end or two.
  const window = f.from !== "" || f.to !== "" ? 1 : 0;
  return Object.entries(f).filter(([k, v]) => v !== "" && k !== "from" && k !== "to").length + window;
}

/** The filters of a `#/mentions?…` route. */
export function parseHashFilters(hash: string): FilterState {
  return filtersFromParams(new URLSearchParams(hash.split("?", 2)[1] ?? ""));
}

/** The mentions behind an alert at `at`: its watch, from two hours before to the end of its
 * five-minute bucket (the evidence a level is judged on). */
export function alertWindowRoute(watchId: number, at: number): string {
  return `#/mentions?${filtersToParams({ ...EMPTY_FILTERS, watch: String(watchId), from: String(at - 7200), to: String(at + 300) })}`;
}
