import { afterEach, describe, expect, it, vi } from "vitest";
import { describeKind, renderSources } from "../src/views/sources";
import { setBackend } from "../src/ipc";
import { setLanguage } from "../src/i18n";
import { flush, testBackend, testCtx } from "./helpers";

describe("sources screen: OPML export", () => {
  afterEach(() => {
    setBackend(null);
    setLanguage("en");
  });

  async function exportWith(answer: unknown) {
    setLanguage("fr");
    const t = testBackend({ list_sources: [], export_opml: answer as never });
    setBackend(t.backend);
    const toasts: [string, string | undefined][] = [];
    const root = document.createElement("div");
    const cleanup = renderSources(root, testCtx({ toast: (m: string, kind?: "ok" | "error") => void toasts.push([m, kind]) }));
    for (let i = 0; i < 3; i++) await flush();
    root.querySelector<HTMLButtonElement>('[data-testid="opml-export"]')!.click();
    for (let i = 0; i < 3; i++) await flush();
    cleanup();
    return { toasts, calls: t.calls };
  }

  it("the engine saves the file; the screen says where, in the user's language", async () => {
    const { toasts, calls } = await exportWith("/home/ana/Téléchargements/vigie-sources-2026-11-22.opml");
    expect(calls.filter((c) => c.cmd === "export_opml")).toHaveLength(1);
    expect(toasts).toEqual([["Sources enregistrées en OPML dans /home/ana/Téléchargements/vigie-sources-2026-11-22.opml", "ok"]]);
  });

  it("a file that cannot be saved says so, naming it", async () => {
    const { toasts } = await exportWith(() => {
      throw { code: "export_failed", message: "could not save /ro/x.opml: Read-only file system", what: "file", key: "/ro/x.opml" };
    });
    expect(toasts).toHaveLength(1);
    expect(toasts[0][1]).toBe("error");
    expect(toasts[0][0]).toContain("n'a pas pu être enregistré (/ro/x.opml)");
  });
});

describe("sources screen: OPML import", () => {
  afterEach(() => {
    setBackend(null);
    setLanguage("en");
  });

  it("reads a Latin-1 export in its own encoding, and says which outlines were skipped", async () => {
    setLanguage("fr");
    const t = testBackend({
      list_sources: [],
      import_opml: { added: 1, already_present: 0, skipped: [{ url: "ftp://x/y", reason: "only http and https addresses can be used" }] },
    });
    setBackend(t.backend);
    const toasts: [string, string | undefined][] = [];
    const root = document.createElement("div");
    const cleanup = renderSources(root, testCtx({ toast: (m: string, kind?: "ok" | "error") => void toasts.push([m, kind]) }));
    const xml = '<?xml version="1.0" encoding="ISO-8859-1"?><opml><body><outline text="Soci\u00e9t\u00e9" xmlUrl="https://a.example/f"/></body></opml>';
    const latin1 = Uint8Array.from([...xml].map((c) => c.charCodeAt(0)));
    const input = root.querySelector<HTMLInputElement>('[data-testid="opml-file"]')!;
    // jsdom's File has no arrayBuffer(); WebKit's has.
    Object.defineProperty(input, "files", { value: [{ name: "feeds.opml", arrayBuffer: async () => latin1.buffer }], configurable: true });
    input.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(toasts).toHaveLength(2));
    const sent = t.calls.find((c) => c.cmd === "import_opml")?.args?.text as string;
    expect(sent).toContain('text="Société"');
    expect(toasts).toEqual([
      ["OPML importé : 1 ajoutées, 0 déjà présentes", undefined],
      ["1 ignorées (adresse qui n'est pas en http ou https, ou qui contient un mot de passe) : ftp://x/y", "error"],
    ]);
    cleanup();
  });
});

describe("sources screen: pause, resume, check all", () => {
  afterEach(() => {
    setBackend(null);
    setLanguage("en");
  });

  it("a paused source says so and can be resumed; every source can be checked at once", async () => {
    setLanguage("fr");
    const row = (id: number, enabled: boolean, title: string) => ({
      source: { id, title, kind: { kind: "feed", url: `https://journal.example/${id}.xml` }, enabled, interval_secs: 900, created_at: 0 },
      state: { source_id: id, next_check_at: 0, etag: null, last_modified: null, error_count: 0, last_error: null, last_problem: null, last_status: 200, last_checked_at: null, last_success_at: null, cursor: null },
    });
    const t = testBackend({
      list_sources: [row(1, true, "Le Journal"), row(2, false, "")],
      set_source_enabled: null,
      check_all_sources: 1,
    });
    setBackend(t.backend);
    const toasts: string[] = [];
    const root = document.createElement("div");
    const cleanup = renderSources(root, testCtx({ toast: (m: string) => void toasts.push(m) }));
    for (let i = 0; i < 5; i++) await flush();
    const byId = (id: number) => root.querySelector<HTMLElement>(`[data-testid="source-row"][data-source-id="${id}"]`)!;
    const rows = [byId(1), byId(2)];
    expect(rows.map((r) => r.classList.contains("paused"))).toEqual([false, true]);
    expect(rows[1].querySelector('[data-testid="source-paused"]')?.textContent).toContain("Suspendue");
    // An untitled source shows where it comes from instead of nothing.
    expect(rows[1].querySelector(".strong")?.textContent).toBe("https://journal.example/2.xml");
    const pause = (r: HTMLElement) => r.querySelector<HTMLButtonElement>('[data-testid="source-pause"]')!;
    expect([pause(rows[0]).textContent, pause(rows[1]).textContent]).toEqual(["Suspendre", "Reprendre"]);
    pause(rows[1]).click();
    for (let i = 0; i < 3; i++) await flush();
    expect(t.calls.find((c) => c.cmd === "set_source_enabled")?.args).toEqual({ id: 2, enabled: true });
    root.querySelector<HTMLButtonElement>('[data-testid="sources-check-all"]')!.click();
    for (let i = 0; i < 3; i++) await flush();
    expect(t.calls.some((c) => c.cmd === "check_all_sources")).toBe(true);
    expect(toasts.at(-1)).toBe("1 source sera vérifiée dans un instant");
    // Removing asks first, and the keyboard follows: to "Confirm", back to "Remove" on cancel.
    document.body.appendChild(root);
    const inRow = (id: string) => byId(1).querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)!;
    inRow("source-remove").click();
    expect(document.activeElement).toBe(inRow("source-remove-confirm"));
    inRow("source-remove-cancel").click();
    expect(document.activeElement).toBe(inRow("source-remove"));
    expect(t.calls.some((c) => c.cmd === "remove_source")).toBe(false);
    root.remove();
    cleanup();
  });
});

describe("sources: how a Bluesky search is named", () => {
  afterEach(() => setLanguage("en"));
  it("quotes its words as each language does", () => {
    const k = { kind: "bluesky_search" as const, service: "https://bsky.example", handle: "veille.example.org", query: "ardent" };
    setLanguage("en");
    expect(describeKind(k)).toBe("“ardent” · veille.example.org");
    setLanguage("fr");
    expect(describeKind(k)).toBe("« ardent » · veille.example.org");
  });
});
