import { afterEach, describe, expect, it, vi } from "vitest";
import { renderAlerts } from "../src/views/alerts";
import { setBackend } from "../src/ipc";
import { setLanguage } from "../src/i18n";
import type { DashboardRow, VigieEvent } from "../src/types";
import { flush, testBackend, testCtx } from "./helpers";

const AT = 1_795_197_600;

describe("alerts centre", () => {
  afterEach(() => {
    setBackend(null);
    setLanguage("en");
  });

  it("links each alert to the mentions of its moment, and reloads when a level changes", async () => {
    setLanguage("fr");
    const events: VigieEvent[] = [
      { id: 2, at: AT, kind: "weak_signal", watch_id: 3, source_id: null, data: { series: "volume", observed: 12, expected: 3.4 } },
      { id: 1, at: AT - 600, kind: "level_changed", watch_id: 3, source_id: null, data: { from: "calm", to: "alert", explanation_fr: "Mentions ×5,5 par rapport à un mardi 13 h habituel", explanation_en: "x" } },
    ];
    const t = testBackend({ alerts: () => events });
    setBackend(t.backend);
    const rows = [{ watch: { id: 3, name: "Danone" }, level: { level: "alert" } }] as unknown as DashboardRow[];
    const root = document.createElement("div");
    const cleanup = renderAlerts(root, testCtx({ rows }));
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="alert-item"]')).toHaveLength(2));
    const links = [...root.querySelectorAll<HTMLAnchorElement>('[data-testid="alert-evidence"]')].map((a) => a.getAttribute("href"));
    expect(links).toEqual([
      `#/mentions?watch=3&from=${AT - 7200}&to=${AT + 300}`,
      `#/mentions?watch=3&from=${AT - 600 - 7200}&to=${AT - 600 + 300}`,
    ]);
    const explanations = [...root.querySelectorAll('[data-testid="alert-explanation"]')].map((p) => p.textContent);
    expect(explanations[0]).toBe("Volume : 12 en 5 min contre 3,4 habituellement");
    // A level change reloads the list.
    const asked = () => t.calls.filter((c) => c.cmd === "alerts").length;
    await flush();
    const before = asked();
    t.emit("watch://3/level", { watch_id: 3, level: "crisis" });
    await vi.waitFor(() => expect(asked()).toBe(before + 1));
    cleanup();
    t.emit("watch://3/level", { watch_id: 3, level: "crisis" });
    await flush();
    expect(asked()).toBe(before + 1);
  });

  it("marks the alerts that came since the last visit as new, and tells the engine they are seen", async () => {
    const events: VigieEvent[] = [
      { id: 9, at: AT, kind: "level_changed", watch_id: 3, source_id: null, data: { from: "watch", to: "alert" } },
      { id: 7, at: AT - 60, kind: "weak_signal", watch_id: 3, source_id: null, data: { series: "volume", observed: 12, expected: 3.4 } },
      { id: 4, at: AT - 600, kind: "level_changed", watch_id: 3, source_id: null, data: { from: "calm", to: "watch" } },
    ];
    const t = testBackend({ alerts: () => events, alerts_seen: { seen_up_to: 4, unseen_level_changes: 1 }, mark_alerts_seen: null });
    setBackend(t.backend);
    const root = document.createElement("div");
    const cleanup = renderAlerts(root, testCtx({ rows: [{ watch: { id: 3, name: "Danone" }, level: { level: "alert" } }] as unknown as DashboardRow[] }));
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="alert-item"]')).toHaveLength(3));
    const fresh = [...root.querySelectorAll<HTMLElement>('[data-testid="alert-item"]')].map((li) => li.dataset.new === "true");
    expect(fresh).toEqual([true, true, false]);
    expect(root.querySelectorAll('[data-testid="alert-new"]')).toHaveLength(2);
    await vi.waitFor(() => expect(t.calls.filter((c) => c.cmd === "mark_alerts_seen").map((c) => c.args)).toEqual([{ upTo: 9 }]));
    // A reload while the page is open keeps what was new at the visit, and marks nothing twice.
    t.emit("watch://3/level", { watch_id: 3, level: "alert" });
    await flush();
    await flush();
    expect([...root.querySelectorAll<HTMLElement>('[data-testid="alert-item"]')].map((li) => li.dataset.new === "true")).toEqual([true, true, false]);
    expect(t.calls.filter((c) => c.cmd === "alerts_seen")).toHaveLength(1);
    expect(t.calls.filter((c) => c.cmd === "mark_alerts_seen")).toHaveLength(1);
    cleanup();
  });

  it("a level change hidden by the filter stays new until it is shown", async () => {
    const events: VigieEvent[] = [
      { id: 9, at: AT, kind: "weak_signal", watch_id: 3, source_id: null, data: { series: "volume", observed: 12, expected: 3.4 } },
      { id: 8, at: AT - 60, kind: "level_changed", watch_id: 3, source_id: null, data: { from: "watch", to: "alert" } },
    ];
    const t = testBackend({ alerts: () => events, alerts_seen: { seen_up_to: 4, unseen_level_changes: 1 }, mark_alerts_seen: null });
    setBackend(t.backend);
    const root = document.createElement("div");
    const cleanup = renderAlerts(root, testCtx({ rows: [{ watch: { id: 3, name: "Danone" }, level: { level: "alert" } }] as unknown as DashboardRow[] }));
    const items = () => root.querySelectorAll('[data-testid="alert-item"]');
    const marks = () => t.calls.filter((c) => c.cmd === "mark_alerts_seen").map((c) => c.args);
    await vi.waitFor(() => expect(marks()).toEqual([{ upTo: 9 }]));
    // Weak signals only; then a level change (12) and a weak signal (13) arrive.
    root.querySelector<HTMLElement>('[data-testid="alerts-weak"]')!.click();
    events.unshift(
      { id: 13, at: AT + 120, kind: "weak_signal", watch_id: 3, source_id: null, data: { series: "volume", observed: 20, expected: 3.4 } },
      { id: 12, at: AT + 60, kind: "level_changed", watch_id: 3, source_id: null, data: { from: "alert", to: "crisis" } },
    );
    t.emit("watch://3/level", { watch_id: 3, level: "crisis" });
    await vi.waitFor(() => expect(items()).toHaveLength(2));
    await flush();
    // The level change is not shown, so nothing past it is marked seen.
    expect(marks()).toEqual([{ upTo: 9 }]);
    root.querySelector<HTMLElement>('[data-testid="alerts-all"]')!.click();
    await vi.waitFor(() => expect(items()).toHaveLength(4));
    expect(marks()).toEqual([{ upTo: 9 }, { upTo: 13 }]);
    cleanup();
  });
});
