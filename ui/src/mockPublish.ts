// MOCK BACKEND, publishing part — for `npm run dev` in a plain browser only (see mock.ts).
// Fictional profiles, accounts and posts; a fake delivery loop. The real rules live in the
// engine: this only imitates their answers closely enough to look at the screens.

import type {
  Account, ComposeCheck, ComposeRequest, ConnectRequest, Invalid, KillSwitch, Level, Post, Profile, ProfileSpec,
  PublishSettings,
} from "./types";
import { normalizeHandle, typedHandleMatches } from "./logic/publish";

const NOW = () => Math.floor(Date.now() / 1000);
export const NOT_MINE = Symbol("not a publishing command");

type Emit = (event: string, payload: unknown) => void;

export class MockPublishing {
  private profiles: Profile[] = [];
  private accounts: Account[] = [];
  private posts: Post[] = [];
  private active: number | null = null;
  private kill: KillSwitch = { on: false, reason: "", since: null };
  private settings: PublishSettings = { undoSecs: 30, audienceThreshold: 10_000 };
  private signInStopped = false;
  private nextId = 1;

  constructor(empty: boolean, private emit: Emit, private level: () => Level) {
    if (!empty) this.seed();
    if (typeof window !== "undefined") setInterval(() => this.deliver(), 1000);
  }

  private seed() {
    const now = NOW();
    this.profiles = [
      { id: 1, name: "Maison Lumen", kind: "brand", colour: "#d6336c", allowedHandles: ["maisonlumen@mastodon.example", "maisonlumen.bsky.example"] },
      { id: 2, name: "Claire (perso)", kind: "personal", colour: "#2f9e44", allowedHandles: [] },
    ];
    this.active = 1;
    this.accounts = [
      this.account(1, "mastodon", "https://mastodon.example", "maisonlumen@mastodon.example", "Maison Lumen", 12_400),
      this.account(1, "bluesky", "https://bsky.social", "maisonlumen.bsky.example", "Maison Lumen", 3_180),
      this.account(2, "mastodon", "https://social.example", "claire@social.example", "Claire M.", 214),
    ];
    this.posts = [
      this.post(1, "Nous avons bien reçu vos messages au sujet de la crème de jour. Nous vous répondons ici dans l'heure.", "sent", now - 3 * 3600, { remoteUrl: "https://mastodon.example/@maisonlumen/1101", sentAt: now - 3 * 3600 + 30 }),
      this.post(2, "Point d'étape : les analyses du lot 42 sont en cours.", "failed", now - 50 * 60, { lastError: "the server could not be reached (connection refused) (after 5 attempts, Vigie stopped trying: press retry once this is solved)", lastProblem: { kind: "gaveUp", attempts: 5, cause: { kind: "unreachable", detail: "connection refused" } }, attempts: 5 }),
    ];
  }

  private account(profileId: number, network: Account["network"], server: string, handle: string, name: string, audience: number): Account {
    return {
      id: this.nextId++, profileId, network, server,
      identity: { remoteId: `r-${this.nextId}`, handle, displayName: name, avatarUrl: null, audience },
      limits: network === "mastodon"
        ? { maxChars: 500, urlChars: 23, maxImages: 4, maxImageBytes: 16 * 1024 * 1024 }
        : { maxChars: 300, urlChars: 0, maxImages: 4, maxImageBytes: 1_000_000 },
    };
  }

  private post(accountId: number, text: string, state: Post["state"], at: number, over: Partial<Post> = {}): Post {
    return {
      id: this.nextId++, key: `k${this.nextId}`, accountId, content: { text, images: [] }, contentHash: "mock", state,
      queuedAt: at, queuedMicros: at * 1_000_000, sendAfter: at + this.settings.undoSecs, attempts: state === "queued" ? 0 : 1,
      attemptStartedAt: null, lastError: null, lastProblem: null, remoteId: null, remoteUrl: null, sentAt: null, watchId: null, ...over,
    };
  }

  private deliver() {
    const now = NOW();
    for (const p of this.posts) {
      if (p.state === "queued" && !this.kill.on && p.sendAfter <= now) {
        p.state = "sent";
        p.attempts += 1;
        p.sentAt = now;
        p.remoteUrl = `https://mastodon.example/@maisonlumen/${1000 + p.id}`;
        this.emit("outbox://changed", { ids: [p.id] });
      }
    }
  }

  private count(a: Account, text: string): number {
    const chars = (s: string) => Array.from(s).length;
    if (a.network === "bluesky") return chars(text);
    return chars(text.replace(/https?:\/\/\S+/g, "x".repeat(a.limits.urlChars)));
  }

  private check(r: ComposeRequest): ComposeCheck {
    const a = this.accounts.find((x) => x.id === r.accountId);
    if (!a) throw { code: "not_found", message: "this account no longer exists" };
    const profile = this.profiles.find((p) => p.id === a.profileId)!;
    if (a.profileId !== r.profileId) {
      throw { code: "refused", message: `@${a.identity.handle} belongs to the ${profile.kind} profile "${profile.name}", not to the active profile: switch profile to use it` };
    }
    const level = this.level();
    const crisis = profile.kind === "brand" && (level === "alert" || level === "crisis");
    const big = this.settings.audienceThreshold !== null && a.identity.audience > this.settings.audienceThreshold;
    const count = this.count(a, r.content.text);
    const problems: string[] = [];
    const invalid: Invalid[] = [];
    if (!r.content.text.trim()) problems.push("the post is empty: write something"), invalid.push({ kind: "empty" });
    if (count > a.limits.maxChars) {
      problems.push(`the text is ${count} characters long; this account accepts ${a.limits.maxChars}: remove ${count - a.limits.maxChars}`);
      invalid.push({ kind: "tooLong", count, max: a.limits.maxChars });
    }
    return { account: a, profile, level, rule: crisis || big ? { kind: "typeHandle" } : { kind: "click" }, count, max: a.limits.maxChars, problems, killSwitch: { ...this.kill }, invalid };
  }

  private connect(r: ConnectRequest): Account {
    const profile = this.profiles.find((p) => p.id === r.profileId);
    if (!profile) throw { code: "not_found", message: "no such profile" };
    if (!r.secret) throw { code: "auth", message: "the credential is empty" };
    if (r.secret === "wrong") throw { code: "auth", message: "the server refused this credential (401): it is wrong, expired or revoked" };
    const handle = normalizeHandle(r.network, r.handle || "newaccount", r.server);
    if (profile.kind === "brand" && !profile.allowedHandles.includes(handle)) {
      throw { code: "refused", message: `@${handle} is not on the allow-list of the brand profile "${profile.name}": a brand profile only holds the accounts it names.` };
    }
    const a = this.account(profile.id, r.network, r.server.replace(/\/+$/, ""), handle, handle.split(/[@.]/)[0], 42);
    this.accounts.push(a);
    return a;
  }

  /** For the teamwork mock: an account by id. */
  accountById(id: number): Account | undefined {
    const a = this.accounts.find((x) => x.id === id);
    return a ? structuredClone(a) : undefined;
  }

  /** Answers a publishing command, or NOT_MINE. */
  dispatch(cmd: string, a: Record<string, unknown>): unknown {
    switch (cmd) {
      case "list_profiles": return this.profiles.map((p) => ({ ...p }));
      case "create_profile": {
        const s = a.spec as ProfileSpec;
        if (!s.name.trim()) throw { code: "invalid", message: "a profile needs a name" };
        if (this.profiles.some((p) => p.name === s.name.trim())) throw { code: "duplicate", message: `a profile named "${s.name}" already exists` };
        if (s.kind === "brand" && !s.allowedHandles.length) throw { code: "refused", message: "a brand profile needs the list of handles it may hold" };
        const p: Profile = { id: this.nextId++, name: s.name.trim(), kind: s.kind, colour: s.colour, allowedHandles: s.allowedHandles };
        this.profiles.push(p);
        if (this.active === null) this.active = p.id;
        return { ...p };
      }
      case "set_allowed_handles": {
        const p = this.profiles.find((x) => x.id === a.profileId);
        if (!p) throw { code: "not_found", message: "no such profile" };
        p.allowedHandles = a.handles as string[];
        return { ...p };
      }
      case "active_profile": return this.profiles.find((p) => p.id === this.active) ?? this.profiles[0] ?? null;
      case "set_active_profile": {
        const p = this.profiles.find((x) => x.id === a.profileId);
        if (!p) throw { code: "not_found", message: "no such profile" };
        this.active = p.id;
        return { ...p };
      }
      case "list_accounts": return this.accounts.filter((x) => x.profileId === a.profileId).map((x) => structuredClone(x));
      case "connect_account": return this.connect(a.request as ConnectRequest);
      case "begin_mastodon_sign_in": return { flow: "mock-flow", url: `${String(a.server).replace(/\/+$/, "")}/oauth/authorize?client_id=mock`, opened: false };
      case "finish_mastodon_sign_in":
        this.signInStopped = false;
        return new Promise((resolve, reject) => setTimeout(() => {
          // As the engine: a stopped sign-in connects nothing.
          if (this.signInStopped) return reject({ code: "refused", message: "the sign-in was stopped: nothing was connected", refusal: { kind: "signInStopped" } });
          try {
            resolve(this.connect({ profileId: a.profileId as number, network: "mastodon", server: "https://mastodon.example", handle: (a.expectedHandle as string) || "newaccount", secret: "oauth" }));
          } catch (e) {
            reject(e);
          }
        }, 2500));
      case "cancel_mastodon_sign_in":
        this.signInStopped = true;
        return true;
      case "disconnect_account": {
        const acc = this.accounts.find((x) => x.id === a.accountId);
        if (!acc) throw { code: "not_found", message: "no such account" };
        // As the engine: an account posts name keeps its row, without its credential.
        const kept = this.posts.some((p) => p.accountId === acc.id);
        if (!kept) this.accounts = this.accounts.filter((x) => x !== acc);
        return { account: acc, keptForHistory: kept };
      }
      case "credential_is_set": return this.accounts.some((x) => x.id === a.accountId);
      case "compose_check": return this.check(a.request as ComposeRequest);
      case "queue_post": {
        const r = a.request as ComposeRequest;
        const c = this.check(r);
        if (c.problems.length) throw { code: "invalid", message: `the post cannot go out as it is: ${c.problems.join("; ")}` };
        if (c.rule.kind === "typeHandle" && !typedHandleMatches(c.account, r.typedHandle ?? "")) {
          throw { code: "refused", message: `type the handle @${c.account.identity.handle} to confirm` };
        }
        const p = this.post(r.accountId, r.content.text, "queued", NOW());
        this.posts.unshift(p);
        this.emit("outbox://changed", { ids: [p.id] });
        return { ...p };
      }
      case "outbox": return this.posts.slice(0, a.limit as number).map((p) => structuredClone(p));
      case "cancel_post":
      case "retry_post": {
        const p = this.posts.find((x) => x.id === a.id);
        if (!p) throw { code: "not_found", message: "no such post" };
        if (cmd === "cancel_post") {
          if (p.state !== "queued") throw { code: "invalid", message: `this post is ${p.state}: only a queued post can be cancelled` };
          p.state = "cancelled";
        } else {
          if (p.state !== "failed") throw { code: "invalid", message: "only a failed post can be retried" };
          // The engine's gate again (see Publisher::retry), then a fresh undo window.
          const c = this.check({ profileId: a.profileId as number, accountId: p.accountId, content: p.content, ...(p.watchId != null ? { watchId: p.watchId } : {}) });
          if (c.rule.kind === "typeHandle" && !typedHandleMatches(c.account, String(a.typedHandle ?? ""))) {
            throw { code: "refused", message: `type the handle @${c.account.identity.handle} to confirm` };
          }
          p.state = "queued";
          p.sendAfter = NOW() + this.settings.undoSecs;
          p.lastError = null;
          p.lastProblem = null;
        }
        this.emit("outbox://changed", { ids: [p.id] });
        return { ...p };
      }
      case "kill_switch": return { ...this.kill };
      case "set_kill_switch": {
        if (a.on && !String(a.reason).trim()) throw { code: "invalid", message: "say why publishing is paused (the team sees the reason)" };
        this.kill = { on: !!a.on, reason: a.on ? String(a.reason).trim() : "", since: a.on ? NOW() : null };
        // Resuming gives every held post a fresh undo window (the engine's set_kill_switch).
        if (!a.on) for (const p of this.posts) if (p.state === "queued") p.sendAfter = Math.max(p.sendAfter, NOW() + this.settings.undoSecs);
        this.emit("publish://kill-switch", { ...this.kill });
        return { ...this.kill };
      }
      case "get_publish_settings": return { ...this.settings };
      case "save_publish_settings": {
        const s = a.settings as PublishSettings;
        if (s.undoSecs < 0 || s.undoSecs > 600) throw { code: "invalid", message: "the undo window must be between 0 and 600 seconds" };
        this.settings = { ...s };
        return { ...this.settings };
      }
      default: return NOT_MINE;
    }
  }
}
