import { afterEach, describe, expect, it, vi } from "vitest";
import { setBackend } from "../src/ipc";
import { setLanguage } from "../src/i18n";
import { renderCompose } from "../src/views/compose";
import { renderOutbox } from "../src/views/outbox";
import { renderAccounts } from "../src/views/accounts";
import { topBar, killSwitchBanner } from "../src/views/chrome";
import type { ComposeRequest, KillSwitch } from "../src/types";
import { flush, testBackend, testCtx, XSS } from "./helpers";
import { account, check, post, profile } from "./publishFixtures";

const q = (root: ParentNode, id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const qa = (root: ParentNode, id: string) => [...root.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const off: KillSwitch = { on: false, reason: "", since: null };

function mount() {
  const root = document.createElement("div");
  document.body.appendChild(root);
  return root;
}

function type(el: HTMLInputElement | HTMLTextAreaElement, value: string) {
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

afterEach(() => {
  setBackend(null);
  document.body.replaceChildren();
  vi.useRealTimers();
});

describe("composer and confirmation dialog", () => {
  const brand = profile();
  const acme = account();
  function backend(rule: "click" | "typeHandle", extra: Partial<Parameters<typeof check>[0]> = {}) {
    return testBackend({
      list_accounts: [acme],
      get_publish_settings: { undoSecs: 30, audienceThreshold: 10000 },
      compose_check: (a) => {
        const r = a.request as ComposeRequest;
        const n = Array.from(r.content.text).length;
        return check({ rule: { kind: rule }, count: n, max: 500, ...(r.content.text.trim() ? {} : { problems: ["the post is empty: write something"], invalid: [{ kind: "empty" as const }] }), ...extra });
      },
      queue_post: (a) => post({ id: 42, content: (a.request as ComposeRequest).content }),
    });
  }

  async function ready(rule: "click" | "typeHandle", extra = {}) {
    const b = backend(rule, extra);
    setBackend(b.backend);
    const navigate = vi.fn();
    const root = mount();
    renderCompose(root, testCtx({ publishing: { profiles: [brand], active: brand, killSwitch: off }, navigate }), new URLSearchParams());
    await vi.waitFor(() => expect(q(root, "compose-text")).not.toBeNull());
    return { root, calls: b.calls, navigate };
  }

  it("asks the engine for the counter and shows the user's text as inert text", async () => {
    const { root, calls } = await ready("click");
    type(q(root, "compose-text") as HTMLTextAreaElement, `Bonjour ${XSS}`);
    await vi.waitFor(() => expect(q(root, "compose-counter")?.textContent).toBe(`${8 + XSS.length} / 500`));
    const last = calls.filter((c) => c.cmd === "compose_check").pop()!;
    expect(last.args).toEqual({ request: { profileId: 1, accountId: 5, content: { text: `Bonjour ${XSS}`, images: [] } } });
    expect(q(root, "compose-preview-text")?.textContent).toBe(`Bonjour ${XSS}`);
    expect(root.querySelector("img")).toBeNull();
    expect((q(root, "compose-review") as HTMLButtonElement).disabled).toBe(false);
  });

  it("lists the engine's problems and keeps the review button off", async () => {
    const { root } = await ready("click", {
      problems: ["the text is 600 characters long; this account accepts 500: remove 100"],
      invalid: [{ kind: "tooLong", count: 600, max: 500 }],
      count: 600,
    });
    type(q(root, "compose-text") as HTMLTextAreaElement, "x");
    await vi.waitFor(() => expect(qa(root, "compose-problem")).toHaveLength(1));
    expect(q(root, "compose-problem")?.textContent).toBe("the text is 600 characters long; this account accepts 500: remove 100");
    expect((q(root, "compose-review") as HTMLButtonElement).disabled).toBe(true);
  });

  it("words the engine's problems in French", async () => {
    setLanguage("fr");
    try {
      const { root } = await ready("click", {
        problems: ["the text is 600 characters long; this account accepts 500: remove 100"],
        invalid: [{ kind: "tooLong", count: 600, max: 500 }],
        count: 600,
      });
      type(q(root, "compose-text") as HTMLTextAreaElement, "x");
      await vi.waitFor(() => expect(qa(root, "compose-problem")).toHaveLength(1));
      expect(q(root, "compose-problem")?.textContent).toBe("le texte fait 600 caractères ; ce compte en accepte 500 : retirez-en 100");
    } finally {
      setLanguage("en");
    }
  });

  it("click rule: the dialog names the account, then queues without a typed handle", async () => {
    const { root, calls, navigate } = await ready("click");
    type(q(root, "compose-text") as HTMLTextAreaElement, "Nous rappelons le lot 42.");
    await vi.waitFor(() => expect((q(root, "compose-review") as HTMLButtonElement).disabled).toBe(false));
    q(root, "compose-review")!.click();
    await vi.waitFor(() => expect(q(document, "confirm-dialog")).not.toBeNull());
    const dlg = q(document, "confirm-dialog")!;
    expect(dlg.getAttribute("role")).toBe("dialog");
    expect(dlg.getAttribute("aria-modal")).toBe("true");
    expect(q(dlg, "confirm-handle")?.textContent).toBe("@acme@mastodon.example");
    expect(q(dlg, "confirm-display-name")?.textContent).toBe("Acme");
    expect(q(dlg, "confirm-audience")?.textContent).toContain("1,200 followers");
    expect(q(dlg, "confirm-profile")?.textContent).toContain("Brand");
    expect(q(dlg, "confirm-profile")?.textContent).toContain("Acme");
    expect(q(dlg, "confirm-level")?.dataset.level).toBe("calm");
    expect(q(dlg, "confirm-avatar-initials")?.textContent).toBe("A");
    expect(q(dlg, "confirm-type-handle")).toBeNull();
    // Cancel has the focus: Enter does not publish by accident.
    expect(document.activeElement).toBe(q(dlg, "confirm-cancel"));
    const publish = q(dlg, "confirm-publish") as HTMLButtonElement;
    expect(publish.disabled).toBe(false);
    publish.click();
    await vi.waitFor(() => expect(calls.some((c) => c.cmd === "queue_post")).toBe(true));
    expect(calls.find((c) => c.cmd === "queue_post")!.args).toEqual({
      request: { profileId: 1, accountId: 5, content: { text: "Nous rappelons le lot 42.", images: [] } },
    });
    await vi.waitFor(() => expect(q(document, "confirm-dialog")).toBeNull());
    expect(navigate).toHaveBeenCalledWith("#/outbox?post=42");
  });

  it("typeHandle rule: Publish stays disabled until the handle matches, and sends what was typed", async () => {
    const { root, calls } = await ready("typeHandle", { level: "crisis" });
    type(q(root, "compose-text") as HTMLTextAreaElement, "Communiqué");
    await vi.waitFor(() => expect((q(root, "compose-review") as HTMLButtonElement).disabled).toBe(false));
    q(root, "compose-review")!.click();
    await vi.waitFor(() => expect(q(document, "confirm-type-handle")).not.toBeNull());
    const input = q(document, "confirm-type-handle") as HTMLInputElement;
    const publish = q(document, "confirm-publish") as HTMLButtonElement;
    expect(document.activeElement).toBe(input);
    expect(publish.disabled).toBe(true);
    type(input, "@acme@mastodon");
    expect(publish.disabled).toBe(true);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    publish.click();
    await flush();
    expect(calls.some((c) => c.cmd === "queue_post")).toBe(false);
    type(input, "@ACME@mastodon.example");
    expect(publish.disabled).toBe(false);
    publish.click();
    await vi.waitFor(() => expect(calls.some((c) => c.cmd === "queue_post")).toBe(true));
    expect((calls.find((c) => c.cmd === "queue_post")!.args!.request as ComposeRequest).typedHandle).toBe("@ACME@mastodon.example");
  });

  /** Composes "x", reviews and presses Publish with `queue_post` refused by `error`. */
  async function publishRefused(error: Record<string, unknown>) {
    const b = backend("click");
    setBackend({ ...b.backend, invoke: async <T,>(cmd: string, args?: Record<string, unknown>) => {
      if (cmd === "queue_post") throw error;
      return b.backend.invoke<T>(cmd, args);
    } });
    const root = mount();
    renderCompose(root, testCtx({ publishing: { profiles: [brand], active: brand, killSwitch: off } }), new URLSearchParams());
    await vi.waitFor(() => expect(q(root, "compose-text")).not.toBeNull());
    type(q(root, "compose-text") as HTMLTextAreaElement, "x");
    await vi.waitFor(() => expect((q(root, "compose-review") as HTMLButtonElement).disabled).toBe(false));
    q(root, "compose-review")!.click();
    await vi.waitFor(() => expect(q(document, "confirm-publish")).not.toBeNull());
    q(document, "confirm-publish")!.click();
  }

  it("an engine refusal is shown in the dialog, in its own words", async () => {
    await publishRefused({ code: "refused", message: "not approved for @acme@mastodon.example" });
    await vi.waitFor(() => expect(q(document, "confirm-error")?.textContent).toBe("not approved for @acme@mastodon.example"));
    expect(q(document, "confirm-dialog")).not.toBeNull();
  });

  it("a refusal that comes with its data is worded in French in the dialog", async () => {
    setLanguage("fr");
    try {
      const refusal = { kind: "notApproved", handle: "acme@mastodon.example", unmet: { kind: "role", role: "legal" }, hasIdentity: true };
      await publishRefused({ code: "refused", message: "not approved for @acme@mastodon.example: …", refusal });
      await vi.waitFor(() => expect(q(document, "confirm-error")?.textContent).toBe(
        "pas de validation pour @acme@mastodon.example : il faut la validation d'une personne ayant le rôle « legal ». Demandez une validation (exportez une demande depuis le brouillon).",
      ));
    } finally {
      setLanguage("en");
    }
  });

  it("Escape closes the dialog; the kill switch is announced in it", async () => {
    const { root } = await ready("click", { killSwitch: { on: true, reason: "Rumeur à vérifier", since: 1 } });
    type(q(root, "compose-text") as HTMLTextAreaElement, "x");
    await vi.waitFor(() => expect((q(root, "compose-review") as HTMLButtonElement).disabled).toBe(false));
    q(root, "compose-review")!.click();
    await vi.waitFor(() => expect(q(document, "confirm-kill-switch")).not.toBeNull());
    expect(q(document, "confirm-kill-switch")?.textContent).toContain("Rumeur à vérifier");
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(q(document, "confirm-dialog")).toBeNull();
  });

  it("without a profile, the composer points to Accounts", () => {
    const root = mount();
    renderCompose(root, testCtx(), new URLSearchParams());
    expect(q(root, "compose-go-accounts")?.getAttribute("href")).toBe("#/accounts");
  });
});

describe("outbox", () => {
  const acme = account();
  function outboxBackend(posts: ReturnType<typeof post>[], rule: "click" | "typeHandle" = "click") {
    return testBackend({
      list_profiles: [profile()],
      list_accounts: [acme],
      outbox: posts,
      cancel_post: (a) => post({ id: a.id as number, state: "cancelled" }),
      retry_post: (a) => post({ id: a.id as number }),
      compose_check: () => check({ rule: { kind: rule }, level: "alert" }),
      get_publish_settings: { undoSecs: 30, audienceThreshold: 10000 },
      open_external: null,
    });
  }

  it("a queued post counts down with Cancel; failed has Retry and its error; sent links out", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(1_700_000_010 * 1000));
    const b = outboxBackend([
      post({ id: 3, state: "queued", sendAfter: 1_700_000_030 }),
      post({ id: 2, state: "failed", attempts: 5, lastError: `the server could not be reached ${XSS}` }),
      post({ id: 1, state: "sent", sentAt: 1_700_000_000, remoteUrl: "http://127.0.0.1:9/@alice/1" }),
      post({ id: 0, state: "sent", remoteUrl: "javascript:alert(1)" }),
    ]);
    setBackend(b.backend);
    const root = mount();
    const cleanup = renderOutbox(root, testCtx({ publishing: { profiles: [profile()], active: profile(), killSwitch: off } }), new URLSearchParams());
    await vi.waitFor(() => expect(qa(root, "outbox-item")).toHaveLength(4));
    const [queued, failed, sent, bad] = qa(root, "outbox-item");
    expect(queued.dataset.state).toBe("queued");
    expect(q(queued, "outbox-countdown")?.textContent).toBe("goes out in 0:20");
    expect(q(queued, "outbox-account")?.textContent).toContain("@acme@mastodon.example");
    expect(q(failed, "outbox-error")?.textContent).toContain(XSS);
    expect(root.querySelector("img")).toBeNull();
    expect(q(sent, "outbox-cancel")).toBeNull();
    expect(q(bad, "outbox-open")).toBeNull();
    q(sent, "outbox-open")!.click();
    q(queued, "outbox-cancel")!.click();
    // Retry is confirmed like a new post, as the active profile's.
    q(failed, "outbox-retry")!.click();
    await vi.waitFor(() => expect(q(document, "confirm-dialog")).not.toBeNull());
    expect(q(document, "confirm-dialog")!.textContent).toContain("Try sending this post again?");
    expect(b.calls.some((c) => c.cmd === "retry_post")).toBe(false);
    q(document, "confirm-publish")!.click();
    await vi.waitFor(() => expect(b.calls.filter((c) => ["cancel_post", "retry_post", "open_external"].includes(c.cmd))).toHaveLength(3));
    expect(b.calls).toContainEqual({ cmd: "open_external", args: { url: "http://127.0.0.1:9/@alice/1" } });
    expect(b.calls).toContainEqual({ cmd: "cancel_post", args: { id: 3 } });
    expect(b.calls).toContainEqual({ cmd: "retry_post", args: { profileId: profile().id, id: 2 } });
    expect(b.calls).toContainEqual({ cmd: "compose_check", args: { request: { profileId: profile().id, accountId: 5, content: { text: "Hello", images: [] } } } });
    cleanup();
  });

  it("a retry at a level that asks for the handle waits for it, typed in full", async () => {
    const b = outboxBackend([post({ id: 2, state: "failed", attempts: 5 })], "typeHandle");
    setBackend(b.backend);
    const root = mount();
    const cleanup = renderOutbox(root, testCtx({ publishing: { profiles: [profile()], active: profile(), killSwitch: off } }), new URLSearchParams());
    await vi.waitFor(() => expect(q(root, "outbox-retry")).not.toBeNull());
    const retry = q(root, "outbox-retry")!;
    retry.focus();
    retry.click();
    await vi.waitFor(() => expect(q(document, "confirm-type-handle")).not.toBeNull());
    const input = q(document, "confirm-type-handle") as HTMLInputElement;
    const confirm = q(document, "confirm-publish") as HTMLButtonElement;
    type(input, "acme");
    expect(confirm.disabled).toBe(true);
    type(input, "@acme@mastodon.example");
    expect(confirm.disabled).toBe(false);
    confirm.click();
    await vi.waitFor(() => expect(b.calls).toContainEqual({ cmd: "retry_post", args: { profileId: profile().id, id: 2, typedHandle: "@acme@mastodon.example" } }));
    cleanup();
  });

  it("the list redrawn under the keyboard keeps the focus on the same button", async () => {
    const b = outboxBackend([post({ id: 3, state: "queued", sendAfter: 4_000_000_000 }), post({ id: 4, state: "queued", sendAfter: 4_000_000_000 })]);
    setBackend(b.backend);
    const root = mount();
    const cleanup = renderOutbox(root, testCtx({ publishing: { profiles: [profile()], active: profile(), killSwitch: off } }), new URLSearchParams());
    await vi.waitFor(() => expect(qa(root, "outbox-cancel")).toHaveLength(2));
    const before = qa(root, "outbox-cancel")[1];
    before.focus();
    const loads = b.calls.filter((c) => c.cmd === "outbox").length;
    // What every outbox://changed event (and the safety-net timer) does: load and redraw.
    b.emit("outbox://changed", { ids: [3] });
    await vi.waitFor(() => expect(b.calls.filter((c) => c.cmd === "outbox").length).toBe(loads + 1));
    await vi.waitFor(() => expect(qa(root, "outbox-cancel")[1]).not.toBe(before));
    const after = qa(root, "outbox-cancel")[1];
    expect(document.activeElement).toBe(after);
    expect(after.closest<HTMLElement>("[data-post-id]")?.dataset.postId).toBe("4");
    cleanup();
  });

  it("a failed post's error is worded in French from the data the engine kept", async () => {
    setLanguage("fr");
    try {
      const b = outboxBackend([
        post({
          id: 2, state: "failed", attempts: 5,
          lastError: "the server could not be reached (connection refused) (after 5 attempts, Vigie stopped trying: press retry once this is solved)",
          lastProblem: { kind: "gaveUp", attempts: 5, cause: { kind: "unreachable", detail: "connection refused" } },
        }),
        post({ id: 1, state: "failed", lastError: "an error stored before Vigie kept it as data", lastProblem: null }),
      ]);
      setBackend(b.backend);
      const root = mount();
      const cleanup = renderOutbox(root, testCtx({ publishing: { profiles: [profile()], active: profile(), killSwitch: off } }), new URLSearchParams());
      await vi.waitFor(() => expect(qa(root, "outbox-item")).toHaveLength(2));
      const [gaveUp, old] = qa(root, "outbox-item");
      expect(q(gaveUp, "outbox-error")?.textContent).toBe(
        "Dernière erreur : impossible de joindre le serveur (connection refused) (après 5 tentatives, Vigie a cessé d'essayer : appuyez sur Réessayer une fois le problème réglé)",
      );
      expect(q(old, "outbox-error")?.textContent).toContain("an error stored before Vigie kept it as data");
      cleanup();
    } finally {
      setLanguage("en");
    }
  });

  it("with the kill switch on, queued posts are shown as held, without a countdown but still cancellable", async () => {
    const b = outboxBackend([post({ id: 3, state: "queued", sendAfter: Math.floor(Date.now() / 1000) + 30 })]);
    setBackend(b.backend);
    const root = mount();
    const cleanup = renderOutbox(root, testCtx({ publishing: { profiles: [profile()], active: profile(), killSwitch: { on: true, reason: "r", since: 1 } } }), new URLSearchParams());
    await vi.waitFor(() => expect(qa(root, "outbox-item")).toHaveLength(1));
    const item = q(root, "outbox-item")!;
    expect(item.dataset.held).toBe("true");
    expect(q(item, "outbox-state")?.textContent).toBe("Held: publishing paused");
    expect(q(item, "outbox-countdown")?.hidden).toBe(true);
    expect(q(item, "outbox-cancel")).not.toBeNull();
    expect(q(root, "outbox-held-count")?.textContent).toBe("1 held");
    cleanup();
  });
});

describe("accounts and profiles", () => {
  it("a pasted token goes to connect_account once, then the field is empty", async () => {
    const brand = profile({ allowedHandles: ["alice@127.0.0.1:8080"] });
    const b = testBackend({
      list_accounts: [],
      connect_account: (a) => account({ handle: "alice@127.0.0.1:8080", server: (a.request as { server: string }).server }),
      credential_is_set: true,
    });
    setBackend(b.backend);
    const root = mount();
    renderAccounts(root, testCtx({ publishing: { profiles: [brand], active: brand, killSwitch: off } }));
    await vi.waitFor(() => expect(q(root, "connect-mastodon-token")).not.toBeNull());
    type(q(root, "connect-mastodon-server") as HTMLInputElement, "http://127.0.0.1:8080");
    type(q(root, "connect-mastodon-handle") as HTMLInputElement, "alice");
    const token = q(root, "connect-mastodon-token") as HTMLInputElement;
    expect(token.type).toBe("password");
    type(token, "s3cret-token");
    q(root, "connect-mastodon-token-submit")!.click();
    await vi.waitFor(() => expect(b.calls.some((c) => c.cmd === "connect_account")).toBe(true));
    expect(b.calls.find((c) => c.cmd === "connect_account")!.args).toEqual({
      request: { profileId: 1, network: "mastodon", server: "http://127.0.0.1:8080", handle: "alice", secret: "s3cret-token" },
    });
    await vi.waitFor(() => expect(token.value).toBe(""));
  });

  it("a refusal from the engine is shown in plain words and the app password is cleared", async () => {
    const personal = profile({ id: 2, kind: "personal", allowedHandles: [] });
    const b = testBackend({ list_accounts: [] });
    setBackend({ ...b.backend, invoke: async <T,>(cmd: string, args?: Record<string, unknown>) => {
      if (cmd === "connect_account") throw { code: "auth", message: "the server refused this app password: check it" };
      return b.backend.invoke<T>(cmd, args);
    } });
    const root = mount();
    renderAccounts(root, testCtx({ publishing: { profiles: [personal], active: personal, killSwitch: off } }));
    await vi.waitFor(() => expect(q(root, "connect-tab-bluesky")).not.toBeNull());
    q(root, "connect-tab-bluesky")!.click();
    expect((q(root, "connect-bluesky-service") as HTMLInputElement).value).toBe("https://bsky.social");
    type(q(root, "connect-bluesky-handle") as HTMLInputElement, "@claire.bsky.social");
    type(q(root, "connect-bluesky-password") as HTMLInputElement, "abcd-efgh-ijkl-mnop");
    q(root, "connect-bluesky-submit")!.click();
    await vi.waitFor(() => expect(q(root, "connect-error")?.textContent).toBe("the server refused this app password: check it"));
    expect(q(root, "connect-error")?.hidden).toBe(false);
    expect((q(root, "connect-bluesky-password") as HTMLInputElement).value).toBe("");
  });

  it("a brand profile needs an allow-list; create_profile gets the normalised handles", async () => {
    const b = testBackend({ create_profile: (a) => ({ id: 7, ...(a.spec as object) }) });
    setBackend(b.backend);
    const root = mount();
    renderAccounts(root, testCtx());
    type(q(root, "profile-name") as HTMLInputElement, "Acme");
    q(root, "profile-create")!.click();
    await flush();
    expect(q(root, "profile-error")?.textContent).toBe("A brand profile needs at least one allowed account.");
    type(q(root, "profile-allowed") as HTMLTextAreaElement, "@Alice@127.0.0.1:8080\nacme");
    q(root, "profile-create")!.click();
    await flush();
    expect(q(root, "profile-error")?.textContent).toContain("“acme” is not a full handle");
    type(q(root, "profile-allowed") as HTMLTextAreaElement, "@Alice@127.0.0.1:8080");
    q(root, "profile-create")!.click();
    await vi.waitFor(() => expect(b.calls.some((c) => c.cmd === "create_profile")).toBe(true));
    expect(b.calls.find((c) => c.cmd === "create_profile")!.args).toEqual({
      spec: { name: "Acme", kind: "brand", colour: "#c92a2a", allowedHandles: ["alice@127.0.0.1:8080"] },
    });
  });

  it("lists the accounts of the active profile only, with the credential indicator", async () => {
    const brand = profile();
    const b = testBackend({ list_accounts: (a) => (a.profileId === 1 ? [account()] : [account({ id: 9, profileId: 2 })]), credential_is_set: false });
    setBackend(b.backend);
    const root = mount();
    renderAccounts(root, testCtx({ publishing: { profiles: [brand, profile({ id: 2, kind: "personal" })], active: brand, killSwitch: off } }));
    await vi.waitFor(() => expect(qa(root, "account-row")).toHaveLength(1));
    expect(b.calls.filter((c) => c.cmd === "list_accounts").map((c) => c.args)).toEqual([{ profileId: 1 }]);
    await vi.waitFor(() => expect(q(root, "account-credential")?.dataset.set).toBe("false"));
    expect(q(root, "account-credential")?.textContent).toBe("No credential stored: reconnect this account");
  });
});

describe("chrome: profile indicator and kill switch", () => {
  it("shows the active profile's name, kind and colour, and a switcher when there are several", () => {
    const brand = profile();
    const bar = topBar(testCtx({ publishing: { profiles: [brand, profile({ id: 2, name: "Moi", kind: "personal", colour: "#2f9e44" })], active: brand, killSwitch: off } }));
    const ind = q(bar, "profile-indicator")!;
    expect(ind.dataset.kind).toBe("brand");
    expect(ind.textContent).toContain("Acme");
    expect(ind.textContent).toContain("Brand");
    expect(q(bar, "profile-current")?.style.getPropertyValue("--profile-colour")).toBe("#c92a2a");
    expect((q(bar, "profile-switcher") as HTMLSelectElement).value).toBe("1");
  });

  it("pausing asks for a reason; the banner shows it as text", async () => {
    const ks: KillSwitch = { on: true, reason: XSS, since: 1_700_000_000 };
    const b = testBackend({ set_kill_switch: () => ks });
    setBackend(b.backend);
    const ctx = testCtx({ publishing: { profiles: [], active: null, killSwitch: off } });
    document.body.appendChild(topBar(ctx));
    q(document, "kill-switch-toggle")!.click();
    const reason = q(document, "kill-switch-reason") as HTMLInputElement;
    expect(document.activeElement).toBe(reason);
    q(document, "kill-switch-confirm")!.click();
    await flush();
    expect(q(document, "kill-switch-error")?.textContent).toBe("Say why publishing is paused.");
    expect(b.calls).toHaveLength(0);
    type(reason, XSS);
    q(document, "kill-switch-confirm")!.click();
    await vi.waitFor(() => expect(b.calls).toEqual([{ cmd: "set_kill_switch", args: { on: true, reason: XSS } }]));
    await vi.waitFor(() => expect(q(document, "kill-switch-dialog")).toBeNull());
    const banner = killSwitchBanner(testCtx({ publishing: { profiles: [], active: null, killSwitch: ks } }));
    expect(q(banner, "kill-switch-reason-text")?.textContent).toBe(XSS);
    expect(banner.querySelector("img")).toBeNull();
  });
});
