import type { DashboardRow, Level, Mention, MentionFilter, ToneLabel, Triage } from "../types";
import { LEVELS, TONES, TRIAGES } from "../types";

/** What the filter bar holds (select values are strings; "" means "any"). */
export interface FilterState {
  watch: string;
  source: string;
  lang: string;
  tonality: string;
  level: string;
  triage: string;
  period: string; // "" | "24h" | "7d" | "30d"
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
  search: "",
};

export const PAGE_SIZE = 200;
const PERIODS: Record<string, number> = { "24h": 86_400, "7d": 7 * 86_400, "30d": 30 * 86_400 };

function id(v: string): number | undefined {
  if (!/^\d+$/.test(v.trim())) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The `list_mentions` filter for the UI state: only what is set, camelCase keys. */
export function toMentionFilter(f: FilterState, now: number, limit = PAGE_SIZE): MentionFilter {
  const out: MentionFilter = {};
  const watchId = id(f.watch);
  if (watchId !== undefined) out.watchId = watchId;
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
  out.limit = limit;
  return out;
}

/**
 * The level filter is applied in the UI (the shell filters by watch, not by level): keep the
 * mentions matched by at least one watch currently at that level.
 */
export function filterByLevel(mentions: Mention[], rows: DashboardRow[], level: string): Mention[] {
  if (!(LEVELS as readonly string[]).includes(level)) return mentions;
  const ids = new Set(rows.filter((r) => r.level.level === (level as Level)).map((r) => r.watch.id));
  return mentions.filter((m) => m.watch_ids.some((w) => ids.has(w)));
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
  return Object.values(f).filter((v) => v !== "").length;
}
