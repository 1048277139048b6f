// Composer: an account of the active profile, the text with the network's own counter and
// problems (from the engine's compose_check, debounced), a preview per network, then the
// confirmation dialog. Only the engine decides; this screen shows what it says.

import { h, clear, field, debounce, showSaved } from "../dom";
import { t } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { Account, ComposeCheck, ComposeRequest, DraftDetail, PublishSettings } from "../types";
import { counterState, displayHandle } from "../logic/publish";
import { number } from "../logic/format";
import { invalidText } from "../logic/postProblems";
import { button, emptyState, errorBox, levelBadge, loading, pageHeader, select } from "./common";
import { avatar, networkLabel, paintProfile, profileChip } from "./identity";
import { confirmDialog } from "./confirmDialog";
import { requirementSlot, showRequirement } from "./requirement";

export function renderCompose(root: HTMLElement, ctx: Ctx, params: URLSearchParams): Cleanup {
  let disposed = false;
  const active = ctx.publishing.active;
  root.append(pageHeader(t("compose.title"), t("compose.subtitle")));
  const body = h("div", { class: "compose-body" }, loading());
  root.append(body);

  if (!active) {
    body.replaceChildren(emptyState(t("compose.noProfileTitle"), t("compose.noProfileBody"),
      h("a", { href: "#/accounts", class: "btn btn-primary", testid: "compose-go-accounts" }, t("compose.goAccounts"))));
    return () => undefined;
  }

  let settings: PublishSettings | null = null;
  ipc.getPublishSettings().then((s) => (settings = s)).catch(() => undefined);

  // "Publish" from a draft: the saved variant for that account fills the composer.
  const draftId = Number(params.get("draft")) || null;
  Promise.all([ipc.listAccounts(active.id), draftId ? ipc.getDraft(draftId) : Promise.resolve(null)]).then(([accounts, draft]) => {
    if (disposed) return;
    if (!accounts.length) {
      body.replaceChildren(emptyState(t("compose.noAccountTitle"), t("compose.noAccountBody", { name: active.name }),
        h("a", { href: "#/accounts", class: "btn btn-primary", testid: "compose-go-accounts" }, t("compose.goAccounts"))));
      return;
    }
    draw(accounts, draft);
  }).catch((e) => !disposed && body.replaceChildren(errorBox(ctx.errorText(e))));

  function draw(accounts: Account[], draft: DraftDetail | null) {
    const wanted = Number(params.get("account"));
    const accountSel = select(accounts.map((a) => ({ value: String(a.id), label: `@${a.identity.handle} — ${a.identity.displayName || a.identity.handle} (${networkLabel(a.network)})` })),
      String(accounts.some((a) => a.id === wanted) ? wanted : accounts[0].id), { class: "input", testid: "compose-account" });
    const watchOptions = [{ value: "", label: t("compose.watchAny") }, ...ctx.rows.map((r) => ({ value: String(r.watch.id), label: `${r.watch.name} · ${t(`level.${r.level.level}` as const)}` }))];
    const wantedWatch = params.get("watch") ?? "";
    const watchSel = select(watchOptions, watchOptions.some((o) => o.value === wantedWatch) ? wantedWatch : "", { class: "input", testid: "compose-watch" });
    const text = h("textarea", { class: "input textarea compose-text", rows: "7", testid: "compose-text", placeholder: t("compose.placeholder") });
    const counter = h("span", { class: "counter", testid: "compose-counter" });
    const counterNet = h("span", { class: "muted small" });
    const problems = h("ul", { class: "problems", testid: "compose-problems", role: "status", "aria-live": "polite" });
    const levelSlot = h("span", { class: "compose-level" });
    const need = requirementSlot("compose-requirement");
    const preview = h("div", { class: "preview-card", testid: "compose-preview" });
    const review = button(t("compose.review"), () => void openConfirm(), { kind: "primary", icon: "send", testid: "compose-review" });
    review.disabled = true;
    const counterId = "compose-counter-line";
    text.setAttribute("aria-describedby", counterId);

    let seq = 0;

    const account = () => accounts.find((a) => a.id === Number(accountSel.value)) ?? accounts[0];
    const request = (): ComposeRequest => {
      const w = watchSel.value ? Number(watchSel.value) : undefined;
      return { profileId: active!.id, accountId: account().id, content: { text: text.value, images: [] }, ...(w !== undefined ? { watchId: w } : {}) };
    };

    function drawPreview(a: Account) {
      clear(preview);
      preview.dataset.network = a.network;
      preview.append(
        h("div", { class: "preview-head" },
          h("span", { class: "label" }, t("compose.preview", { network: networkLabel(a.network) }))),
        h("div", { class: `post-preview post-${a.network}` },
          h("div", { class: "post-author" }, avatar(a.identity),
            h("div", { class: "account-names" },
              h("span", { class: "account-display" }, a.identity.displayName || a.identity.handle),
              h("span", { class: "account-handle mono" }, displayHandle(a.identity.handle)))),
          // The user's text as text: never parsed as markup.
          h("p", { class: "post-text", testid: "compose-preview-text" }, text.value || t("compose.previewEmpty"))));
    }

    // The draft's saved text for the chosen account (what its approvals were asked for). The
    // note follows the account: another account gets its own variant, or is told it has none.
    const fromDraft: HTMLElement | null = draft ? h("p", { class: "note", testid: "compose-from-draft" }) : null;
    /** The text the composer holds from the draft (or ""), to tell edits from the saved text. */
    let loaded = "";
    function fillFromDraft() {
      if (!draft || !fromDraft) return;
      const v = draft.draft.variants.find((x) => x.accountId === Number(accountSel.value));
      const untouched = text.value === loaded;
      if (v && untouched) {
        showSaved(text, v.content.text);
        loaded = v.content.text;
      }
      const current = v && text.value === v.content.text;
      fromDraft.dataset.variant = current ? String(v.version) : "";
      fromDraft.replaceChildren(
        current
          ? t("compose.fromDraft", { title: draft.draft.title, n: v.version })
          : v
            ? t("compose.draftEdited", { title: draft.draft.title })
            : t("compose.draftNoVariant", { title: draft.draft.title }),
        " ",
        h("a", { href: `#/drafts/${draft.draft.id}`, class: "link" }, t("compose.backToDraft")));
    }
    fillFromDraft();
    // What is typed and not queued would be lost on leaving: ask first.
    ctx.setLeaveGuard(() => text.value.trim() !== "" && text.value !== loaded);

    function show(c: ComposeCheck) {
      const st = counterState(c.count, c.max);
      counter.textContent = `${number(c.count)} / ${number(c.max)}`;
      counter.className = `counter counter-${st}`;
      counter.dataset.state = st;
      counterNet.textContent = t("compose.counterOf", { network: networkLabel(c.account.network) });
      clear(problems);
      // An empty draft is not a problem to shout about while typing.
      const shown = text.value.trim() ? c.invalid : [];
      for (const p of shown) problems.append(h("li", { class: "problem", testid: "compose-problem", "data-kind": p.kind }, invalidText(p)));
      levelSlot.replaceChildren(h("span", { class: "muted small" }, t("compose.levelNow")), levelBadge(c.level, "compose-level"));
      review.disabled = c.invalid.length > 0;
    }

    async function check(): Promise<ComposeCheck | null> {
      const my = ++seq;
      try {
        const r = request();
        const [c, req] = await Promise.all([ipc.composeCheck(r), ipc.requirement(r).catch(() => null)]);
        if (disposed || my !== seq) return null;
        show(c);
        showRequirement(need, req);
        return c;
      } catch (e) {
        if (disposed || my !== seq) return null;
        showRequirement(need, null);
        review.disabled = true;
        clear(problems);
        problems.append(h("li", { class: "problem", testid: "compose-problem" }, ctx.errorText(e)));
        return null;
      }
    }
    const checkSoon = debounce(() => void check(), 250);

    async function openConfirm() {
      review.disabled = true;
      const c = await check();
      if (!c || c.problems.length) return;
      const sent = text.value;
      confirmDialog({
        check: c,
        text: sent,
        settings,
        errorText: ctx.errorText,
        returnFocus: review,
        onConfirm: async (typedHandle) => {
          const post = await ipc.queuePost({ ...request(), content: { text: sent, images: [] }, ...(typedHandle !== undefined ? { typedHandle } : {}) });
          ctx.setLeaveGuard(null);
          text.value = "";
          ctx.toast(ctx.publishing.killSwitch.on ? t("compose.queuedHeld") : t("compose.queued", { handle: displayHandle(c.account.identity.handle) }));
          ctx.navigate(`#/outbox?post=${post.id}`);
        },
      });
      review.disabled = false;
    }

    text.addEventListener("input", () => {
      review.disabled = true;
      fillFromDraft();
      drawPreview(account());
      checkSoon();
    });
    accountSel.addEventListener("change", () => {
      fillFromDraft();
      drawPreview(account());
      void check();
    });
    watchSel.addEventListener("change", () => void check());

    const card = h("section", { class: "card compose-card profile-card", "aria-label": t("compose.title") },
      h("div", { class: "compose-who" }, profileChip(active!), levelSlot),
      fromDraft,
      // Full width: the account's whole handle, instance included, must stay readable.
      field(t("compose.account"), accountSel, { hint: t("compose.accountHint", { name: active!.name }) }),
      field(t("compose.watch"), watchSel, { hint: t("compose.watchHint") }),
      field(t("compose.text"), text),
      h("div", { class: "counter-line", id: counterId }, counter, counterNet),
      problems,
      need,
      h("div", { class: "form-actions" }, review));
    paintProfile(card, active);
    body.replaceChildren(h("div", { class: "compose-grid" }, card, preview));
    drawPreview(account());
    void check();
    text.focus();
  }

  return () => {
    disposed = true;
  };
}
