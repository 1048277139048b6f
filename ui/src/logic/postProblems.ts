// What stops, refused or failed a post, in the UI's language. The engine sends these as data
// (vigie-domain `publish::{Invalid, Refusal, PostProblem}`, `approval::Unmet`) beside its
// English words, which the CLI prints and which stay the fallback.

import { t, tn, type Key } from "../i18n";
import type { Invalid, PostProblem, Problem, ProfileKind, Refusal, Unmet } from "../types";
import { dateTime, number } from "./format";
import { httpStatus, problemText, waitText } from "./health";

/** "1.4 MB", "830 kB": an image's weight as the user thinks of it. */
function weight(bytes: number): string {
  return bytes >= 1_000_000 ? `${number(bytes / 1_000_000, 2)} ${t("unit.mb")}` : `${number(Math.ceil(bytes / 1000))} ${t("unit.kb")}`;
}

/** What stops a post, and what to change. */
export function invalidText(i: Invalid): string {
  switch (i.kind) {
    case "empty":
      return t("invalid.empty");
    case "tooLong":
      return tn("invalid.tooLong", i.count - i.max, { count: number(i.count), max: number(i.max) });
    case "tooManyBytes":
      return t("invalid.tooManyBytes", { bytes: number(i.bytes), max: number(i.max) });
    case "tooManyImages":
      return tn("invalid.tooManyImages", i.count - i.max, { count: number(i.count), max: number(i.max) });
    case "imageTooBig":
      return t("invalid.imageTooBig", { image: number(i.index + 1), size: weight(i.bytes), max: weight(i.max) });
    case "missingAlt":
      return t("invalid.missingAlt", { image: number(i.index + 1) });
    case "unsupportedImage":
      return t("invalid.unsupportedImage", { image: number(i.index + 1), mime: i.mime });
  }
}

// The default approval policy's rule names (vigie-domain `Policy::default`), in the UI's
// language; names a team wrote in its own policy are shown as written.
const DEFAULT_RULES: Record<string, Key> = {
  "author without autonomy: one validator": "rule.default.lowAutonomy",
  "sensitive topic: one validator": "rule.default.sensitive",
  "alert: one validator": "rule.default.alert",
  "crisis: two validators, one of them legal": "rule.default.crisis",
};

/** A policy rule's name, in the UI's language when it is one of the default rules. */
export function ruleName(name: string): string {
  const key = DEFAULT_RULES[name];
  return key ? t(key) : name;
}

/** What a post still lacks before it may go out, and whose approval lapsed (asking them
 *  again is the quickest way out). */
export function unmetText(u: Unmet): string {
  const text =
    u.kind === "tooFew"
      ? tn("unmet.tooFew", u.needed, { because: u.because.map(ruleName).join(t("list.rules")), given: number(u.given) })
      : t("unmet.role", { role: u.role });
  const expired = u.expired ?? [];
  return expired.length ? text + t("unmet.expired", { names: expired.join(", ") }) : text;
}

const kindWord = (k: ProfileKind) => t(k === "brand" ? "refusal.kind.brand" : "refusal.kind.personal");

/** Why a publishing guard said no (nothing was sent), and what to do. Most kinds are worded
 * by their key, `refusal.<kind>`, with their fields filled in. */
export function refusalText(r: Refusal): string {
  switch (r.kind) {
    case "wrongProfile":
      return t("refusal.wrongProfile", { ...r, kind: kindWord(r.profileKind) });
    case "typeHandle":
      return r.level === "alert" || r.level === "crisis"
        ? t("refusal.typeHandle.level", { handle: r.handle, kind: kindWord(r.profileKind), level: t(`level.${r.level}`) })
        : t("refusal.typeHandle.audience", { handle: r.handle, kind: kindWord(r.profileKind), audience: number(r.audience) });
    case "notApproved":
      return t(r.hasIdentity ? "refusal.notApproved" : "refusal.notApprovedNoIdentity", { handle: r.handle, unmet: unmetText(r.unmet) });
    case "browserTimeout":
      return t("refusal.browserTimeout", { secs: number(r.secs) });
    case "samePost":
      return t(`refusal.samePost.${r.state}`, { handle: r.handle, when: dateTime(r.at) });
    default:
      return t(`refusal.${r.kind}`, r);
  }
}

/** What the fetch layer said, for a post or a sign-in (not a feed: no word about feeds or
 * about Vigie retrying, which depends on the post's state). */
function transportText(p: Problem): string {
  switch (p.problem) {
    case "http":
      return t("postProblem.http", { status: httpStatus(p.status) });
    case "timeout":
      return t("postProblem.timeout", { secs: number(p.secs) });
    case "connect":
      return t("postProblem.unreachable", { detail: p.detail });
    case "too_large":
      return t("postProblem.tooLarge", { mb: number(Math.floor(p.limit_bytes / 1_000_000)) });
    case "malformed":
      return t("postProblem.unreadable", { detail: p.detail });
    case "auth":
      return t("postProblem.loginRefused", { detail: p.detail });
    case "keychain_locked":
      return t("postProblem.keychainLocked");
    case "keychain":
      return t("postProblem.keychain", { detail: p.detail });
    case "session_expired":
      return t("postProblem.sessionExpired");
    case "no_app_password":
      return t("postProblem.noAppPassword", { handle: p.handle });
    case "refused": {
      const m = p.message.replace(/\.+$/, "");
      return t("postProblem.refused", { detail: !m || m === p.code ? p.code : `${m} (${p.code})` });
    }
    case "other":
      return p.detail;
    default:
      // Redirects and schemes: the same words as for a source.
      return problemText(p);
  }
}

/** Why an attempt to send a post did not go through, and what to do. Most kinds are worded
 * by their key, `postProblem.<kind>`, with their fields filled in. */
export function postProblemText(p: PostProblem): string {
  switch (p.kind) {
    case "slowDown":
    case "waitBeforeRetry":
      return t(`postProblem.${p.kind}`, { wait: waitText(p.afterSecs) });
    case "serverFailed":
    case "checkFailed":
    case "signInRefused":
      return t(`postProblem.${p.kind}`, { status: httpStatus(p.status) });
    case "registrationRefused":
      return t("postProblem.registrationRefused", { server: p.server, status: httpStatus(p.status) });
    case "transport":
      return transportText(p.problem);
    case "notSent":
      return t("postProblem.notSent", { refusal: refusalText(p.refusal) });
    case "gaveUp":
      return tn("postProblem.gaveUp", p.attempts, { cause: postProblemText(p.cause) });
    default:
      return t(`postProblem.${p.kind}`, p);
  }
}
