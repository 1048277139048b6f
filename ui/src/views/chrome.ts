// On top of every screen: the active profile (name, kind, colour) with its switcher, and the
// kill switch. While the kill switch is on, a banner with its reason shows on every screen.

import { h, field } from "../dom";
import { icon } from "../icons";
import { t, tn } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx } from "../app";
import { dateTime } from "../logic/format";
import { button } from "./common";
import { openModal } from "./modal";
import { profileChip } from "./identity";

export function topBar(ctx: Ctx): HTMLElement {
  const { profiles, active, killSwitch } = ctx.publishing;
  const indicator = active
    ? h("div", { class: "profile-indicator", testid: "profile-indicator", "data-profile-id": String(active.id), "data-kind": active.kind },
        h("span", { class: "profile-indicator-caption" }, t("profile.workingIn")),
        profileChip(active, "profile-current"))
    : h("div", { class: "profile-indicator none", testid: "profile-indicator", "data-kind": "none" },
        h("span", { class: "profile-indicator-caption" }, t("profile.none")),
        h("a", { href: "#/accounts", class: "link", testid: "profile-create-link" }, t("profile.createFirst")));

  let switcher: HTMLElement | null = null;
  if (active && profiles.length > 1) {
    const sel = h("select", { class: "input profile-switcher", testid: "profile-switcher", "aria-label": t("profile.switch") });
    for (const p of profiles) {
      sel.appendChild(h("option", { value: String(p.id), selected: p.id === active.id }, `${p.name} · ${t(`profile.kind.${p.kind}` as const)}`));
    }
    sel.value = String(active.id);
    sel.addEventListener("change", async () => {
      const id = Number(sel.value);
      try {
        if (!(await ctx.switchProfile(id))) {
          sel.value = String(active.id);
          return;
        }
        const now = ctx.publishing.active;
        if (now) ctx.announce(t("profile.switched", { name: now.name, kind: t(`profile.kind.${now.kind}` as const) }));
      } catch (e) {
        ctx.toast(ctx.errorText(e), "error");
        sel.value = String(active.id);
      }
    });
    switcher = field(t("profile.switch"), sel, { class: "profile-switch-field" });
    switcher.querySelector("label")?.classList.add("sr-only");
  }

  const kill = killSwitch.on
    ? button(t("kill.resume"), () => askResume(ctx), { kind: "secondary", icon: "play", testid: "kill-switch-toggle" })
    : button(t("kill.pause"), () => askPause(ctx), { kind: "secondary", icon: "pause", testid: "kill-switch-toggle", title: t("kill.pauseTitle") });
  if (!killSwitch.on) kill.classList.add("btn-kill");
  kill.setAttribute("aria-pressed", killSwitch.on ? "true" : "false");

  return h("header", { class: "topbar", "aria-label": t("topbar.label") },
    indicator, switcher, h("span", { class: "spacer" }), kill);
}

export function killSwitchBanner(ctx: Ctx): HTMLElement {
  const ks = ctx.publishing.killSwitch;
  return h("div", { class: "kill-banner", role: "alert", testid: "kill-switch-banner" },
    icon("pause", 18),
    h("div", { class: "kill-banner-text" },
      h("strong", null, t("kill.bannerTitle")),
      " ",
      h("span", { testid: "kill-switch-reason-text" }, ks.reason),
      ks.since ? h("span", { class: "kill-banner-since" }, ` · ${t("kill.since", { when: dateTime(ks.since) })}`) : null),
    button(t("kill.resume"), () => askResume(ctx), { small: true, kind: "secondary", testid: "kill-switch-resume" }));
}

/** The top bar is redrawn after a change: give keyboard focus back to the (new) toggle. */
function refocusToggle(): void {
  document.querySelector<HTMLElement>('[data-testid="kill-switch-toggle"]')?.focus();
}

/** Turning the kill switch on asks why (the team sees the reason). */
export function askPause(ctx: Ctx): void {
  const reason = h("input", { type: "text", class: "input", testid: "kill-switch-reason", maxlength: "300", autocomplete: "off", required: true });
  const err = h("p", { class: "field-error", role: "alert", testid: "kill-switch-error" });
  const confirm = button(t("kill.pauseConfirm"), async () => {
    if (!reason.value.trim()) {
      err.textContent = t("kill.reasonRequired");
      reason.setAttribute("aria-invalid", "true");
      reason.focus();
      return;
    }
    confirm.disabled = true;
    try {
      const ks = await ipc.setKillSwitch(true, reason.value.trim());
      ctx.publishing = { ...ctx.publishing, killSwitch: ks };
      m.close();
      await ctx.refreshPublishing().catch(() => undefined);
      refocusToggle();
      ctx.toast(t("kill.paused"));
    } catch (e) {
      err.textContent = ctx.errorText(e);
      confirm.disabled = false;
    }
  }, { kind: "danger", icon: "pause", testid: "kill-switch-confirm" });
  reason.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      confirm.click();
    }
  });
  const m = openModal({
    title: t("kill.pauseTitle"),
    testid: "kill-switch-dialog",
    class: "modal-danger",
    body: [h("p", null, t("kill.pauseBody")), field(t("kill.reason"), reason, { hint: t("kill.reasonHint"), error: err })],
    actions: [button(t("common.cancel"), () => m.close(), { kind: "ghost", testid: "kill-switch-cancel" }), confirm],
    initialFocus: reason,
  });
}

/** Resuming sends what waited: say how many posts will go. */
export async function askResume(ctx: Ctx): Promise<void> {
  let waiting = 0;
  try {
    waiting = (await ipc.outbox(200)).filter((p) => p.state === "queued").length;
  } catch {
    // the count is only informative
  }
  const err = h("p", { class: "field-error", role: "alert" });
  const confirm = button(t("kill.resumeConfirm"), async () => {
    confirm.disabled = true;
    try {
      const ks = await ipc.setKillSwitch(false, "");
      ctx.publishing = { ...ctx.publishing, killSwitch: ks };
      m.close();
      await ctx.refreshPublishing().catch(() => undefined);
      refocusToggle();
      ctx.toast(t("kill.resumed"));
    } catch (e) {
      err.textContent = ctx.errorText(e);
      confirm.disabled = false;
    }
  }, { kind: "primary", icon: "play", testid: "kill-switch-resume-confirm" });
  const m = openModal({
    title: t("kill.resumeTitle"),
    testid: "kill-switch-resume-dialog",
    body: [h("p", null, waiting ? tn("kill.resumeWaiting", waiting) : t("kill.resumeNone")), err],
    actions: [button(t("common.cancel"), () => m.close(), { kind: "ghost" }), confirm],
  });
}
