// uPlot wrapper: mention volume (area, left axis) and negative share in % (line, right axis).

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { t, getLanguage } from "./i18n";
import type { ChartData } from "./logic/series";

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function tickFormatter(spanSecs: number): (s: number) => string {
  const lang = getLanguage();
  const opts: Intl.DateTimeFormatOptions =
    spanSecs <= 2 * 86_400
      ? { hour: "2-digit", minute: "2-digit", hour12: lang === "en" ? undefined : false }
      : { weekday: "short", day: "numeric" };
  const f = new Intl.DateTimeFormat(lang, opts);
  return (s) => f.format(new Date(s * 1000));
}

export interface ChartHandle {
  update(data: ChartData): void;
  destroy(): void;
}

export function createChart(container: HTMLElement, data: ChartData, height = 170): ChartHandle {
  const span = data[0].length > 1 ? data[0][data[0].length - 1] - data[0][0] : 86_400;
  const fmtTick = tickFormatter(span);
  const full = new Intl.DateTimeFormat(getLanguage(), { dateStyle: "medium", timeStyle: "short" });
  const muted = cssVar("--text-muted", "#667085");
  const grid = cssVar("--chart-grid", "rgba(128,128,128,0.15)");
  const volume = cssVar("--chart-volume", "#3b5bdb");
  const volumeFill = cssVar("--chart-volume-fill", "rgba(59,91,219,0.12)");
  const negative = cssVar("--chart-negative", "#e03131");
  const font = `11px ${cssVar("--font-sans", "system-ui, sans-serif")}`;

  const opts: uPlot.Options = {
    width: Math.max(240, container.clientWidth || 480),
    height,
    padding: [8, 4, 0, 0],
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    legend: { show: true, live: true },
    scales: { x: { time: true }, n: { range: (_u, _min, max) => [0, Math.max(4, max * 1.15)] }, pct: { range: [0, 100] } },
    series: [
      { label: t("chart.time"), value: (_u, v) => (v == null ? "–" : full.format(new Date(v * 1000))) },
      {
        label: t("chart.volume"),
        scale: "n",
        stroke: volume,
        fill: volumeFill,
        width: 2,
        points: { show: false },
        value: (_u, v) => (v == null ? "–" : String(v)),
      },
      {
        label: t("chart.negativeShare"),
        scale: "pct",
        stroke: negative,
        width: 1.75,
        spanGaps: false,
        points: { show: false },
        value: (_u, v) => (v == null ? "–" : `${v} %`),
      },
    ],
    axes: [
      { stroke: muted, font, size: 30, grid: { stroke: grid, width: 1 }, ticks: { show: false }, values: (_u, splits) => splits.map(fmtTick) },
      { scale: "n", stroke: muted, font, size: 40, grid: { stroke: grid, width: 1 }, ticks: { show: false } },
      { scale: "pct", side: 1, stroke: muted, font, size: 44, grid: { show: false }, ticks: { show: false }, values: (_u, splits) => splits.map((v) => `${v}%`) },
    ],
  };
  const plot = new uPlot(opts, data as uPlot.AlignedData, container);
  const ro = typeof ResizeObserver !== "undefined"
    ? new ResizeObserver(() => {
        const w = container.clientWidth;
        if (w > 0 && Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height });
      })
    : null;
  ro?.observe(container);
  return {
    update: (d) => plot.setData(d as uPlot.AlignedData),
    destroy: () => {
      ro?.disconnect();
      plot.destroy();
    },
  };
}
