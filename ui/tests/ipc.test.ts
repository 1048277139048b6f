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
    // Publishing and teamwork errors keep their data, so the UI can word them (the shell
    // serialises vigie-engine's AppError as is).
    const refusal = { kind: "notApproved", handle: "a@x", unmet: { kind: "role", role: "legal" }, hasIdentity: true };
    expect(ipc.toIpcError({ code: "refused", message: "not approved", refusal })).toEqual({ code: "refused", message: "not approved", refusal });
    const problem = { kind: "keychainLocked" };
    expect(ipc.toIpcError({ code: "network", message: "m", problem }).problem).toEqual(problem);
    const team = { kind: "selfApproval" };
    expect(ipc.toIpcError({ code: "refused", message: "m", team }).team).toEqual(team);
    expect(ipc.toIpcError({ code: "refused", message: "m", refusal: "not data", team: { no: "kind" } })).toEqual({ code: "refused", message: "m" });
  });

  it("rejects with an IpcError when the shell throws a string", async () => {
    ipc.setBackend({ name: "test", invoke: async () => { throw "database is locked"; }, listen: async () => () => undefined });
    await expect(ipc.listWatches()).rejects.toEqual({ code: "error", message: "database is locked" });
  });

  it("uses the command names and camelCase argument keys of docs/IPC.md", async () => {
    const { backend, calls } = testBackend({
      dashboard_series: [],
      save_watch: {},
      list_mentions: [],
      set_triage: null,
      add_source: {},
      open_external: null,
      check_query: { ok: true, terms: [] },
      preview_query: [],
    });
    ipc.setBackend(backend);
    await ipc.dashboardSeries("7d");
    await ipc.listMentions({ watchId: 3, search: "x" });
    await ipc.setTriage(9, "flagged");
    await ipc.addSource({ kind: "bluesky_search", service: "s", handle: "h", query: "q", appPassword: "p" });
    await ipc.openExternal("https://a.example/");
    await ipc.checkQuery("a OR b");
    await ipc.previewQuery("a", 20);
    expect(calls).toEqual([
      { cmd: "dashboard_series", args: { range: "7d" } },
      { cmd: "list_mentions", args: { filter: { watchId: 3, search: "x" } } },
      { cmd: "set_triage", args: { id: 9, triage: "flagged" } },
      { cmd: "add_source", args: { spec: { kind: "bluesky_search", service: "s", handle: "h", query: "q", appPassword: "p" } } },
      { cmd: "open_external", args: { url: "https://a.example/" } },
      { cmd: "check_query", args: { query: "a OR b" } },
      { cmd: "preview_query", args: { query: "a", limit: 20 } },
    ]);
  });

  it("publishing commands use the names and argument keys of docs/IPC.md", async () => {
    const { backend, calls } = testBackend({
      create_profile: {}, set_allowed_handles: {}, set_active_profile: {}, list_accounts: [], connect_account: {},
      begin_mastodon_sign_in: {}, finish_mastodon_sign_in: {}, disconnect_account: {}, credential_is_set: true,
      compose_check: {}, queue_post: {}, outbox: [], cancel_post: {}, retry_post: {}, set_kill_switch: {},
      save_publish_settings: {},
    });
    ipc.setBackend(backend);
    const request = { profileId: 1, accountId: 2, content: { text: "t", images: [] }, typedHandle: "@a@b.c" };
    await ipc.createProfile({ name: "Acme", kind: "brand", colour: "#c92a2a", allowedHandles: ["a@b.c"] });
    await ipc.setAllowedHandles(1, ["a@b.c"]);
    await ipc.setActiveProfile(1);
    await ipc.listAccounts(1);
    await ipc.connectAccount({ profileId: 1, network: "bluesky", server: "https://bsky.social", handle: "a.bsky.social", secret: "p" });
    await ipc.beginMastodonSignIn("https://m.example");
    await ipc.finishMastodonSignIn("flow", 1, null);
    await ipc.disconnectAccount(2);
    await ipc.credentialIsSet(2);
    await ipc.composeCheck(request);
    await ipc.queuePost(request);
    await ipc.outbox(100);
    await ipc.cancelPost(3);
    await ipc.retryPost({ profileId: 1, id: 3, typedHandle: "a@b.c" });
    await ipc.setKillSwitch(true, "why");
    await ipc.savePublishSettings({ undoSecs: 5, audienceThreshold: null });
    expect(calls).toEqual([
      { cmd: "create_profile", args: { spec: { name: "Acme", kind: "brand", colour: "#c92a2a", allowedHandles: ["a@b.c"] } } },
      { cmd: "set_allowed_handles", args: { profileId: 1, handles: ["a@b.c"] } },
      { cmd: "set_active_profile", args: { profileId: 1 } },
      { cmd: "list_accounts", args: { profileId: 1 } },
      { cmd: "connect_account", args: { request: { profileId: 1, network: "bluesky", server: "https://bsky.social", handle: "a.bsky.social", secret: "p" } } },
      { cmd: "begin_mastodon_sign_in", args: { server: "https://m.example" } },
      { cmd: "finish_mastodon_sign_in", args: { flow: "flow", profileId: 1, expectedHandle: null } },
      { cmd: "disconnect_account", args: { accountId: 2 } },
      { cmd: "credential_is_set", args: { accountId: 2 } },
      { cmd: "compose_check", args: { request } },
      { cmd: "queue_post", args: { request } },
      { cmd: "outbox", args: { limit: 100 } },
      { cmd: "cancel_post", args: { id: 3 } },
      { cmd: "retry_post", args: { profileId: 1, id: 3, typedHandle: "a@b.c" } },
      { cmd: "set_kill_switch", args: { on: true, reason: "why" } },
      { cmd: "save_publish_settings", args: { settings: { undoSecs: 5, audienceThreshold: null } } },
    ]);
  });

  it("teamwork commands use the names and argument keys of docs/IPC.md", async () => {
    const names = [
      "my_identity", "create_identity", "list_roster", "export_roster", "import_roster", "set_member", "get_policy", "save_policy",
      "list_drafts", "get_draft", "create_draft", "save_variant", "comment_draft", "list_playbooks", "import_playbook",
      "export_playbook", "use_statement", "request_approval", "review_request", "approve_request", "pre_approve",
      "import_approval", "list_approvals", "requirement", "audit_log", "verify_audit", "account_target",
    ];
    const { backend, calls } = testBackend(Object.fromEntries(names.map((n) => [n, null])));
    ipc.setBackend(backend);
    const content = { text: "t", images: [] };
    const target = { network: "mastodon" as const, server: "https://m.example", remoteId: "1", handle: "a@m.example" };
    const request = { profileId: 1, accountId: 2, content };
    await ipc.myIdentity();
    await ipc.createIdentity("Camille", ["communication"], "low");
    await ipc.listRoster();
    await ipc.exportRoster();
    await ipc.importRoster("[[member]]");
    await ipc.setMember("Camille", null, "high");
    await ipc.getPolicy();
    await ipc.savePolicy("[[rule]]");
    await ipc.listDrafts();
    await ipc.getDraft(7);
    await ipc.createDraft("T", null, [1]);
    await ipc.saveVariant(7, 2, content);
    await ipc.commentDraft(7, "c");
    await ipc.listPlaybooks();
    await ipc.importPlaybook("name = 'x'");
    await ipc.exportPlaybook("x");
    await ipc.useStatement({ playbook: "x", statement: "s", slots: { a: "b" }, accountId: 2 });
    await ipc.requestApproval(7, 2);
    await ipc.reviewRequest("block");
    await ipc.approveRequest("block", "legal", 3600);
    await ipc.preApprove({ playbook: "x", statement: "s", target, maxLevel: "alert", role: "legal", validSecs: 60 });
    await ipc.importApproval("block");
    await ipc.listApprovals();
    await ipc.requirement(request);
    await ipc.auditLog(50);
    await ipc.verifyAudit();
    await ipc.accountTarget(2);
    expect(calls.map((c) => c.cmd)).toEqual(names);
    expect(calls.map((c) => c.args)).toEqual([
      undefined,
      { name: "Camille", roles: ["communication"], autonomy: "low" },
      undefined,
      undefined,
      { text: "[[member]]" },
      { who: "Camille", roles: null, autonomy: "high" },
      undefined,
      { toml: "[[rule]]" },
      undefined,
      { id: 7 },
      { title: "T", watchId: null, mentions: [1] },
      { draftId: 7, accountId: 2, content },
      { draftId: 7, text: "c" },
      undefined,
      { toml: "name = 'x'" },
      { name: "x" },
      { request: { playbook: "x", statement: "s", slots: { a: "b" }, accountId: 2 } },
      { draftId: 7, accountId: 2 },
      { text: "block" },
      { text: "block", role: "legal", validSecs: 3600 },
      { request: { playbook: "x", statement: "s", target, maxLevel: "alert", role: "legal", validSecs: 60 } },
      { text: "block" },
      undefined,
      { request },
      { limit: 50 },
      undefined,
      { accountId: 2 },
    ]);
  });

  it("event helpers listen on the documented event names", async () => {
    const { backend, emit } = testBackend({});
    ipc.setBackend(backend);
    const got: unknown[] = [];
    await ipc.onNewMentions((p) => got.push(p));
    await ipc.onWatchLevel(4, (p) => got.push(p));
    await ipc.onOutboxChanged((p) => got.push(p));
    await ipc.onKillSwitch((p) => got.push(p));
    emit("mentions://new", { count: 2, ids: [1, 2] });
    emit("watch://4/level", { level: "alert" });
    emit("outbox://changed", { ids: [7] });
    emit("publish://kill-switch", { on: true, reason: "r", since: 1 });
    expect(got).toEqual([{ count: 2, ids: [1, 2] }, { level: "alert" }, { ids: [7] }, { on: true, reason: "r", since: 1 }]);
  });

  it("outside Tauri the mock is used; inside, never", () => {
    expect(ipc.isTauri()).toBe(false);
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    expect(ipc.isTauri()).toBe(true);
    delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
  });
});
