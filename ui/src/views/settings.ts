// Settings: language, theme, poll interval, notifications.

import { h, field, showSaved } from "../dom";
import { t } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { PublishSettings, Settings } from "../types";
import { applyTheme } from "../theme";
import { button, pageHeader, select } from "./common";

export function renderSettings(root: HTMLElement, ctx: Ctx): Cleanup {
  const s = ctx.settings;
  const language = select([{ value: "fr", label: "Français" }, { value: "en", label: "English" }], s.language, { testid: "settings-language", class: "input" });
  const theme = select(
    (["system", "light", "dark"] as const).map((v) => ({ value: v, label: t(`theme.${v}` as const) })),
    s.theme,
    { testid: "settings-theme", class: "input" },
  );
  theme.addEventListener("change", () => applyTheme(theme.value as Settings["theme"]));
  const poll = h("input", { type: "number", class: "input num", min: "1", max: "1440", step: "1", value: String(Math.max(1, Math.round(s.poll_interval_secs / 60))), testid: "settings-poll" });
  const pollErr = h("p", { class: "field-error", role: "alert" });
  const notifyLevels = h("input", { type: "checkbox", checked: s.notify_levels, testid: "settings-notify-levels" });
  const notifyWeak = h("input", { type: "checkbox", checked: s.notify_weak_signals, testid: "settings-notify-weak" });

  const form = h("form", { class: "card settings-form", novalidate: true },
    h("h2", null, t("settings.appearance")),
    h("div", { class: "two-col" }, field(t("settings.language"), language), field(t("settings.theme"), theme)),
    h("h2", null, t("settings.listening")),
    field(t("settings.poll"), poll, { hint: t("settings.pollHint"), error: pollErr }),
    h("h2", null, t("settings.notifications")),
    h("label", { class: "check" }, notifyLevels, h("span", null, t("settings.notifyLevels"))),
    h("label", { class: "check" }, notifyWeak, h("span", null, t("settings.notifyWeak"))),
    h("div", { class: "form-actions" }, button(t("common.save"), () => undefined, { kind: "primary", type: "submit", testid: "settings-save" })),
  );

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const minutes = Number(poll.value);
    if (!Number.isFinite(minutes) || minutes < 1 || minutes > 1440) {
      pollErr.textContent = t("settings.pollInvalid");
      poll.setAttribute("aria-invalid", "true");
      return;
    }
    pollErr.textContent = "";
    poll.removeAttribute("aria-invalid");
    const next: Settings = {
      language: language.value === "fr" ? "fr" : "en",
      theme: theme.value as Settings["theme"],
      poll_interval_secs: Math.round(minutes * 60),
      notify_levels: notifyLevels.checked,
      notify_weak_signals: notifyWeak.checked,
    };
    try {
      const saved = await ipc.saveSettings(next);
      ctx.applySettings(saved);
      ctx.toast(t("settings.saved"));
    } catch (err) {
      ctx.toast(ctx.errorText(err), "error");
    }
  });

  root.append(pageHeader(t("settings.title"), t("settings.subtitle")), form, publishForm(ctx));
  return () => applyTheme(ctx.settings.theme);
}

/** Publishing: the undo window and the audience above which the handle must be typed. */
function publishForm(ctx: Ctx): HTMLElement {
  const undo = h("input", { type: "number", class: "input num", min: "0", max: "600", step: "1", testid: "settings-undo-secs", disabled: true });
  const undoErr = h("p", { class: "field-error", role: "alert" });
  const threshold = h("input", { type: "number", class: "input num", min: "0", step: "1", testid: "settings-audience-threshold", disabled: true });
  const thresholdErr = h("p", { class: "field-error", role: "alert" });
  const save = button(t("common.save"), () => undefined, { kind: "primary", type: "submit", testid: "settings-publish-save" });
  save.disabled = true;
  const form = h("form", { class: "card settings-form", novalidate: true, testid: "settings-publish", "aria-labelledby": "settings-publish-h" },
    h("h2", { id: "settings-publish-h" }, t("settings.publishing")),
    h("div", { class: "two-col" },
      field(t("settings.undo"), undo, { hint: t("settings.undoHint"), error: undoErr }),
      field(t("settings.audience"), threshold, { hint: t("settings.audienceHint"), error: thresholdErr })),
    h("div", { class: "form-actions" }, save));

  // Values the engine holds, shown as saved (not as typed input).
  const showSettings = (s: PublishSettings) => {
    showSaved(undo, String(s.undoSecs));
    showSaved(threshold, s.audienceThreshold === null ? "" : String(s.audienceThreshold));
  };
  ipc.getPublishSettings().then((s) => {
    showSettings(s);
    undo.disabled = threshold.disabled = save.disabled = false;
  }).catch((e) => ctx.toast(ctx.errorText(e), "error"));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const u = Number(undo.value);
    const okUndo = undo.value.trim() !== "" && Number.isInteger(u) && u >= 0 && u <= 600;
    const tv = threshold.value.trim();
    const th = tv === "" ? null : Number(tv);
    const okTh = th === null || (Number.isInteger(th) && th >= 0);
    undoErr.textContent = okUndo ? "" : t("settings.undoInvalid");
    undo.setAttribute("aria-invalid", okUndo ? "false" : "true");
    thresholdErr.textContent = okTh ? "" : t("settings.audienceInvalid");
    threshold.setAttribute("aria-invalid", okTh ? "false" : "true");
    if (!okUndo || !okTh) return;
    const next: PublishSettings = { undoSecs: u, audienceThreshold: th };
    try {
      showSettings(await ipc.savePublishSettings(next));
      ctx.toast(t("settings.publishSaved"));
    } catch (err) {
      ctx.toast(ctx.errorText(err), "error");
    }
  });
  return form;
}
