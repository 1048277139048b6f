// Pure helpers for publishing screens. The engine enforces every rule again; these only make the
// UI say the same thing before the user presses a button.

import type { Account, ComposeCheck, KillSwitch, Level, Network, Post, ProfileKind } from "../types";

/** vigie-domain `normalize_handle`: lower-case, no leading @, a bare Mastodon name gets the host. */
export function normalizeHandle(network: Network, handle: string, server: string): string {
  const h = handle.trim().replace(/^@+/, "").toLowerCase();
  if (network === "mastodon" && h && !h.includes("@")) {
    const i = server.indexOf("://");
    const host = (i >= 0 ? server.slice(i + 3) : server).replace(/\/+$/, "").toLowerCase();
    return `${h}@${host}`;
  }
  return h;
}

/** Does what the user typed name this account, in full? (`@` and case do not matter; a
 * Mastodon handle includes its instance, as in the engine's `typed_handle_matches`.) */
export function typedHandleMatches(account: Pick<Account, "identity">, typed: string): boolean {
  const t = typed.trim().replace(/^@+/, "").toLowerCase();
  return t !== "" && t === account.identity.handle;
}

/** `@alice@example.social` / `@alice.bsky.social`. */
export function displayHandle(handle: string): string {
  return `@${handle.replace(/^@+/, "")}`;
}

/** May the confirm button be pressed? Click rule: yes; typeHandle: once the handle matches. */
export function canConfirm(check: Pick<ComposeCheck, "rule" | "account" | "invalid">, typed: string): boolean {
  if (check.invalid.length > 0) return false;
  return check.rule.kind === "click" || typedHandleMatches(check.account, typed);
}

/** Why the handle must be typed: a brand speaking during an alert or a crisis, or a big audience. */
export function typeHandleReason(kind: ProfileKind, level: Level): "crisis" | "audience" {
  return kind === "brand" && (level === "alert" || level === "crisis") ? "crisis" : "audience";
}

/** "0:07", "1:05", "1:00:00". Negative counts as 0. */
export function formatCountdown(secs: number): string {
  const s = Math.max(0, Math.ceil(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${r}` : `${m}:${r}`;
}

/** What the outbox shows for a post right now. */
export type PostView =
  | { kind: "undo"; remaining: number } // queued, first attempt not yet due: can be cancelled
  | { kind: "retryIn"; remaining: number } // queued again after a failed attempt
  | { kind: "due" } // queued and due: the delivery loop picks it up within a second
  | { kind: "held" } // queued while the kill switch is on
  | { kind: "sending" }
  | { kind: "sent" }
  | { kind: "failed" }
  | { kind: "cancelled" };

export function postView(p: Pick<Post, "state" | "sendAfter" | "attempts">, ks: Pick<KillSwitch, "on">, now: number): PostView {
  switch (p.state) {
    case "queued": {
      if (ks.on) return { kind: "held" };
      const remaining = p.sendAfter - now;
      if (remaining <= 0) return { kind: "due" };
      return p.attempts > 0 ? { kind: "retryIn", remaining } : { kind: "undo", remaining };
    }
    case "sending":
    case "sent":
    case "failed":
    case "cancelled":
      return { kind: p.state };
    default:
      return { kind: "failed" };
  }
}

/** Up to two initials of a name (for an avatar that cannot be shown). */
export function initials(name: string, fallback = "?"): string {
  const words = name
    .replace(/^@+/, "")
    .split(/[\s._@-]+/u)
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
  const letters = words.slice(0, 2).map((w) => Array.from(w.replace(/[^\p{L}\p{N}]/gu, ""))[0] ?? "");
  const out = letters.join("").toUpperCase();
  return out || fallback;
}

const HEX = /^#[0-9a-f]{6}$/i;
export const NEUTRAL_COLOUR = "#868e96";

/** A profile colour safe to put in a CSS variable (`#rrggbb`), or neutral grey. */
export function safeColour(c: string | null | undefined): string {
  return c && HEX.test(c) ? c.toLowerCase() : NEUTRAL_COLOUR;
}

/** Black or white text on this colour (WCAG relative luminance). */
export function textOn(colour: string): "#000000" | "#ffffff" {
  const c = safeColour(colour);
  const ch = [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  const l = 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  return l > 0.179 ? "#000000" : "#ffffff";
}

/** An allow-list typed as lines, commas or spaces → trimmed handles without duplicates. */
export function parseHandles(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const h = raw.trim().replace(/^@+/, "").toLowerCase();
    if (h && !out.includes(h)) out.push(h);
  }
  return out;
}

/** A handle the engine accepts in an allow-list: user@instance (Mastodon) or name.domain (Bluesky). */
export function isFullHandle(h: string): boolean {
  return /^[^\s@]+@[^\s@]+$/.test(h) || /^[^\s@]+\.[^\s@]+$/.test(h);
}

/** Counter state: over the limit, close to it (last 10 %), or fine. */
export function counterState(count: number, max: number): "over" | "near" | "ok" {
  if (count > max) return "over";
  if (max > 0 && count >= max * 0.9) return "near";
  return "ok";
}
