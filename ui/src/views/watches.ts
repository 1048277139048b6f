// Watches: the list, and the editor for one watch (#/watches/new, #/watches/{id}).

import { h, clear } from "../dom";
import { t, tn } from "../i18n";
import type { Ctx, Cleanup } from "../app";
import { compareLevels } from "../logic/levels";
import { button, emptyState, errorBox, levelBadge, loading, pageHeader } from "./common";
import { renderWatchEditor } from "./watchEditor";

export function renderWatches(root: HTMLElement, ctx: Ctx, _p: URLSearchParams, path: string[]): Cleanup | void {
  if (path[0] === "new") return renderWatchEditor(root, ctx, null);
  if (path[0] && /^\d+$/.test(path[0])) return renderWatchEditor(root, ctx, Number(path[0]));

  const body = h("div", { class: "card" }, loading());
  root.append(
    pageHeader(t("watches.title"), t("watches.subtitle"),
      button(t("watches.new"), () => ctx.navigate("#/watches/new"), { kind: "primary", icon: "plus", testid: "watch-new" })),
    body,
  );
  let disposed = false;
  ctx
    .refreshDashboard()
    .then((rows) => {
      if (disposed) return;
      clear(body);
      if (!rows.length) {
        body.appendChild(emptyState(t("dashboard.emptyTitle"), t("dashboard.emptyBody"),
          button(t("watches.new"), () => ctx.navigate("#/watches/new"), { kind: "primary" })));
        return;
      }
      const tbody = h("tbody");
      const sorted = [...rows].sort((a, b) => compareLevels(a.level.level, b.level.level) || a.watch.name.localeCompare(b.watch.name));
      for (const { watch, level } of sorted) {
        tbody.appendChild(
          h("tr", { testid: "watch-row", "data-watch-id": String(watch.id), class: watch.enabled ? "" : "disabled" },
            h("td", null, h("a", { href: `#/watches/${watch.id}`, class: "strong-link", testid: "watch-row-name" }, watch.name)),
            h("td", null, levelBadge(level.level)),
            h("td", null, h("code", { class: "query-code" }, watch.query)),
            h("td", null, watch.languages.length ? watch.languages.map((l) => l.toUpperCase()).join(", ") : t("watches.allLanguages")),
            h("td", null, t(`sensitivity.${watch.sensitivity}` as const)),
            h("td", null, watch.enabled ? t("watches.enabled") : h("span", { class: "tag" }, t("watches.disabled")))),
        );
      }
      body.appendChild(
        h("table", { class: "table" },
          h("caption", { class: "sr-only" }, tn("dashboard.watchCount", rows.length)),
          h("thead", null, h("tr", null,
            h("th", { scope: "col" }, t("watch.name")),
            h("th", { scope: "col" }, t("filters.level")),
            h("th", { scope: "col" }, t("watch.query")),
            h("th", { scope: "col" }, t("watch.languages")),
            h("th", { scope: "col" }, t("watch.sensitivity")),
            h("th", { scope: "col" }, t("watch.state")))),
          tbody),
      );
    })
    .catch((e) => !disposed && body.replaceChildren(errorBox(ctx.errorText(e))));
  return () => {
    disposed = true;
  };
}
