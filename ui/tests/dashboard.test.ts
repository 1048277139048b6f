import { afterEach, describe, expect, it, vi } from "vitest";
import type { DashboardRow, WatchSeries } from "../src/types";

// uPlot needs a real canvas (jsdom has none): record what the view asks to draw instead.
// The real charts are drawn in the end-to-end tests (tests/e2e).
const drawn: { box: HTMLElement; step: number; total: number; width?: number; onSelect?: (from: number, to: number) => void }[] = [];
vi.mock("../src/chart", () => ({
  chartTheme: () => ({ muted: "", grid: "", volume: "", volumeFill: "", negative: "", font: "" }),
  createChart: (box: HTMLElement, data: number[][], layout: { width: number; onSelect?: (from: number, to: number) => void }) => {
    drawn.push({ box, step: data[0][1] - data[0][0], total: data[1].reduce((a, b) => a + (b ?? 0), 0), width: layout.width, onSelect: layout.onSelect });
    return { update: () => undefined, destroy: () => undefined };
  },
}));

import { renderDashboard } from "../src/views/dashboard";
import { setBackend } from "../src/ipc";
import { flush, testBackend, testCtx } from "./helpers";

function row(id: number, name: string): DashboardRow {
  return {
    watch: { id, name, query: name.toLowerCase(), languages: [], sensitivity: "medium", enabled: true, sensitive_words: [], thresholds: null, created_at: 0, updated_at: 0 },
    level: { watch_id: id, level: "calm", since: null, explanation_fr: "", explanation_en: "", last_bucket: null },
  };
}

function series(range: string, ids: number[]): WatchSeries[] {
  const step = range === "24h" ? 300 : 3600;
  const n = range === "24h" ? 288 : 168;
  return ids.map((id) => ({ watch_id: id, start: 0, step, volume: Array.from({ length: n }, (_, i) => (i === 0 ? id : 0)), negative: new Array(n).fill(0) }));
}

describe("dashboard", () => {
  afterEach(() => {
    setBackend(null);
    drawn.length = 0;
    document.body.innerHTML = "";
  });

  it("asks once for every watch's series, with the rows, and draws each card's own", async () => {
    const rows = [row(1, "Alpha"), row(2, "Beta"), row(3, "Gamma")];
    const t = testBackend({ dashboard_series: (a) => series(a.range as string, [1, 2, 3]) });
    setBackend(t.backend);
    const root = document.body.appendChild(document.createElement("div"));
    renderDashboard(root, testCtx({ refreshDashboard: async () => rows }));
    await vi.waitFor(() => expect(drawn).toHaveLength(3));
    expect(t.calls.filter((c) => c.cmd === "dashboard_series")).toEqual([{ cmd: "dashboard_series", args: { range: "24h" } }]);
    for (const d of drawn) {
      const card = d.box.closest<HTMLElement>('[data-testid="watch-card"]')!;
      expect(d.total, "a card draws its own watch's series").toBe(Number(card.dataset.watchId));
      expect(d.width, "widths are measured before drawing").toBeTypeOf("number");
    }
  });

  it("a range chosen before the rows arrive is the range drawn", async () => {
    let answerRows: (r: DashboardRow[]) => void = () => undefined;
    const t = testBackend({ dashboard_series: (a) => series(a.range as string, [1]) });
    setBackend(t.backend);
    const root = document.body.appendChild(document.createElement("div"));
    renderDashboard(root, testCtx({ refreshDashboard: () => new Promise((r) => (answerRows = r)) }));
    await flush();
    root.querySelector<HTMLButtonElement>('[data-testid="range-7d"]')!.click();
    answerRows([row(1, "Alpha")]);
    await vi.waitFor(() => expect(drawn.length).toBeGreaterThan(0));
    await flush();
    expect(drawn.map((d) => d.step), "hourly steps: 7 days").toEqual([3600]);
  });

  it("a series missing from the answer says so on its card", async () => {
    const t = testBackend({ dashboard_series: series("24h", [1]) });
    setBackend(t.backend);
    const root = document.body.appendChild(document.createElement("div"));
    renderDashboard(root, testCtx({ refreshDashboard: async () => [row(1, "Alpha"), row(2, "Beta")] }));
    await vi.waitFor(() => expect(drawn).toHaveLength(1));
    const beta = root.querySelector<HTMLElement>('[data-watch-id="2"]')!;
    expect(beta.querySelector('[data-testid="watch-chart"]')!.textContent).toMatch(/reload/i);
  });
});

describe("dashboard chart selection", () => {
  afterEach(() => {
    setBackend(null);
    drawn.length = 0;
    document.body.innerHTML = "";
  });

  it("a span dragged across a watch's chart opens that watch's mentions of the span", async () => {
    const rows = [row(1, "Alpha"), row(2, "Beta")];
    const t = testBackend({ dashboard_series: (a) => series(a.range as string, [1, 2]) });
    setBackend(t.backend);
    const navigate = vi.fn();
    const root = document.body.appendChild(document.createElement("div"));
    renderDashboard(root, testCtx({ refreshDashboard: async () => rows, navigate }));
    await vi.waitFor(() => expect(drawn).toHaveLength(2));
    const beta = drawn.find((d) => d.box.closest<HTMLElement>('[data-testid="watch-card"]')!.dataset.watchId === "2")!;
    beta.onSelect!(1_795_190_000, 1_795_193_600);
    expect(navigate).toHaveBeenCalledWith("#/mentions?watch=2&from=1795190000&to=1795193600");
  });
});

describe("dashboard kept current", () => {
  afterEach(() => {
    setBackend(null);
    drawn.length = 0;
    document.body.innerHTML = "";
  });

  it("new mentions redraw the charts with fresh figures, at most every 30 s", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const rows = [row(1, "Alpha")];
      let volume = 1;
      const t = testBackend({
        dashboard_series: () => series("24h", [1]).map((s) => ({ ...s, volume: s.volume.map((v, i) => (i === 0 ? volume : v)) })),
      });
      setBackend(t.backend);
      const root = document.body.appendChild(document.createElement("div"));
      const cleanup = renderDashboard(root, testCtx({ refreshDashboard: async () => rows }));
      await vi.waitFor(() => expect(drawn).toHaveLength(1));
      const asked = () => t.calls.filter((c) => c.cmd === "dashboard_series").length;
      expect(root.querySelector(".subtitle")?.textContent).toMatch(/updated at \d/);
      volume = 7;
      t.emit("mentions://new", { count: 6, ids: [2, 3, 4, 5, 6, 7] });
      await vi.advanceTimersByTimeAsync(0);
      await vi.waitFor(() => expect(drawn).toHaveLength(2));
      expect(drawn[1].total).toBe(7);
      expect(asked()).toBe(2);
      // A second batch right after waits for the 30 s to pass.
      t.emit("mentions://new", { count: 1, ids: [8] });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(asked()).toBe(2);
      await vi.advanceTimersByTimeAsync(20_000);
      await vi.waitFor(() => expect(asked()).toBe(3));
      cleanup();
    } finally {
      vi.useRealTimers();
    }
  });
});
