// The only module that talks to the desktop shell. Every call is typed after docs/IPC.md and
// every failure is turned into an `IpcError { code, message }` that is safe to show.
//
// Inside Tauri (`window.__TAURI_INTERNALS__` present) calls go to the shell. In a plain browser
// (`npm run dev`) they go to the clearly named MOCK backend in ./mock.ts, loaded on demand, so
// the UI can be viewed and screenshotted without the shell. The real app never uses the mock.

import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { listen as tauriListen } from "@tauri-apps/api/event";
import type {
  Account,
  ApprovalStatus,
  ApprovalRequest,
  AuditEntry,
  AuditReport,
  Autonomy,
  Content,
  Draft,
  DraftDetail,
  Me,
  Member,
  Playbook,
  Policy,
  PostProblem,
  PreApprove,
  Refusal,
  StoredApproval,
  Target,
  TeamRefusal,
  UseStatement,
  ComposeCheck,
  ComposeRequest,
  ConnectRequest,
  DashboardRow,
  KillSwitch,
  OutboxChangedPayload,
  Post,
  Profile,
  ProfileSpec,
  PublishSettings,
  SignIn,
  Mention,
  MentionFilter,
  NewMentionsPayload,
  NewWatch,
  OpmlImport,
  QueryCheck,
  Range,
  Settings,
  Source,
  SourceRow,
  SourceSpec,
  Triage,
  VigieEvent,
  AlertsSeen,
  Watch,
  WatchLevel,
  WatchSeries,
} from "./types";

export interface IpcError {
  code: string;
  /** The engine's sentence, in English. */
  message: string;
  /** What it is about, where the code alone does not say (`duplicate` of a "watch" or a
   * "source", `storage` that is "disk_full" …), and which one: for logic/errors.ts. */
  what?: string;
  key?: string;
  /** Why a publishing guard said no, as data (logic/postProblems.ts words it). */
  refusal?: Refusal;
  /** Why checking an account with its server failed, as data. */
  problem?: PostProblem;
  /** Why a teamwork action was refused, as data (logic/teamErrors.ts words it). */
  team?: TeamRefusal;
}

export type Unlisten = () => void;

/** What ipc.ts needs from a backend: the shell, the mock, or a test double. */
export interface Backend {
  readonly name: "tauri" | "mock" | "test";
  invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  listen<T>(event: string, handler: (payload: T) => void): Promise<Unlisten>;
}

export function isTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** Data the engine tags with its `kind` (a refusal, a problem). */
function isKinded(v: unknown): boolean {
  return !!v && typeof v === "object" && typeof (v as { kind?: unknown }).kind === "string";
}

/** Maps anything thrown by a backend to `{ code, message }`, keeping what it is about. */
export function toIpcError(e: unknown): IpcError {
  if (e && typeof e === "object") {
    const o = e as Record<string, unknown>;
    if (typeof o.code === "string" && typeof o.message === "string") {
      const err: IpcError = { code: o.code, message: o.message };
      if (typeof o.what === "string") err.what = o.what;
      if (typeof o.key === "string") err.key = o.key;
      // Publishing and teamwork errors as data, for the UI's wording (logic/errors.ts).
      if (isKinded(o.refusal)) err.refusal = o.refusal as Refusal;
      if (isKinded(o.problem)) err.problem = o.problem as PostProblem;
      if (isKinded(o.team)) err.team = o.team as TeamRefusal;
      return err;
    }
    if (typeof o.message === "string") {
      return { code: typeof o.code === "string" ? o.code : "error", message: o.message };
    }
  }
  if (typeof e === "string" && e.length > 0) {
    return { code: "error", message: e };
  }
  return { code: "unknown", message: "Unexpected error" };
}

export function isIpcError(e: unknown): e is IpcError {
  return (
    !!e &&
    typeof e === "object" &&
    typeof (e as IpcError).code === "string" &&
    typeof (e as IpcError).message === "string"
  );
}

const tauriBackend: Backend = {
  name: "tauri",
  invoke: <T>(cmd: string, args?: Record<string, unknown>) => tauriInvoke<T>(cmd, args),
  listen: async <T>(event: string, handler: (payload: T) => void) => {
    const un = await tauriListen<T>(event, (ev) => handler(ev.payload));
    return () => un();
  },
};

let current: Promise<Backend> | null = null;

function backend(): Promise<Backend> {
  if (!current) {
    current = isTauri()
      ? Promise.resolve(tauriBackend)
      : import("./mock").then((m) => m.createMockBackend() as Backend);
  }
  return current;
}

/** For tests: replace the backend (pass null to go back to auto-detection). */
export function setBackend(b: Backend | null): void {
  current = b ? Promise.resolve(b) : null;
}

export async function backendName(): Promise<Backend["name"]> {
  return (await backend()).name;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  let b: Backend;
  try {
    b = await backend();
  } catch (e) {
    throw toIpcError(e);
  }
  try {
    return await b.invoke<T>(cmd, args);
  } catch (e) {
    throw toIpcError(e);
  }
}

async function on<T>(event: string, handler: (payload: T) => void): Promise<Unlisten> {
  try {
    return await (await backend()).listen<T>(event, handler);
  } catch (e) {
    throw toIpcError(e);
  }
}

// ---- commands ---------------------------------------------------------------------------

export const dashboard = () => call<DashboardRow[]>("dashboard");
export const dashboardSeries = (range: Range) =>
  call<WatchSeries[]>("dashboard_series", { range });
export const listWatches = () => call<Watch[]>("list_watches");
export const saveWatch = (id: number | null, watch: NewWatch) =>
  call<Watch>("save_watch", { id, watch });
export const removeWatch = (id: number) => call<void>("remove_watch", { id });
export const checkQuery = (query: string) => call<QueryCheck>("check_query", { query });
export const previewQuery = (query: string, limit: number) =>
  call<Mention[]>("preview_query", { query, limit });
export const listMentions = (filter: MentionFilter) =>
  call<Mention[]>("list_mentions", { filter });
export const setTriage = (id: number, triage: Triage) => call<void>("set_triage", { id, triage });
export const setTriageMany = (ids: number[], triage: Triage) => call<number>("set_triage_many", { ids, triage });
export const listSources = () => call<SourceRow[]>("list_sources");
export const addSource = (spec: SourceSpec) => call<Source>("add_source", { spec });
export const removeSource = (id: number) => call<void>("remove_source", { id });
export const checkSource = (id: number) => call<void>("check_source", { id });
export const checkAllSources = () => call<number>("check_all_sources");
export const setSourceEnabled = (id: number, enabled: boolean) => call<void>("set_source_enabled", { id, enabled });
export const importOpml = (text: string) => call<OpmlImport>("import_opml", { text });
/** Saves the feeds as OPML in the downloads folder; the file's path. */
export const exportOpml = () => call<string>("export_opml");
export const alerts = (limit: number) => call<VigieEvent[]>("alerts", { limit });
/** The newest alert seen in the alerts centre, and the level changes since (kept by the engine). */
export const alertsSeen = () => call<AlertsSeen>("alerts_seen");
export const markAlertsSeen = (upTo: number) => call<void>("mark_alerts_seen", { upTo });
export const getSettings = () => call<Settings>("get_settings");
export const saveSettings = (settings: Settings) => call<Settings>("save_settings", { settings });
export const openExternal = (url: string) => call<void>("open_external", { url });

// publishing: profiles, accounts, composer, outbox, kill switch
export const listProfiles = () => call<Profile[]>("list_profiles");
export const createProfile = (spec: ProfileSpec) => call<Profile>("create_profile", { spec });
export const setAllowedHandles = (profileId: number, handles: string[]) =>
  call<Profile>("set_allowed_handles", { profileId, handles });
export const activeProfile = () => call<Profile | null>("active_profile");
export const setActiveProfile = (profileId: number) =>
  call<Profile>("set_active_profile", { profileId });
export const listAccounts = (profileId: number) => call<Account[]>("list_accounts", { profileId });
/** The secret (token or app password) goes to the shell, which keeps it in the OS keychain. */
export const connectAccount = (request: ConnectRequest) =>
  call<Account>("connect_account", { request });
export const beginMastodonSignIn = (server: string) =>
  call<SignIn>("begin_mastodon_sign_in", { server });
export const finishMastodonSignIn = (flow: string, profileId: number, expectedHandle: string | null) =>
  call<Account>("finish_mastodon_sign_in", { flow, profileId, expectedHandle });
/** "Stop waiting": the sign-in connects nothing, even if the browser comes back later. */
export const cancelMastodonSignIn = (flow: string) => call<boolean>("cancel_mastodon_sign_in", { flow });
/** The credential leaves the keychain; the account too, unless posts or drafts name it. */
export const disconnectAccount = (accountId: number) =>
  call<{ account: Account; keptForHistory: boolean }>("disconnect_account", { accountId });
export const credentialIsSet = (accountId: number) =>
  call<boolean>("credential_is_set", { accountId });
export const composeCheck = (request: ComposeRequest) =>
  call<ComposeCheck>("compose_check", { request });
export const queuePost = (request: ComposeRequest) => call<Post>("queue_post", { request });
export const outbox = (limit: number) => call<Post[]>("outbox", { limit });
export const cancelPost = (id: number) => call<Post>("cancel_post", { id });
/** A failed post through the gate again, as the active profile's (see `queue_post`). */
export const retryPost = (r: { profileId: number; id: number; typedHandle?: string }) => call<Post>("retry_post", r);
export const killSwitch = () => call<KillSwitch>("kill_switch");
export const setKillSwitch = (on: boolean, reason: string) =>
  call<KillSwitch>("set_kill_switch", { on, reason });
export const getPublishSettings = () => call<PublishSettings>("get_publish_settings");
export const savePublishSettings = (settings: PublishSettings) =>
  call<PublishSettings>("save_publish_settings", { settings });

// teamwork: identity and roster, policy, drafts, playbooks, approvals, audit. Blocks, roster
// files, playbooks and the policy are text (copied and pasted by the user).
export const myIdentity = () => call<Me | null>("my_identity");
export const createIdentity = (name: string, roles: string[], autonomy: Autonomy) =>
  call<Me>("create_identity", { name, roles, autonomy });
export const listRoster = () => call<Member[]>("list_roster");
export const exportRoster = () => call<string>("export_roster");
/** Returns how many members the pasted file holds. */
export const importRoster = (text: string) => call<number>("import_roster", { text });
export const setMember = (who: string, roles: string[] | null, autonomy: Autonomy | null) =>
  call<Member>("set_member", { who, roles, autonomy });
export const getPolicy = () => call<string>("get_policy");
export const savePolicy = (toml: string) => call<Policy>("save_policy", { toml });
export const listDrafts = () => call<Draft[]>("list_drafts");
export const getDraft = (id: number) => call<DraftDetail>("get_draft", { id });
export const createDraft = (title: string, watchId: number | null, mentions: number[]) =>
  call<Draft>("create_draft", { title, watchId, mentions });
export const saveVariant = (draftId: number, accountId: number, content: Content) =>
  call<Draft>("save_variant", { draftId, accountId, content });
export const commentDraft = (draftId: number, text: string) =>
  call<DraftDetail>("comment_draft", { draftId, text });
export const listPlaybooks = () => call<Playbook[]>("list_playbooks");
export const importPlaybook = (toml: string) => call<Playbook>("import_playbook", { toml });
export const exportPlaybook = (name: string) => call<string>("export_playbook", { name });
export const useStatement = (request: UseStatement) => call<Draft>("use_statement", { request });
/** A signed request block for one variant of a draft. */
export const requestApproval = (draftId: number, accountId: number) =>
  call<string>("request_approval", { draftId, accountId });
export const reviewRequest = (text: string) => call<ApprovalRequest>("review_request", { text });
/** Signs the pasted request; returns the approval block. */
export const approveRequest = (text: string, role: string, validSecs: number) =>
  call<string>("approve_request", { text, role, validSecs });
export const preApprove = (request: PreApprove) => call<string>("pre_approve", { request });
export const importApproval = (text: string) => call<StoredApproval>("import_approval", { text });
export const listApprovals = () => call<StoredApproval[]>("list_approvals");
export const requirement = (request: ComposeRequest) => call<ApprovalStatus>("requirement", { request });
export const auditLog = (limit: number) => call<AuditEntry[]>("audit_log", { limit });
export const verifyAudit = () => call<AuditReport>("verify_audit");
export const accountTarget = (accountId: number) => call<Target>("account_target", { accountId });
/** The answer to `window://closed`: may the closed window's webview be released? */
export const releaseWindow = (unsaved: boolean) => call<void>("release_window", { unsaved });

// ---- events -----------------------------------------------------------------------------

export const onNewMentions = (h: (p: NewMentionsPayload) => void) =>
  on<NewMentionsPayload>("mentions://new", h);
export const onWatchLevel = (watchId: number, h: (p: WatchLevel) => void) =>
  on<WatchLevel>(`watch://${watchId}/level`, h);
export const onSourceHealth = (sourceId: number, h: (p: SourceRow) => void) =>
  on<SourceRow>(`source://${sourceId}/health`, h);
export const onOutboxChanged = (h: (p: OutboxChangedPayload) => void) =>
  on<OutboxChangedPayload>("outbox://changed", h);
export const onKillSwitch = (h: (p: KillSwitch) => void) =>
  on<KillSwitch>("publish://kill-switch", h);
export const onOpenWatch = (h: (p: { watchId: number }) => void) =>
  on<{ watchId: number }>("notification://open-watch", h);
export const onWindowClosed = (h: () => void) => on<null>("window://closed", () => h());
