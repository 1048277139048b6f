// Outbox: every post with its state. While queued, the undo window counts down with a Cancel
// button; failed posts can be retried; sent posts link to the post on its server (opened in the
// system browser). While the kill switch is on, queued posts are shown as held.

import { h, append, clear } from "../dom";
import { t, tn } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { Account, Post, Profile } from "../types";
import { dateTime, isOpenableUrl, nowSecs, relativeTime } from "../logic/format";
import { displayHandle, formatCountdown, postView, safeColour, type PostView } from "../logic/publish";
import { invalidText, postProblemText } from "../logic/postProblems";
import { button, emptyState, errorBox, loading, pageHeader } from "./common";
import { confirmDialog } from "./confirmDialog";
import { networkLabel } from "./identity";

interface Who {
  account: Account;
  profile: Profile | undefined;
}

const LIMIT = 100;

export function renderOutbox(root: HTMLElement, ctx: Ctx, params: URLSearchParams): Cleanup {
  let disposed = false;
  let posts: Post[] = [];
  let loaded = false;
  const who = new Map<number, Who>();
  const list = h("ol", { class: "outbox-list", testid: "outbox-list" });
  const box = h("section", { class: "card" }, loading());
  const highlight = Number(params.get("post")) || null;
  const unlisten: ipc.Unlisten[] = [];

  root.append(pageHeader(t("outbox.title"), t("outbox.subtitle"),
    button(t("common.refresh"), () => void load(), { icon: "refresh", testid: "outbox-refresh" })), box);

  /** Names every account of every profile, so a post always says who it speaks as. */
  async function loadAccounts() {
    const profiles = ctx.publishing.profiles.length ? ctx.publishing.profiles : await ipc.listProfiles();
    const lists = await Promise.all(profiles.map((p) => ipc.listAccounts(p.id).catch(() => [] as Account[])));
    who.clear();
    lists.flat().forEach((a) => who.set(a.id, { account: a, profile: profiles.find((p) => p.id === a.profileId) }));
  }

  let loading_ = false;
  async function load() {
    if (loading_) return;
    loading_ = true;
    try {
      const fresh = await ipc.outbox(LIMIT);
      if (fresh.some((p) => !who.has(p.accountId))) await loadAccounts().catch(() => undefined);
      if (disposed) return;
      posts = fresh;
      loaded = true;
      draw();
    } catch (e) {
      if (!disposed) box.replaceChildren(errorBox(ctx.errorText(e)));
    } finally {
      loading_ = false;
    }
  }

  function stateLabel(v: PostView): string {
    switch (v.kind) {
      case "undo": return t("outbox.state.undo");
      case "retryIn": return t("outbox.state.retryIn");
      case "due": return t("outbox.state.due");
      case "held": return t("outbox.state.held");
      default: return t(`outbox.state.${v.kind}` as const);
    }
  }

  function countdownText(v: PostView): string {
    if (v.kind === "undo") return t("outbox.undoLeft", { time: formatCountdown(v.remaining) });
    if (v.kind === "retryIn") return t("outbox.retryLeft", { time: formatCountdown(v.remaining) });
    return "";
  }

  function item(p: Post, now: number): HTMLElement {
    const v = postView(p, ctx.publishing.killSwitch, now);
    const w = who.get(p.accountId);
    const li = h("li", {
      class: `outbox-item state-${p.state} view-${v.kind}${p.id === highlight ? " highlight" : ""}`,
      testid: "outbox-item", "data-post-id": String(p.id), "data-state": p.state, "data-held": v.kind === "held" ? "true" : "false",
    });
    if (w?.profile) li.style.setProperty("--profile-colour", safeColour(w.profile.colour));
    const countdown = h("span", { class: "countdown mono", testid: "outbox-countdown", hidden: v.kind !== "undo" && v.kind !== "retryIn" }, countdownText(v));
    const actions = h("div", { class: "row-actions" });
    if (p.state === "queued" && !p.outcomeUnknown) {
      actions.append(button(t("outbox.cancel"), async () => {
        try {
          await ipc.cancelPost(p.id);
          ctx.toast(t("outbox.cancelled"));
        } catch (e) {
          ctx.toast(ctx.errorText(e), "error");
        }
        void load();
      }, { small: true, kind: "danger", icon: "x", testid: "outbox-cancel" }));
    }
    if (p.state === "failed") {
      const retry: HTMLButtonElement = button(t("outbox.retry"), () => void askRetry(p, retry),
        { small: true, kind: "primary", icon: "refresh", testid: "outbox-retry" });
      actions.append(retry);
    }
    if (p.state === "sent" && isOpenableUrl(p.remoteUrl)) {
      const url = p.remoteUrl;
      actions.append(button(t("outbox.open"), () => {
        ipc.openExternal(url).catch((e) => ctx.toast(ctx.errorText(e), "error"));
      }, { small: true, icon: "open", testid: "outbox-open", title: url }));
    }
    const when = p.state === "sent" && p.sentAt ? t("outbox.sentAt", { when: relativeTime(p.sentAt, now) }) : t("outbox.queuedAt", { when: relativeTime(p.queuedAt, now) });
    append(li, [
      h("div", { class: "outbox-head" },
        h("span", { class: `post-state post-state-${v.kind}`, testid: "outbox-state" }, stateLabel(v)),
        countdown,
        h("span", { class: "outbox-account", testid: "outbox-account" },
          w?.profile ? h("span", { class: "profile-swatch", "aria-hidden": "true", title: w.profile.name }) : null,
          w ? `${displayHandle(w.account.identity.handle)} · ${networkLabel(w.account.network)}` : t("outbox.unknownAccount")),
        h("span", { class: "spacer" }),
        h("time", { class: "muted small", datetime: new Date((p.sentAt ?? p.queuedAt) * 1000).toISOString(), title: dateTime(p.sentAt ?? p.queuedAt) }, when)),
      h("p", { class: "post-text outbox-text", testid: "outbox-text" }, p.content.text),
      (p.lastProblem || p.lastError) && p.state !== "sent"
        ? h("p", { class: "last-error", testid: "outbox-error" }, h("strong", null, t("outbox.lastError")), " ",
          p.lastProblem ? postProblemText(p.lastProblem) : p.lastError)
        : null,
      p.outcomeUnknown && p.state === "queued" ? h("p", { class: "note", testid: "outbox-maybe-sent" }, t("outbox.maybeSent")) : null,
      p.attempts > 1 && p.state !== "cancelled" ? h("p", { class: "muted small" }, tn("outbox.attempts", p.attempts)) : null,
      actions.childElementCount ? actions : null,
    ]);
    return li;
  }

  /** A retry is confirmed like a new post: who it goes out as, the handle typed when today's
   *  rule asks for it (the level may have risen since), then a fresh undo window. */
  async function askRetry(p: Post, opener: HTMLElement) {
    const active = ctx.publishing.active;
    if (!active) {
      ctx.toast(t("compose.noProfileTitle"), "error");
      return;
    }
    try {
      const request = { profileId: active.id, accountId: p.accountId, content: p.content, ...(p.watchId != null ? { watchId: p.watchId } : {}) };
      const [check, settings] = await Promise.all([ipc.composeCheck(request), ipc.getPublishSettings().catch(() => null)]);
      if (disposed) return;
      if (check.invalid.length) {
        ctx.toast(check.invalid.map(invalidText).join(" "), "error");
        return;
      }
      confirmDialog({
        check,
        text: p.content.text,
        settings,
        title: t("outbox.retryTitle"),
        confirmLabel: t("outbox.retryConfirm"),
        // The list is redrawn every few seconds: back to this post's Retry, or its row.
        returnFocus: () => control(String(p.id), "outbox-retry") ?? (opener.isConnected ? opener : null),
        errorText: ctx.errorText,
        onConfirm: async (typedHandle) => {
          await ipc.retryPost({ profileId: active.id, id: p.id, ...(typedHandle !== undefined ? { typedHandle } : {}) });
          ctx.toast(t("outbox.retried"));
          void load();
        },
      });
    } catch (e) {
      ctx.toast(ctx.errorText(e), "error");
    }
  }

  /** Redraws the list and keeps the keyboard where it was (the same button of the same post). */
  function draw() {
    const focused = document.activeElement instanceof HTMLElement && box.contains(document.activeElement) ? document.activeElement : null;
    const focusPost = focused?.closest<HTMLElement>("[data-post-id]")?.dataset.postId;
    const focusId = focused?.dataset.testid;
    drawList();
    if (focusPost && focusId) control(focusPost, focusId)?.focus();
  }

  /** A post's control after a redraw, or its row when the control is gone (a cancelled post
   *  has no Cancel); null when the post is no longer listed. */
  function control(postId: string, testid: string): HTMLElement | null {
    const again = box.querySelector<HTMLElement>(`[data-post-id="${postId}"] [data-testid="${testid}"]`);
    if (again) return again;
    const row = box.querySelector<HTMLElement>(`[data-post-id="${postId}"]`);
    if (row) row.tabIndex = -1;
    return row;
  }

  function drawList() {
    const now = nowSecs();
    clear(box);
    const held = ctx.publishing.killSwitch.on ? posts.filter((p) => p.state === "queued").length : 0;
    box.append(h("div", { class: "card-title-row" }, h("h2", null, tn("outbox.count", posts.length)),
      held ? h("span", { class: "tag tag-bad", testid: "outbox-held-count" }, tn("outbox.heldCount", held)) : null));
    if (!posts.length) {
      box.append(emptyState(t("outbox.emptyTitle"), t("outbox.emptyBody")));
      return;
    }
    clear(list);
    list.append(...posts.map((p) => item(p, now)));
    box.append(list);
  }

  /** Once a second: the countdowns move; a window that ends asks the engine what happened. */
  function tick() {
    const now = nowSecs();
    let due = false;
    for (const li of list.querySelectorAll<HTMLElement>('[data-testid="outbox-item"]')) {
      const p = posts.find((x) => x.id === Number(li.dataset.postId));
      if (!p) continue;
      const v = postView(p, ctx.publishing.killSwitch, now);
      const cd = li.querySelector<HTMLElement>('[data-testid="outbox-countdown"]');
      if (cd) {
        cd.textContent = countdownText(v);
        cd.hidden = v.kind !== "undo" && v.kind !== "retryIn";
      }
      if (v.kind === "due" || v.kind === "sending") due = true;
      const label = li.querySelector<HTMLElement>('[data-testid="outbox-state"]');
      if (label && !li.classList.contains(`view-${v.kind}`)) due = true;
    }
    return due;
  }

  let ticks = 0;
  const timer = setInterval(() => {
    if (disposed) return;
    const busy = tick();
    ticks += 1;
    // The shell's outbox://changed event is the main signal; this is the safety net.
    if (busy ? ticks % 2 === 0 : ticks % 10 === 0) void load();
  }, 1000);

  ipc.onOutboxChanged(() => void load()).then((u) => (disposed ? u() : unlisten.push(u))).catch(() => undefined);
  const off = ctx.onPublishing(() => !disposed && loaded && draw());
  void load();

  return () => {
    disposed = true;
    clearInterval(timer);
    off();
    unlisten.forEach((u) => u());
  };
}
