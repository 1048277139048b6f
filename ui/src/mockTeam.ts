// MOCK BACKEND, teamwork part — for `npm run dev` in a plain browser only (see mock.ts).
// Fictional team, drafts, playbooks and approvals. The "signed" blocks here are NOT signed: they
// only carry their JSON so the screens can be looked at. The real rules and signatures live in
// the engine.

import type {
  Account, ApprovalRequest, AuditEntry, Autonomy, ComposeRequest, Content, Draft, DraftDetail, Level, Me, Member,
  ApprovalStatus, Playbook, PreApprove, StoredApproval, Target, UseStatement, Version,
} from "./types";
import { fillStatement, slotProblem, targetKey, targetOf } from "./logic/teamwork";
import { NOT_MINE } from "./mockPublish";

const NOW = () => Math.floor(Date.now() / 1000);

const POLICY = `[[rule]]
name = "author without autonomy: one validator"
max_autonomy = "low"
approvals = 1

[[rule]]
name = "sensitive topic: one validator"
min_sensitivity = "high"
max_autonomy = "medium"
approvals = 1

[[rule]]
name = "alert: one validator"
min_level = "alert"
approvals = 1

[[rule]]
name = "crisis: two validators, one of them legal"
min_level = "crisis"
approvals = 2
roles = ["legal"]
`;

const PLAYBOOKS: Playbook[] = [
  {
    name: "Rappel produit", scenario: "product recall", alert: ["legal", "direction", "service client"],
    checklist: ["Suspendre les publications programmées (interrupteur d'arrêt)", "Prévenir le service client et lui donner le message d'attente", "Vérifier le lien vers la page de rappel"],
    statement: [
      { id: "attente", title: "Message d'attente", text: "{brand} rappelle le lot {lot} par précaution. Toutes les informations : {link}" },
      { id: "holding-en", title: "Holding statement (English)", text: "{brand} is recalling batch {lot} as a precaution. Details: {link}" },
      { id: "attente-bluesky", title: "Message d'attente (Bluesky)", network: "bluesky", text: "{brand} rappelle le lot {lot}. Infos : {link}" },
    ],
  },
];

function encode(label: string, payload: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(payload));
  let bin = "";
  bytes.forEach((b) => (bin += String.fromCharCode(b)));
  const b64 = btoa(bin).replace(/(.{76})/g, "$1\n");
  return `-----BEGIN VIGIE ${label}-----\n${b64}\n-----SIGNATURE-----\nMOCK-NOT-SIGNED\n-----END VIGIE ${label}-----\n`;
}

function decode<T>(label: string, text: string): T {
  const begin = `-----BEGIN VIGIE ${label}-----`;
  const start = text.indexOf(begin);
  const sig = text.indexOf("-----SIGNATURE-----", start);
  if (start < 0 || sig < 0) throw { code: "invalid", message: `this is not a Vigie ${label} block (it should start with ${begin})` };
  const bin = atob(text.slice(start + begin.length, sig).replace(/\s+/g, ""));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}

export class MockTeam {
  private me: Me | null = null;
  private roster: Member[] = [];
  private policy = POLICY;
  private drafts: Draft[] = [];
  private history: Map<number, Version[]> = new Map();
  private comments: Map<number, DraftDetail["comments"]> = new Map();
  private playbooks: Playbook[] = [];
  private approvals: StoredApproval[] = [];
  private audit: AuditEntry[] = [];
  private nextId = 1;

  constructor(empty: boolean, private account: (id: number) => Account | undefined, private level: () => Level) {
    if (!empty) this.seed();
  }

  private log(kind: string, data: unknown) {
    const seq = this.audit.length + 1;
    const hash = (seq * 2654435761 >>> 0).toString(16).padStart(8, "0").repeat(8);
    this.audit.push({ seq, at: NOW(), actor: this.me?.name ?? "local", kind, data, prevHash: this.audit.at(-1)?.hash ?? "0".repeat(64), hash });
  }

  private seed() {
    this.me = { key: "Q2FtaWxsZS1tb2NrLWtleS0wMDAwMDAwMDAwMDAwMDA=", name: "Camille Martin", roles: ["communication"], autonomy: "low" };
    this.roster = [
      { ...this.me },
      { key: "RHVyYW5kLW1vY2sta2V5LTAwMDAwMDAwMDAwMDAwMDA=", name: "Maître Durand", roles: ["legal"], autonomy: "medium" },
      { key: "U29waGllLW1vY2sta2V5LTAwMDAwMDAwMDAwMDAwMDA=", name: "Sophie Leroy", roles: ["direction", "communication"], autonomy: "high" },
    ];
    this.playbooks = structuredClone(PLAYBOOKS);
    const d = this.createDraft("Réponse sur la crème de jour", 1);
    this.saveVariant(d.id, 1, { text: "Nous avons bien reçu vos messages au sujet de la crème de jour. Nous vérifions le lot concerné et revenons vers vous ici.", images: [] });
    this.saveVariant(d.id, 1, { text: "Nous avons bien reçu vos messages au sujet de la crème de jour. Nous vérifions le lot 42 et revenons vers vous ici dans l'heure.", images: [] });
    this.comments.set(d.id, [{ id: this.nextId++, authorKey: this.roster[1].key, authorName: "Maître Durand", text: "Ne pas écrire « défectueux » avant les analyses.", at: NOW() - 600 }]);
  }

  private createDraft(title: string, watchId: number | null, origin: Draft["origin"] = null): Draft {
    const me = this.requireMe();
    const d: Draft = { id: this.nextId++, title, watchId, mentionIds: [], authorKey: me.key, origin, variants: [], createdAt: NOW(), updatedAt: NOW() };
    this.drafts.push(d);
    this.log("draft_created", { draft_id: d.id, title });
    return d;
  }

  private saveVariant(draftId: number, accountId: number, content: Content): Draft {
    const me = this.requireMe();
    const d = this.draft(draftId);
    if (!this.account(accountId)) throw { code: "not_found", message: "this account no longer exists" };
    const prev = d.variants.find((v) => v.accountId === accountId);
    const version = (prev?.version ?? 0) + 1;
    const v = { accountId, content, contentHash: `mock-${draftId}-${accountId}-${version}`, version, updatedBy: me.key, updatedAt: NOW() };
    d.variants = [...d.variants.filter((x) => x.accountId !== accountId), v];
    d.updatedAt = NOW();
    this.history.set(draftId, [...(this.history.get(draftId) ?? []), { accountId, version, content, contentHash: v.contentHash, authorKey: me.key, at: NOW() }]);
    this.log("draft_edited", { draft_id: draftId, account_id: accountId, version });
    return structuredClone(d);
  }

  private requireMe(): Me {
    if (!this.me) throw { code: "refused", message: "no identity on this Vigie yet: create one (`vigie team init --name … --role …`)" };
    return this.me;
  }

  private draft(id: number): Draft {
    const d = this.drafts.find((x) => x.id === id);
    if (!d) throw { code: "not_found", message: `no draft ${id}` };
    return d;
  }

  /** The mock keeps no approvals: a requirement is never met here. */
  private requirement(r: ComposeRequest): ApprovalStatus {
    const level = this.level();
    const out: ApprovalStatus = { approvals: 0, roles: [], because: [], approvedBy: [], unmet: null };
    if ((this.me?.autonomy ?? "medium") === "low") out.because.push("author without autonomy: one validator"), (out.approvals = 1);
    if (level === "alert" || level === "crisis") out.because.push("alert: one validator"), (out.approvals = Math.max(out.approvals, 1));
    if (level === "crisis") out.because.push("crisis: two validators, one of them legal"), (out.approvals = 2), out.roles.push("legal");
    void r;
    if (out.approvals > 0) out.unmet = { kind: "tooFew", needed: out.approvals, given: 0, because: [...out.because] };
    return out;
  }

  /** Answers a teamwork command, or NOT_MINE. */
  dispatch(cmd: string, a: Record<string, unknown>): unknown {
    switch (cmd) {
      case "my_identity": return this.me ? { ...this.me } : null;
      case "create_identity": {
        if (this.me) throw { code: "refused", message: "this Vigie already has an identity: share it with `vigie team export`" };
        this.me = { key: btoa(`mock-${String(a.name)}-${Date.now()}`).slice(0, 43) + "=", name: String(a.name).trim(), roles: a.roles as string[], autonomy: a.autonomy as Autonomy };
        this.roster.push({ ...this.me });
        this.log("roster_member", { name: this.me.name });
        return { ...this.me };
      }
      case "list_roster": return structuredClone(this.roster);
      case "export_roster":
        return this.roster.map((m) => `[[member]]\nkey = "${m.key}"\nname = "${m.name}"\nroles = [${m.roles.map((r) => `"${r}"`).join(", ")}]\nautonomy = "${m.autonomy}"\n`).join("\n");
      case "import_roster": {
        const n = (String(a.text).match(/\[\[member\]\]/g) ?? []).length;
        if (!n) throw { code: "refused", message: "the roster file is not valid: no [[member]] in it" };
        return n;
      }
      case "set_member": {
        const m = this.roster.find((x) => x.key === a.who || x.name === a.who);
        if (!m) throw { code: "refused", message: `nobody called "${String(a.who)}" in the roster` };
        if (a.roles) m.roles = a.roles as string[];
        if (a.autonomy) m.autonomy = a.autonomy as Autonomy;
        if (this.me && m.key === this.me.key) this.me = { ...m };
        return { ...m };
      }
      case "get_policy": return this.policy;
      case "save_policy": {
        const text = String(a.toml);
        const rules = (text.match(/\[\[rule\]\]/g) ?? []).length;
        if (/^\s*[a-z_]+\s*=\s*$/m.test(text) || (!rules && text.trim())) throw { code: "refused", message: "the policy file is not valid: TOML parse error at line 1" };
        this.policy = text;
        this.log("policy_changed", { rules });
        return { rule: Array.from({ length: rules }, (_, i) => ({ name: `rule ${i + 1}`, approvals: 1 })) };
      }
      case "list_drafts": return structuredClone(this.drafts);
      case "get_draft": {
        const d = this.draft(a.id as number);
        return structuredClone({ draft: d, history: this.history.get(d.id) ?? [], comments: this.comments.get(d.id) ?? [] });
      }
      case "create_draft": return structuredClone(this.createDraft(String(a.title), (a.watchId as number | null) ?? null));
      case "save_variant": return this.saveVariant(a.draftId as number, a.accountId as number, a.content as Content);
      case "comment_draft": {
        const me = this.requireMe();
        const list = this.comments.get(a.draftId as number) ?? [];
        list.push({ id: this.nextId++, authorKey: me.key, authorName: me.name, text: String(a.text), at: NOW() });
        this.comments.set(a.draftId as number, list);
        return this.dispatch("get_draft", { id: a.draftId });
      }
      case "list_playbooks": return structuredClone(this.playbooks);
      case "import_playbook": {
        const name = /^name\s*=\s*"([^"]+)"/m.exec(String(a.toml))?.[1];
        if (!name) throw { code: "refused", message: "the playbook file is not valid: missing field `name`" };
        const p: Playbook = { name, scenario: /^scenario\s*=\s*"([^"]+)"/m.exec(String(a.toml))?.[1] ?? "", alert: [], checklist: [], statement: [] };
        this.playbooks = [...this.playbooks.filter((x) => x.name !== name), p];
        return p;
      }
      case "export_playbook": {
        const p = this.playbooks.find((x) => x.name === a.name);
        if (!p) throw { code: "refused", message: `no playbook "${String(a.name)}"` };
        return `name = "${p.name}"\nscenario = "${p.scenario}"\n${p.statement.map((s) => `\n[[statement]]\nid = "${s.id}"\ntitle = "${s.title}"\ntext = "${s.text}"\n`).join("")}`;
      }
      case "use_statement": {
        const u = a.request as UseStatement;
        const p = this.playbooks.find((x) => x.name === u.playbook);
        const st = p?.statement.find((s) => s.id === u.statement);
        if (!p || !st) throw { code: "refused", message: "no such statement" };
        const r = fillStatement(st.text, u.slots);
        if (!r.ok) {
          const pr = slotProblem(r.problem.slot, u.slots[r.problem.slot]);
          throw { code: "refused", message: `the slot {${pr?.slot}} needs a value` };
        }
        const d = this.createDraft(st.title, u.watchId ?? null, { playbook: p.name, statement: st.id, templateHash: "mock", slots: u.slots });
        return this.saveVariant(d.id, u.accountId, { text: r.text, images: [] });
      }
      case "request_approval": {
        const me = this.requireMe();
        const d = this.draft(a.draftId as number);
        const v = d.variants.find((x) => x.accountId === a.accountId);
        const acc = this.account(a.accountId as number);
        if (!v || !acc) throw { code: "refused", message: "this draft has no text for that account yet" };
        const req: ApprovalRequest = { v: 1, id: `mock-${d.id}-${v.version}`, draftId: d.id, title: d.title, content: v.content, contentHash: v.contentHash, target: targetOf(acc), level: this.level(), authorKey: me.key, authorName: me.name, at: NOW() };
        this.log("approval_requested", { draft_id: d.id });
        return encode("APPROVAL REQUEST", req);
      }
      case "review_request": return decode<ApprovalRequest>("APPROVAL REQUEST", String(a.text));
      case "approve_request": {
        const me = this.requireMe();
        const req = decode<ApprovalRequest>("APPROVAL REQUEST", String(a.text));
        if (req.authorKey === me.key) throw { code: "refused", message: "you wrote this post: you cannot approve it yourself" };
        if (!me.roles.includes(String(a.role))) throw { code: "refused", message: `you do not have the role "${String(a.role)}" in the roster` };
        return encode("APPROVAL", { kind: "approval", subjectHash: req.contentHash, target: req.target, approverKey: me.key, approverName: me.name, role: a.role, signedAt: NOW(), expiresAt: NOW() + (a.validSecs as number) });
      }
      case "pre_approve": {
        const me = this.requireMe();
        const p = a.request as PreApprove;
        return encode("APPROVAL", { kind: "pre_approval", subjectHash: `tpl-${p.statement}`, target: p.target, maxLevel: p.maxLevel, approverKey: me.key, approverName: me.name, role: p.role, signedAt: NOW(), expiresAt: NOW() + p.validSecs });
      }
      case "import_approval": {
        const x = decode<{ kind: "approval" | "pre_approval"; subjectHash: string; target: Target; maxLevel?: string; approverKey: string; approverName: string; role: string; signedAt: number; expiresAt: number }>("APPROVAL", String(a.text));
        if (this.me && x.approverKey === this.me.key) throw { code: "refused", message: "you cannot approve your own post" };
        if (this.approvals.some((y) => y.statement === String(a.text).trim())) throw { code: "duplicate", message: "this approval was already imported: a replay is refused" };
        const s: StoredApproval = { id: this.nextId++, signature: "mock", kind: x.kind, subjectHash: x.subjectHash, account: targetKey(x.target), approverKey: x.approverKey, approverName: x.approverName, role: x.role, signedAt: x.signedAt, expiresAt: x.expiresAt, maxLevel: x.maxLevel ?? null, requestId: null, statement: String(a.text).trim(), usedByPost: null };
        this.approvals.unshift(s);
        this.log(x.kind === "pre_approval" ? "pre_approval_imported" : "approval_imported", { approver: x.approverName, role: x.role });
        return { ...s };
      }
      case "list_approvals": return structuredClone(this.approvals);
      case "requirement": return this.requirement(a.request as ComposeRequest);
      case "audit_log": return structuredClone(this.audit).reverse().slice(0, a.limit as number);
      case "verify_audit": return { entries: this.audit.length, head: this.audit.at(-1)?.hash ?? "0".repeat(64), broken: null };
      case "account_target": {
        const acc = this.account(a.accountId as number);
        if (!acc) throw { code: "not_found", message: "no such account" };
        return targetOf(acc);
      }
      default: return NOT_MINE;
    }
  }
}
