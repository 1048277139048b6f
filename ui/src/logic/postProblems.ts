// What stops, refused or failed a post, in the UI's language. The engine sends these as data
// (vigie-domain `publish::{Invalid, Refusal, PostProblem}`, `approval::Unmet`) beside its
// English words, which the CLI prints and which stay the fallback.

import { t, tn, type Key } from "../i18n";
import type { Invalid, PostProblem, Problem, ProfileKind, Refusal, Unmet } from "../types";
import { number } from "./format";
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

/** What a post still lacks before it may go out. */
export function unmetText(u: Unmet): string {
  switch (u.kind) {
    case "tooFew":
      return tn("unmet.tooFew", u.needed, { because: u.because.map(ruleName).join(t("list.rules")), given: number(u.given) });
    case "role":
      return t("unmet.role", { role: u.role });
  }
}

const kindWord = (k: ProfileKind) => t(k === "brand" ? "refusal.kind.brand" : "refusal.kind.personal");

/** Why a publishing guard said no (nothing was sent), and what to do. */
export function refusalText(r: Refusal): string {
  switch (r.kind) {
    case "wrongProfile":
      return t("refusal.wrongProfile", { handle: r.handle, kind: kindWord(r.profileKind), profile: r.profile, active: r.active });
    case "typeHandle":
      return r.level === "alert" || r.level === "crisis"
        ? t("refusal.typeHandle.level", { handle: r.handle, kind: kindWord(r.profileKind), level: t(`level.${r.level}`) })
        : t("refusal.typeHandle.audience", { handle: r.handle, kind: kindWord(r.profileKind), audience: number(r.audience) });
    case "notApproved":
      return t(r.hasIdentity ? "refusal.notApproved" : "refusal.notApprovedNoIdentity", { handle: r.handle, unmet: unmetText(r.unmet) });
    case "approvals":
      return t("refusal.approvals", { detail: r.detail });
    case "paused":
      return t("refusal.paused");
    case "notAllowListed":
      return t("refusal.notAllowListed", { handle: r.handle, profile: r.profile });
    case "wrongAccount":
      return t("refusal.wrongAccount", { expected: r.expected, actual: r.actual });
    case "notFullHandle":
      return t("refusal.notFullHandle", { handle: r.handle });
    case "emptyAllowList":
      return t("refusal.emptyAllowList");
    case "badAddress":
      return t("refusal.badAddress", { server: r.server, detail: r.detail });
    case "insecureServer":
      return t("refusal.insecureServer", { server: r.server, scheme: r.scheme });
    case "signInExpired":
      return t("refusal.signInExpired");
    case "browserTimeout":
      return t("refusal.browserTimeout", { secs: number(r.secs) });
    case "notAuthorised":
      return t("refusal.notAuthorised", { detail: r.detail });
    case "imageUnreadable":
      return t("refusal.imageUnreadable", { path: r.path, detail: r.detail });
    case "imageType":
      return t("refusal.imageType", { path: r.path });
    case "imageReference":
      return t("refusal.imageReference", { alt: r.alt });
    case "imageCopy":
      return t("refusal.imageCopy", { detail: r.detail });
    case "imageMissing":
      return t("refusal.imageMissing", { alt: r.alt, detail: r.detail });
    case "imageChanged":
      return t("refusal.imageChanged", { alt: r.alt });
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

/** Why an attempt to send a post did not go through, and what to do. */
export function postProblemText(p: PostProblem): string {
  switch (p.kind) {
    case "paused":
      return t("postProblem.paused");
    case "slowDown":
      return t("postProblem.slowDown", { wait: waitText(p.afterSecs) });
    case "unreachable":
      return t("postProblem.unreachable", { detail: p.detail });
    case "transport":
      return transportText(p.problem);
    case "serverFailed":
      return t("postProblem.serverFailed", { status: httpStatus(p.status) });
    case "unreadable":
      return t("postProblem.unreadable", { detail: p.detail });
    case "unexpected":
      return t("postProblem.unexpected", { detail: p.detail });
    case "credentialRefused":
      return t("postProblem.credentialRefused", { detail: p.detail });
    case "loginRefused":
      return t("postProblem.loginRefused", { detail: p.detail });
    case "sessionExpired":
      return t("postProblem.sessionExpired");
    case "waitBeforeRetry":
      return t("postProblem.waitBeforeRetry", { wait: waitText(p.afterSecs) });
    case "noCredential":
      return t("postProblem.noCredential", { handle: p.handle });
    case "otherAccount":
      return t("postProblem.otherAccount", { found: p.found, expected: p.expected });
    case "foreignAccount":
      return t("postProblem.foreignAccount", { acct: p.acct });
    case "keychainLocked":
      return t("postProblem.keychainLocked");
    case "keychainUnavailable":
      return t("postProblem.keychainUnavailable", { detail: p.detail });
    case "keychain":
      return t("postProblem.keychain", { detail: p.detail });
    case "refused":
      return t("postProblem.refused", { detail: p.detail });
    case "checkFailed":
      return t("postProblem.checkFailed", { status: httpStatus(p.status) });
    case "registrationRefused":
      return t("postProblem.registrationRefused", { server: p.server, status: httpStatus(p.status) });
    case "signInRefused":
      return t("postProblem.signInRefused", { status: httpStatus(p.status) });
    case "localPort":
      return t("postProblem.localPort", { detail: p.detail });
    case "notSent":
      return t("postProblem.notSent", { refusal: refusalText(p.refusal) });
    case "contentChanged":
      return t("postProblem.contentChanged");
    case "accountGone":
      return t("postProblem.accountGone");
    case "store":
      return t("postProblem.store", { detail: p.detail });
    case "gaveUp":
      return tn("postProblem.gaveUp", p.attempts, { cause: postProblemText(p.cause) });
  }
}
