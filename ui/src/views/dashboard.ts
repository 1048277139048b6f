// Dashboard: every watch with its level, the explanation and volume / negative share over 24 h or 7 d.

import { h, clear } from "../dom";
import { t, tn, getLanguage } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { DashboardRow, Range, WatchLevel, WatchSeries } from "../types";
import { LEVELS } from "../types";
import { compareLevels, levelStyle } from "../logic/levels";
import { seriesToChart, seriesTotals } from "../logic/series";
import { number, nowSecs, shortTime } from "../logic/format";
import { EMPTY_FILTERS, filtersToParams } from "../logic/filters";
import { chartTheme, createChart, type ChartHandle } from "../chart";
import { button, emptyState, errorBox, levelBadge, loading, segmented } from "./common";

let range: Range = "24h";

export function explanationFor(level: WatchLevel, lang = getLanguage()): string {
  const text = (lang === "fr" ? level.explanation_fr : level.explanation_en) || level.explanation_en || level.explanation_fr;
  return text.trim();
}

export function renderDashboard(root: HTMLElement, ctx: Ctx): Cleanup {
  const charts: ChartHandle[] = [];
  const unlisten: ipc.Unlisten[] = [];
  let disposed = false;
  let generation = 0; // each draw's number: late answers for an earlier draw are dropped
  const summary = h("div", { class: "level-summary", testid: "level-summary" });
  const grid = h("div", { class: "watch-grid" });
  const subtitle = h("p", { class: "subtitle" });

  const rangeControl = segmented<Range>(
    t("dashboard.range"),
    [
      { value: "24h", label: t("range.24h"), testid: "range-24h" },
      { value: "7d", label: t("range.7d"), testid: "range-7d" },
    ],
    range,
    (v) => {
      range = v;
      draw(ctx.rows, ipc.dashboardSeries(range));
    },
  );

  root.append(
    h(
      "header",
      { class: "page-header" },
      h("div", { class: "page-titles" }, h("h1", null, t("dashboard.title")), subtitle),
      h(
        "div",
        { class: "page-actions" },
        rangeControl,
        button(t("watches.new"), () => ctx.navigate("#/watches/new"), { kind: "primary", icon: "plus", testid: "dashboard-new-watch" }),
      ),
    ),
    summary,
    grid,
  );

  function drawSummary(rows: DashboardRow[]) {
    clear(summary);
    for (const l of LEVELS) {
      const n = rows.filter((r) => r.level.level === l && r.watch.enabled).length;
      const st = levelStyle(l);
      summary.appendChild(
        h("div", { class: `summary-tile ${st.className}${n ? " has" : ""}`, testid: `summary-${l}` },
          h("span", { class: "summary-count" }, String(n)),
          h("span", { class: "summary-label" }, h("span", { class: "level-dot", "aria-hidden": "true" }), st.label)),
      );
    }
  }

  /** A watch's card, its chart and figures still to come (see `fill`). */
  interface Slot {
    watchId: number;
    el: HTMLElement;
    chartBox: HTMLElement;
    stats: HTMLElement;
  }

  function card(row: DashboardRow, gen: number): Slot {
    const { watch, level } = row;
    const explanation = explanationFor(level);
    const chartBox = h("div", { class: "chart", testid: "watch-chart", "aria-label": t("chart.aria", { name: watch.name }), role: "img", title: t("dashboard.dragHint") });
    const stats = h("div", { class: "card-stats" }, h("span", { class: "muted" }, t("common.loading")));
    const badgeSlot = h("span", { class: "badge-slot" }, levelBadge(level.level));
    const since = h("span", { class: "muted small" }, level.since ? t("dashboard.since", { when: shortTime(level.since) }) : "");
    const explain = h("p", { class: "explanation", testid: "watch-explanation" }, explanation || t("dashboard.noExplanation"));
    const el = h(
      "article",
      { class: `watch-card ${levelStyle(level.level).className}${watch.enabled ? "" : " disabled"}`, testid: "watch-card", "data-watch-id": String(watch.id) },
      h(
        "div",
        { class: "card-head" },
        h("div", { class: "card-title" },
          h("h2", null, h("a", { href: `#/mentions?watch=${watch.id}`, testid: "watch-card-name" }, watch.name)),
          watch.enabled ? null : h("span", { class: "tag" }, t("watches.disabled"))),
        h("div", { class: "card-level" }, badgeSlot, since),
      ),
      explain,
      stats,
      chartBox,
      h(
        "div",
        { class: "card-foot" },
        h("code", { class: "query-code", title: watch.query }, watch.query),
        h("div", { class: "card-links" },
          h("a", { href: `#/mentions?watch=${watch.id}`, class: "link" }, t("dashboard.viewMentions")),
          h("a", { href: `#/watches/${watch.id}`, class: "link" }, t("common.edit"))),
      ),
    );

    ipc
      .onWatchLevel(watch.id, (wl) => {
        row.level = wl;
        badgeSlot.replaceChildren(levelBadge(wl.level));
        explain.textContent = explanationFor(wl) || t("dashboard.noExplanation");
        since.textContent = wl.since ? t("dashboard.since", { when: shortTime(wl.since) }) : "";
        el.className = `watch-card ${levelStyle(wl.level).className}${watch.enabled ? "" : " disabled"}`;
        drawSummary(ctx.rows);
        ctx.announce(t("dashboard.levelChanged", { name: watch.name, level: levelStyle(wl.level).label }));
      })
      .then((u) => (disposed || gen !== generation ? u() : unlisten.push(u)))
      .catch(() => undefined);
    return { watchId: watch.id, el, chartBox, stats };
  }

  /** Draws every card's chart and figures in one pass: the boxes' widths are read once,
   *  before anything is drawn, so the page is laid out once, not once per chart. */
  function fill(slots: Slot[], all: WatchSeries[]) {
    const widths = slots.map((s) => s.chartBox.clientWidth);
    const theme = chartTheme();
    slots.forEach((slot, i) => {
      const s = all.find((x) => x.watch_id === slot.watchId);
      if (!s) {
        slot.chartBox.replaceChildren(errorBox(t("dashboard.noSeries")));
        return;
      }
      const tot = seriesTotals(s);
      slot.stats.replaceChildren(
        stat(t("dashboard.statMentions"), number(tot.volume)),
        stat(t("dashboard.statNegative"), tot.share === null ? "–" : `${number(tot.share, 1)} %`),
        stat(t("dashboard.statPeak", { step: s.step >= 3600 ? t("range.perHour") : t("range.per5min") }), number(tot.peak)),
      );
      // Dragging across a chart opens the watch's mentions of that span.
      const onSelect = (from: number, to: number) =>
        ctx.navigate(`#/mentions?${filtersToParams({ ...EMPTY_FILTERS, watch: String(slot.watchId), from: String(from), to: String(to) })}`);
      charts.push(createChart(slot.chartBox, seriesToChart(s), { width: widths[i], theme, onSelect }));
    });
    performance.mark("vigie:charts-drawn");
    // After the frame that shows them (a benchmark reads this mark).
    requestAnimationFrame(() => setTimeout(() => performance.mark("vigie:dashboard-shown"), 0));
  }

  function draw(rows: DashboardRow[], series: Promise<WatchSeries[]>) {
    const gen = ++generation;
    charts.splice(0).forEach((c) => c.destroy());
    unlisten.splice(0).forEach((u) => u());
    clear(grid);
    shownRows = rows;
    stamp();
    drawSummary(rows);
    if (!rows.length) {
      grid.appendChild(
        emptyState(t("dashboard.emptyTitle"), t("dashboard.emptyBody"),
          button(t("onboarding.start"), () => ctx.navigate("#/welcome"), { kind: "primary" })),
      );
      return;
    }
    const sorted = [...rows].sort(
      (a, b) => Number(b.watch.enabled) - Number(a.watch.enabled) || compareLevels(a.level.level, b.level.level) || a.watch.name.localeCompare(b.watch.name),
    );
    const slots = sorted.map((r) => card(r, gen));
    currentSlots = slots;
    grid.append(...slots.map((s) => s.el));
    series
      .then((all) => {
        if (!disposed && gen === generation) fill(slots, all);
      })
      .catch((e) => {
        if (disposed || gen !== generation) return;
        for (const s of slots) s.chartBox.replaceChildren(errorBox(ctx.errorText(e)));
      });
  }

  let currentSlots: Slot[] = [];
  let shownRows: DashboardRow[] = [];
  /** "3 veilles · mis à jour à 14:05": the time of the figures shown. */
  function stamp() {
    subtitle.textContent = `${tn("dashboard.watchCount", shownRows.length)} · ${t("dashboard.updatedAt", { time: shortTime(nowSecs()) })}`;
  }

  // New mentions: the charts and figures are asked for again, at most every 30 s (a screen
  // left open through a crisis stays current without redrawing at every poll).
  let lastRefresh = 0;
  let unlistenNew: ipc.Unlisten | null = null;
  let pendingRefresh: ReturnType<typeof setTimeout> | null = null;
  function refreshSeries() {
    const gen = generation;
    ipc
      .dashboardSeries(range)
      .then((all) => {
        if (disposed || gen !== generation || !currentSlots.length) return;
        charts.splice(0).forEach((c) => c.destroy());
        for (const s of currentSlots) s.chartBox.replaceChildren();
        fill(currentSlots, all);
        stamp();
      })
      .catch(() => undefined);
  }
  ipc
    .onNewMentions(() => {
      if (pendingRefresh) return;
      const wait = Math.max(0, 30_000 - (Date.now() - lastRefresh));
      pendingRefresh = setTimeout(() => {
        pendingRefresh = null;
        lastRefresh = Date.now();
        if (!disposed) refreshSeries();
      }, wait);
    })
    .then((u) => (disposed ? u() : (unlistenNew = u)))
    .catch(() => undefined);

  grid.appendChild(loading());
  // Rows and series are asked for together: one round trip before the charts, not two.
  const firstRange = range;
  const firstSeries = ipc.dashboardSeries(range).then((all) => {
    performance.mark("vigie:series-answered");
    return all;
  });
  firstSeries.catch(() => undefined); // shown in the cards; unused if the rows fail
  ctx
    .refreshDashboard()
    .then((rows) => {
      performance.mark("vigie:dashboard-rows");
      // The range may have been changed while the rows were on their way.
      if (!disposed) draw(rows, range === firstRange ? firstSeries : ipc.dashboardSeries(range));
    })
    .catch((e) => {
      if (!disposed) grid.replaceChildren(errorBox(ctx.errorText(e)));
    });

  return () => {
    disposed = true;
    if (pendingRefresh) clearTimeout(pendingRefresh);
    unlistenNew?.();
    charts.forEach((c) => c.destroy());
    unlisten.forEach((u) => u());
  };
}

function stat(label: string, value: string): HTMLElement {
  return h("div", { class: "stat" }, h("span", { class: "stat-value" }, value), h("span", { class: "stat-label" }, label));
}
