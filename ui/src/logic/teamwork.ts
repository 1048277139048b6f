// Pure helpers for the teamwork screens (team, drafts, approvals, playbooks, audit). The engine
// checks everything again (signatures, roster, roles, expiry, slots); these only let the UI say
// the same thing before a button is pressed.

import type { Account, AuditEntry, Level, Member, Network, StoredApproval, Target, Variant, Version } from "../types";
import { LEVELS } from "../types";
import { DICTIONARIES, t, type Key } from "../i18n";

/** vigie-domain `MAX_SLOT_CHARS`: a slot holds a name, a date or a link, not a message. */
export const MAX_SLOT_CHARS = 100;

const isSlotName = (s: string) => s.length > 0 && /^[A-Za-z0-9_]+$/.test(s);

/** A statement's text cut into fixed text and `{slot}` placeholders (vigie-domain `parts`). */
export type Part = { kind: "text"; text: string } | { kind: "slot"; name: string };

export function statementParts(template: string): Part[] {
  const out: Part[] = [];
  let literal = "";
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf("{", i);
    if (open < 0) break;
    const close = template.indexOf("}", open + 1);
    const name = close >= 0 ? template.slice(open + 1, close) : "";
    if (close >= 0 && isSlotName(name)) {
      literal += template.slice(i, open);
      if (literal) out.push({ kind: "text", text: literal });
      literal = "";
      out.push({ kind: "slot", name });
      i = close + 1;
    } else {
      literal += template.slice(i, open + 1);
      i = open + 1;
    }
  }
  literal += template.slice(i);
  if (literal) out.push({ kind: "text", text: literal });
  return out;
}

/** The slot names of a statement, in order of first appearance. */
export function statementSlots(template: string): string[] {
  const out: string[] = [];
  for (const p of statementParts(template)) if (p.kind === "slot" && !out.includes(p.name)) out.push(p.name);
  return out;
}

export type SlotProblem = { slot: string; why: "missing" | "multiline" | "tooLong" | "notALink" | "sentence" };

/** Most words a slot other than a link takes (vigie-domain `MAX_SLOT_WORDS`). */
export const MAX_SLOT_WORDS = 5;

/** A slot named like a link (`link`, `lien`, `url`…) holds one web address (vigie-domain `is_link_slot`). */
export function isLinkSlot(slot: string): boolean {
  return /link|lien|url/i.test(slot);
}

/** What is wrong with a slot value, if anything (the engine's `fill` rules). */
export function slotProblem(slot: string, value: string | undefined): SlotProblem | null {
  if (value === undefined || !value.trim()) return { slot, why: "missing" };
  if (/[\n\r{}]/.test(value)) return { slot, why: "multiline" };
  if (Array.from(value).length > MAX_SLOT_CHARS) return { slot, why: "tooLong" };
  // A pre-approval covers the fixed text only: slots carry a name, a date, a number or a link.
  if (isLinkSlot(slot)) return /^https?:\/\/\S+$/.test(value) ? null : { slot, why: "notALink" };
  const sentence = /[!?;\u2026]|\. |: |:\/\/|www\./i.test(value);
  if (sentence || value.trim().split(/\s+/).length > MAX_SLOT_WORDS) return { slot, why: "sentence" };
  return null;
}

/** The statement with its slots filled, or the first problem. */
export function fillStatement(template: string, values: Record<string, string>): { ok: true; text: string } | { ok: false; problem: SlotProblem } {
  for (const slot of statementSlots(template)) {
    const p = slotProblem(slot, values[slot]);
    if (p) return { ok: false, problem: p };
  }
  return { ok: true, text: statementParts(template).map((p) => (p.kind === "text" ? p.text : values[p.name])).join("") };
}

/** Roles typed as "communication, legal" → ["communication", "legal"] (lower-case, no duplicates). */
export function parseRoles(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[,;\n]+/)) {
    const r = raw.trim().toLowerCase();
    if (r && !out.includes(r)) out.push(r);
  }
  return out;
}

/** How long an approval stays valid: the choices offered. */
export const VALIDITIES: readonly { secs: number; key: "1h" | "4h" | "24h" | "7d" | "30d" }[] = [
  { secs: 3600, key: "1h" },
  { secs: 4 * 3600, key: "4h" },
  { secs: 24 * 3600, key: "24h" },
  { secs: 7 * 86_400, key: "7d" },
  { secs: 30 * 86_400, key: "30d" },
];

/** What became of a filed approval. */
export function approvalStatus(a: Pick<StoredApproval, "usedByPost" | "expiresAt">, now: number): "used" | "expired" | "valid" {
  if (a.usedByPost !== null) return "used";
  return a.expiresAt <= now ? "expired" : "valid";
}

/** Which kind of signed block some pasted text holds. */
export function blockKind(text: string): "request" | "approval" | null {
  if (text.includes("-----BEGIN VIGIE APPROVAL REQUEST-----")) return "request";
  if (text.includes("-----BEGIN VIGIE APPROVAL-----")) return "approval";
  return null;
}

/** The first characters of a public key, to tell people apart at a glance. */
export function shortKey(key: string): string {
  return key.length > 10 ? `${key.slice(0, 10)}…` : key;
}

/** A member's name from the roster, or the start of their key. */
export function memberName(key: string, roster: Pick<Member, "key" | "name">[]): string {
  return roster.find((m) => m.key === key)?.name ?? shortKey(key);
}

/** The key approvals are filed under (vigie-engine `Target::key`). */
export function targetKey(t: Pick<Target, "network" | "server" | "remoteId">): string {
  return `${t.network}|${t.server}|${t.remoteId}`;
}

/** An account's target, as the engine derives it (`target_of`). */
export function targetOf(a: Account): Target {
  return { network: a.network, server: a.server, remoteId: a.identity.remoteId, handle: a.identity.handle };
}

/** The local account an approval is bound to, if any. */
export function accountOfKey(key: string, accounts: Account[]): Account | undefined {
  return accounts.find((a) => targetKey(targetOf(a)) === key);
}

const NETWORKS: readonly Network[] = ["mastodon", "bluesky"];

/** A pasted account target (JSON from `account_target` / `vigie account target`), checked. */
export function parseTarget(text: string): { ok: true; target: Target } | { ok: false; why: "empty" | "json" | "fields" } {
  if (!text.trim()) return { ok: false, why: "empty" };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, why: "json" };
  }
  const o = v as Record<string, unknown>;
  if (
    !o || typeof o !== "object" || !NETWORKS.includes(o.network as Network) ||
    typeof o.server !== "string" || typeof o.remoteId !== "string" || typeof o.handle !== "string" ||
    !o.server || !o.remoteId || !o.handle
  ) {
    return { ok: false, why: "fields" };
  }
  return { ok: true, target: { network: o.network as Network, server: o.server, remoteId: o.remoteId, handle: o.handle } };
}

/** Approvals in hand for a variant: bound to its current text and account, unspent, unexpired. */
export function approvalsFor(variant: Pick<Variant, "contentHash">, account: Account, approvals: StoredApproval[], now: number): StoredApproval[] {
  const key = targetKey(targetOf(account));
  return approvals.filter((a) => a.kind === "approval" && a.account === key && a.subjectHash === variant.contentHash && approvalStatus(a, now) === "valid");
}

/** Versions of one variant (or all), newest first. */
export function versionsOf(history: Version[], accountId?: number): Version[] {
  return history
    .filter((v) => accountId === undefined || v.accountId === accountId)
    .sort((a, b) => b.at - a.at || b.version - a.version || a.accountId - b.accountId);
}

const MAX_VALUE = 80;

/** An audit entry's data as short "key: value" text (values cut at 80 characters). */
export function auditSummary(data: AuditEntry["data"]): string {
  if (data === null || data === undefined) return "";
  if (typeof data !== "object") return cut(String(data));
  if (Array.isArray(data)) return cut(JSON.stringify(data));
  return Object.entries(data as Record<string, unknown>)
    .map(([k, v]) => `${fieldName(k)}: ${cut(typeof v === "string" ? v : JSON.stringify(v))}`)
    .join(" · ");
}

/** A field of an audit entry in the UI's language ("draft_id" → "brouillon"); one Vigie does not
 *  know yet is shown as written. */
function fieldName(k: string): string {
  const key = `audit.field.${k}`;
  return key in DICTIONARIES.en ? t(key as Key) : k;
}

function cut(s: string): string {
  const chars = Array.from(s);
  return chars.length > MAX_VALUE ? `${chars.slice(0, MAX_VALUE - 1).join("")}…` : s;
}

/** A level string from a signed block, checked (unknown values read as null). */
export function asLevel(s: string | null | undefined): Level | null {
  return LEVELS.includes(s as Level) ? (s as Level) : null;
}
