import { hasUnsavedInput } from "../src/dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setBackend } from "../src/ipc";
import { setLanguage } from "../src/i18n";
import { renderTeam } from "../src/views/team";
import { renderDrafts } from "../src/views/drafts";
import { renderApprovals } from "../src/views/approvals";
import { renderPlaybooks } from "../src/views/playbooks";
import { renderAudit } from "../src/views/audit";
import { renderCompose } from "../src/views/compose";
import type { ComposeRequest, KillSwitch } from "../src/types";
import { flush, testBackend, testCtx, XSS } from "./helpers";
import { account, check, profile } from "./publishFixtures";
import { CAMILLE, detail, draft, entry, me, member, playbook, request, stored, variant } from "./teamFixtures";

const q = (root: ParentNode, id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const qa = (root: ParentNode, id: string) => [...root.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const off: KillSwitch = { on: false, reason: "", since: null };
const brand = profile();
const acme = account();
const publishing = { profiles: [brand], active: brand, killSwitch: off };
const REQUEST_BLOCK = "-----BEGIN VIGIE APPROVAL REQUEST-----\neyJ2IjoxfQ==\n-----SIGNATURE-----\nAAAA\n-----END VIGIE APPROVAL REQUEST-----\n";
const APPROVAL_BLOCK = "-----BEGIN VIGIE APPROVAL-----\neyJ2IjoxfQ==\n-----SIGNATURE-----\nBBBB\n-----END VIGIE APPROVAL-----\n";

function mount() {
  const root = document.createElement("div");
  document.body.appendChild(root);
  return root;
}

function type(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string) {
  el.value = value;
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? "change" : "input", { bubbles: true }));
}

function refusing(b: ReturnType<typeof testBackend>, cmd: string, message: string) {
  setBackend({ ...b.backend, invoke: async <T,>(c: string, args?: Record<string, unknown>) => {
    if (c === cmd) {
      b.calls.push({ cmd: c, args });
      throw { code: "refused", message };
    }
    return b.backend.invoke<T>(c, args);
  } });
}

afterEach(() => {
  setBackend(null);
  document.body.replaceChildren();
  vi.useRealTimers();
});

describe("team", () => {
  it("first time: creates my identity with name, roles and autonomy", async () => {
    let mine: ReturnType<typeof me> | null = null;
    const b = testBackend({
      my_identity: () => mine,
      list_roster: () => (mine ? [mine] : []),
      get_policy: "",
      create_identity: (a) => (mine = me({ name: a.name as string, roles: a.roles as string[], autonomy: a.autonomy as "low" })),
    });
    setBackend(b.backend);
    const root = mount();
    renderTeam(root, testCtx());
    await vi.waitFor(() => expect(q(root, "identity-create")).not.toBeNull());
    q(root, "identity-create")!.click();
    await flush();
    expect(q(root, "identity-error")?.textContent).toBe("Enter your name.");
    type(q(root, "identity-name") as HTMLInputElement, "Camille");
    type(q(root, "identity-roles") as HTMLInputElement, "Communication, porte-parole");
    type(q(root, "identity-autonomy") as HTMLSelectElement, "low");
    q(root, "identity-create")!.click();
    await vi.waitFor(() => expect(q(root, "me-name")?.textContent).toBe("Camille"));
    expect(b.calls.find((c) => c.cmd === "create_identity")!.args).toEqual({ name: "Camille", roles: ["communication", "porte-parole"], autonomy: "low" });
    expect(q(root, "me-key")?.textContent).toBe(CAMILLE);
    expect(q(root, "me-autonomy")?.dataset.autonomy).toBe("low");
    expect(qa(root, "roster-row")).toHaveLength(1);
    expect(q(root, "roster-me")).not.toBeNull();
  });

  it("the engine's refusal is shown when the identity cannot be created", async () => {
    const b = testBackend({ my_identity: null, list_roster: [], get_policy: "" });
    refusing(b, "create_identity", "this Vigie already has an identity");
    const root = mount();
    renderTeam(root, testCtx());
    await vi.waitFor(() => expect(q(root, "identity-name")).not.toBeNull());
    type(q(root, "identity-name") as HTMLInputElement, "X");
    q(root, "identity-create")!.click();
    await vi.waitFor(() => expect(q(root, "identity-error")?.textContent).toBe("this Vigie already has an identity"));
  });

  it("lists the roster, edits roles and autonomy, exports and imports as text", async () => {
    const durand = member({ name: XSS });
    const b = testBackend({
      my_identity: () => me(),
      list_roster: [me(), durand],
      get_policy: "",
      set_member: (a) => ({ ...durand, roles: a.roles, autonomy: a.autonomy }),
      export_roster: '[[member]]\nkey = "k"\nname = "Camille"\n',
      import_roster: 2,
    });
    setBackend(b.backend);
    const root = mount();
    renderTeam(root, testCtx());
    await vi.waitFor(() => expect(qa(root, "roster-row")).toHaveLength(2));
    const row = qa(root, "roster-row")[1];
    expect(q(row, "roster-name")?.textContent).toBe(XSS);
    expect(root.querySelector("img")).toBeNull();
    expect(q(row, "roster-roles")?.textContent).toBe("legal");
    expect(q(row, "roster-autonomy")?.textContent).toBe("Medium");
    // Escape leaves the edit as it was, the keyboard back on "Edit".
    q(row, "roster-edit")!.click();
    q(row, "roster-edit-roles")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(q(row, "roster-edit-roles")).toBeNull();
    expect(document.activeElement).toBe(q(row, "roster-edit"));
    q(row, "roster-edit")!.click();
    type(q(row, "roster-edit-roles") as HTMLInputElement, "legal, Direction");
    type(q(row, "roster-edit-autonomy") as HTMLSelectElement, "high");
    q(row, "roster-save")!.click();
    await vi.waitFor(() => expect(b.calls.some((c) => c.cmd === "set_member")).toBe(true));
    expect(b.calls.find((c) => c.cmd === "set_member")!.args).toEqual({ who: durand.key, roles: ["legal", "direction"], autonomy: "high" });

    q(root, "roster-export")!.click();
    await vi.waitFor(() => expect((q(root, "roster-export-text") as HTMLTextAreaElement | null)?.value).toContain("[[member]]"));
    expect((q(root, "roster-export-text") as HTMLTextAreaElement).readOnly).toBe(true);
    expect(q(root, "roster-export-copy")).not.toBeNull();

    const area = q(root, "roster-import-text") as HTMLTextAreaElement;
    q(root, "roster-import")!.click();
    await flush();
    expect(q(root, "roster-import-error")?.textContent).toBe("Paste the team file first.");
    type(area, '[[member]]\nkey = "x"\nname = "Durand"\n');
    q(root, "roster-import")!.click();
    await vi.waitFor(() => expect(q(root, "roster-import-result")?.textContent).toBe("2 members imported"));
    expect(b.calls.find((c) => c.cmd === "import_roster")!.args).toEqual({ text: '[[member]]\nkey = "x"\nname = "Durand"\n' });
  });

  it("the policy editor saves the TOML and shows the engine's refusal of invalid text", async () => {
    const policy = '[[rule]]\nname = "crisis"\nmin_level = "crisis"\napprovals = 2\n';
    const b = testBackend({ my_identity: () => me(), list_roster: [me()], get_policy: policy, save_policy: { rule: [{ name: "crisis", approvals: 2 }] } });
    setBackend(b.backend);
    const root = mount();
    renderTeam(root, testCtx());
    await vi.waitFor(() => expect((q(root, "policy-text") as HTMLTextAreaElement | null)?.value).toBe(policy));
    // The policy as loaded is nothing typed: the window may be released (hasUnsavedInput).
    expect(hasUnsavedInput(root)).toBe(false);
    q(root, "policy-save")!.click();
    await vi.waitFor(() => expect(q(root, "policy-saved")?.textContent).toBe("Policy saved: 1 rule"));
    expect(b.calls.find((c) => c.cmd === "save_policy")!.args).toEqual({ toml: policy });
    refusing(b, "save_policy", "the policy file is not valid: TOML parse error at line 1, column 5");
    type(q(root, "policy-text") as HTMLTextAreaElement, "[[rule]\n");
    expect(hasUnsavedInput(root)).toBe(true);
    q(root, "policy-save")!.click();
    await vi.waitFor(() => expect(q(root, "policy-error")?.textContent).toBe("the policy file is not valid: TOML parse error at line 1, column 5"));
    expect(q(root, "policy-error")?.hidden).toBe(false);
    q(root, "policy-revert")!.click();
    expect((q(root, "policy-text") as HTMLTextAreaElement).value).toBe(policy);
  });
});

describe("drafts", () => {
  it("lists drafts and creates one, then opens it", async () => {
    const b = testBackend({ list_drafts: [draft({ title: XSS })], list_roster: [me()], my_identity: () => me(), create_draft: (a) => draft({ id: 12, title: a.title as string }) });
    setBackend(b.backend);
    const navigate = vi.fn();
    const root = mount();
    renderDrafts(root, testCtx({ navigate }), new URLSearchParams(), []);
    await vi.waitFor(() => expect(qa(root, "draft-row")).toHaveLength(1));
    expect(q(root, "draft-open")?.textContent).toBe(XSS);
    expect(q(root, "draft-open")?.getAttribute("href")).toBe("#/drafts/7");
    expect(root.querySelector("img")).toBeNull();
    expect(q(root, "drafts-need-identity")).toBeNull();
    type(q(root, "draft-title") as HTMLInputElement, "Réponse au rappel");
    q(root, "draft-create")!.click();
    await vi.waitFor(() => expect(navigate).toHaveBeenCalledWith("#/drafts/12"));
    expect(b.calls.find((c) => c.cmd === "create_draft")!.args).toEqual({ title: "Réponse au rappel", watchId: null, mentions: [] });
  });

  it("without an identity, says so and points to Team", async () => {
    const b = testBackend({ list_drafts: [], list_roster: [], my_identity: null });
    setBackend(b.backend);
    const root = mount();
    renderDrafts(root, testCtx(), new URLSearchParams(), []);
    await vi.waitFor(() => expect(q(root, "drafts-need-identity")).not.toBeNull());
    expect(q(root, "drafts-need-identity")!.querySelector("a")?.getAttribute("href")).toBe("#/team");
  });

  function editorBackend(over: Record<string, unknown> = {}) {
    const other = account({ id: 6, network: "bluesky", server: "https://bsky.example", handle: "acme.bsky.example" });
    return testBackend({
      get_draft: () => detail({ comments: [{ id: 1, authorKey: CAMILLE, authorName: "Camille", text: XSS, at: 1_700_000_100 }] }),
      list_roster: [me(), member()],
      list_profiles: [brand],
      list_accounts: [acme, other],
      list_approvals: [stored()],
      compose_check: (a) => {
        const r = a.request as ComposeRequest;
        return check({ count: Array.from(r.content.text).length, max: r.accountId === 6 ? 300 : 500, ...(r.content.text.trim() ? {} : { problems: ["the post is empty: write something"], invalid: [{ kind: "empty" as const }] }) });
      },
      requirement: { approvals: 1, roles: [], because: ["author without autonomy: one validator"] },
      save_variant: (a) => draft({ variants: [variant({ content: a.content as never, version: 3 })] }),
      request_approval: REQUEST_BLOCK,
      comment_draft: () => detail(),
      ...over,
    });
  }

  it("the editor has one variant per account of the active profile, with counter, requirement and approvals", async () => {
    const b = editorBackend();
    setBackend(b.backend);
    const root = mount();
    renderDrafts(root, testCtx({ publishing }), new URLSearchParams(), ["7"]);
    await vi.waitFor(() => expect(qa(root, "draft-variant")).toHaveLength(2));
    const [mastodon, bluesky] = qa(root, "draft-variant");
    expect(mastodon.dataset.accountId).toBe("5");
    expect((q(mastodon, "variant-text") as HTMLTextAreaElement).value).toBe("Texte validé");
    expect(q(mastodon, "variant-version")?.textContent).toContain("Version 2 by Camille");
    await vi.waitFor(() => expect(q(mastodon, "variant-counter")?.textContent).toBe("12 / 500"));
    expect(q(mastodon, "variant-requirement")?.textContent).toBe("Needs 1 approval: author without autonomy: one validator.");
    expect(q(mastodon, "variant-requirement")?.dataset.approvals).toBe("1");
    expect(q(mastodon, "variant-approvals")?.textContent).toBe("Approved for this version by Maître Durand (legal)");
    expect((q(mastodon, "variant-save") as HTMLButtonElement).disabled).toBe(true);
    expect((q(mastodon, "variant-request") as HTMLButtonElement).disabled).toBe(false);
    // No text yet for the Bluesky account: nothing to request or publish.
    expect(q(bluesky, "variant-version")?.dataset.version).toBe("0");
    expect((q(bluesky, "variant-request") as HTMLButtonElement).disabled).toBe(true);
    expect((q(bluesky, "variant-publish") as HTMLButtonElement).disabled).toBe(true);
    // Comments and history are text.
    expect(q(root, "comment-text")?.textContent).toBe(XSS);
    expect(root.querySelector("img")).toBeNull();
    expect(qa(root, "history-item").map((x) => x.dataset.version)).toEqual(["2", "1"]);
    expect(q(qa(root, "history-item")[0], "history-author")?.textContent).toBe("Maître Durand");
  });

  it("editing makes a new version; request and publish wait for the save", async () => {
    const b = editorBackend();
    setBackend(b.backend);
    const navigate = vi.fn();
    const root = mount();
    renderDrafts(root, testCtx({ publishing, navigate }), new URLSearchParams(), ["7"]);
    await vi.waitFor(() => expect(qa(root, "draft-variant")).toHaveLength(2));
    let card = qa(root, "draft-variant")[0];
    type(q(card, "variant-text") as HTMLTextAreaElement, "Texte révisé");
    expect((q(card, "variant-request") as HTMLButtonElement).disabled).toBe(true);
    expect((q(card, "variant-publish") as HTMLButtonElement).disabled).toBe(true);
    expect(q(card, "variant-dirty")?.hidden).toBe(false);
    q(card, "variant-save")!.click();
    await vi.waitFor(() => expect(b.calls.some((c) => c.cmd === "save_variant")).toBe(true));
    expect(b.calls.find((c) => c.cmd === "save_variant")!.args).toEqual({ draftId: 7, accountId: 5, content: { text: "Texte révisé", images: [] } });
    await vi.waitFor(() => expect(b.calls.filter((c) => c.cmd === "get_draft")).toHaveLength(2));

    card = qa(root, "draft-variant")[0];
    await vi.waitFor(() => expect((q(card, "variant-request") as HTMLButtonElement).disabled).toBe(false));
    q(card, "variant-request")!.click();
    await vi.waitFor(() => expect((q(root, "variant-request-block") as HTMLTextAreaElement | null)?.value).toBe(REQUEST_BLOCK));
    expect(b.calls.find((c) => c.cmd === "request_approval")!.args).toEqual({ draftId: 7, accountId: 5 });
    q(card, "variant-publish")!.click();
    expect(navigate).toHaveBeenCalledWith("#/compose?draft=7&account=5");
  });

  it("a variant too long for its network says so in French, from the engine's data", async () => {
    setLanguage("fr");
    try {
      const b = editorBackend({
        compose_check: (a: Record<string, unknown>) => {
          const r = a.request as ComposeRequest;
          const n = Array.from(r.content.text).length;
          return check({ count: n, max: 300, ...(n > 300 ? { problems: ["…"], invalid: [{ kind: "tooLong" as const, count: n, max: 300 }] } : {}) });
        },
      });
      setBackend(b.backend);
      const root = mount();
      renderDrafts(root, testCtx({ publishing }), new URLSearchParams(), ["7"]);
      await vi.waitFor(() => expect(qa(root, "draft-variant")).toHaveLength(2));
      const card = qa(root, "draft-variant")[1];
      type(q(card, "variant-text") as HTMLTextAreaElement, "x".repeat(310));
      await vi.waitFor(() => expect(q(card, "variant-problem")?.textContent).toBe(
        "le texte fait 310 caractères ; ce compte en accepte 300 : retirez-en 10",
      ));
    } finally {
      setLanguage("en");
    }
  });

  it("an older version can be viewed and put back in the editor; comments are added", async () => {
    const b = editorBackend();
    setBackend(b.backend);
    const root = mount();
    renderDrafts(root, testCtx({ publishing }), new URLSearchParams(), ["7"]);
    await vi.waitFor(() => expect(qa(root, "history-item")).toHaveLength(2));
    const old = qa(root, "history-item")[1];
    expect(q(old, "history-text")?.closest(".history-body")?.hasAttribute("hidden")).toBe(true);
    q(old, "history-view")!.click();
    expect(q(old, "history-text")?.textContent).toBe("Premier jet");
    q(old, "history-restore")!.click();
    const card = qa(root, "draft-variant")[0];
    expect((q(card, "variant-text") as HTMLTextAreaElement).value).toBe("Premier jet");
    expect((q(card, "variant-save") as HTMLButtonElement).disabled).toBe(false);
    type(q(root, "comment-input") as HTMLTextAreaElement, "  Relu, OK  ");
    q(root, "comment-add")!.click();
    await vi.waitFor(() => expect(b.calls.some((c) => c.cmd === "comment_draft")).toBe(true));
    expect(b.calls.find((c) => c.cmd === "comment_draft")!.args).toEqual({ draftId: 7, text: "Relu, OK" });
    // The unsaved text survives the redraw.
    await vi.waitFor(() => expect((q(qa(root, "draft-variant")[0], "variant-text") as HTMLTextAreaElement).value).toBe("Premier jet"));
  });

  it("the engine's refusal of a request is shown on the variant", async () => {
    const b = editorBackend();
    refusing(b, "request_approval", "your private key is not in this computer's keychain");
    const root = mount();
    renderDrafts(root, testCtx({ publishing }), new URLSearchParams(), ["7"]);
    await vi.waitFor(() => expect(qa(root, "draft-variant")).toHaveLength(2));
    q(qa(root, "draft-variant")[0], "variant-request")!.click();
    await vi.waitFor(() => expect(q(root, "variant-error")?.textContent).toBe("your private key is not in this computer's keychain"));
  });
});

describe("composer with a draft and the requirement", () => {
  it("publish from a draft fills the composer with the saved variant and shows what the policy asks", async () => {
    const b = testBackend({
      list_accounts: [acme],
      get_publish_settings: { undoSecs: 30, audienceThreshold: null },
      get_draft: () => detail(),
      compose_check: (a) => check({ count: Array.from((a.request as ComposeRequest).content.text).length }),
      requirement: { approvals: 1, roles: [], because: ["author without autonomy: one validator"] },
    });
    setBackend(b.backend);
    const root = mount();
    renderCompose(root, testCtx({ publishing }), new URLSearchParams("draft=7&account=5"));
    await vi.waitFor(() => expect((q(root, "compose-text") as HTMLTextAreaElement | null)?.value).toBe("Texte validé"));
    expect(q(root, "compose-from-draft")?.textContent).toContain("Réponse rappel");
    await vi.waitFor(() => expect(q(root, "compose-requirement")?.textContent).toBe("Needs 1 approval: author without autonomy: one validator."));
    const req = b.calls.filter((c) => c.cmd === "requirement").pop()!;
    expect(req.args).toEqual({ request: { profileId: 1, accountId: 5, content: { text: "Texte validé", images: [] } } });
  });

  it("another account of the profile gets its own variant, or is told it has none; typed text is guarded", async () => {
    const other = account({ id: 6, network: "bluesky", server: "https://bsky.social", handle: "acme.bsky.social" });
    let guard: (() => boolean) | null = null;
    const b = testBackend({
      list_accounts: [acme, other],
      get_publish_settings: { undoSecs: 30, audienceThreshold: null },
      get_draft: () => detail(),
      compose_check: () => check(),
      requirement: { approvals: 0, roles: [], because: [] },
    });
    setBackend(b.backend);
    const root = mount();
    renderCompose(root, testCtx({ publishing, setLeaveGuard: (g) => void (guard = g) }), new URLSearchParams("draft=7&account=5"));
    const text = () => q(root, "compose-text") as HTMLTextAreaElement;
    await vi.waitFor(() => expect(text()?.value).toBe("Texte validé"));
    expect(guard!()).toBe(false);
    const sel = q(root, "compose-account") as HTMLSelectElement;
    sel.value = "6";
    sel.dispatchEvent(new Event("change"));
    // The Bluesky account has no variant: the note no longer claims the draft's version.
    expect(q(root, "compose-from-draft")?.textContent).toContain("has no version for this account");
    expect(q(root, "compose-from-draft")?.dataset.variant).toBe("");
    sel.value = "5";
    sel.dispatchEvent(new Event("change"));
    expect(q(root, "compose-from-draft")?.textContent).toContain("(version 2)");
    text().value = "Texte validé, retouché";
    text().dispatchEvent(new Event("input"));
    expect(q(root, "compose-from-draft")?.textContent).toContain("Text edited since the version");
    expect(guard!()).toBe(true);
  });

  it("no approval needed is said too", async () => {
    const b = testBackend({
      list_accounts: [acme],
      get_publish_settings: { undoSecs: 30, audienceThreshold: null },
      compose_check: () => check(),
      requirement: { approvals: 0, roles: [], because: [] },
    });
    setBackend(b.backend);
    const root = mount();
    renderCompose(root, testCtx({ publishing }), new URLSearchParams());
    await vi.waitFor(() => expect(q(root, "compose-requirement")?.textContent).toBe("No approval needed for this post."));
    expect(q(root, "compose-requirement")?.dataset.approvals).toBe("0");
    expect(q(root, "compose-from-draft")).toBeNull();
  });
});

describe("approval inbox", () => {
  function inbox(over: Record<string, unknown> = {}) {
    return testBackend({
      my_identity: () => me({ key: "VALIDATOR", name: "Maître Durand", roles: ["legal", "direction"] }),
      list_profiles: [brand],
      list_accounts: [acme],
      list_approvals: [],
      review_request: () => request({ content: { text: `Texte ${XSS}`, images: [] } }),
      approve_request: APPROVAL_BLOCK,
      ...over,
    });
  }

  it("a pasted request shows exactly the content and the target, then is signed with a role and a validity", async () => {
    const b = inbox();
    setBackend(b.backend);
    const root = mount();
    renderApprovals(root, testCtx());
    await vi.waitFor(() => expect(q(root, "inbox-request-text")).not.toBeNull());
    type(q(root, "inbox-request-text") as HTMLTextAreaElement, `Bonjour,\n${REQUEST_BLOCK}`);
    q(root, "inbox-review")!.click();
    await vi.waitFor(() => expect(q(root, "inbox-request")).not.toBeNull());
    expect(b.calls.find((c) => c.cmd === "review_request")!.args).toEqual({ text: `Bonjour,\n${REQUEST_BLOCK}` });
    expect(q(root, "inbox-request-content")?.textContent).toBe(`Texte ${XSS}`);
    expect(root.querySelector("img")).toBeNull();
    expect(q(root, "inbox-request-handle")?.textContent).toBe("@acme@mastodon.example");
    expect(q(root, "inbox-request-network")?.textContent).toBe("Mastodon");
    expect(q(root, "inbox-request-server")?.textContent).toBe("https://mastodon.example");
    expect(q(root, "inbox-request-author")?.textContent).toBe("Camille");
    expect(q(root, "inbox-request-level")?.dataset.level).toBe("alert");
    const role = q(root, "inbox-approve-role") as HTMLSelectElement;
    expect([...role.options].map((o) => o.value)).toEqual(["legal", "direction"]);
    type(q(root, "inbox-approve-valid") as HTMLSelectElement, "3600");
    q(root, "inbox-approve")!.click();
    await vi.waitFor(() => expect((q(root, "inbox-approval-block") as HTMLTextAreaElement | null)?.value).toBe(APPROVAL_BLOCK));
    expect(b.calls.find((c) => c.cmd === "approve_request")!.args).toEqual({ text: `Bonjour,\n${REQUEST_BLOCK}`, role: "legal", validSecs: 3600 });
  });

  it("my own request cannot be approved here; a forged one is refused in words", async () => {
    const b = inbox({ my_identity: me() });
    setBackend(b.backend);
    const root = mount();
    renderApprovals(root, testCtx());
    await vi.waitFor(() => expect(q(root, "inbox-request-text")).not.toBeNull());
    type(q(root, "inbox-request-text") as HTMLTextAreaElement, REQUEST_BLOCK);
    q(root, "inbox-review")!.click();
    await vi.waitFor(() => expect(q(root, "inbox-own-request")).not.toBeNull());
    expect(q(root, "inbox-approve")).toBeNull();
    refusing(b, "review_request", "the signature does not match the content: the block was altered or forged");
    q(root, "inbox-review")!.click();
    await vi.waitFor(() => expect(q(root, "inbox-review-error")?.textContent).toBe("the signature does not match the content: the block was altered or forged"));
    expect(q(root, "inbox-request")).toBeNull();
  });

  it("an approval pasted in the request box is pointed to the import box, without a call", async () => {
    const b = inbox();
    setBackend(b.backend);
    const root = mount();
    renderApprovals(root, testCtx());
    await vi.waitFor(() => expect(q(root, "inbox-request-text")).not.toBeNull());
    type(q(root, "inbox-request-text") as HTMLTextAreaElement, APPROVAL_BLOCK);
    q(root, "inbox-review")!.click();
    await flush();
    expect(q(root, "inbox-review-error")?.textContent).toContain("is an approval, not a request");
    expect(b.calls.some((c) => c.cmd === "review_request")).toBe(false);
  });

  it("importing an approval: the refusal in plain words, then success and the list", async () => {
    let filed = [] as ReturnType<typeof stored>[];
    const b = inbox({ import_approval: () => (filed = [stored()])[0], list_approvals: () => filed });
    refusing(b, "import_approval", "Maître Durand is not in the team roster: import their roster entry first (or this approval is forged)");
    const root = mount();
    renderApprovals(root, testCtx());
    await vi.waitFor(() => expect(q(root, "inbox-approval-text")).not.toBeNull());
    type(q(root, "inbox-approval-text") as HTMLTextAreaElement, APPROVAL_BLOCK);
    q(root, "inbox-import")!.click();
    await vi.waitFor(() => expect(q(root, "inbox-import-error")?.textContent).toContain("is not in the team roster"));
    expect(q(root, "inbox-import-ok")?.hidden).toBe(true);
    setBackend(b.backend);
    q(root, "inbox-import")!.click();
    await vi.waitFor(() => expect(q(root, "inbox-import-ok")?.hidden).toBe(false));
    expect(q(root, "inbox-import-ok")?.textContent).toContain("Approval by Maître Durand (legal) filed");
    expect(b.calls.filter((c) => c.cmd === "import_approval").pop()!.args).toEqual({ text: APPROVAL_BLOCK });
    await vi.waitFor(() => expect(qa(root, "approval-row")).toHaveLength(1));
    const row = q(root, "approval-row")!;
    expect(row.dataset.status).toBe("valid");
    expect(q(row, "approval-approver")?.textContent).toBe("Maître Durand");
    expect(q(row, "approval-role")?.textContent).toBe("legal");
    expect(q(row, "approval-account")?.textContent).toBe("@acme@mastodon.example · Mastodon");
    expect(q(row, "approval-used")).toBeNull();
  });

  it("lists used and expired approvals as such", async () => {
    const b = inbox({ list_approvals: [stored({ id: 1, usedByPost: 4 }), stored({ id: 2, expiresAt: 1_000, account: "bluesky|https://pds|did:plc:x" })] });
    setBackend(b.backend);
    const root = mount();
    renderApprovals(root, testCtx());
    await vi.waitFor(() => expect(qa(root, "approval-row")).toHaveLength(2));
    const [used, expired] = qa(root, "approval-row");
    expect(used.dataset.status).toBe("used");
    expect(q(used, "approval-used")?.textContent).toBe("used by post #4");
    expect(expired.dataset.status).toBe("expired");
    expect(q(expired, "approval-account")?.textContent).toBe("bluesky|https://pds|did:plc:x");
  });
});

describe("playbooks", () => {
  function books(over: Record<string, unknown> = {}) {
    return testBackend({
      list_playbooks: [playbook()],
      my_identity: () => me({ roles: ["legal"] }),
      list_accounts: [acme, account({ id: 6, network: "bluesky", handle: "acme.bsky.example" })],
      use_statement: (a) => draft({ id: 21, title: (a.request as { statement: string }).statement }),
      pre_approve: APPROVAL_BLOCK,
      export_playbook: 'name = "Rappel produit"\n',
      account_target: { network: "mastodon", server: "https://mastodon.example", remoteId: "109", handle: "acme@mastodon.example" },
      ...over,
    });
  }

  it("lists statements with their slots as text, and 'use this statement' creates a draft", async () => {
    const b = books();
    setBackend(b.backend);
    const navigate = vi.fn();
    const root = mount();
    renderPlaybooks(root, testCtx({ publishing, navigate }));
    await vi.waitFor(() => expect(qa(root, "statement-row")).toHaveLength(2));
    expect(q(root, "playbook-name")?.textContent).toBe("Rappel produit");
    expect(q(root, "statement-text")?.textContent).toBe("{brand} rappelle le lot {lot}. Infos : {link}");
    expect(q(root, "statement-text")?.querySelectorAll(".slot")).toHaveLength(3);
    // The Bluesky statement preselects the Bluesky account.
    q(qa(root, "statement-row")[1], "statement-use")!.click();
    expect((q(document, "use-account") as HTMLSelectElement).value).toBe("6");
    q(document, "use-cancel")!.click();

    q(root, "statement-use")!.click();
    const dlg = q(document, "use-dialog")!;
    const slots = qa(dlg, "use-slot") as HTMLInputElement[];
    expect(slots.map((s) => s.dataset.slot)).toEqual(["brand", "lot", "link"]);
    expect((q(dlg, "use-create") as HTMLButtonElement).disabled).toBe(true);
    type(slots[0], XSS);
    type(slots[1], "42");
    type(slots[2], "https://acme.example/rappel");
    expect(q(dlg, "use-preview")?.textContent).toBe(`${XSS} rappelle le lot 42. Infos : https://acme.example/rappel`);
    expect(dlg.querySelector("img")).toBeNull();
    // A sentence where the brand goes is refused before the engine is asked.
    type(slots[0], "Nous avons fait faillite. Acme");
    expect((q(dlg, "use-create") as HTMLButtonElement).disabled).toBe(true);
    type(slots[0], "Acme");
    q(dlg, "use-create")!.click();
    await vi.waitFor(() => expect(navigate).toHaveBeenCalledWith("#/drafts/21"));
    expect(b.calls.find((c) => c.cmd === "use_statement")!.args).toEqual({
      request: { playbook: "Rappel produit", statement: "attente", slots: { brand: "Acme", lot: "42", link: "https://acme.example/rappel" }, accountId: 5 },
    });
    expect(q(document, "use-dialog")).toBeNull();
  });

  it("pre-approves a statement for a pasted account target", async () => {
    const b = books();
    setBackend(b.backend);
    const root = mount();
    renderPlaybooks(root, testCtx({ publishing }));
    await vi.waitFor(() => expect(qa(root, "statement-row")).toHaveLength(2));
    q(root, "statement-preapprove")!.click();
    const dlg = q(document, "preapprove-dialog")!;
    q(dlg, "preapprove-sign")!.click();
    await flush();
    expect(q(dlg, "preapprove-error")?.textContent).toBe("Paste the account's identity.");
    const target = { network: "mastodon", server: "https://mastodon.example", remoteId: "109", handle: "acme@mastodon.example" };
    type(q(dlg, "preapprove-target") as HTMLTextAreaElement, JSON.stringify(target));
    expect(q(dlg, "preapprove-target-view")?.textContent).toContain("@acme@mastodon.example");
    type(q(dlg, "preapprove-max-level") as HTMLSelectElement, "crisis");
    q(dlg, "preapprove-sign")!.click();
    await vi.waitFor(() => expect((q(dlg, "preapprove-block") as HTMLTextAreaElement | null)?.value).toBe(APPROVAL_BLOCK));
    expect(b.calls.find((c) => c.cmd === "pre_approve")!.args).toEqual({
      request: { playbook: "Rappel produit", statement: "attente", target, maxLevel: "crisis", role: "legal", validSecs: 30 * 86_400 },
    });
  });

  it("imports by paste (refusal shown), exports to copy, shares an account's target", async () => {
    const b = books();
    refusing(b, "import_playbook", "the playbook file is not valid: missing field `name`");
    const root = mount();
    renderPlaybooks(root, testCtx({ publishing }));
    await vi.waitFor(() => expect(qa(root, "statement-row")).toHaveLength(2));
    type(q(root, "playbook-import-text") as HTMLTextAreaElement, "scenario = \"x\"");
    q(root, "playbook-import")!.click();
    await vi.waitFor(() => expect(q(root, "playbook-import-error")?.textContent).toBe("the playbook file is not valid: missing field `name`"));
    q(root, "playbook-export")!.click();
    await vi.waitFor(() => expect((q(root, "playbook-export-text") as HTMLTextAreaElement | null)?.value).toBe('name = "Rappel produit"\n'));
    expect(b.calls.find((c) => c.cmd === "export_playbook")!.args).toEqual({ name: "Rappel produit" });
    q(root, "target-show")!.click();
    await vi.waitFor(() => expect(q(root, "target-json")).not.toBeNull());
    expect(JSON.parse((q(root, "target-json") as HTMLTextAreaElement).value).remoteId).toBe("109");
    expect(b.calls.find((c) => c.cmd === "account_target")!.args).toEqual({ accountId: 5 });
  });
});

describe("audit", () => {
  it("lists the latest entries as text and verifies the chain", async () => {
    const b = testBackend({
      audit_log: [entry({ seq: 2, kind: "approval_imported", data: { approver: XSS } }), entry()],
      verify_audit: { entries: 2, head: "ab".repeat(32), broken: null },
    });
    setBackend(b.backend);
    const root = mount();
    renderAudit(root, testCtx());
    await vi.waitFor(() => expect(qa(root, "audit-entry")).toHaveLength(2));
    expect(b.calls[0]).toEqual({ cmd: "audit_log", args: { limit: 200 } });
    const [newest] = qa(root, "audit-entry");
    expect(newest.dataset.seq).toBe("2");
    expect(q(newest, "audit-kind")?.textContent).toBe("Approval imported");
    expect(q(newest, "audit-data")?.textContent).toBe(`approver: ${XSS}`);
    expect(root.querySelector("img")).toBeNull();
    q(root, "audit-verify")!.click();
    await vi.waitFor(() => expect(q(root, "audit-result")?.dataset.state).toBe("intact"));
    expect(q(root, "audit-result")?.textContent).toContain("2 entries checked");
  });

  it("says where the chain breaks", async () => {
    const b = testBackend({ audit_log: [entry({ kind: "something_new" })], verify_audit: { entries: 3, head: "x", broken: "entry 4 (approval_imported) was modified after it was written" } });
    setBackend(b.backend);
    const root = mount();
    renderAudit(root, testCtx());
    await vi.waitFor(() => expect(qa(root, "audit-entry")).toHaveLength(1));
    expect(q(root, "audit-kind")?.textContent).toBe("something new");
    q(root, "audit-verify")!.click();
    await vi.waitFor(() => expect(q(root, "audit-result")?.dataset.state).toBe("broken"));
    expect(q(root, "audit-broken")?.textContent).toBe("entry 4 (approval_imported) was modified after it was written");
  });
});
