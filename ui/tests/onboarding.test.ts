import { afterEach, describe, expect, it, vi } from "vitest";
import { renderOnboarding } from "../src/views/onboarding";
import { setBackend } from "../src/ipc";
import { mockCheckQuery } from "../src/mock";
import { testBackend, testCtx } from "./helpers";

const q = (root: Element, id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);

describe("first-run onboarding", () => {
  afterEach(() => setBackend(null));

  it("creates the watch, then the first source, in three steps", async () => {
    const { backend, calls } = testBackend({
      check_query: (a) => mockCheckQuery(String(a.query)),
      save_watch: (a) => ({ id: 1, ...(a.watch as object), created_at: 0, updated_at: 0 }),
      add_source: (a) => ({ id: 5, title: "#maisonlumen", kind: a.spec, enabled: true, interval_secs: 600, created_at: 0 }),
    });
    setBackend(backend);
    const navigate = vi.fn();
    const root = document.createElement("div");
    document.body.appendChild(root);
    renderOnboarding(root, testCtx({ navigate }));

    expect(q(root, "onboarding-step-1")).not.toBeNull();
    const brand = q(root, "onboarding-brand") as HTMLInputElement;
    brand.value = "Maison Lumen";
    brand.dispatchEvent(new Event("input"));
    expect((q(root, "onboarding-query") as HTMLInputElement).value).toBe('"Maison Lumen" OR maisonlumen');
    (q(root, "onboarding-next") as HTMLButtonElement).click();
    await vi.waitFor(() => expect(q(root, "onboarding-step-2")).not.toBeNull());
    const saved = calls.find((c) => c.cmd === "save_watch")?.args as { id: null; watch: { name: string; query: string } };
    expect(saved.id).toBeNull();
    expect(saved.watch.name).toBe("Maison Lumen");

    (q(root, "onboarding-kind-mastodon") as HTMLButtonElement).click();
    expect((q(root, "onboarding-mastodon-tag") as HTMLInputElement).value).toBe("maisonlumen");
    (q(root, "onboarding-add-source") as HTMLButtonElement).click();
    await vi.waitFor(() => expect(q(root, "onboarding-step-3")).not.toBeNull());
    expect(calls.find((c) => c.cmd === "add_source")?.args).toEqual({
      spec: { kind: "mastodon_tag", instance: "https://mastodon.social", tag: "maisonlumen" },
    });
    root.remove();
  });

  it("an invalid query blocks step 1 and shows where the error is", async () => {
    const { backend, calls } = testBackend({ check_query: (a) => mockCheckQuery(String(a.query)), save_watch: {} });
    setBackend(backend);
    const root = document.createElement("div");
    document.body.appendChild(root); // a detached form does not submit
    renderOnboarding(root, testCtx());
    (q(root, "onboarding-brand") as HTMLInputElement).value = "Lumen";
    (q(root, "onboarding-query") as HTMLInputElement).value = "lumen AND";
    (q(root, "onboarding-next") as HTMLButtonElement).click();
    await vi.waitFor(() => expect(q(root, "query-error")).not.toBeNull());
    expect(q(root, "query-error-mark")?.classList.contains("at-end")).toBe(true);
    expect(q(root, "query-error")?.textContent).toContain("Position 10");
    expect(calls.some((c) => c.cmd === "save_watch")).toBe(false);
    root.remove();
  });
});
