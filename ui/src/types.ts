// Shapes of the IPC contract (docs/IPC.md). Times are unix seconds (UTC).

export type Sensitivity = "low" | "medium" | "high";
export type Level = "calm" | "watch" | "alert" | "crisis";
export type Triage = "new" | "seen" | "flagged" | "handled";
export type ToneLabel = "negative" | "neutral" | "positive";
export type Range = "24h" | "7d";

export const LEVELS: readonly Level[] = ["calm", "watch", "alert", "crisis"];
export const TRIAGES: readonly Triage[] = ["new", "seen", "flagged", "handled"];
export const TONES: readonly ToneLabel[] = ["negative", "neutral", "positive"];
export const SENSITIVITIES: readonly Sensitivity[] = ["low", "medium", "high"];

export interface Thresholds {
  watch: number;
  alert: number;
  crisis: number;
  min_mentions_per_hour: number;
  calm_down_buckets: number;
}

/** The engine's defaults (vigie-domain `Thresholds::default()`), shown when a watch has none. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  watch: 2,
  alert: 4,
  crisis: 7,
  min_mentions_per_hour: 6,
  calm_down_buckets: 12,
};

export interface NewWatch {
  name: string;
  query: string;
  languages: string[];
  sensitivity: Sensitivity;
  enabled: boolean;
  sensitive_words: string[];
  thresholds: Thresholds | null;
}

export interface Watch extends NewWatch {
  id: number;
  created_at: number;
  updated_at: number;
}

export interface WatchLevel {
  watch_id: number;
  level: Level;
  since: number | null;
  explanation_fr: string;
  explanation_en: string;
  last_bucket: number | null;
}

export interface DashboardRow {
  watch: Watch;
  level: WatchLevel;
}

export interface Tonality {
  score: number;
  label: ToneLabel;
  anger: boolean;
}

export interface Mention {
  id: number;
  source_id: number | null;
  guid: string | null;
  url: string | null;
  title: string;
  text: string;
  /** Sanitised by the shell, but never rendered: the UI shows `text` with textContent only. */
  html: string | null;
  author: string | null;
  published_at: number;
  fetched_at: number;
  lang: string | null;
  triage: Triage;
  tonality: Tonality | null;
  watch_ids: number[];
}

export type SourceKind =
  | { kind: "feed"; url: string }
  | { kind: "mastodon_tag"; instance: string; tag: string }
  | { kind: "bluesky_search"; service: string; handle: string; query: string };

export type SourceSpec = SourceKind & { title?: string; appPassword?: string };

export interface Source {
  id: number;
  title: string;
  kind: SourceKind;
  enabled: boolean;
  interval_secs: number;
  created_at: number;
}

export interface PollState {
  next_check_at: number;
  etag: string | null;
  last_modified: string | null;
  error_count: number;
  last_error: string | null;
  last_status: number | null;
  last_checked_at: number | null;
  last_success_at: number | null;
  cursor: string | null;
}

export interface SourceRow {
  source: Source;
  state: PollState;
  health: string;
}

export interface VigieEvent {
  id: number;
  at: number;
  kind: string;
  watch_id: number | null;
  source_id: number | null;
  data: any;
}

export interface Series {
  start: number;
  step: number;
  volume: number[];
  negative: number[];
}

export interface Settings {
  language: "fr" | "en";
  theme: "system" | "light" | "dark";
  poll_interval_secs: number;
  notify_levels: boolean;
  notify_weak_signals: boolean;
}

export type QueryCheck =
  | { ok: true; terms: string[] }
  | { ok: false; position: number; message: string };

export interface MentionFilter {
  watchId?: number;
  sourceId?: number;
  search?: string;
  lang?: string;
  tonality?: ToneLabel;
  triage?: Triage;
  since?: number;
  until?: number;
  limit?: number;
}

export interface OpmlImport {
  added: number;
  already_present: number;
}

export interface NewMentionsPayload {
  count: number;
  ids: number[];
}
