import type { ApprovalRequest, AuditEntry, Draft, DraftDetail, Me, Member, Playbook, StoredApproval, Variant } from "../src/types";

export const CAMILLE = "Q2FtaWxsZS1rZXktMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=";
export const DURAND = "RHVyYW5kLWtleS0wMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=";

export function me(over: Partial<Me> = {}): Me {
  return { key: CAMILLE, name: "Camille", roles: ["communication"], autonomy: "low", ...over };
}

export function member(over: Partial<Member> = {}): Member {
  return { key: DURAND, name: "Maître Durand", roles: ["legal"], autonomy: "medium", ...over };
}

export function variant(over: Partial<Variant> = {}): Variant {
  return { accountId: 5, content: { text: "Texte validé", images: [] }, contentHash: "hash-2", version: 2, updatedBy: CAMILLE, updatedAt: 1_700_000_000, ...over };
}

export function draft(over: Partial<Draft> = {}): Draft {
  return { id: 7, title: "Réponse rappel", watchId: null, mentionIds: [], authorKey: CAMILLE, origin: null, variants: [variant()], createdAt: 1_699_999_000, updatedAt: 1_700_000_000, ...over };
}

export function detail(over: Partial<DraftDetail> = {}): DraftDetail {
  return {
    draft: draft(),
    history: [
      { accountId: 5, version: 1, content: { text: "Premier jet", images: [] }, contentHash: "hash-1", authorKey: CAMILLE, at: 1_699_999_500 },
      { accountId: 5, version: 2, content: { text: "Texte validé", images: [] }, contentHash: "hash-2", authorKey: DURAND, at: 1_700_000_000 },
    ],
    comments: [{ id: 1, authorKey: DURAND, authorName: "Maître Durand", text: "OK pour moi", at: 1_700_000_100 }],
    ...over,
  };
}

export function request(over: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    v: 1, id: "Q2FtaWxs-7-2-1700000000", draftId: 7, title: "Réponse rappel", content: { text: "Texte validé", images: [] }, contentHash: "hash-2",
    target: { network: "mastodon", server: "https://mastodon.example", remoteId: "109", handle: "acme@mastodon.example" },
    level: "alert", authorKey: CAMILLE, authorName: "Camille", at: 1_700_000_000, ...over,
  };
}

export function stored(over: Partial<StoredApproval> = {}): StoredApproval {
  return {
    id: 1, signature: "sig", kind: "approval", subjectHash: "hash-2", account: "mastodon|https://mastodon.example|109", approverKey: DURAND,
    approverName: "Maître Durand", role: "legal", signedAt: 1_700_000_000, expiresAt: 4_000_000_000, maxLevel: null, requestId: "r",
    statement: "-----BEGIN VIGIE APPROVAL-----", usedByPost: null, ...over,
  };
}

export function playbook(over: Partial<Playbook> = {}): Playbook {
  return {
    name: "Rappel produit", scenario: "product recall", alert: ["legal"], checklist: ["Suspendre les publications"],
    statement: [
      { id: "attente", title: "Message d'attente", text: "{brand} rappelle le lot {lot}. Infos : {link}" },
      { id: "bsky", title: "Bluesky", network: "bluesky", text: "{brand} : lot {lot}" },
    ],
    ...over,
  };
}

export function entry(over: Partial<AuditEntry> = {}): AuditEntry {
  return { seq: 1, at: 1_700_000_000, actor: "Camille", kind: "draft_created", data: { draft_id: 7, title: "Réponse" }, prevHash: "0".repeat(64), hash: "ab".repeat(32), ...over };
}
