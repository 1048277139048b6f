import type { Backend } from "../src/ipc";
import { errorText } from "../src/logic/errors";
import { toIpcError } from "../src/ipc";
import type { Ctx } from "../src/app";
import type { Mention } from "../src/types";

export const XSS = "<img src=x onerror=alert(1)>";

export function mention(over: Partial<Mention> = {}): Mention {
  return {
    id: 1, source_id: 1, guid: "g", url: "https://news.example/a", title: "Title", text: "Body", html: null,
    author: "Someone", published_at: 1_700_000_000, fetched_at: 1_700_000_100, lang: "en", triage: "new",
    tonality: { score: -0.5, label: "negative", anger: false }, watch_ids: [1], ...over,
  };
}

/** A backend that answers from a table and records every call. */
type Args = Record<string, unknown>;
type Answer = ((args: Args) => unknown) | string | number | boolean | null | unknown[] | Args;

export function testBackend(answers: Record<string, Answer>) {
  const calls: { cmd: string; args?: Record<string, unknown> }[] = [];
  const listeners = new Map<string, (p: unknown) => void>();
  const backend: Backend = {
    name: "test",
    async invoke<T>(cmd: string, args?: Record<string, unknown>) {
      calls.push({ cmd, args });
      if (!(cmd in answers)) throw { code: "unknown_command", message: cmd };
      const a = answers[cmd];
      return (typeof a === "function" ? a(args ?? {}) : a) as T;
    },
    async listen<T>(event: string, h: (p: T) => void) {
      listeners.set(event, h as (p: unknown) => void);
      return () => listeners.delete(event);
    },
  };
  return { backend, calls, emit: (event: string, p: unknown) => listeners.get(event)?.(p) };
}

export function testCtx(over: Partial<Ctx> = {}): Ctx {
  const toasts: string[] = [];
  return {
    settings: { language: "en", theme: "system", poll_interval_secs: 600, notify_levels: true, notify_weak_signals: true },
    rows: [],
    backend: "test",
    refreshDashboard: async () => [],
    navigate: () => undefined,
    toast: (m: string) => void toasts.push(m),
    announce: () => undefined,
    applySettings: () => undefined,
    // The app's own wording (src/app.ts), so views show what the user would read.
    errorText: (e: unknown) => errorText(toIpcError(e)),
    publishing: { profiles: [], active: null, killSwitch: { on: false, reason: "", since: null } },
    refreshPublishing: async () => undefined,
    switchProfile: async () => true,
    onPublishing: () => () => undefined,
    setLeaveGuard: () => undefined,
    ...over,
  };
}

export const flush = () => new Promise((r) => setTimeout(r, 0));
