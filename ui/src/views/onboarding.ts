// First run: brand name + query suggestion → first source (feed URL or Mastodon tag) → done.

import { h, clear, field } from "../dom";
import { t, getLanguage } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { SourceSpec, Watch } from "../types";
import { suggestQuery, suggestTag } from "../logic/query";
import { button, segmented } from "./common";
import { queryField, type QueryField } from "./queryField";

const SENSITIVE: Record<"fr" | "en", string[]> = {
  fr: ["boycott", "scandale", "rappel", "plainte", "grève", "intoxication"],
  en: ["boycott", "scandal", "recall", "lawsuit", "strike", "poisoning"],
};

export function renderOnboarding(root: HTMLElement, ctx: Ctx): Cleanup {
  let step = 1;
  let watch: Watch | null = null;
  let sourceTitle: string | null = null;
  let qf: QueryField | null = null;
  const stepper = h("ol", { class: "stepper", "aria-label": t("onboarding.progress") });
  const panel = h("section", { class: "card onboarding-card", "aria-live": "polite" });
  root.append(
    h("div", { class: "onboarding" },
      h("div", { class: "onboarding-hero" }, h("span", { class: "brand-mark big", "aria-hidden": "true" }),
        h("h1", null, t("onboarding.title")), h("p", { class: "subtitle" }, t("onboarding.subtitle"))),
      stepper, panel),
  );

  function drawStepper() {
    clear(stepper);
    [t("onboarding.step1"), t("onboarding.step2"), t("onboarding.step3")].forEach((label, i) => {
      const n = i + 1;
      stepper.appendChild(h("li", { class: n === step ? "current" : n < step ? "done" : "", "aria-current": n === step ? "step" : undefined },
        h("span", { class: "step-num" }, String(n)), h("span", null, label)));
    });
  }

  function stepOne() {
    const brand = h("input", { type: "text", class: "input big", testid: "onboarding-brand", placeholder: t("onboarding.brandPlaceholder"), value: watch?.name ?? "", autocomplete: "off" });
    const brandErr = h("p", { class: "field-error", role: "alert" });
    qf = queryField({ value: watch?.query ?? "", testid: "onboarding-query", label: t("onboarding.query") });
    let touched = !!watch;
    qf.input.addEventListener("input", () => (touched = true));
    brand.addEventListener("input", () => {
      if (!touched) {
        qf!.input.value = suggestQuery(brand.value);
        qf!.input.dispatchEvent(new Event("input"));
        touched = false;
      }
    });
    const next = button(t("onboarding.next"), () => undefined, { kind: "primary", type: "submit", testid: "onboarding-next" });
    const form = h("form", { testid: "onboarding-step-1", novalidate: true },
      h("h2", null, t("onboarding.step1Title")),
      h("p", { class: "muted" }, t("onboarding.step1Body")),
      field(t("onboarding.brand"), brand, { error: brandErr }),
      qf.element,
      h("div", { class: "form-actions" }, next));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      brandErr.textContent = "";
      if (!brand.value.trim()) {
        brandErr.textContent = t("watch.nameRequired");
        brand.focus();
        return;
      }
      const r = await qf!.checkNow();
      if (!r?.ok) {
        qf!.input.focus();
        return;
      }
      next.disabled = true;
      try {
        const lang = getLanguage();
        watch = await ipc.saveWatch(watch?.id ?? null, {
          name: brand.value.trim(),
          query: qf!.input.value.trim(),
          languages: ["fr", "en"],
          sensitivity: "medium",
          enabled: true,
          sensitive_words: SENSITIVE[lang],
          thresholds: null,
        });
        go(2);
      } catch (err) {
        ctx.toast(ctx.errorText(err), "error");
        next.disabled = false;
      }
    });
    panel.appendChild(form);
    brand.focus();
  }

  function stepTwo() {
    let kind: "feed" | "mastodon" = "feed";
    const url = h("input", { type: "url", class: "input", testid: "onboarding-source-url", placeholder: "https://", autocomplete: "off" });
    const instance = h("input", { type: "url", class: "input", testid: "onboarding-mastodon-instance", value: "https://mastodon.social" });
    const tag = h("input", { type: "text", class: "input", testid: "onboarding-mastodon-tag", value: suggestTag(watch?.name ?? "") });
    const fields = h("div");
    const drawFields = () => {
      clear(fields);
      if (kind === "feed") fields.append(field(t("sources.url"), url, { hint: t("sources.urlHint") }));
      else fields.append(h("div", { class: "two-col" }, field(t("sources.instance"), instance), field(t("sources.tag"), tag, { hint: t("sources.tagHint") })));
    };
    drawFields();
    const add = button(t("onboarding.addSource"), () => undefined, { kind: "primary", type: "submit", testid: "onboarding-add-source" });
    const form = h("form", { testid: "onboarding-step-2", novalidate: true },
      h("h2", null, t("onboarding.step2Title")),
      h("p", { class: "muted" }, t("onboarding.step2Body")),
      segmented(t("onboarding.step2Title"), [
        { value: "feed", label: t("sources.tabFeed"), testid: "onboarding-kind-feed" },
        { value: "mastodon", label: t("sources.tabMastodon"), testid: "onboarding-kind-mastodon" },
      ], kind, (v) => { kind = v as "feed" | "mastodon"; drawFields(); }),
      fields,
      h("div", { class: "form-actions" }, add,
        button(t("onboarding.skip"), () => go(3), { kind: "ghost", testid: "onboarding-skip" })));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      let spec: SourceSpec;
      if (kind === "feed") {
        if (!url.value.trim()) return url.focus();
        spec = { kind: "feed", url: url.value.trim() };
      } else {
        if (!instance.value.trim() || !tag.value.trim()) return tag.focus();
        spec = { kind: "mastodon_tag", instance: instance.value.trim(), tag: tag.value.trim().replace(/^#/, "") };
      }
      add.disabled = true;
      try {
        sourceTitle = (await ipc.addSource(spec)).title;
        go(3);
      } catch (err) {
        ctx.toast(ctx.errorText(err), "error");
        add.disabled = false;
      }
    });
    panel.appendChild(form);
    (kind === "feed" ? url : tag).focus();
  }

  function stepThree() {
    const finish = button(t("onboarding.finish"), async () => {
      await ctx.refreshDashboard().catch(() => undefined);
      ctx.navigate("#/dashboard");
    }, { kind: "primary", testid: "onboarding-finish" });
    panel.appendChild(
      h("div", { testid: "onboarding-step-3" },
        h("h2", null, t("onboarding.step3Title")),
        h("ul", { class: "done-list" },
          h("li", null, t("onboarding.doneWatch", { name: watch?.name ?? "" })),
          h("li", null, sourceTitle ? t("onboarding.doneSource", { title: sourceTitle }) : t("onboarding.noSource"))),
        h("p", { class: "muted" }, t("onboarding.step3Body")),
        h("div", { class: "form-actions" }, finish)),
    );
    finish.focus();
  }

  function go(n: number) {
    step = n;
    qf?.destroy();
    qf = null;
    clear(panel);
    drawStepper();
    if (n === 1) stepOne();
    else if (n === 2) stepTwo();
    else stepThree();
  }
  go(1);
  return () => qf?.destroy();
}
