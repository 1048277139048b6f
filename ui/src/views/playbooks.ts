// Playbooks: prepared scenarios with holding statements. Import one by pasting its TOML, export
// one to copy; "use this statement" fills the slots and creates a draft for a chosen account;
// a validator can pre-approve a statement's fixed text for an account (its target pasted from
// the author's Vigie), up to a level, as a signed block. Slots are shown, never interpreted.

import { h, clear, field } from "../dom";
import { t, tn } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { Account, Level, Me, Playbook, Statement } from "../types";
import { LEVELS } from "../types";
import { displayHandle } from "../logic/publish";
import { fillStatement, parseTarget, statementParts, statementSlots, type SlotProblem } from "../logic/teamwork";
import { button, emptyState, errorBox, loading, pageHeader, select } from "./common";
import { networkLabel } from "./identity";
import { openModal } from "./modal";
import { pasteArea, textBlock } from "./blocks";
import { roleSelect, validitySelect } from "./approvals";

export function slotProblemText(p: SlotProblem): string {
  return t(`playbooks.slot.${p.why}` as const, { slot: `{${p.slot}}` });
}

/** The statement's text with its slots marked (as text nodes). */
export function statementText(text: string, testid?: string): HTMLElement {
  return h("p", { class: "post-text statement-text", testid },
    ...statementParts(text).map((p) => (p.kind === "text" ? p.text : h("span", { class: "slot" }, `{${p.name}}`))));
}

export function renderPlaybooks(root: HTMLElement, ctx: Ctx): Cleanup {
  let disposed = false;
  let me: Me | null = null;
  let accounts: Account[] = []; // the active profile's
  const listBox = h("section", { class: "card", "aria-labelledby": "playbooks-h" }, loading());
  const importBox = h("section", { class: "card", "aria-labelledby": "playbook-import-h" });
  const targetBox = h("section", { class: "card", "aria-labelledby": "target-h" });
  root.append(pageHeader(t("playbooks.title"), t("playbooks.subtitle")), listBox, importBox, targetBox);

  async function load() {
    try {
      const active = ctx.publishing.active;
      const [list, m, accs] = await Promise.all([
        ipc.listPlaybooks(),
        ipc.myIdentity().catch(() => null),
        active ? ipc.listAccounts(active.id).catch(() => [] as Account[]) : Promise.resolve([] as Account[]),
      ]);
      if (disposed) return;
      me = m;
      accounts = accs;
      drawList(list);
      drawTarget();
    } catch (e) {
      if (!disposed) listBox.replaceChildren(errorBox(ctx.errorText(e)));
    }
  }

  // ---- the library ------------------------------------------------------------------------

  function drawList(list: Playbook[]) {
    clear(listBox);
    listBox.append(h("div", { class: "card-title-row" }, h("h2", { id: "playbooks-h" }, tn("playbooks.count", list.length))));
    if (!list.length) {
      listBox.append(emptyState(t("playbooks.emptyTitle"), t("playbooks.emptyBody")));
      return;
    }
    listBox.append(h("div", { class: "playbook-list", testid: "playbook-list" }, ...list.map(card)));
  }

  function card(p: Playbook): HTMLElement {
    const exportSlot = h("div");
    const exp = button(t("playbooks.export"), async () => {
      try {
        const text = await ipc.exportPlaybook(p.name);
        exportSlot.replaceChildren(textBlock({ value: text, label: t("playbooks.exportLabel"), testid: "playbook-export-text", copyTestid: "playbook-export-copy", toast: ctx.toast }));
      } catch (e) {
        exportSlot.replaceChildren(errorBox(ctx.errorText(e)));
      }
    }, { small: true, kind: "ghost", icon: "upload", testid: "playbook-export" });
    return h("article", { class: "playbook", testid: "playbook-card", "data-name": p.name },
      h("div", { class: "card-title-row" },
        h("div", null, h("h3", { testid: "playbook-name" }, p.name), h("p", { class: "muted small", testid: "playbook-scenario" }, p.scenario)),
        exp),
      p.alert.length ? h("p", { class: "small" }, h("span", { class: "muted" }, t("playbooks.alert")), " ",
        ...p.alert.map((x) => h("span", { class: "chip chip-term" }, x))) : null,
      p.checklist.length ? h("div", { class: "checklist" }, h("span", { class: "label" }, t("playbooks.checklist")),
        h("ol", { class: "small" }, ...p.checklist.map((c) => h("li", null, c)))) : null,
      h("ul", { class: "statement-list" }, ...p.statement.map((s) => statementRow(p, s))),
      exportSlot);
  }

  function statementRow(p: Playbook, s: Statement): HTMLElement {
    const slots = statementSlots(s.text);
    return h("li", { class: "statement", testid: "statement-row", "data-statement-id": s.id },
      h("div", { class: "statement-head" },
        h("strong", null, s.title),
        h("code", { class: "muted small" }, s.id),
        s.network ? h("span", { class: `chip chip-network chip-${s.network}` }, networkLabel(s.network)) : h("span", { class: "muted small" }, t("playbooks.anyNetwork")),
        slots.length ? h("span", { class: "muted small" }, tn("playbooks.slots", slots.length)) : null),
      statementText(s.text, "statement-text"),
      h("div", { class: "form-actions" },
        button(t("playbooks.use"), () => useDialog(p, s), { small: true, kind: "primary", icon: "draft", testid: "statement-use" }),
        button(t("playbooks.preApprove"), () => preApproveDialog(p, s), { small: true, icon: "shield", testid: "statement-preapprove" })));
  }

  // ---- use this statement -----------------------------------------------------------------

  function useDialog(p: Playbook, s: Statement) {
    const slots = statementSlots(s.text);
    const inputs = slots.map((name) => h("input", { type: "text", class: "input", testid: "use-slot", "data-slot": name, autocomplete: "off", maxlength: "100" }));
    // A statement written for one network is offered for that network's accounts only (the
    // engine refuses the others).
    const fitting = accounts.filter((a) => !s.network || a.network === s.network);
    const account = select(fitting.map((a) => ({ value: String(a.id), label: `${displayHandle(a.identity.handle)} (${networkLabel(a.network)})` })),
      fitting[0] ? String(fitting[0].id) : "", { class: "input", testid: "use-account" });
    const watchOptions = [{ value: "", label: t("drafts.noWatch") }, ...ctx.rows.map((r) => ({ value: String(r.watch.id), label: r.watch.name }))];
    const watch = select(watchOptions, "", { class: "input", testid: "use-watch" });
    const preview = h("p", { class: "post-text", testid: "use-preview" });
    const err = h("p", { class: "field-error", role: "alert", testid: "use-error" });
    const values = () => Object.fromEntries(slots.map((name, i) => [name, inputs[i].value]));
    const refresh = () => {
      const r = fillStatement(s.text, values());
      if (r.ok) {
        preview.replaceChildren(r.text);
      } else {
        preview.replaceChildren(statementText(s.text));
      }
      create.disabled = !r.ok || !account.value;
      return r;
    };
    const create = button(t("playbooks.createDraft"), async () => {
      err.textContent = "";
      const r = refresh();
      if (!r.ok) {
        err.textContent = slotProblemText(r.problem);
        return;
      }
      create.disabled = true;
      try {
        const d = await ipc.useStatement({ playbook: p.name, statement: s.id, slots: values(), accountId: Number(account.value), ...(watch.value ? { watchId: Number(watch.value) } : {}) });
        m.close();
        ctx.toast(t("drafts.created", { title: d.title }));
        ctx.navigate(`#/drafts/${d.id}`);
      } catch (e) {
        err.textContent = ctx.errorText(e);
        create.disabled = false;
      }
    }, { kind: "primary", icon: "draft", testid: "use-create" });
    inputs.forEach((i) => i.addEventListener("input", () => {
      err.textContent = "";
      refresh();
    }));
    account.addEventListener("change", refresh);
    const body = [
      h("p", { class: "muted small" }, t("playbooks.useBody")),
      statementText(s.text),
      ...inputs.map((i, n) => field(`{${slots[n]}}`, i, { hint: n === 0 ? t("playbooks.slotHint") : undefined })),
      fitting.length
        ? h("div", { class: "two-col" }, field(t("compose.account"), account), field(t("drafts.watch"), watch))
        : h("p", { class: "note", testid: "use-no-account" }, s.network && accounts.length ? t("playbooks.noAccountFor", { network: networkLabel(s.network) }) : t("playbooks.noAccount")),
      h("div", { class: "confirm-post" }, h("span", { class: "label" }, t("playbooks.preview")), preview),
      err,
    ];
    const m = openModal({
      title: t("playbooks.useTitle", { title: s.title }),
      testid: "use-dialog",
      body,
      actions: [button(t("common.cancel"), () => m.close(), { kind: "ghost", testid: "use-cancel" }), create],
      initialFocus: inputs[0] ?? null,
    });
    refresh();
  }

  // ---- pre-approve (validator side) -------------------------------------------------------

  function preApproveDialog(p: Playbook, s: Statement) {
    const target = pasteArea("preapprove-target", '{"network":"mastodon","server":"https://…","remoteId":"…","handle":"…"}', 4);
    const targetView = h("p", { class: "small", testid: "preapprove-target-view" });
    const maxLevel = select(LEVELS.map((l) => ({ value: l, label: t(`level.${l}` as const) })), "alert", { class: "input", testid: "preapprove-max-level" });
    const role = roleSelect(me, "preapprove-role");
    const valid = validitySelect("preapprove-valid", 30 * 86_400);
    const err = h("p", { class: "field-error", role: "alert", testid: "preapprove-error" });
    const result = h("div");
    const readTarget = () => {
      const r = parseTarget(target.value);
      if (r.ok) {
        targetView.replaceChildren(h("span", { class: "mono" }, displayHandle(r.target.handle)), " · ", networkLabel(r.target.network), " · ", h("span", { class: "muted break" }, r.target.server));
      } else {
        targetView.textContent = target.value.trim() ? t(`playbooks.target.${r.why}` as const) : "";
      }
      return r;
    };
    target.addEventListener("input", readTarget);
    const sign = button(t("playbooks.sign"), async () => {
      err.textContent = "";
      const r = readTarget();
      if (!r.ok) {
        err.textContent = t(`playbooks.target.${r.why}` as const);
        target.focus();
        return;
      }
      if (!role.value) {
        err.textContent = t("inbox.noRole");
        return;
      }
      sign.disabled = true;
      try {
        const block = await ipc.preApprove({ playbook: p.name, statement: s.id, target: r.target, maxLevel: maxLevel.value as Level, role: role.value, validSecs: Number(valid.value) });
        result.replaceChildren(textBlock({ value: block, label: t("inbox.approvalLabel"), hint: t("playbooks.preApprovalHint"), testid: "preapprove-block", copyTestid: "preapprove-copy", toast: ctx.toast }));
      } catch (e) {
        err.textContent = ctx.errorText(e);
      } finally {
        sign.disabled = false;
      }
    }, { kind: "primary", icon: "shield", testid: "preapprove-sign" });
    const m = openModal({
      title: t("playbooks.preApproveTitle", { title: s.title }),
      testid: "preapprove-dialog",
      body: [
        h("p", { class: "muted small" }, t("playbooks.preApproveBody")),
        statementText(s.text),
        me ? null : h("p", { class: "note" }, t("inbox.needIdentity")),
        field(t("playbooks.target"), target, { hint: t("playbooks.targetHint") }),
        targetView,
        h("div", { class: "three-col" }, field(t("playbooks.maxLevel"), maxLevel), field(t("inbox.role"), role), field(t("inbox.validity"), valid)),
        err,
        result,
      ],
      actions: [button(t("common.close"), () => m.close(), { kind: "ghost", testid: "preapprove-close" }), sign],
      initialFocus: target,
    });
  }

  // ---- share an account's target ----------------------------------------------------------

  function drawTarget() {
    clear(targetBox);
    targetBox.append(h("h2", { id: "target-h" }, t("playbooks.shareTarget")), h("p", { class: "muted small" }, t("playbooks.shareTargetBody")));
    if (!accounts.length) {
      targetBox.append(h("p", { class: "muted" }, t("playbooks.noAccount")));
      return;
    }
    const account = select(accounts.map((a) => ({ value: String(a.id), label: `${displayHandle(a.identity.handle)} (${networkLabel(a.network)})` })), String(accounts[0].id), { class: "input", testid: "target-account" });
    const slot = h("div");
    const show = button(t("playbooks.showTarget"), async () => {
      try {
        const tg = await ipc.accountTarget(Number(account.value));
        slot.replaceChildren(textBlock({ value: JSON.stringify(tg), label: t("playbooks.targetLabel"), testid: "target-json", copyTestid: "target-copy", rows: 3, toast: ctx.toast }));
      } catch (e) {
        slot.replaceChildren(errorBox(ctx.errorText(e)));
      }
    }, { icon: "upload", testid: "target-show" });
    targetBox.append(h("div", { class: "target-form" }, field(t("compose.account"), account), show), slot);
  }

  // ---- import -----------------------------------------------------------------------------

  function drawImport() {
    const area = pasteArea("playbook-import-text", t("playbooks.importPlaceholder"), 10);
    const err = h("div", { class: "error-box", role: "alert", testid: "playbook-import-error", hidden: true });
    const imp = button(t("playbooks.import"), async () => {
      err.hidden = true;
      if (!area.value.trim()) {
        err.hidden = false;
        err.textContent = t("playbooks.importEmpty");
        area.focus();
        return;
      }
      imp.disabled = true;
      try {
        const p = await ipc.importPlaybook(area.value);
        area.value = "";
        ctx.toast(t("playbooks.imported", { name: p.name }));
        await load();
      } catch (e) {
        err.hidden = false;
        err.textContent = ctx.errorText(e);
      } finally {
        imp.disabled = false;
      }
    }, { kind: "primary", icon: "download", testid: "playbook-import" });
    importBox.append(h("h2", { id: "playbook-import-h" }, t("playbooks.importTitle")), h("p", { class: "muted small" }, t("playbooks.importBody")),
      field(t("playbooks.importLabel"), area), h("div", { class: "form-actions" }, imp), err);
  }

  drawImport();
  void load();
  return () => {
    disposed = true;
  };
}
