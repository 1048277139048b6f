// Approval inbox. Validator side: paste a request → see exactly what would go out and where
// (content, @handle, network, server, author, level), then sign with one of my roles for a
// chosen time → the approval block to send back. Author side: paste an approval → the engine
// verifies and files it, or says why not. Then every filed approval: who, role, expiry, used.

import { h, append, clear, field } from "../dom";
import { t, tn } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { Account, ApprovalRequest, Me, StoredApproval } from "../types";
import { dateTime, nowSecs, relativeTime } from "../logic/format";
import { displayHandle } from "../logic/publish";
import { accountOfKey, approvalStatus, asLevel, blockKind, VALIDITIES } from "../logic/teamwork";
import { button, emptyState, errorBox, levelBadge, loading, pageHeader, select } from "./common";
import { networkLabel } from "./identity";
import { pasteArea, textBlock } from "./blocks";

export function validitySelect(testid: string, secs = 24 * 3600): HTMLSelectElement {
  return select(VALIDITIES.map((v) => ({ value: String(v.secs), label: t(`validity.${v.key}` as const) })), String(secs), { class: "input", testid });
}

export function roleSelect(me: Me | null, testid: string): HTMLSelectElement {
  const roles = me?.roles ?? [];
  const s = select(roles.map((r) => ({ value: r, label: r })), roles[0] ?? "", { class: "input", testid });
  s.disabled = roles.length === 0;
  return s;
}

export function renderApprovals(root: HTMLElement, ctx: Ctx): Cleanup {
  let disposed = false;
  let me: Me | null = null;
  let accounts: Account[] = [];
  const reviewBox = h("section", { class: "card", "aria-labelledby": "review-h" });
  const importBox = h("section", { class: "card", "aria-labelledby": "import-h" });
  const listBox = h("section", { class: "card", "aria-labelledby": "approvals-h" }, loading());
  root.append(pageHeader(t("inbox.title"), t("inbox.subtitle")), reviewBox, importBox, listBox);

  // ---- validator: review and approve a request ---------------------------------------------

  function drawReview() {
    clear(reviewBox);
    const area = pasteArea("inbox-request-text", t("inbox.requestPlaceholder"));
    const err = h("div", { class: "error-box", role: "alert", testid: "inbox-review-error", hidden: true });
    const shown = h("div", { class: "request-slot" });
    const showError = (m: string | null) => {
      err.hidden = !m;
      err.textContent = m ?? "";
    };
    const review = button(t("inbox.review"), async () => {
      showError(null);
      clear(shown);
      const text = area.value;
      if (!text.trim()) {
        showError(t("inbox.pasteFirst"));
        area.focus();
        return;
      }
      if (blockKind(text) === "approval") {
        showError(t("inbox.isApproval"));
        return;
      }
      try {
        const req = await ipc.reviewRequest(text);
        if (!disposed) shown.append(requestView(req, text));
      } catch (e) {
        showError(ctx.errorText(e));
      }
    }, { kind: "primary", icon: "eye", testid: "inbox-review" });
    append(reviewBox, [
      h("h2", { id: "review-h" }, t("inbox.reviewTitle")),
      h("p", { class: "muted small" }, t("inbox.reviewBody")),
      me ? null : h("p", { class: "note", testid: "inbox-need-identity" }, t("inbox.needIdentity"), " ", h("a", { href: "#/team", class: "link" }, t("drafts.goTeam"))),
      field(t("inbox.requestLabel"), area),
      h("div", { class: "form-actions" }, review),
      err,
      shown]);
  }

  function requestView(req: ApprovalRequest, text: string): HTMLElement {
    const level = asLevel(req.level);
    const mine = me?.key === req.authorKey;
    const box = h("div", { class: "request-view", testid: "inbox-request", "data-request-id": req.id });
    box.append(
      h("h3", { testid: "inbox-request-title" }, req.title),
      h("dl", { class: "confirm-facts" },
        h("dt", null, t("inbox.account")),
        h("dd", null,
          h("span", { class: "mono", testid: "inbox-request-handle" }, displayHandle(req.target.handle)), " ",
          h("span", { class: `chip chip-network chip-${req.target.network}`, testid: "inbox-request-network" }, networkLabel(req.target.network)), " ",
          h("span", { class: "muted break", testid: "inbox-request-server" }, req.target.server)),
        h("dt", null, t("inbox.author")), h("dd", { testid: "inbox-request-author" }, req.authorName),
        h("dt", null, t("inbox.level")), h("dd", { testid: "inbox-request-level", "data-level": req.level }, level ? levelBadge(level) : req.level),
        h("dt", null, t("inbox.asked")), h("dd", null, dateTime(req.at))),
      h("div", { class: "confirm-post" }, h("span", { class: "label" }, t("inbox.content")),
        // Exactly the text that would go out, as text.
        h("p", { class: "post-text", testid: "inbox-request-content" }, req.content.text),
        req.content.images.length ? h("p", { class: "muted small" }, tn("inbox.images", req.content.images.length)) : null));
    if (mine) {
      box.append(h("p", { class: "note", testid: "inbox-own-request" }, t("inbox.ownRequest")));
      return box;
    }
    if (!me) return box;
    const role = roleSelect(me, "inbox-approve-role");
    const valid = validitySelect("inbox-approve-valid");
    const err = h("p", { class: "field-error", role: "alert", testid: "inbox-approve-error" });
    const result = h("div");
    const approve = button(t("inbox.approve"), async () => {
      err.textContent = "";
      if (!role.value) {
        err.textContent = t("inbox.noRole");
        return;
      }
      approve.disabled = true;
      try {
        const block = await ipc.approveRequest(text, role.value, Number(valid.value));
        result.replaceChildren(textBlock({ value: block, label: t("inbox.approvalLabel"), hint: t("inbox.approvalHint"), testid: "inbox-approval-block", copyTestid: "inbox-approval-copy", toast: ctx.toast }));
        ctx.announce(t("inbox.signed"));
      } catch (e) {
        err.textContent = ctx.errorText(e);
        approve.disabled = false;
      }
    }, { kind: "primary", icon: "shield", testid: "inbox-approve" });
    box.append(
      h("div", { class: "two-col" },
        field(t("inbox.role"), role, { hint: me.roles.length ? t("inbox.roleHint") : t("inbox.noRole") }),
        field(t("inbox.validity"), valid)),
      err,
      h("div", { class: "form-actions" }, approve),
      result);
    return box;
  }

  // ---- author: import an approval ---------------------------------------------------------

  function drawImport() {
    clear(importBox);
    const area = pasteArea("inbox-approval-text", t("inbox.approvalPlaceholder"));
    const err = h("div", { class: "error-box", role: "alert", testid: "inbox-import-error", hidden: true });
    const ok = h("div", { class: "ok-box", role: "status", testid: "inbox-import-ok", hidden: true });
    const imp = button(t("inbox.import"), async () => {
      err.hidden = true;
      ok.hidden = true;
      const text = area.value;
      if (!text.trim()) {
        err.hidden = false;
        err.textContent = t("inbox.pasteFirst");
        area.focus();
        return;
      }
      if (blockKind(text) === "request") {
        err.hidden = false;
        err.textContent = t("inbox.isRequest");
        return;
      }
      imp.disabled = true;
      try {
        const a = await ipc.importApproval(text);
        area.value = "";
        ok.hidden = false;
        ok.textContent = t(a.kind === "pre_approval" ? "inbox.importedPre" : "inbox.imported", { name: a.approverName, role: a.role, when: dateTime(a.expiresAt) });
        ctx.toast(ok.textContent);
        await loadList();
      } catch (e) {
        err.hidden = false;
        err.textContent = ctx.errorText(e);
      } finally {
        imp.disabled = false;
      }
    }, { kind: "primary", icon: "download", testid: "inbox-import" });
    importBox.append(
      h("h2", { id: "import-h" }, t("inbox.importTitle")),
      h("p", { class: "muted small" }, t("inbox.importBody")),
      field(t("inbox.approvalText"), area),
      h("div", { class: "form-actions" }, imp),
      ok,
      err);
  }

  // ---- filed approvals --------------------------------------------------------------------

  function row(a: StoredApproval, now: number): HTMLElement {
    const status = approvalStatus(a, now);
    const acc = accountOfKey(a.account, accounts);
    return h("li", { class: `approval-row status-${status}`, testid: "approval-row", "data-kind": a.kind, "data-status": status, "data-approval-id": String(a.id) },
      h("div", { class: "approval-head" },
        h("strong", { testid: "approval-approver" }, a.approverName),
        h("span", { class: "chip chip-term", testid: "approval-role" }, a.role),
        h("span", { class: "small" }, t(a.kind === "pre_approval" ? "inbox.kind.pre" : "inbox.kind.approval")),
        h("span", { class: `tag approval-status-${status}`, testid: "approval-status" }, t(`inbox.status.${status}` as const))),
      h("div", { class: "small muted approval-meta" },
        h("span", { testid: "approval-account" }, acc ? `${displayHandle(acc.identity.handle)} · ${networkLabel(acc.network)}` : a.account),
        a.maxLevel ? h("span", null, t("inbox.upTo", { level: t(`level.${asLevel(a.maxLevel) ?? "calm"}` as const) })) : null,
        h("span", null, t("inbox.signedAt", { when: relativeTime(a.signedAt, now) })),
        h("span", { testid: "approval-expires" }, a.expiresAt <= now ? t("inbox.expired", { when: dateTime(a.expiresAt) }) : t("inbox.expires", { when: dateTime(a.expiresAt) })),
        a.usedByPost !== null ? h("span", { testid: "approval-used" }, t("inbox.usedBy", { id: a.usedByPost })) : null));
  }

  async function loadList() {
    try {
      const list = await ipc.listApprovals();
      if (disposed) return;
      clear(listBox);
      listBox.append(h("div", { class: "card-title-row" }, h("h2", { id: "approvals-h" }, tn("inbox.count", list.length))));
      if (!list.length) {
        listBox.append(emptyState(t("inbox.emptyTitle"), t("inbox.emptyBody")));
        return;
      }
      const now = nowSecs();
      listBox.append(h("ul", { class: "approval-list", testid: "approval-list" }, ...list.map((a) => row(a, now))));
    } catch (e) {
      if (!disposed) listBox.replaceChildren(errorBox(ctx.errorText(e)));
    }
  }

  async function start() {
    const profiles = ctx.publishing.profiles.length ? ctx.publishing.profiles : await ipc.listProfiles().catch(() => []);
    const [m, lists] = await Promise.all([
      ipc.myIdentity().catch(() => null),
      Promise.all(profiles.map((p) => ipc.listAccounts(p.id).catch(() => [] as Account[]))),
    ]);
    if (disposed) return;
    me = m;
    accounts = lists.flat();
    drawReview();
    drawImport();
    await loadList();
  }

  void start();
  return () => {
    disposed = true;
  };
}
