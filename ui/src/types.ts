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
  /** The last failure in English words (sources that failed before Vigie kept it as data). */
  last_error: string | null;
  /** The last failure as data: the UI words it in its language (logic/health.ts). */
  last_problem: Problem | null;
  last_status: number | null;
  last_checked_at: number | null;
  last_success_at: number | null;
  cursor: string | null;
}

export interface SourceRow {
  source: Source;
  state: PollState;
}

/** Why a source's last check failed (vigie_domain::health::Problem). */
export type Problem =
  | { problem: "http"; status: number; retry_after_secs: number | null }
  | { problem: "timeout"; secs: number }
  | { problem: "connect"; detail: string }
  | { problem: "too_large"; limit_bytes: number }
  | { problem: "too_many_redirects"; max: number }
  | { problem: "redirect_loop" }
  | { problem: "redirect_inward"; host: string }
  | { problem: "insecure_server"; server: string }
  | { problem: "unsupported_scheme"; scheme: string }
  | { problem: "not_a_feed"; content_type: string | null }
  | { problem: "malformed"; detail: string }
  | { problem: "auth"; detail: string }
  | { problem: "keychain"; detail: string }
  | { problem: "keychain_locked" }
  | { problem: "session_expired" }
  | { problem: "no_app_password"; handle: string }
  | { problem: "main_password"; handle: string }
  | { problem: "refused"; code: string; message: string }
  | { problem: "other"; detail: string };

/** Where the user stands in the alerts centre (vigie_engine::app::AlertsSeen). */
export interface AlertsSeen {
  seen_up_to: number;
  /** Level changes since, at most 100. */
  unseen_level_changes: number;
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

/** A watch's series on the dashboard (`dashboard_series` returns one per watch). */
export interface WatchSeries extends Series {
  watch_id: number;
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
  /** `message` is the engine's English; `problem` the same as data (the browser mock leaves it out). */
  | { ok: false; position: number; message: string; problem?: QueryProblem };

/** What was wrong with a query (vigie_domain::QueryProblem). `found`: null for the end of the query. */
export type QueryProblem =
  | { kind: "empty" }
  | { kind: "unclosed_quote" }
  | { kind: "star_without_word" }
  | { kind: "expected_term"; after: string | null; found: string | null }
  | { kind: "empty_parentheses" }
  | { kind: "unclosed_parenthesis"; open_at: number; found: string | null }
  | { kind: "unexpected_close" }
  | { kind: "no_letters"; text: string }
  | { kind: "prefix_of_phrase"; text: string }
  | { kind: "only_negative" }
  | { kind: "too_deep"; max: number };

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
  /** Also mentions no watch matches (by default, only what a watch matches). */
  everything?: boolean;
  /** Only what one of these watches matches (the level filter). */
  watchIds?: number[];
  /** The next page: mentions older than this publication time and id. */
  beforePublished?: number;
  beforeId?: number;
}

export interface OpmlImport {
  added: number;
  already_present: number;
  /** Outlines whose address cannot be polled, with the engine's reason (English). */
  skipped: { url: string; reason: string }[];
}

export interface NewMentionsPayload {
  count: number;
  ids: number[];
}

// ---- publishing (docs/IPC.md, "Publishing") --------------------------------------------------

export type ProfileKind = "brand" | "personal";
export type Network = "mastodon" | "bluesky";
export type PostState = "queued" | "sending" | "sent" | "failed" | "cancelled";

export interface Profile {
  id: number;
  name: string;
  kind: ProfileKind;
  /** `#rrggbb`, shown around everything done in this profile. */
  colour: string;
  /** Brand profiles: the only handles they may hold (normalised). */
  allowedHandles: string[];
}

export interface ProfileSpec {
  name: string;
  kind: ProfileKind;
  colour: string;
  allowedHandles: string[];
}

export interface Identity {
  /** Mastodon account id or Bluesky DID. */
  remoteId: string;
  /** `user@instance` or `name.bsky.social`, normalised, without the leading @. */
  handle: string;
  displayName: string;
  avatarUrl: string | null;
  /** Followers. */
  audience: number;
}

export interface Limits {
  maxChars: number;
  urlChars: number;
  maxImages: number;
  maxImageBytes: number;
}

export interface Account {
  id: number;
  profileId: number;
  network: Network;
  server: string;
  identity: Identity;
  limits: Limits;
}

/** Sent UI → shell only; the secret is never returned by any command. */
export interface ConnectRequest {
  profileId: number;
  network: Network;
  server: string;
  handle?: string;
  secret: string;
}

export interface SignIn {
  flow: string;
  url: string;
  /** false: no browser could be opened; show `url` to the user. */
  opened: boolean;
}

export interface Content {
  text: string;
  images: unknown[];
}

export interface ComposeRequest {
  profileId: number;
  accountId: number;
  content: Content;
  watchId?: number;
  typedHandle?: string;
}

export type ConfirmRule = { kind: "click" } | { kind: "typeHandle" };

export interface KillSwitch {
  on: boolean;
  reason: string;
  since: number | null;
}

export interface ComposeCheck {
  account: Account;
  profile: Profile;
  level: Level;
  rule: ConfirmRule;
  count: number;
  max: number;
  /** The engine's English words for `invalid` (the UI words `invalid` itself). */
  problems: string[];
  killSwitch: KillSwitch;
  invalid: Invalid[];
}

/** What stops a post before anything is sent (vigie-domain `publish::Invalid`). `index` counts from 0. */
export type Invalid =
  | { kind: "empty" }
  | { kind: "tooLong"; count: number; max: number }
  | { kind: "tooManyBytes"; bytes: number; max: number }
  | { kind: "tooManyImages"; count: number; max: number }
  | { kind: "imageTooBig"; index: number; bytes: number; max: number }
  | { kind: "missingAlt"; index: number }
  | { kind: "unsupportedImage"; index: number; mime: string };

export interface Post {
  id: number;
  key: string;
  accountId: number;
  content: Content;
  contentHash: string;
  state: PostState;
  queuedAt: number;
  queuedMicros: number;
  /** End of the undo window, or the next try after a failure. */
  sendAfter: number;
  attempts: number;
  attemptStartedAt: number | null;
  lastError: string | null;
  /** `lastError` as data, for the UI's wording (null for failures stored before Vigie kept it). */
  lastProblem: PostProblem | null;
  remoteId: string | null;
  remoteUrl: string | null;
  sentAt: number | null;
  watchId: number | null;
  /** The last attempt may have reached the server: Vigie reads the account before trying again,
   *  and the post can no longer be cancelled. */
  outcomeUnknown?: boolean;
}

export interface PublishSettings {
  undoSecs: number;
  /** null: never ask to type the handle because of the audience. */
  audienceThreshold: number | null;
}

export interface OutboxChangedPayload {
  ids: number[];
}

// ---- teamwork: drafts, playbooks, approvals (docs/IPC.md, "Teamwork") -----------------------
// Signed blocks, roster files, playbooks and the policy are plain text the user copies and pastes.

export type Autonomy = "low" | "medium" | "high";
export const AUTONOMIES: readonly Autonomy[] = ["low", "medium", "high"];

/** This laptop's identity (the private key stays in the OS keychain). */
export interface Me {
  /** Ed25519 public key, base64. */
  key: string;
  name: string;
  roles: string[];
  autonomy: Autonomy;
}

/** A roster entry: a team member's name, roles, autonomy and public key. */
export interface Member {
  key: string;
  name: string;
  roles: string[];
  autonomy: Autonomy;
}

/** One rule of the approval policy (serde names as in the TOML: snake_case). */
export interface PolicyRule {
  name: string;
  min_sensitivity?: Sensitivity;
  min_level?: Level;
  max_autonomy?: Autonomy;
  profile_kind?: ProfileKind;
  handles?: string[];
  min_audience?: number;
  approvals: number;
  roles?: string[];
}

export interface Policy {
  rule: PolicyRule[];
}

/** What the policy asks for a post. */
export interface Requirement {
  approvals: number;
  roles: string[];
  /** The names of the rules that applied. */
  because: string[];
}

/** A post's requirement and where it stands now (the `requirement` command). */
export interface ApprovalStatus extends Requirement {
  /** Who approved this very post and counts now: "name (role)". */
  approvedBy: string[];
  /** What is still missing; null when the post may go. */
  unmet: Unmet | null;
}

export interface Origin {
  playbook: string;
  statement: string;
  templateHash: string;
  slots: Record<string, string>;
}

/** The current text of a draft for one account. */
export interface Variant {
  accountId: number;
  content: Content;
  contentHash: string;
  version: number;
  /** Public key of who wrote this version. */
  updatedBy: string;
  updatedAt: number;
}

export interface Draft {
  id: number;
  title: string;
  watchId: number | null;
  mentionIds: number[];
  authorKey: string;
  origin: Origin | null;
  variants: Variant[];
  createdAt: number;
  updatedAt: number;
}

/** Every saved version of every variant. */
export interface Version {
  accountId: number;
  version: number;
  content: Content;
  contentHash: string;
  authorKey: string;
  at: number;
}

export interface Comment {
  id: number;
  authorKey: string;
  authorName: string;
  text: string;
  at: number;
}

export interface DraftDetail {
  draft: Draft;
  history: Version[];
  comments: Comment[];
}

/** Playbooks keep their TOML names. */
export interface Statement {
  id: string;
  title: string;
  network?: Network;
  /** The text with `{slot}` placeholders. */
  text: string;
}

export interface Playbook {
  name: string;
  scenario: string;
  alert: string[];
  checklist: string[];
  statement: Statement[];
}

export interface UseStatement {
  playbook: string;
  statement: string;
  slots: Record<string, string>;
  accountId: number;
  watchId?: number;
}

/** The account a request or an approval is about. */
export interface Target {
  network: Network;
  server: string;
  remoteId: string;
  handle: string;
}

/** A signed approval request, as the validator sees it (signature checked). */
export interface ApprovalRequest {
  v: number;
  id: string;
  draftId: number;
  title: string;
  content: Content;
  contentHash: string;
  target: Target;
  level: Level;
  authorKey: string;
  authorName: string;
  at: number;
}

export interface PreApprove {
  playbook: string;
  statement: string;
  target: Target;
  maxLevel: Level;
  role: string;
  validSecs: number;
}

export interface StoredApproval {
  id: number;
  signature: string;
  kind: "approval" | "pre_approval";
  subjectHash: string;
  /** `network|server|remote id` of the account it is bound to. */
  account: string;
  approverKey: string;
  approverName: string;
  role: string;
  signedAt: number;
  expiresAt: number;
  maxLevel: string | null;
  requestId: string | null;
  /** The block as received. */
  statement: string;
  usedByPost: number | null;
}

export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  kind: string;
  data: unknown;
  prevHash: string;
  hash: string;
}

export interface AuditReport {
  entries: number;
  head: string;
  /** Where the chain first breaks, in words; null when intact. */
  broken: string | null;
}

/** What a post still lacks (vigie-domain `approval::Unmet`). */
export type Unmet =
  | { kind: "tooFew"; needed: number; given: number; because: string[]; expired?: string[] }
  | { kind: "role"; role: string; expired?: string[] };

/** Why a publishing guard said no; nothing was sent (vigie-domain `publish::Refusal`). */
export type Refusal =
  | { kind: "wrongProfile"; handle: string; profileKind: ProfileKind; profile: string; active: string }
  | { kind: "typeHandle"; handle: string; profileKind: ProfileKind; level: Level; audience: number }
  | { kind: "notApproved"; handle: string; unmet: Unmet; hasIdentity: boolean }
  | { kind: "approvals"; detail: string }
  | { kind: "paused" }
  | { kind: "samePost"; handle: string; postId: number; state: "queued" | "sending" | "sent"; at: number }
  | { kind: "notAllowListed"; handle: string; profile: string }
  | { kind: "wrongAccount"; expected: string; actual: string }
  | { kind: "brandAccount"; handle: string; brand: string }
  | { kind: "credentialsInAddress"; server: string }
  | { kind: "notFullHandle"; handle: string }
  | { kind: "emptyAllowList" }
  | { kind: "badAddress"; server: string; detail: string }
  | { kind: "insecureServer"; server: string; scheme: string }
  | { kind: "signInExpired" }
  | { kind: "signInStopped" }
  | { kind: "browserTimeout"; secs: number }
  | { kind: "notAuthorised"; detail: string }
  | { kind: "imageUnreadable"; path: string; detail: string }
  | { kind: "imageType"; path: string }
  | { kind: "imageReference"; alt: string }
  | { kind: "imageCopy"; detail: string }
  | { kind: "imageMissing"; alt: string; detail: string }
  | { kind: "imageChanged"; alt: string };

/** Why an attempt to send a post did not go through (vigie-domain `publish::PostProblem`). */
export type PostProblem =
  | { kind: "paused" }
  | { kind: "slowDown"; afterSecs: number }
  | { kind: "unreachable"; detail: string }
  | { kind: "transport"; problem: Problem }
  | { kind: "serverFailed"; status: number }
  | { kind: "unreadable"; detail: string }
  | { kind: "unexpected"; detail: string }
  | { kind: "credentialRefused"; detail: string }
  | { kind: "loginRefused"; detail: string }
  | { kind: "waitBeforeRetry"; afterSecs: number }
  | { kind: "sessionExpired" }
  | { kind: "noCredential"; handle: string }
  | { kind: "otherAccount"; found: string; expected: string }
  | { kind: "foreignAccount"; acct: string }
  | { kind: "keychainLocked" }
  | { kind: "keychainUnavailable"; detail: string }
  | { kind: "keychain"; detail: string }
  | { kind: "refused"; detail: string }
  | { kind: "checkFailed"; status: number }
  | { kind: "registrationRefused"; server: string; status: number }
  | { kind: "signInRefused"; status: number }
  | { kind: "localPort"; detail: string }
  | { kind: "notSent"; refusal: Refusal }
  | { kind: "contentChanged" }
  | { kind: "accountGone" }
  | { kind: "store"; detail: string }
  | { kind: "gaveUp"; attempts: number; cause: PostProblem };

/** Why a teamwork action was refused; nothing changed (vigie-domain `approval::TeamRefusal`). */
export type TeamRefusal =
  | { kind: "identityExists" }
  | { kind: "noIdentity" }
  | { kind: "notInRoster" }
  | { kind: "noPrivateKey" }
  | { kind: "damagedKey" }
  | { kind: "badRoster"; detail: string }
  | { kind: "badMemberKey"; name: string }
  | { kind: "noSuchMember"; who: string }
  | { kind: "ownRoles" }
  | { kind: "noPlaybook"; name: string }
  | { kind: "noStatement"; playbook: string; statement: string }
  | { kind: "wrongNetwork"; statement: string; network: Network; target: Network }
  | { kind: "invalid"; detail: string }
  | { kind: "noVariant" }
  | { kind: "requestDamaged" }
  | { kind: "selfApproval" }
  | { kind: "notYourRole"; role: string; yours: string[] }
  | { kind: "approverUnknown"; name: string }
  | { kind: "roleNotHeld"; name: string; role: string; roles: string[] }
  | { kind: "expired"; name: string }
  | { kind: "ownApproval" }
  | { kind: "authorApproved" }
  | { kind: "someoneElsesRequest" }
  | { kind: "draftEdited" }
  | { kind: "noMatchingDraft"; handle: string };
