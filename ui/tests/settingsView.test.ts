import { afterEach, describe, expect, it, vi } from "vitest";
import { renderSettings } from "../src/views/settings";
import { hasUnsavedInput } from "../src/dom";
import { setBackend } from "../src/ipc";
import type { Settings } from "../src/types";
import { testBackend, testCtx } from "./helpers";

describe("settings screen", () => {
  afterEach(() => {
    setBackend(null);
    document.documentElement.removeAttribute("data-theme");
  });

  it("previews the theme, saves theme, interval and notification choices, and undoes an unsaved theme", async () => {
    const t = testBackend({
      save_settings: (a) => a.settings as Settings,
      get_publish_config: { undo_secs: 10, require_confirmation: true },
    });
    setBackend(t.backend);
    const settings: Settings = { language: "fr", theme: "system", poll_interval_secs: 900, notify_levels: true, notify_weak_signals: true };
    const applied: Settings[] = [];
    const ctx = testCtx({ settings, applySettings: (s: Settings) => void applied.push(s) });
    const root = document.createElement("div");
    document.body.appendChild(root);
    let cleanup = renderSettings(root, ctx);
    const q = <T extends HTMLElement>(id: string) => root.querySelector<T>(`[data-testid="${id}"]`)!;
    const theme = q<HTMLSelectElement>("settings-theme");
    theme.value = "dark";
    theme.dispatchEvent(new Event("change"));
    expect(document.documentElement.getAttribute("data-theme")).toBe("dark");
    // Leaving without saving puts the saved theme back.
    cleanup();
    expect(document.documentElement.hasAttribute("data-theme")).toBe(false);
    root.replaceChildren();

    cleanup = renderSettings(root, ctx);
    q<HTMLSelectElement>("settings-theme").value = "dark";
    q<HTMLSelectElement>("settings-theme").dispatchEvent(new Event("change"));
    q<HTMLInputElement>("settings-poll").value = "5";
    q<HTMLInputElement>("settings-notify-weak").checked = false;
    q("settings-save").closest("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(applied).toHaveLength(1));
    expect(t.calls.find((c) => c.cmd === "save_settings")?.args).toEqual({
      settings: { language: "fr", theme: "dark", poll_interval_secs: 300, notify_levels: true, notify_weak_signals: false },
    });
    expect(applied[0].theme).toBe("dark");
    // An interval out of range is refused before anything is sent.
    q<HTMLInputElement>("settings-poll").value = "0";
    q("settings-save").closest("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    expect(q<HTMLInputElement>("settings-poll").getAttribute("aria-invalid")).toBe("true");
    expect(t.calls.filter((c) => c.cmd === "save_settings")).toHaveLength(1);
    cleanup();
    root.remove();
  });
});

describe("publishing settings", () => {
  afterEach(() => setBackend(null));

  it("values loaded from the engine are not unsaved input, an edit is, a save settles it", async () => {
    const t = testBackend({
      get_publish_settings: { undoSecs: 30, audienceThreshold: 10000 },
      save_publish_settings: (a) => a.settings as object,
    });
    setBackend(t.backend);
    const root = document.createElement("div");
    document.body.appendChild(root);
    const cleanup = renderSettings(root, testCtx());
    const undo = root.querySelector<HTMLInputElement>('[data-testid="settings-undo-secs"]')!;
    await vi.waitFor(() => expect(undo.value).toBe("30"));
    expect(hasUnsavedInput(root)).toBe(false);
    undo.value = "45";
    expect(hasUnsavedInput(root)).toBe(true);
    undo.closest("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(t.calls.some((c) => c.cmd === "save_publish_settings")).toBe(true));
    await vi.waitFor(() => expect(hasUnsavedInput(root)).toBe(false));
    cleanup();
    root.remove();
  });
});
