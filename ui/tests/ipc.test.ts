import { afterEach, describe, expect, it } from "vitest";
import * as ipc from "../src/ipc";
import { testBackend } from "./helpers";

describe("ipc", () => {
  afterEach(() => ipc.setBackend(null));

  it("maps every kind of failure to { code, message }", () => {
    expect(ipc.toIpcError({ code: "invalid_query", message: "bad" })).toEqual({ code: "invalid_query", message: "bad" });
    expect(ipc.toIpcError("plain text")).toEqual({ code: "error", message: "plain text" });
    expect(ipc.toIpcError(new Error("boom"))).toEqual({ code: "error", message: "boom" });
    expect(ipc.toIpcError(undefined)).toEqual({ code: "unknown", message: "Unexpected error" });
  });

  it("rejects with an IpcError when the shell throws a string", async () => {
    ipc.setBackend({ name: "test", invoke: async () => { throw "database is locked"; }, listen: async () => () => undefined });
    await expect(ipc.listWatches()).rejects.toEqual({ code: "error", message: "database is locked" });
  });

  it("uses the command names and camelCase argument keys of docs/IPC.md", async () => {
    const { backend, calls } = testBackend({
      watch_series: { start: 0, step: 300, volume: [], negative: [] },
      save_watch: {},
      list_mentions: [],
      set_triage: null,
      add_source: {},
      open_external: null,
      check_query: { ok: true, terms: [] },
      preview_query: [],
    });
    ipc.setBackend(backend);
    await ipc.watchSeries(3, "7d");
    await ipc.listMentions({ watchId: 3, search: "x" });
    await ipc.setTriage(9, "flagged");
    await ipc.addSource({ kind: "bluesky_search", service: "s", handle: "h", query: "q", appPassword: "p" });
    await ipc.openExternal("https://a.example/");
    await ipc.checkQuery("a OR b");
    await ipc.previewQuery("a", 20);
    expect(calls).toEqual([
      { cmd: "watch_series", args: { watchId: 3, range: "7d" } },
      { cmd: "list_mentions", args: { filter: { watchId: 3, search: "x" } } },
      { cmd: "set_triage", args: { id: 9, triage: "flagged" } },
      { cmd: "add_source", args: { spec: { kind: "bluesky_search", service: "s", handle: "h", query: "q", appPassword: "p" } } },
      { cmd: "open_external", args: { url: "https://a.example/" } },
      { cmd: "check_query", args: { query: "a OR b" } },
      { cmd: "preview_query", args: { query: "a", limit: 20 } },
    ]);
  });

  it("event helpers listen on the documented event names", async () => {
    const { backend, emit } = testBackend({});
    ipc.setBackend(backend);
    const got: unknown[] = [];
    await ipc.onNewMentions((p) => got.push(p));
    await ipc.onWatchLevel(4, (p) => got.push(p));
    emit("mentions://new", { count: 2, ids: [1, 2] });
    emit("watch://4/level", { level: "alert" });
    expect(got).toEqual([{ count: 2, ids: [1, 2] }, { level: "alert" }]);
  });

  it("outside Tauri the mock is used; inside, never", () => {
    expect(ipc.isTauri()).toBe(false);
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    expect(ipc.isTauri()).toBe(true);
    delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
  });
});
