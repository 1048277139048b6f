import { afterEach, describe, expect, it } from "vitest";
import { renderSources } from "../src/views/sources";
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
