// Alerts centre: level changes and weak signals, newest first, with explanations and times.

import { h, clear } from "../dom";
import { t, getLanguage } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { Level, VigieEvent } from "../types";
import { LEVELS } from "../types";
import { dateTime, number, relativeTime } from "../logic/format";
import { alertWindowRoute } from "../logic/filters";
import { button, emptyState, errorBox, levelBadge, loading, pageHeader, segmented } from "./common";

type Kind = "all" | "level_changed" | "weak_signal";

const asLevel = (v: unknown): Level | null => ((LEVELS as readonly unknown[]).includes(v) ? (v as Level) : null);

/** The sentence shown under an alert, in the UI language. */
export function alertExplanation(e: VigieEvent, lang = getLanguage()): string {
  const d = e.data ?? {};
  if (e.kind === "level_changed") {
    const s = lang === "fr" ? d.explanation_fr : d.explanation_en;
    return typeof s === "string" && s ? s : String(d.explanation_en ?? d.explanation_fr ?? "");
  }
  if (e.kind === "weak_signal") {
    const series = typeof d.series === "string" ? d.series : "volume";
    const known = ["volume", "negative", "new_voices"].includes(series) ? series : "volume";
    return t("alerts.weakExplain", {
      series: t(`series.${known}` as "series.volume"),
      observed: number(Number(d.observed ?? 0), 0),
      expected: number(Number(d.expected ?? 0), 1),
    });
  }
  return "";
}

export function renderAlerts(root: HTMLElement, ctx: Ctx): Cleanup {
  let disposed = false;
  let kind: Kind = "all";
  let events: VigieEvent[] = [];
  const list = h("ol", { class: "alert-list", testid: "alert-list" }, loading());

  root.append(
    pageHeader(t("alerts.title"), t("alerts.subtitle"),
      segmented<Kind>(t("alerts.filter"), [
        { value: "all", label: t("alerts.all"), testid: "alerts-all" },
        { value: "level_changed", label: t("alerts.levels"), testid: "alerts-levels" },
        { value: "weak_signal", label: t("alerts.weak"), testid: "alerts-weak" },
      ], kind, (v) => { kind = v; draw(); }),
      button(t("common.refresh"), () => load(), { icon: "refresh" })),
    h("div", { class: "card" }, list),
  );

  const watchName = (id: number | null) => ctx.rows.find((r) => r.watch.id === id)?.watch.name ?? (id === null ? "" : `#${id}`);

  // The newest alert seen before this visit (what came after is marked new), and the
  // newest one marked seen since.
  let seenBefore: number | null = null;
  let marked = 0;

  function item(e: VigieEvent): HTMLElement {
    const isLevel = e.kind === "level_changed";
    const from = asLevel(e.data?.from);
    const to = asLevel(e.data?.to);
    const head = isLevel
      ? h("div", { class: "alert-what" }, from ? levelBadge(from, "alert-from") : null, h("span", { class: "arrow", "aria-hidden": "true" }, "→"),
          h("span", { class: "sr-only" }, t("alerts.to")), to ? levelBadge(to, "alert-to") : null)
      : h("div", { class: "alert-what" }, h("span", { class: "chip chip-signal" }, t("alerts.weakSignal")));
    const isNew = seenBefore !== null && e.id > seenBefore;
    return h(
      "li",
      { class: `alert-item ${isLevel ? "is-level" : "is-weak"}${to ? ` level-${to}` : ""}${isNew ? " is-new" : ""}`, testid: "alert-item", "data-kind": e.kind, "data-new": isNew ? "true" : undefined },
      h("div", { class: "alert-time" },
        h("time", { datetime: new Date(e.at * 1000).toISOString(), title: dateTime(e.at) }, relativeTime(e.at)),
        h("span", { class: "muted small" }, dateTime(e.at))),
      h("div", { class: "alert-body" },
        h("div", { class: "alert-head" },
          e.watch_id !== null ? h("a", { class: "strong-link", href: `#/mentions?watch=${e.watch_id}` }, watchName(e.watch_id)) : null,
          head,
          isNew ? h("span", { class: "chip chip-new", testid: "alert-new" }, t("alerts.new")) : null),
        h("p", { class: "alert-explanation", testid: "alert-explanation" }, alertExplanation(e)),
        e.watch_id !== null
          ? h("a", { class: "alert-evidence", href: alertWindowRoute(e.watch_id, e.at), testid: "alert-evidence" }, t("alerts.evidence"))
          : null),
    );
  }

  function draw() {
    clear(list);
    const shown = events.filter((e) => kind === "all" || e.kind === kind);
    if (!shown.length) {
      list.appendChild(h("li", null, emptyState(t("alerts.emptyTitle"), t("alerts.emptyBody"))));
      return;
    }
    for (const e of shown) list.appendChild(item(e));
    // Shown is seen: the menu's count starts again from here, in this window or the next.
    // Only what is shown: a level change hidden by the filter stays new.
    const hidden = events.filter((e) => e.id > marked && !shown.includes(e)).map((e) => e.id);
    const below = hidden.length ? Math.min(...hidden) : Infinity;
    const upTo = Math.max(0, ...shown.map((e) => e.id).filter((id) => id < below));
    if (upTo > marked) {
      marked = upTo;
      ipc.markAlertsSeen(upTo).catch(() => undefined);
    }
  }

  let seq = 0;
  function load() {
    const my = ++seq; // a later load (timer, level event) wins over an earlier answer
    Promise.all([
      ipc.alerts(200),
      ctx.rows.length ? Promise.resolve(ctx.rows) : ctx.refreshDashboard().catch(() => []),
      seenBefore === null ? ipc.alertsSeen().then((s) => s.seen_up_to).catch(() => null) : Promise.resolve(seenBefore),
    ])
      .then(([evs, , seen]) => {
        if (disposed || my !== seq) return;
        seenBefore ??= seen;
        events = evs.filter((e) => e.kind === "level_changed" || e.kind === "weak_signal");
        draw();
      })
      .catch((e) => !disposed && my === seq && list.replaceChildren(h("li", null, errorBox(ctx.errorText(e)))));
  }
  load();
  // Kept current while open: a level change reloads it at once, weak signals within a minute.
  const unlisten: ipc.Unlisten[] = [];
  for (const r of ctx.rows) {
    ipc.onWatchLevel(r.watch.id, () => load())
      .then((u) => (disposed ? u() : unlisten.push(u)))
      .catch(() => undefined);
  }
  const timer = setInterval(load, 60_000);
  return () => {
    disposed = true;
    clearInterval(timer);
    unlisten.forEach((u) => u());
  };
}
