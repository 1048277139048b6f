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
});
