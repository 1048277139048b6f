// A source's health in the user's language, from its poll state (the engine keeps the last
// failure as data: vigie_domain::health::Problem; the CLI words the same in English).

import { t, tn } from "../i18n";
import type { PollState, Problem } from "../types";
import { nowSecs, number, relativeTime } from "./format";

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  410: "Gone",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** "503 Service Unavailable": HTTP's own words, the same in every language. */
export function httpStatus(code: number): string {
  return REASONS[code] ? `${code} ${REASONS[code]}` : String(code);
}

/** How long Vigie waits, as the engine rounds it: "45 s", "2 min", "3 h". */
export function waitText(secs: number): string {
  if (secs < 90) return `${number(secs)} s`;
  if (secs < 5400) return `${number(Math.round(secs / 60))} min`;
  return `${number(Math.round(secs / 3600))} h`;
}

/** What went wrong and what to do, in the UI's language. */
export function problemText(p: Problem): string {
  switch (p.problem) {
    case "http": {
      const s = p.status;
      const wait = p.retry_after_secs != null ? waitText(p.retry_after_secs) : null;
      if (s === 410) return t("problem.gone");
      if (s === 404) return t("problem.notFound");
      if (s === 401 || s === 403) return t("problem.denied", { status: httpStatus(s) });
      if (s === 429) return wait ? t("problem.tooManyWait", { wait }) : t("problem.tooMany");
      if (s >= 500) return wait ? t("problem.serverWait", { status: httpStatus(s), wait }) : t("problem.server", { status: httpStatus(s) });
      return t("problem.http", { status: httpStatus(s) });
    }
    case "timeout":
      return t("problem.timeout", { secs: number(p.secs) });
    case "connect":
      return t("problem.connect", { detail: p.detail });
    case "too_large":
      return t("problem.tooLarge", { mb: number(Math.floor(p.limit_bytes / 1_000_000)) });
    case "too_many_redirects":
      return t("problem.tooManyRedirects", { max: number(p.max) });
    case "redirect_loop":
      return t("problem.redirectLoop");
    case "redirect_inward":
      return t("problem.redirectInward", { host: p.host });
    case "insecure_server":
      return t("problem.insecureServer", { server: p.server });
    case "unsupported_scheme":
      return t("problem.scheme", { scheme: p.scheme });
    case "not_a_feed":
      return t("problem.notAFeed", { type: p.content_type ? ` (${p.content_type})` : "" });
    case "malformed":
      return t("problem.malformed", { detail: p.detail });
    case "auth":
      return t("problem.auth", { detail: p.detail });
    case "keychain":
      return t("problem.keychain", { detail: p.detail });
    case "keychain_locked":
      return t("problem.keychainLocked");
    case "session_expired":
      return t("problem.sessionExpired");
    case "no_app_password":
      return t("problem.noAppPassword", { handle: p.handle });
    case "main_password":
      return t("problem.mainPassword", { handle: p.handle });
    case "refused":
      return p.message.replace(/\.+$/, "")
        ? t("problem.refused", { code: p.code, message: p.message.replace(/\.+$/, "") })
        : t("problem.refusedCode", { code: p.code });
    case "other":
      return p.detail;
  }
}

/** The last failure: as data when the engine stored it so, else its English words. */
export function lastErrorText(s: PollState): string | null {
  return s.last_problem ? problemText(s.last_problem) : s.last_error;
}

/** Whether the source's last check failed. */
export function isFailing(s: PollState): boolean {
  return s.error_count > 0 || lastErrorText(s) != null;
}

/** One line: working or failing, since when, and when Vigie looks again. */
export function healthText(s: PollState, now = nowSecs()): string {
  // English short units end in a full stop ("in 7 min."), as the sentence does.
  const next = (s.next_check_at <= now ? t("health.now") : relativeTime(s.next_check_at, now)).replace(/\.$/, "");
  const error = lastErrorText(s);
  const ok = s.last_success_at;
  if (error && ok != null) return tn("health.failing", s.error_count, { problem: error, ago: relativeTime(ok, now), next });
  if (error) return t("health.neverWorked", { problem: error, next });
  if (ok != null) return t("health.ok", { ago: relativeTime(ok, now), next });
  return t("health.notChecked", { next });
}
