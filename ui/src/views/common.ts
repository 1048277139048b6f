// Small building blocks shared by the screens.

import { h } from "../dom";
import { icon } from "../icons";
import { t } from "../i18n";
import type { Level } from "../types";
import { levelStyle } from "../logic/levels";

export function levelBadge(level: Level, testid = "level-badge"): HTMLElement {
  const st = levelStyle(level);
  return h(
    "span",
    { class: `level-badge ${st.className}`, testid, "data-level": st.level },
    h("span", { class: "level-dot", "aria-hidden": "true" }),
    st.label,
  );
}

export function pageHeader(title: string, subtitle?: string | null, ...actions: (HTMLElement | null)[]): HTMLElement {
  return h(
    "header",
    { class: "page-header" },
    h("div", { class: "page-titles" }, h("h1", null, title), subtitle ? h("p", { class: "subtitle" }, subtitle) : null),
    h("div", { class: "page-actions" }, ...actions),
  );
}

export function button(
  label: string,
  onClick: (ev: Event) => void,
  opts: { kind?: "primary" | "secondary" | "ghost" | "danger"; testid?: string; icon?: string; type?: "button" | "submit"; title?: string; small?: boolean } = {},
): HTMLButtonElement {
  return h(
    "button",
    {
      type: opts.type ?? "button",
      class: `btn btn-${opts.kind ?? "secondary"}${opts.small ? " btn-sm" : ""}`,
      testid: opts.testid,
      title: opts.title,
      onclick: onClick,
    },
    opts.icon ? icon(opts.icon, 16) : null,
    h("span", null, label),
  );
}

export function emptyState(title: string, body: string, action?: HTMLElement | null): HTMLElement {
  return h("div", { class: "empty-state" }, h("p", { class: "empty-title" }, title), h("p", { class: "empty-body" }, body), action ?? null);
}

export function loading(): HTMLElement {
  return h("div", { class: "loading", role: "status" }, t("common.loading"));
}

export function errorBox(message: string): HTMLElement {
  return h("div", { class: "error-box", role: "alert" }, message);
}

/** A segmented control (radio-like buttons). */
export function segmented<T extends string>(
  label: string,
  options: { value: T; label: string; testid?: string }[],
  value: T,
  onChange: (v: T) => void,
): HTMLElement {
  const group = h("div", { class: "segmented", role: "group", "aria-label": label });
  const buttons = options.map((o) =>
    h(
      "button",
      {
        type: "button",
        class: o.value === value ? "seg active" : "seg",
        "aria-pressed": o.value === value ? "true" : "false",
        testid: o.testid,
        onclick: () => {
          for (const b of buttons) {
            const on = b.dataset.value === o.value;
            b.classList.toggle("active", on);
            b.setAttribute("aria-pressed", on ? "true" : "false");
          }
          onChange(o.value);
        },
        "data-value": o.value,
      },
      o.label,
    ),
  );
  group.append(...buttons);
  return group;
}

export function select(
  options: { value: string; label: string }[],
  value: string,
  attrs: Record<string, string | undefined> = {},
): HTMLSelectElement {
  const s = h("select", attrs);
  for (const o of options) s.appendChild(h("option", { value: o.value, selected: o.value === value }, o.label));
  s.value = value;
  return s;
}
