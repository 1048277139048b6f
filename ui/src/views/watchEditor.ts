// Watch editor: name, query (live validation + preview), languages, sensitivity, sensitive
// words, level thresholds, enable/disable, delete.

import { h, clear, debounce, field, hasUnsavedInput } from "../dom";
import { t, tn } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { NewWatch, Sensitivity, Thresholds, Watch } from "../types";
import { DEFAULT_THRESHOLDS, SENSITIVITIES } from "../types";
import { relativeTime } from "../logic/format";
import { button, errorBox, loading, select } from "./common";
import { queryField, type QueryField } from "./queryField";
import { chipsInput } from "./chips";
import { LANGS } from "./mentions";

/** 0 < watch < alert < crisis, and the two other numbers positive. Returns an error key or null
 *  (the words for what `thresholdsBadFields` finds). */
export function thresholdsProblem(th: Thresholds): "thresholds.rising" | "thresholds.positive" | "thresholds.calmDownRange" | null {
  const bad = thresholdsBadFields(th);
  if (!bad.length) return null;
  if (bad.some((k) => !Number.isInteger(th[k]) || th[k] < 0)) return "thresholds.positive";
  return bad.some((k) => k !== "calm_down_buckets") ? "thresholds.rising" : "thresholds.calmDownRange";
}

/** The longest calm-down, in 5-minute buckets (24 h; vigie-domain `MAX_CALM_DOWN_BUCKETS`). */
export const MAX_CALM_DOWN_BUCKETS = 288;

/** The fields a threshold problem is about (none when the thresholds are fine): every number
 *  that is not a whole number ≥ 0, else the levels out of order and a calm-down outside 1 – 288. */
export function thresholdsBadFields(th: Thresholds): (keyof Thresholds)[] {
  const keys = Object.keys(th) as (keyof Thresholds)[];
  const notWhole = keys.filter((k) => !Number.isInteger(th[k]) || th[k] < 0);
  if (notWhole.length) return notWhole;
  const bad: (keyof Thresholds)[] = [];
  if (th.watch <= 0) bad.push("watch");
  if (th.alert <= th.watch) bad.push("alert");
  if (th.crisis <= th.alert) bad.push("crisis");
  if (th.calm_down_buckets < 1 || th.calm_down_buckets > MAX_CALM_DOWN_BUCKETS) bad.push("calm_down_buckets");
  return bad;
}

export function renderWatchEditor(root: HTMLElement, ctx: Ctx, id: number | null): Cleanup {
  let disposed = false;
  let qf: QueryField | null = null;
  const body = h("div", null, loading());
  root.append(
    h("nav", { class: "breadcrumb", "aria-label": t("nav.breadcrumb") }, h("a", { href: "#/watches" }, t("watches.title")), " / ",
      h("span", null, id === null ? t("watches.new") : t("watches.edit"))),
    body,
  );

  const load: Promise<Watch | null> = id === null
    ? Promise.resolve(null)
    : ipc.listWatches().then((ws) => ws.find((w) => w.id === id) ?? null);

  load
    .then((w) => {
      if (disposed) return;
      if (id !== null && !w) {
        body.replaceChildren(errorBox(t("watches.notFound")));
        return;
      }
      clear(body);
      build(w);
    })
    .catch((e) => !disposed && body.replaceChildren(errorBox(ctx.errorText(e))));

  function build(w: Watch | null) {
    const name = h("input", { type: "text", class: "input", testid: "watch-name", value: w?.name ?? "", required: true, autocomplete: "off" });
    const nameErr = h("p", { class: "field-error", role: "alert" });
    // The error goes as soon as there is a name again.
    name.addEventListener("input", () => {
      if (name.value.trim() && nameErr.textContent) {
        nameErr.textContent = "";
        name.removeAttribute("aria-invalid");
      }
    });
    const preview = h("ol", { class: "preview-list", testid: "watch-preview" });
    const previewCount = h("p", { class: "subtitle" });

    const runPreview = debounce(async (q: string) => {
      try {
        const ms = await ipc.previewQuery(q, 20);
        if (disposed) return;
        clear(preview);
        previewCount.textContent = ms.length >= 20 ? t("preview.many", { n: 20 }) : tn("preview.count", ms.length);
        for (const m of ms) {
          preview.appendChild(
            h("li", { class: "preview-item", testid: "preview-item" },
              h("span", { class: "preview-title" }, m.title.trim() || m.text.slice(0, 90)),
              h("span", { class: "muted small" }, `${m.author ? `${m.author} · ` : ""}${relativeTime(m.published_at)}`)),
          );
        }
        if (!ms.length) preview.appendChild(h("li", { class: "muted" }, t("preview.none")));
      } catch (e) {
        if (!disposed) preview.replaceChildren(h("li", null, errorBox(ctx.errorText(e))));
      }
    }, 350);

    qf = queryField({
      value: w?.query ?? "",
      testid: "watch-query",
      label: t("watch.query"),
      onChange: (q, r) => {
        if (r?.ok) void runPreview(q);
        else {
          clear(preview);
          previewCount.textContent = t("preview.waiting");
        }
      },
    });
    previewCount.textContent = t("preview.waiting");

    const langBoxes = LANGS.map((l) =>
      h("label", { class: "check" },
        h("input", { type: "checkbox", value: l, testid: `watch-lang-${l}`, checked: w ? w.languages.includes(l) : l === "fr" || l === "en" }),
        h("span", null, l.toUpperCase())),
    );
    const sensitivity = select(
      SENSITIVITIES.map((s) => ({ value: s, label: t(`sensitivity.${s}` as const) })),
      w?.sensitivity ?? "medium",
      { testid: "watch-sensitivity", class: "input" },
    );
    const words = chipsInput(t("watch.sensitiveWords"), w?.sensitive_words ?? [], "watch-sensitive-words", t("watch.sensitiveWordsHint"));
    const enabled = h("input", { type: "checkbox", testid: "watch-enabled", checked: w?.enabled ?? true });

    const th = w?.thresholds ?? DEFAULT_THRESHOLDS;
    const custom = h("input", { type: "checkbox", testid: "watch-custom-thresholds", checked: !!w?.thresholds });
    const num = (key: keyof Thresholds, testid: string) =>
      h("input", { type: "number", class: "input num", min: "0", step: "1", value: String(th[key]), testid, disabled: !w?.thresholds });
    const thInputs: Record<keyof Thresholds, HTMLInputElement> = {
      watch: num("watch", "threshold-watch"),
      alert: num("alert", "threshold-alert"),
      crisis: num("crisis", "threshold-crisis"),
      min_mentions_per_hour: num("min_mentions_per_hour", "threshold-min-mentions"),
      calm_down_buckets: num("calm_down_buckets", "threshold-calm-down"),
    };
    const thErr = h("p", { class: "field-error", role: "alert", id: "threshold-error" });
    custom.addEventListener("change", () => Object.values(thInputs).forEach((i) => (i.disabled = !custom.checked)));

    const saveBtn = button(t("common.save"), () => undefined, { kind: "primary", testid: "watch-save", type: "submit" });
    const del = w ? deleteControl(w) : null;

    const form = h("form", { class: "editor", novalidate: true, "aria-label": t("watches.edit") },
      h("section", { class: "card editor-main" },
        h("h1", { class: "card-h1" }, w ? w.name : t("watches.new")),
        field(t("watch.name"), name, { error: nameErr }),
        qf.element,
        h("fieldset", { class: "fieldset" }, h("legend", null, t("watch.languages")),
          h("div", { class: "check-row" }, ...langBoxes), h("p", { class: "hint" }, t("watch.languagesHint"))),
        h("div", { class: "two-col" },
          field(t("watch.sensitivity"), sensitivity, { hint: t("watch.sensitivityHint") }),
          h("div", { class: "field" }, h("span", { class: "label" }, t("watch.state")),
            h("label", { class: "switch" }, enabled, h("span", null, t("watch.enabledLabel"))))),
        words.element,
        h("fieldset", { class: "fieldset" }, h("legend", null, t("thresholds.title")),
          h("label", { class: "check" }, custom, h("span", null, t("thresholds.custom"))),
          h("div", { class: "threshold-grid" },
            field(t("level.watch"), thInputs.watch),
            field(t("level.alert"), thInputs.alert),
            field(t("level.crisis"), thInputs.crisis),
            field(t("thresholds.minPerHour"), thInputs.min_mentions_per_hour),
            field(t("thresholds.calmDown"), thInputs.calm_down_buckets)),
          h("p", { class: "hint" }, t("thresholds.hint")), thErr),
        h("div", { class: "form-actions" }, saveBtn, button(t("common.cancel"), () => { ctx.setLeaveGuard(null); ctx.navigate("#/watches"); }, { kind: "ghost" }), h("span", { class: "spacer" }), del),
      ),
      h("aside", { class: "card editor-preview", "aria-label": t("preview.title") },
        h("h2", null, t("preview.title")), previewCount, preview),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void save();
    });
    body.appendChild(form);
    if (!w) name.focus();
    // Typed and not saved: leaving asks first (the chips of sensitive words count too).
    const wordsAtStart = JSON.stringify(words.values());
    ctx.setLeaveGuard(() => hasUnsavedInput(form) || JSON.stringify(words.values()) !== wordsAtStart);

    async function save() {
      nameErr.textContent = "";
      thErr.textContent = "";
      for (const input of Object.values(thInputs)) {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
      let ok = true;
      if (!name.value.trim()) {
        nameErr.textContent = t("watch.nameRequired");
        name.setAttribute("aria-invalid", "true");
        ok = false;
      } else name.removeAttribute("aria-invalid");
      const check = await qf!.checkNow();
      if (!check || !check.ok) ok = false;
      let thresholds: Thresholds | null = null;
      if (custom.checked) {
        thresholds = {
          watch: Number(thInputs.watch.value),
          alert: Number(thInputs.alert.value),
          crisis: Number(thInputs.crisis.value),
          min_mentions_per_hour: Number(thInputs.min_mentions_per_hour.value),
          calm_down_buckets: Number(thInputs.calm_down_buckets.value),
        };
        const problem = thresholdsProblem(thresholds);
        if (problem) {
          thErr.textContent = t(problem);
          // Mark the fields it is about, and take the user to the first one.
          const bad = thresholdsBadFields(thresholds);
          for (const key of bad) {
            thInputs[key].setAttribute("aria-invalid", "true");
            thInputs[key].setAttribute("aria-describedby", "threshold-error");
          }
          if (bad.length) thInputs[bad[0]].focus();
          ok = false;
        }
      }
      if (!ok) {
        ctx.toast(t("watch.fixErrors"), "error");
        return;
      }
      const nw: NewWatch = {
        name: name.value.trim(),
        query: qf!.input.value.trim(),
        languages: langBoxes.map((l) => l.querySelector("input")!).filter((i) => i.checked).map((i) => i.value),
        sensitivity: sensitivity.value as Sensitivity,
        enabled: enabled.checked,
        sensitive_words: words.values(),
        thresholds,
      };
      saveBtn.disabled = true;
      try {
        const saved = await ipc.saveWatch(w?.id ?? null, nw);
        ctx.setLeaveGuard(null);
        ctx.toast(t("watch.saved", { name: saved.name }));
        await ctx.refreshDashboard().catch(() => undefined);
        ctx.navigate(`#/watches/${saved.id}`);
      } catch (e) {
        ctx.toast(ctx.errorText(e), "error");
      } finally {
        saveBtn.disabled = false;
      }
    }
  }

  function deleteControl(w: Watch): HTMLElement {
    const box = h("div", { class: "danger-zone" });
    // The keyboard follows the question: to "Delete" when asked, back on cancel.
    const ask = () => {
      clear(box);
      box.append(
        h("span", { class: "confirm-text" }, t("watch.deleteConfirm", { name: w.name })),
        button(t("common.delete"), async () => {
          try {
            await ipc.removeWatch(w.id);
            ctx.setLeaveGuard(null);
            ctx.toast(t("watch.deleted", { name: w.name }));
            await ctx.refreshDashboard().catch(() => undefined);
            ctx.navigate("#/watches");
          } catch (e) {
            ctx.toast(ctx.errorText(e), "error");
          }
        }, { kind: "danger", testid: "watch-delete-confirm" }),
        button(t("common.cancel"), () => reset(true), { kind: "ghost", testid: "watch-delete-cancel" }),
      );
      box.querySelector<HTMLElement>('[data-testid="watch-delete-confirm"]')?.focus();
    };
    const reset = (focus = false) => {
      clear(box);
      const del = button(t("common.delete"), ask, { kind: "ghost", icon: "trash", testid: "watch-delete" });
      box.appendChild(del);
      if (focus) del.focus();
    };
    reset();
    return box;
  }

  return () => {
    disposed = true;
    qf?.destroy();
  };
}
