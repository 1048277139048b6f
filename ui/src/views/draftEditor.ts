// One draft: a variant per account of the active profile (text, the network's counter from
// compose_check, what the policy asks, approvals in hand), every saved version (who, when, the
// text), the comment thread. "Request approval" shows the signed block to copy to a validator;
// "Publish" hands the saved variant to the composer and its confirmation dialog.

import { h, append, clear, field, debounce } from "../dom";
import { t, tn } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { Account, ComposeRequest, DraftDetail, Member, StoredApproval, Variant, Version } from "../types";
import { dateTime, nowSecs, relativeTime } from "../logic/format";
import { counterState, displayHandle } from "../logic/publish";
import { invalidText } from "../logic/postProblems";
import { approvalsFor, memberName, versionsOf } from "../logic/teamwork";
import { button, emptyState, errorBox, loading, pageHeader } from "./common";
import { accountLine, networkLabel, paintProfile, profileChip } from "./identity";
import { textBlock } from "./blocks";
import { requirementSlot, showRequirement } from "./requirement";

export function renderDraftEditor(root: HTMLElement, ctx: Ctx, draftId: number): Cleanup {
  let disposed = false;
  const active = ctx.publishing.active;
  const body = h("div", { class: "draft-editor", testid: "draft-editor", "data-draft-id": String(draftId) }, loading());
  root.append(body);

  let detail: DraftDetail | null = null;
  let roster: Member[] = [];
  let accounts: Account[] = []; // every profile's, to name the accounts of older versions
  let approvals: StoredApproval[] = [];
  /** Unsaved text per account: kept across redraws. */
  const pending = new Map<number, string>();
  /** The last request block per account (for the version it was made for). */
  const blocks = new Map<number, { version: number; text: string }>();
  const cleanups: (() => void)[] = [];

  async function loadAll() {
    const profiles = ctx.publishing.profiles.length ? ctx.publishing.profiles : await ipc.listProfiles().catch(() => []);
    const [d, r, lists, ap] = await Promise.all([
      ipc.getDraft(draftId),
      ipc.listRoster().catch(() => [] as Member[]),
      Promise.all(profiles.map((p) => ipc.listAccounts(p.id).catch(() => [] as Account[]))),
      ipc.listApprovals().catch(() => [] as StoredApproval[]),
    ]);
    detail = d;
    roster = r;
    accounts = lists.flat();
    approvals = ap;
  }

  async function reload() {
    try {
      await loadAll();
      if (!disposed) draw();
    } catch (e) {
      if (!disposed) body.replaceChildren(errorBox(ctx.errorText(e)));
    }
  }

  const accountName = (id: number) => {
    const a = accounts.find((x) => x.id === id);
    return a ? `${displayHandle(a.identity.handle)} · ${networkLabel(a.network)}` : t("draft.unknownAccount", { id });
  };

  function draw() {
    if (!detail) return;
    cleanups.splice(0).forEach((c) => c());
    const d = detail.draft;
    const watch = d.watchId !== null ? ctx.rows.find((r) => r.watch.id === d.watchId)?.watch.name : undefined;
    clear(body);
    body.append(
      h("a", { href: "#/drafts", class: "link back-link", testid: "draft-back" }, t("draft.back")),
      pageHeader(d.title, null),
      h("p", { class: "muted small draft-meta" },
        h("span", null, t("drafts.by", { name: memberName(d.authorKey, roster) })),
        h("span", null, t("draft.created", { when: dateTime(d.createdAt) })),
        watch ? h("span", null, t("drafts.about", { watch })) : null,
        d.origin ? h("span", { class: "chip chip-term", testid: "draft-origin" }, t("draft.fromStatement", { playbook: d.origin.playbook, statement: d.origin.statement })) : null),
    );
    const variants = h("section", { class: "card profile-card", "aria-labelledby": "variants-h" });
    paintProfile(variants, active);
    if (!active) {
      variants.append(h("h2", { id: "variants-h" }, t("draft.variants")), emptyState(t("compose.noProfileTitle"), t("compose.noProfileBody"),
        h("a", { href: "#/accounts", class: "btn btn-primary" }, t("compose.goAccounts"))));
    } else {
      const mine = accounts.filter((a) => a.profileId === active.id);
      variants.append(h("div", { class: "card-title-row" }, h("h2", { id: "variants-h" }, t("draft.variants")), profileChip(active)),
        h("p", { class: "muted small" }, t("draft.variantsBody", { name: active.name })));
      if (!mine.length) {
        variants.append(emptyState(t("compose.noAccountTitle"), t("compose.noAccountBody", { name: active.name }),
          h("a", { href: "#/accounts", class: "btn btn-primary" }, t("compose.goAccounts"))));
      }
      for (const a of mine) variants.append(variantCard(a, d.variants.find((v) => v.accountId === a.id)));
      const elsewhere = d.variants.filter((v) => !mine.some((a) => a.id === v.accountId)).length;
      if (elsewhere) variants.append(h("p", { class: "muted small", testid: "draft-variants-elsewhere" }, tn("draft.elsewhere", elsewhere)));
    }
    body.append(variants, historyCard(), commentsCard());
  }

  // ---- one variant ------------------------------------------------------------------------

  function variantCard(a: Account, v: Variant | undefined): HTMLElement {
    const saved = v?.content.text ?? "";
    const text = h("textarea", { class: "input textarea", rows: "5", testid: "variant-text", value: pending.get(a.id) ?? saved, placeholder: t("compose.placeholder") });
    const counter = h("span", { class: "counter", testid: "variant-counter" });
    const problems = h("ul", { class: "problems", testid: "variant-problems", role: "status", "aria-live": "polite" });
    const req = requirementSlot("variant-requirement");
    const err = h("p", { class: "field-error", role: "alert", testid: "variant-error" });
    const dirtyNote = h("p", { class: "hint", testid: "variant-dirty" }, t("draft.saveFirst"));
    const blockSlot = h("div", { class: "variant-block" });
    const now = nowSecs();
    const inHand = v ? approvalsFor(v, a, approvals, now) : [];

    const isDirty = () => text.value !== saved;
    const save = button(t("draft.save"), async () => {
      err.textContent = "";
      save.disabled = true;
      try {
        await ipc.saveVariant(draftId, a.id, { text: text.value, images: v?.content.images ?? [] });
        pending.delete(a.id);
        blocks.delete(a.id);
        ctx.toast(t("draft.saved", { handle: displayHandle(a.identity.handle) }));
        await reload();
      } catch (e) {
        err.textContent = ctx.errorText(e);
        refresh();
      }
    }, { small: true, kind: "primary", testid: "variant-save" });
    const request = button(t("draft.requestApproval"), async () => {
      if (!v) return;
      err.textContent = "";
      request.disabled = true;
      try {
        const block = await ipc.requestApproval(draftId, a.id);
        blocks.set(a.id, { version: v.version, text: block });
        showBlock();
        ctx.announce(t("draft.requestReady"));
      } catch (e) {
        err.textContent = ctx.errorText(e);
      } finally {
        refresh();
      }
    }, { small: true, icon: "shield", testid: "variant-request" });
    const publish = button(t("draft.publish"), () => {
      const watch = detail?.draft.watchId;
      ctx.navigate(`#/compose?draft=${draftId}&account=${a.id}${watch !== null && watch !== undefined ? `&watch=${watch}` : ""}`);
    }, { small: true, icon: "send", testid: "variant-publish" });

    function showBlock() {
      const b = blocks.get(a.id);
      clear(blockSlot);
      if (b && v && b.version === v.version) {
        blockSlot.append(textBlock({ value: b.text, label: t("draft.requestLabel"), hint: t("draft.requestHint"), testid: "variant-request-block", copyTestid: "variant-request-copy", toast: ctx.toast }));
      }
    }

    function refresh() {
      const dirty = isDirty();
      dirtyNote.hidden = !dirty || !v;
      save.disabled = !dirty || !text.value.trim();
      request.disabled = dirty || !v;
      publish.disabled = dirty || !v;
    }

    let seq = 0;
    const check = async () => {
      if (!active) return;
      const my = ++seq;
      const r: ComposeRequest = { profileId: active.id, accountId: a.id, content: { text: text.value, images: [] }, ...(detail?.draft.watchId != null ? { watchId: detail.draft.watchId } : {}) };
      try {
        const [c, need] = await Promise.all([ipc.composeCheck(r), ipc.requirement(r).catch(() => null)]);
        if (disposed || my !== seq) return;
        const st = counterState(c.count, c.max);
        counter.textContent = `${c.count} / ${c.max}`;
        counter.className = `counter counter-${st}`;
        counter.dataset.state = st;
        clear(problems);
        if (text.value.trim()) {
          for (const p of c.invalid) problems.append(h("li", { class: "problem", testid: "variant-problem", "data-kind": p.kind }, invalidText(p)));
        }
        showRequirement(req, need);
      } catch (e) {
        if (disposed || my !== seq) return;
        clear(problems);
        problems.append(h("li", { class: "problem", testid: "variant-problem" }, ctx.errorText(e)));
      }
    };
    const checkSoon = debounce(() => void check(), 250);
    cleanups.push(() => checkSoon.cancel());
    text.addEventListener("input", () => {
      if (text.value === saved) pending.delete(a.id);
      else pending.set(a.id, text.value);
      refresh();
      checkSoon();
    });

    const version = v
      ? h("p", { class: "small muted", testid: "variant-version", "data-version": String(v.version) },
          t("draft.versionLine", { n: v.version, name: memberName(v.updatedBy, roster), when: relativeTime(v.updatedAt, now) }))
      : h("p", { class: "small muted", testid: "variant-version", "data-version": "0" }, t("draft.noVariant"));
    const approved = inHand.length
      ? h("p", { class: "ok-line small", testid: "variant-approvals", "data-count": String(inHand.length) },
          t("draft.approvedBy", { who: inHand.map((x) => `${x.approverName} (${x.role})`).join(", ") }))
      : null;

    const card = h("article", { class: "variant", testid: "draft-variant", "data-account-id": String(a.id), "data-network": a.network },
      accountLine(a),
      version,
      field(t("draft.textFor", { handle: displayHandle(a.identity.handle) }), text),
      h("div", { class: "counter-line" }, counter, h("span", { class: "muted small" }, t("compose.counterOf", { network: networkLabel(a.network) }))),
      problems,
      req,
      approved,
      dirtyNote,
      err,
      h("div", { class: "form-actions" }, save, request, publish),
      blockSlot);
    refresh();
    showBlock();
    void check();
    return card;
  }

  // ---- history ----------------------------------------------------------------------------

  function historyCard(): HTMLElement {
    const box = h("section", { class: "card", "aria-labelledby": "history-h", testid: "draft-history" });
    const versions = versionsOf(detail?.history ?? []);
    box.append(h("div", { class: "card-title-row" }, h("h2", { id: "history-h" }, t("draft.history")), h("span", { class: "muted small" }, tn("draft.versions", versions.length))));
    if (!versions.length) {
      box.append(h("p", { class: "muted" }, t("draft.historyEmpty")));
      return box;
    }
    const now = nowSecs();
    box.append(h("ol", { class: "history-list" }, ...versions.map((v) => historyItem(v, now))));
    return box;
  }

  function historyItem(v: Version, now: number): HTMLElement {
    const shown = h("div", { class: "history-body", hidden: true });
    const li = h("li", { class: "history-item", testid: "history-item", "data-account-id": String(v.accountId), "data-version": String(v.version) },
      h("div", { class: "history-head" },
        h("span", { class: "mono small" }, `v${v.version}`),
        h("span", null, accountName(v.accountId)),
        h("span", { class: "muted small", testid: "history-author" }, memberName(v.authorKey, roster)),
        h("time", { class: "muted small", datetime: new Date(v.at * 1000).toISOString(), title: dateTime(v.at) }, relativeTime(v.at, now)),
        h("span", { class: "spacer" }),
        button(t("draft.view"), () => {
          shown.hidden = !shown.hidden;
        }, { small: true, kind: "ghost", icon: "eye", testid: "history-view" })),
      shown);
    const canRestore = !!active && accounts.some((a) => a.id === v.accountId && a.profileId === active.id);
    append(shown, [h("p", { class: "post-text", testid: "history-text" }, v.content.text),
      canRestore ? button(t("draft.restore"), () => {
        pending.set(v.accountId, v.content.text);
        draw();
        const area = body.querySelector<HTMLTextAreaElement>(`[data-testid="draft-variant"][data-account-id="${v.accountId}"] [data-testid="variant-text"]`);
        area?.focus();
        ctx.announce(t("draft.restored", { n: v.version }));
      }, { small: true, testid: "history-restore" }) : null]);
    return li;
  }

  // ---- comments ---------------------------------------------------------------------------

  function commentsCard(): HTMLElement {
    const box = h("section", { class: "card", "aria-labelledby": "comments-h", testid: "draft-comments" });
    const comments = detail?.comments ?? [];
    const now = nowSecs();
    box.append(h("h2", { id: "comments-h" }, tn("draft.comments", comments.length)));
    if (comments.length) {
      box.append(h("ol", { class: "comment-list" }, ...comments.map((c) =>
        h("li", { class: "comment", testid: "comment-item" },
          h("div", { class: "comment-head small" },
            h("strong", { testid: "comment-author" }, c.authorName),
            h("time", { class: "muted", datetime: new Date(c.at * 1000).toISOString(), title: dateTime(c.at) }, relativeTime(c.at, now))),
          h("p", { class: "comment-text", testid: "comment-text" }, c.text)))));
    } else {
      box.append(h("p", { class: "muted" }, t("draft.noComments")));
    }
    const input = h("textarea", { class: "input textarea", rows: "3", testid: "comment-input" });
    const err = h("p", { class: "field-error", role: "alert" });
    const add = button(t("draft.comment"), async () => {
      err.textContent = "";
      if (!input.value.trim()) {
        input.focus();
        return;
      }
      add.disabled = true;
      try {
        detail = await ipc.commentDraft(draftId, input.value.trim());
        if (!disposed) draw();
      } catch (e) {
        err.textContent = ctx.errorText(e);
        add.disabled = false;
      }
    }, { small: true, kind: "primary", testid: "comment-add" });
    box.append(field(t("draft.commentLabel"), input, { error: err }), h("div", { class: "form-actions" }, add));
    return box;
  }

  void reload();
  return () => {
    disposed = true;
    cleanups.forEach((c) => c());
  };
}
