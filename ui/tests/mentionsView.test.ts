import { afterEach, describe, expect, it, vi } from "vitest";
import { renderMentions } from "../src/views/mentions";
import { setBackend } from "../src/ipc";
import { flush, mention, testBackend, testCtx } from "./helpers";

function key(k: string, target: EventTarget = document.body) {
  target.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
}

describe("mention stream", () => {
  afterEach(() => setBackend(null));

  async function setup() {
    const t = testBackend({
      list_sources: [],
      list_mentions: [mention({ id: 1 }), mention({ id: 2 }), mention({ id: 3 })],
      set_triage: null,
      open_external: null,
    });
    setBackend(t.backend);
    const root = document.createElement("div");
    document.body.appendChild(root);
    const cleanup = renderMentions(root, testCtx(), new URLSearchParams("triage=new"));
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="mention-row"]')).toHaveLength(3));
    return { ...t, root, cleanup };
  }

  it("sends the route's filters to list_mentions", async () => {
    const { calls, cleanup, root } = await setup();
    expect(calls.find((c) => c.cmd === "list_mentions")?.args).toEqual({ filter: { triage: "new", limit: 200 } });
    cleanup();
    root.remove();
  });

  it("j j s marks the second mention seen and moves to the third; f flags that one; o opens it outside the webview", async () => {
    const { calls, cleanup, root } = await setup();
    key("j");
    key("j");
    const rows = () => [...root.querySelectorAll<HTMLElement>('[data-testid="mention-row"]')];
    expect(rows()[1].getAttribute("aria-current")).toBe("true");
    expect(document.activeElement).toBe(rows()[1]);
    key("s", rows()[1]);
    await flush();
    expect(calls.filter((c) => c.cmd === "set_triage").map((c) => c.args)).toEqual([{ id: 2, triage: "seen" }]);
    expect(rows()[1].dataset.triage).toBe("seen");
    // Triage moved on: the third mention is selected and focused.
    expect(rows()[2].getAttribute("aria-current")).toBe("true");
    expect(document.activeElement).toBe(rows()[2]);
    key("f", rows()[2]);
    await flush();
    expect(calls.filter((c) => c.cmd === "set_triage").pop()?.args).toEqual({ id: 3, triage: "flagged" });
    // The last row stays selected after a triage: o opens it.
    key("o", rows()[2]);
    await flush();
    expect(calls.find((c) => c.cmd === "open_external")?.args).toEqual({ url: "https://news.example/a" });
    cleanup();
    root.remove();
  });

  it("/ focuses the search box and letters typed there are not shortcuts", async () => {
    const { calls, cleanup, root } = await setup();
    key("/");
    const search = root.querySelector<HTMLInputElement>('[data-testid="mention-search"]')!;
    expect(document.activeElement).toBe(search);
    key("s", search);
    await flush();
    expect(calls.some((c) => c.cmd === "set_triage")).toBe(false);
    cleanup();
    root.remove();
  });

  it("new mentions from the engine appear without a refresh, marked new; while one reads, they wait behind a button", async () => {
    let stored = [mention({ id: 1 }), mention({ id: 2 }), mention({ id: 3 })];
    const t = testBackend({ list_sources: [], list_mentions: () => stored });
    setBackend(t.backend);
    const root = document.createElement("div");
    document.body.appendChild(root);
    const cleanup = renderMentions(root, testCtx(), new URLSearchParams());
    const rows = () => [...root.querySelectorAll<HTMLElement>('[data-testid="mention-row"]')];
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    await vi.waitFor(() => expect(t.calls.some((c) => c.cmd === "list_mentions")).toBe(true));
    // The engine stored two mentions and says so on mentions://new.
    stored = [mention({ id: 5, title: "Rappel étendu" }), mention({ id: 4 }), ...stored];
    t.emit("mentions://new", { count: 2, ids: [4, 5] });
    await vi.waitFor(() => expect(rows()).toHaveLength(5));
    expect(rows()[0].textContent).toContain("Rappel étendu");
    expect(rows().filter((r) => r.classList.contains("fresh")).map((r) => r.dataset.mentionId)).toEqual(["5", "4"]);
    const live = root.querySelector<HTMLElement>('[data-testid="live-count"]')!;
    expect(live.classList.contains("show")).toBe(false);
    // Reading (a mention selected): the next ones wait, the rows stay where they are.
    key("j");
    stored = [mention({ id: 6, title: "Encore un" }), ...stored];
    t.emit("mentions://new", { count: 1, ids: [6] });
    await flush();
    expect(rows()).toHaveLength(5);
    expect(live.classList.contains("show")).toBe(true);
    const show = live.querySelector<HTMLButtonElement>('[data-testid="live-show"]')!;
    expect(show.textContent).toMatch(/1 new mention/);
    show.click();
    await vi.waitFor(() => expect(rows()).toHaveLength(6));
    expect(rows()[0].textContent).toContain("Encore un");
    expect(live.classList.contains("show")).toBe(false);
    // Unsubscribed when the view goes.
    cleanup();
    const asked = t.calls.filter((c) => c.cmd === "list_mentions").length;
    t.emit("mentions://new", { count: 1, ids: [6] });
    await flush();
    expect(t.calls.filter((c) => c.cmd === "list_mentions")).toHaveLength(asked);
    root.remove();
  });

  it("shows the newest 200, then older pages on demand, without repeats; 'everything' asks for unmatched ones too", async () => {
    const all = Array.from({ length: 250 }, (_, i) => mention({ id: 1000 - i, published_at: 1_700_000_000 - i * 60 }));
    const t = testBackend({
      list_sources: [],
      list_mentions: (a) => {
        const f = a.filter as { beforeId?: number; limit: number };
        const from = f.beforeId === undefined ? 0 : all.findIndex((m) => m.id === f.beforeId) + 1;
        return all.slice(from, from + f.limit);
      },
    });
    setBackend(t.backend);
    const root = document.createElement("div");
    document.body.appendChild(root);
    const cleanup = renderMentions(root, testCtx(), new URLSearchParams());
    const rows = () => root.querySelectorAll('[data-testid="mention-row"]');
    await vi.waitFor(() => expect(rows()).toHaveLength(200));
    expect(root.querySelector('[data-testid="mention-count"]')?.textContent).toContain("200 newest");
    root.querySelector<HTMLButtonElement>('[data-testid="mentions-more"]')!.click();
    await vi.waitFor(() => expect(rows()).toHaveLength(250));
    const asked = t.calls.filter((c) => c.cmd === "list_mentions").map((c) => c.args!.filter as Record<string, unknown>);
    expect(asked.at(-1)).toMatchObject({ beforeId: 801, beforePublished: 1_700_000_000 - 199 * 60, limit: 200 });
    expect(new Set([...rows()].map((r) => (r as HTMLElement).dataset.mentionId)).size).toBe(250);
    // The last page was not full: nothing more to load.
    expect(root.querySelector('[data-testid="mentions-more"]')).toBeNull();
    // A live update keeps the pages loaded: it asks for as many as are shown.
    t.emit("mentions://new", { count: 1, ids: [1001] });
    await flush();
    const lastAsked = () => t.calls.filter((c) => c.cmd === "list_mentions").at(-1)!.args!.filter as Record<string, unknown>;
    expect(lastAsked()).toMatchObject({ limit: 250 });
    expect(asked[0].everything).toBeUndefined();
    // A new filter starts again from the newest page; "everything" asks for unmatched ones.
    const watch = root.querySelector<HTMLSelectElement>('[data-testid="filter-watch"]')!;
    watch.value = "all";
    watch.dispatchEvent(new Event("change"));
    await flush();
    expect(lastAsked()).toMatchObject({ everything: true, limit: 200 });
    cleanup();
    root.remove();
  });

  it("new mentions also wait while the app's main area is scrolled (nothing selected)", async () => {
    let stored = [mention({ id: 1 })];
    const t = testBackend({ list_sources: [], list_mentions: () => stored });
    setBackend(t.backend);
    const main = document.createElement("main");
    main.id = "main";
    document.body.appendChild(main);
    const root = document.createElement("div");
    main.appendChild(root);
    const cleanup = renderMentions(root, testCtx(), new URLSearchParams());
    const rows = () => root.querySelectorAll('[data-testid="mention-row"]');
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    await flush();
    main.scrollTop = 300; // jsdom keeps what is set
    stored = [mention({ id: 2 }), ...stored];
    t.emit("mentions://new", { count: 1, ids: [2] });
    await flush();
    expect(rows()).toHaveLength(1);
    expect(root.querySelector('[data-testid="live-show"]')).not.toBeNull();
    cleanup();
    main.remove();
  });

  it("marks in each mention the terms of the watches that matched it", async () => {
    const rows = [{ watch: { id: 1, name: "Danone", query: "danone OR \"appel au boycott\"" }, level: { level: "calm" } }] as never;
    const t = testBackend({
      list_sources: [],
      list_mentions: [mention({ id: 1, title: "Boycott : l'appel au boycott de Danone", text: "Rien d'autre", watch_ids: [1] })],
      check_query: { ok: true, terms: ["danone", "appel au boycott"] },
    });
    setBackend(t.backend);
    const root = document.createElement("div");
    document.body.appendChild(root);
    const cleanup = renderMentions(root, testCtx({ rows }), new URLSearchParams());
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="mention-title"] mark')).toHaveLength(2));
    const marks = [...root.querySelectorAll('[data-testid="mention-title"] mark')].map((m) => m.textContent);
    expect(marks).toEqual(["appel au boycott", "Danone"]);
    expect(t.calls.find((c) => c.cmd === "check_query")?.args).toEqual({ query: 'danone OR "appel au boycott"' });
    cleanup();
    root.remove();
  });

  it("marks every new mention shown as seen in one step, and says how many", async () => {
    const t = testBackend({
      list_sources: [],
      list_mentions: [mention({ id: 1 }), mention({ id: 2, triage: "flagged" }), mention({ id: 3 })],
      set_triage_many: (a) => (a.ids as number[]).length,
    });
    setBackend(t.backend);
    const toasts: string[] = [];
    const root = document.createElement("div");
    document.body.appendChild(root);
    const cleanup = renderMentions(root, testCtx({ toast: (m: string) => void toasts.push(m) }), new URLSearchParams());
    const rows = () => [...root.querySelectorAll<HTMLElement>('[data-testid="mention-row"]')];
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    root.querySelector<HTMLButtonElement>('[data-testid="mentions-mark-seen"]')!.click();
    await vi.waitFor(() => expect(toasts).toEqual(["2 mentions marked seen"]));
    expect(t.calls.find((c) => c.cmd === "set_triage_many")?.args).toEqual({ ids: [1, 3], triage: "seen" });
    expect(rows().map((r) => r.dataset.triage)).toEqual(["seen", "flagged", "seen"]);
    cleanup();
    root.remove();
  });

  it("a click on a triage button calls set_triage", async () => {
    const { calls, cleanup, root } = await setup();
    root.querySelectorAll<HTMLButtonElement>('[data-testid="triage-handled"]')[2].click();
    await flush();
    expect(calls.filter((c) => c.cmd === "set_triage").map((c) => c.args)).toEqual([{ id: 3, triage: "handled" }]);
    cleanup();
    root.remove();
  });

  it("a search the query language cannot read shows where and why, and runs nothing; a valid one is sent and its terms marked", async () => {
    const t = testBackend({
      list_sources: [],
      list_mentions: (a) => ((a.filter as { search?: string }).search
        ? [mention({ id: 7, title: "Lactalis rappelle du lait", watch_ids: [] })]
        : [mention({ id: 1 })]),
      check_query: (a) => (a.query === "danone OR"
        ? { ok: false, position: 10, message: "expected a word", problem: { kind: "expected_term", after: "OR", found: null } }
        : { ok: true, terms: ["lactalis"] }),
    });
    setBackend(t.backend);
    const root = document.createElement("div");
    document.body.appendChild(root);
    const cleanup = renderMentions(root, testCtx(), new URLSearchParams());
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="mention-row"]')).toHaveLength(1));
    const search = root.querySelector<HTMLInputElement>('[data-testid="mention-search"]')!;
    const listCalls = () => t.calls.filter((c) => c.cmd === "list_mentions").length;
    const before = listCalls();

    search.value = "danone OR";
    search.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    await vi.waitFor(() => expect(root.querySelector('[data-testid="search-error"]')).not.toBeNull());
    expect(root.querySelector('[data-testid="query-error"]')?.textContent).toContain("Position 10: expected a word, a \"phrase\" or '(' after OR");
    expect(root.querySelectorAll('[data-testid="mention-row"]')).toHaveLength(0);
    expect(search.getAttribute("aria-invalid")).toBe("true");
    expect(listCalls()).toBe(before);

    search.value = "lactalis OR nestlé";
    search.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="mention-row"]')).toHaveLength(1));
    expect(t.calls.filter((c) => c.cmd === "list_mentions").pop()?.args).toEqual({ filter: { search: "lactalis OR nestlé", limit: 200, everything: undefined } });
    expect(root.querySelector('[data-testid="search-error"]')).toBeNull();
    expect(search.getAttribute("aria-invalid")).toBe("false");
    // The search's terms are marked, though no watch matched the mention.
    expect([...root.querySelectorAll('[data-testid="mention-title"] mark')].map((m) => m.textContent)).toEqual(["Lactalis"]);
    cleanup();
    root.remove();
  });

  it("Escape in the search box clears the search and shows the whole stream again", async () => {
    const t = testBackend({
      list_sources: [],
      list_mentions: (a) => ((a.filter as { search?: string }).search ? [mention({ id: 7 })] : [mention({ id: 1 }), mention({ id: 2 })]),
      check_query: { ok: true, terms: ["greve"] },
    });
    setBackend(t.backend);
    const root = document.createElement("div");
    document.body.appendChild(root);
    const cleanup = renderMentions(root, testCtx(), new URLSearchParams("search=greve"));
    const rows = () => root.querySelectorAll('[data-testid="mention-row"]');
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    const search = root.querySelector<HTMLInputElement>('[data-testid="mention-search"]')!;
    expect(search.value).toBe("greve");
    search.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    expect(search.value).toBe("");
    expect(t.calls.filter((c) => c.cmd === "list_mentions").pop()?.args).toEqual({ filter: { limit: 200, everything: undefined } });
    cleanup();
    root.remove();
  });
});
