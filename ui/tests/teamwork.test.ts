import { describe, expect, it } from "vitest";
import {
  accountOfKey, approvalStatus, approvalsFor, asLevel, auditSummary, blockKind, fillStatement, memberName, parseRoles,
  parseTarget, shortKey, slotProblem, statementParts, statementSlots, targetKey, targetOf, versionsOf,
} from "../src/logic/teamwork";
import { requirementText, showRequirement, statusText } from "../src/views/requirement";
import { setLanguage } from "../src/i18n";
import { account } from "./publishFixtures";
import { detail, member, stored, variant } from "./teamFixtures";

describe("statements and slots (same rules as vigie-domain)", () => {
  it("finds the slots in order, once each, and ignores what is not a slot", () => {
    expect(statementSlots("{brand} rappelle le lot {lot}. {brand} : {link}")).toEqual(["brand", "lot", "link"]);
    expect(statementSlots("a {not a slot} {} {{x}} {y")).toEqual(["x"]);
    expect(statementParts("Hi {name}!")).toEqual([{ kind: "text", text: "Hi " }, { kind: "slot", name: "name" }, { kind: "text", text: "!" }]);
    expect(statementParts("{a b}")).toEqual([{ kind: "text", text: "{a b}" }]);
  });

  it("fills every slot, and refuses an empty, multi-line, braced or long value", () => {
    const tpl = "{brand} rappelle le lot {lot}. Infos : {link}";
    expect(fillStatement(tpl, { brand: "Acme", lot: "42", link: "https://acme.example/rappel" }))
      .toEqual({ ok: true, text: "Acme rappelle le lot 42. Infos : https://acme.example/rappel" });
    expect(fillStatement(tpl, { brand: "Acme", lot: " " })).toEqual({ ok: false, problem: { slot: "lot", why: "missing" } });
    expect(slotProblem("lot", "4\n2")).toEqual({ slot: "lot", why: "multiline" });
    expect(slotProblem("lot", "{x}")).toEqual({ slot: "lot", why: "multiline" });
    expect(slotProblem("lot", "x".repeat(101))).toEqual({ slot: "lot", why: "tooLong" });
    expect(slotProblem("lot", "é".repeat(100))).toBeNull();
    // The engine's rules (vigie-domain playbook.rs): no sentence where a name goes, one web
    // address where a link goes.
    expect(slotProblem("brand", "Nous avons fait faillite. Acme")).toEqual({ slot: "brand", why: "sentence" });
    expect(slotProblem("lot", "TOUS LES LOTS, tout est contaminé,")).toEqual({ slot: "lot", why: "sentence" });
    expect(slotProblem("date", "21 novembre 2026 à 14h")).toBeNull();
    expect(slotProblem("link", "acme.fr")).toEqual({ slot: "link", why: "notALink" });
    expect(slotProblem("link", "https://")).toEqual({ slot: "link", why: "notALink" });
    expect(slotProblem("page_url", "https://acme.fr/a b")).toEqual({ slot: "page_url", why: "notALink" });
    expect(slotProblem("link", "https://acme.fr/rappel")).toBeNull();
    // A value that looks like a slot is inserted as text, not expanded again.
    expect(fillStatement("{a}{b}", { a: "b", b: "c" })).toEqual({ ok: true, text: "bc" });
  });
});

describe("team helpers", () => {
  it("parses roles like the engine stores them", () => {
    expect(parseRoles(" Communication, legal;LEGAL\n direction ,")).toEqual(["communication", "legal", "direction"]);
    expect(parseRoles("")).toEqual([]);
  });

  it("names people from the roster, or by the start of their key", () => {
    expect(memberName(member().key, [member()])).toBe("Maître Durand");
    expect(memberName("ABCDEFGHIJKLMNOP", [])).toBe("ABCDEFGHIJ…");
    expect(shortKey("short")).toBe("short");
  });

  it("tells which block was pasted", () => {
    expect(blockKind("Bonjour,\n-----BEGIN VIGIE APPROVAL REQUEST-----\nxx")).toBe("request");
    expect(blockKind("-----BEGIN VIGIE APPROVAL-----\nxx")).toBe("approval");
    expect(blockKind("hello")).toBeNull();
  });

  it("reads a pasted account target and says what is wrong", () => {
    const tg = { network: "mastodon", server: "http://127.0.0.1:8080", remoteId: "1", handle: "alice@127.0.0.1:8080" };
    expect(parseTarget(JSON.stringify(tg))).toEqual({ ok: true, target: tg });
    expect(parseTarget("  ")).toEqual({ ok: false, why: "empty" });
    expect(parseTarget("{nope")).toEqual({ ok: false, why: "json" });
    expect(parseTarget(JSON.stringify({ ...tg, network: "x" }))).toEqual({ ok: false, why: "fields" });
    expect(parseTarget(JSON.stringify({ ...tg, remoteId: "" }))).toEqual({ ok: false, why: "fields" });
  });

  it("files approvals under the engine's target key", () => {
    const a = account();
    expect(targetOf(a)).toEqual({ network: "mastodon", server: "https://mastodon.example", remoteId: "109", handle: "acme@mastodon.example" });
    expect(targetKey(targetOf(a))).toBe("mastodon|https://mastodon.example|109");
    expect(accountOfKey("mastodon|https://mastodon.example|109", [a])).toBe(a);
    expect(accountOfKey("bluesky|x|y", [a])).toBeUndefined();
  });
});

describe("approvals", () => {
  it("a filed approval is valid, expired or used", () => {
    expect(approvalStatus(stored({ expiresAt: 200 }), 100)).toBe("valid");
    expect(approvalStatus(stored({ expiresAt: 100 }), 100)).toBe("expired");
    expect(approvalStatus(stored({ usedByPost: 3 }), 100)).toBe("used");
  });

  it("approvals in hand match the variant's current text and account only", () => {
    const a = account();
    const ok = stored({ id: 1 });
    const list = [ok, stored({ id: 2, subjectHash: "hash-1" }), stored({ id: 3, usedByPost: 9 }), stored({ id: 4, account: "mastodon|https://other|1" }), stored({ id: 5, kind: "pre_approval" })];
    expect(approvalsFor(variant(), a, list, 1_700_000_500).map((x) => x.id)).toEqual([1]);
    expect(approvalsFor(variant(), a, list, 4_000_000_000)).toEqual([]);
  });

  it("versions are listed newest first", () => {
    expect(versionsOf(detail().history).map((v) => v.version)).toEqual([2, 1]);
    expect(versionsOf(detail().history, 99)).toEqual([]);
  });

  it("levels from a block are checked", () => {
    expect(asLevel("crisis")).toBe("crisis");
    expect(asLevel("<b>")).toBeNull();
    expect(asLevel(null)).toBeNull();
  });
});

describe("words", () => {
  it("the requirement reads as a sentence in both languages", () => {
    setLanguage("en");
    expect(requirementText({ approvals: 0, roles: [], because: [] })).toBe("No approval needed for this post.");
    expect(requirementText({ approvals: 1, roles: [], because: ["author without autonomy: one validator"] }))
      .toBe("Needs 1 approval: author without autonomy: one validator.");
    expect(requirementText({ approvals: 2, roles: ["legal"], because: ["alert: one validator", "crisis: two validators, one of them legal"] }))
      .toBe("Needs 2 approvals: alert: one validator; crisis: two validators, one of them legal. Roles required among the validators: legal.");
    setLanguage("fr");
    expect(requirementText({ approvals: 1, roles: [], because: ["x"] })).toBe("Il faut 1 validation : x.");
    // The default policy's rule names in French; a name the team wrote stays as written.
    expect(requirementText({ approvals: 2, roles: [], because: ["crisis: two validators, one of them legal", "Règle maison"] }))
      .toBe("Il faut 2 validations : crise : deux validateurs, dont un juriste ; Règle maison.");
    setLanguage("en");
  });

  it("says whether the requirement is met, by whom, and whose approval expired", () => {
    const need = { approvals: 1, roles: [], because: ["x"] };
    setLanguage("fr");
    expect(statusText({ ...need, approvedBy: [], unmet: { kind: "tooFew", needed: 1, given: 0, because: ["x"] } }))
      .toBe("Il faut 1 validation : x. Pas encore : personne n'a validé ce texte.");
    expect(statusText({ ...need, approvedBy: [], unmet: { kind: "tooFew", needed: 1, given: 0, because: ["x"], expired: ["Maître Durand"] } }))
      .toBe("Il faut 1 validation : x. Pas encore : personne n'a validé ce texte. Validation expirée : Maître Durand (à redemander).");
    expect(statusText({ ...need, approvedBy: ["Maître Durand (legal)"], unmet: null }))
      .toBe("Il faut 1 validation : x. Condition remplie : validé par Maître Durand (legal).");
    setLanguage("en");
    expect(statusText({ approvals: 2, roles: ["legal"], because: ["x"], approvedBy: ["Léa (communication)"], unmet: { kind: "role", role: "legal" } }))
      .toBe("Needs 2 approvals: x. Roles required among the validators: legal. Not met yet: approved so far by Léa (communication).");
    // A missing role whose holder's approval lapsed: named too.
    expect(statusText({ approvals: 2, roles: ["legal"], because: ["x"], approvedBy: ["Léa (communication)", "Marc (communication)"], unmet: { kind: "role", role: "legal", expired: ["Maître Durand"] } }))
      .toBe("Needs 2 approvals: x. Roles required among the validators: legal. Not met yet: approved so far by Léa (communication), Marc (communication). Expired: Maître Durand (ask again).");
    // Nothing required: no status to add.
    expect(statusText({ approvals: 0, roles: [], because: [], approvedBy: [], unmet: null })).toBe("No approval needed for this post.");
    // The slot's look and data follow: met or needed.
    const el = document.createElement("p");
    showRequirement(el, { ...need, approvedBy: ["Maître Durand (legal)"], unmet: null });
    expect([el.className, el.dataset.met]).toEqual(["requirement requirement-met", "true"]);
    showRequirement(el, { ...need, approvedBy: [], unmet: { kind: "tooFew", needed: 1, given: 0, because: ["x"] } });
    expect([el.className, el.dataset.met]).toEqual(["requirement requirement-needed", "false"]);
  });

  it("audit data reads as short key: value text", () => {
    // Fields Vigie writes are named in the UI's language; others are shown as written.
    expect(auditSummary({ draft_id: 7, title: "Réponse" })).toBe("draft: 7 · title: Réponse");
    expect(auditSummary(null)).toBe("");
    expect(auditSummary("x".repeat(200))).toHaveLength(80);
    expect(auditSummary({ target: { a: 1 } })).toBe('target account: {"a":1}');
    setLanguage("fr");
    expect(auditSummary({ post_id: 3, undo_secs: 0 })).toBe("message: 3 · délai d'annulation (s): 0");
    setLanguage("en");
  });
});
