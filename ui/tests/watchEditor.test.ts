import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWatchEditor, thresholdsBadFields, thresholdsProblem } from "../src/views/watchEditor";
import { setBackend } from "../src/ipc";
import { setLanguage } from "../src/i18n";
import { flush, testBackend, testCtx } from "./helpers";

function type(input: HTMLInputElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

describe("watch editor: sensitive words and level thresholds", () => {
  afterEach(() => {
    setBackend(null);
    setLanguage("en");
  });

  it("refuses thresholds that do not rise, then saves the words and thresholds the user gave", async () => {
    setLanguage("fr");
    const t = testBackend({
      check_query: { ok: true, terms: ["danone"] },
      preview_query: [],
      save_watch: (a) => ({ id: 7, created_at: 1, updated_at: 1, ...(a.watch as object) }),
    });
    setBackend(t.backend);
    const toasts: string[] = [];
    const root = document.createElement("div");
    document.body.appendChild(root);
    const cleanup = renderWatchEditor(root, testCtx({ toast: (m: string) => void toasts.push(m) }), null);
    const q = (id: string) => root.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;
    await vi.waitFor(() => expect(q("watch-name")).not.toBeNull());
    type(q("watch-name"), "Danone");
    type(q("watch-query"), "danone");
    // Two sensitive words, typed as a user does: a word, Enter, a word, a comma.
    const words = q("watch-sensitive-words");
    for (const w of ["boycott", "rappel produit"]) {
      type(words, w);
      words.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    }
    expect([...root.querySelectorAll('[data-testid="chip"]')].map((c) => c.firstChild?.textContent)).toEqual(["boycott", "rappel produit"]);
    // Custom thresholds, alert below watch: refused, said in French, nothing saved.
    const custom = q("watch-custom-thresholds");
    custom.checked = true;
    custom.dispatchEvent(new Event("change"));
    expect(q("threshold-watch").disabled).toBe(false);
    type(q("threshold-watch"), "40");
    type(q("threshold-alert"), "30");
    type(q("threshold-crisis"), "80");
    const form = root.querySelector("form")!;
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(root.querySelector(".threshold-grid ~ .hint ~ .field-error")?.textContent).toContain("Les seuils doivent monter"));
    expect(t.calls.some((c) => c.cmd === "save_watch")).toBe(false);
    // The field at fault is marked and focused, the others are not.
    expect(q("threshold-alert").getAttribute("aria-invalid")).toBe("true");
    expect(q("threshold-alert").getAttribute("aria-describedby")).toBe("threshold-error");
    expect(document.activeElement).toBe(q("threshold-alert"));
    expect(["threshold-watch", "threshold-crisis", "threshold-min-mentions"].map((id) => q(id).hasAttribute("aria-invalid"))).toEqual([false, false, false]);
    // Fixed: saved with the words and thresholds as typed, and the mark is gone.
    type(q("threshold-alert"), "60");
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(t.calls.some((c) => c.cmd === "save_watch")).toBe(true));
    expect(q("threshold-alert").hasAttribute("aria-invalid")).toBe(false);
    const saved = t.calls.find((c) => c.cmd === "save_watch")!.args!.watch as Record<string, unknown>;
    expect(saved.name).toBe("Danone");
    expect(saved.sensitive_words).toEqual(["boycott", "rappel produit"]);
    expect(saved.thresholds).toEqual({ watch: 40, alert: 60, crisis: 80, min_mentions_per_hour: expect.any(Number), calm_down_buckets: expect.any(Number) });
    await flush();
    expect(toasts.at(-1)).toContain("Danone");
    cleanup();
    root.remove();
  });

  it("the missing-name error goes as soon as a name is typed", async () => {
    setLanguage("fr");
    setBackend(testBackend({ check_query: { ok: true, terms: ["danone"] }, preview_query: [] }).backend);
    const root = document.createElement("div");
    document.body.appendChild(root);
    const cleanup = renderWatchEditor(root, testCtx(), null);
    const q = (id: string) => root.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;
    await vi.waitFor(() => expect(q("watch-name")).not.toBeNull());
    type(q("watch-query"), "danone");
    root.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    const err = () => root.querySelector(".field-error")?.textContent ?? "";
    await vi.waitFor(() => expect(err()).toBe("Donnez un nom à la veille."));
    expect(q("watch-name").getAttribute("aria-invalid")).toBe("true");
    type(q("watch-name"), "Danone");
    expect(err()).toBe("");
    expect(q("watch-name").hasAttribute("aria-invalid")).toBe(false);
    cleanup();
    root.remove();
  });

  it("an existing watch counts as unsaved only once something is typed, and no longer once saved", async () => {
    const watch = { id: 3, name: "Danone", query: "danone", languages: ["fr"], sensitivity: "medium", enabled: true, sensitive_words: ["boycott"], thresholds: null, created_at: 1, updated_at: 1 };
    const t = testBackend({
      list_watches: [watch],
      get_watch: watch,
      check_query: { ok: true, terms: ["danone"] },
      preview_query: [],
      save_watch: (a) => ({ ...watch, ...(a.watch as object) }),
    });
    setBackend(t.backend);
    let guard: (() => boolean) | null = null;
    const root = document.createElement("div");
    document.body.appendChild(root);
    const cleanup = renderWatchEditor(root, testCtx({ setLeaveGuard: (g) => { guard = g; } }), 3);
    const q = (id: string) => root.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;
    await vi.waitFor(() => expect(q("watch-name")?.value).toBe("Danone"));
    expect(guard).not.toBeNull();
    expect(guard!()).toBe(false);
    type(q("watch-name"), "Danone SA");
    expect(guard!()).toBe(true);
    type(q("watch-name"), "Danone");
    expect(guard!()).toBe(false);
    // A sensitive word added is a change too.
    const words = q("watch-sensitive-words");
    type(words, "scandale");
    words.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(guard!()).toBe(true);
    // Deleting asks first, and the keyboard follows the question.
    const del = () => q("watch-delete") as unknown as HTMLButtonElement;
    del().click();
    expect(document.activeElement).toBe(q("watch-delete-confirm"));
    (q("watch-delete-cancel") as unknown as HTMLButtonElement).click();
    expect(document.activeElement).toBe(del());
    root.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(guard).toBeNull());
    cleanup();
    root.remove();
  });
});

describe("threshold problems name their fields", () => {
  const ok = { watch: 2, alert: 4, crisis: 7, min_mentions_per_hour: 6, calm_down_buckets: 12 };
  it("finds the field out of order, a negative or broken number, and a zero calm-down", () => {
    expect(thresholdsBadFields(ok)).toEqual([]);
    expect(thresholdsBadFields({ ...ok, alert: 2 })).toEqual(["alert"]);
    expect(thresholdsBadFields({ ...ok, watch: 0 })).toEqual(["watch"]);
    expect(thresholdsBadFields({ ...ok, crisis: 3 })).toEqual(["crisis"]);
    expect(thresholdsBadFields({ ...ok, min_mentions_per_hour: -1, crisis: 1.5 })).toEqual(["crisis", "min_mentions_per_hour"]);
    expect(thresholdsBadFields({ ...ok, calm_down_buckets: 0 })).toEqual(["calm_down_buckets"]);
    expect(thresholdsBadFields({ ...ok, calm_down_buckets: 289 })).toEqual(["calm_down_buckets"]);
    expect(thresholdsBadFields({ ...ok, calm_down_buckets: 288 })).toEqual([]);
    expect(thresholdsProblem({ ...ok, calm_down_buckets: 100000 })).toBe("thresholds.calmDownRange");
    expect(thresholdsProblem({ ...ok, calm_down_buckets: 0 })).toBe("thresholds.calmDownRange");
    expect(thresholdsProblem({ ...ok, alert: 2, calm_down_buckets: 0 })).toBe("thresholds.rising");
  });
});
