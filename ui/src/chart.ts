// uPlot wrapper: mention volume (area, left axis) and negative share in % (line, right axis).

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { t, getLanguage } from "./i18n";
import type { ChartData } from "./logic/series";
import { number, percent } from "./logic/format";

// Intl formatters are costly to build (ICU data): one per language and kind, reused.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: "hours" | "days" | "full"): Intl.DateTimeFormat {
  const lang = getLanguage();
  const key = `${lang}:${kind}`;
  let f = formatters.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      kind === "hours"
        ? { hour: "2-digit", minute: "2-digit", hour12: lang === "en" ? undefined : false }
        : kind === "days"
          ? { weekday: "short", day: "numeric" }
          : { dateStyle: "medium", timeStyle: "short" };
    f = new Intl.DateTimeFormat(lang, opts);
    formatters.set(key, f);
  }
  return f;
}

function tickFormatter(spanSecs: number): (s: number) => string {
  const f = formatter(spanSecs <= 2 * 86_400 ? "hours" : "days");
  return (s) => f.format(new Date(s * 1000));
}

/** The chart colours and font of the current theme (CSS variables), read once per drawing. */
export interface ChartTheme {
  muted: string;
  grid: string;
  volume: string;
  volumeFill: string;
  negative: string;
  font: string;
}

export function chartTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    muted: v("--text-muted", "#667085"),
    grid: v("--chart-grid", "rgba(128,128,128,0.15)"),
    volume: v("--chart-volume", "#3b5bdb"),
    volumeFill: v("--chart-volume-fill", "rgba(59,91,219,0.12)"),
    negative: v("--chart-negative", "#e03131"),
    font: `11px ${v("--font-sans", "system-ui, sans-serif")}`,
  };
}

export interface ChartHandle {
  update(data: ChartData): void;
  destroy(): void;
}

const HEIGHT = 170;

/** `width` (the container's, measured by the caller) and `theme` (`chartTheme`) are passed
 *  in, so a caller drawing many charts lays the page out and reads its styles once. */
export interface ChartLayout {
  width: number;
  theme: ChartTheme;
  /** A span dragged across the chart (unix seconds): the caller opens its mentions. */
  onSelect?: (from: number, to: number) => void;
}

export function createChart(container: HTMLElement, data: ChartData, layout: ChartLayout): ChartHandle {
  const span = data[0].length > 1 ? data[0][data[0].length - 1] - data[0][0] : 86_400;
  const fmtTick = tickFormatter(span);
  const full = formatter("full");
  const { muted, grid, volume, volumeFill, negative, font } = layout.theme;

  const opts: uPlot.Options = {
    width: Math.max(240, layout.width || 480),
    height: HEIGHT,
    padding: [8, 4, 0, 0],
    cursor: { drag: { x: !!layout.onSelect, y: false, setScale: false }, points: { size: 6 } },
    hooks: layout.onSelect
      ? {
          setSelect: [
            (u) => {
              if (u.select.width < 2) return;
              const from = u.posToVal(u.select.left, "x");
              const to = u.posToVal(u.select.left + u.select.width, "x");
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              layout.onSelect?.(Math.floor(from), Math.ceil(to));
            },
          ],
        }
      : {},
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
        value: (_u, v) => (v == null ? "–" : number(v)),
      },
      {
        label: t("chart.negativeShare"),
        scale: "pct",
        stroke: negative,
        width: 1.75,
        spanGaps: false,
        points: { show: false },
        value: (_u, v) => (v == null ? "–" : percent(v, 1)),
      },
    ],
    axes: [
      { stroke: muted, font, size: 30, grid: { stroke: grid, width: 1 }, ticks: { show: false }, values: (_u, splits) => splits.map(fmtTick) },
      // Mentions are counted: whole-number ticks, written in the UI's language ("1 000").
      { scale: "n", stroke: muted, font, size: 40, grid: { stroke: grid, width: 1 }, ticks: { show: false },
        incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000],
        values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? number(v) : "")) },
      { scale: "pct", side: 1, stroke: muted, font, size: 44, grid: { show: false }, ticks: { show: false }, values: (_u, splits) => splits.map((v) => percent(v)) },
    ],
  };
  const plot = new uPlot(opts, data as uPlot.AlignedData, container);
  const ro = typeof ResizeObserver !== "undefined"
    ? new ResizeObserver(() => {
        const w = container.clientWidth;
        if (w > 0 && Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height: HEIGHT });
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
