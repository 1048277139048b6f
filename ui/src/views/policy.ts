// The approval policy, as the TOML the engine keeps: edited in a text area, saved through the
// engine, which refuses invalid text with its own words (shown as they are).

import { h, field, showSaved } from "../dom";
import { t, tn } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx } from "../app";
import { button, errorBox, loading } from "./common";

export function policyCard(ctx: Ctx): HTMLElement {
  const box = h("section", { class: "card", "aria-labelledby": "policy-h", testid: "policy-card" });
  const area = h("textarea", { class: "input textarea mono policy-text", rows: "18", spellcheck: "false", testid: "policy-text" });
  const err = h("div", { class: "error-box", role: "alert", testid: "policy-error", hidden: true });
  const ok = h("p", { class: "ok-line", role: "status", testid: "policy-saved" });
  let saved = "";

  const showError = (message: string | null) => {
    err.hidden = !message;
    err.textContent = message ?? "";
  };

  const save = button(t("common.save"), async () => {
    showError(null);
    ok.textContent = "";
    save.disabled = true;
    try {
      const p = await ipc.savePolicy(area.value);
      ok.textContent = tn("policy.saved", p.rule.length);
      ctx.toast(tn("policy.saved", p.rule.length));
      saved = await ipc.getPolicy();
      showSaved(area, saved);
    } catch (e) {
      showError(ctx.errorText(e));
    } finally {
      save.disabled = false;
    }
  }, { kind: "primary", testid: "policy-save" });
  const revert = button(t("policy.revert"), () => {
    showSaved(area, saved);
    showError(null);
    ok.textContent = "";
  }, { kind: "ghost", testid: "policy-revert" });

  box.append(h("h2", { id: "policy-h" }, t("policy.title")), h("p", { class: "muted small" }, t("policy.body")), loading());
  ipc.getPolicy().then((text) => {
    saved = text;
    showSaved(area, text);
    box.lastElementChild?.remove();
    box.append(field(t("policy.label"), area, { hint: t("policy.hint") }), err, h("div", { class: "form-actions" }, save, revert), ok);
  }).catch((e) => {
    box.lastElementChild?.remove();
    box.append(errorBox(ctx.errorText(e)));
  });
  return box;
}
