// Accounts & profiles: create a profile (brand with its allow-list, or personal), choose the one
// to work in, and connect / disconnect the active profile's accounts (Mastodon: sign in with the
// browser or paste a token; Bluesky: app password). Secrets are read from their password field
// at submit time, sent to the shell (which keeps them in the OS keychain) and the field is
// cleared: they are never kept in JS state.

import { h, append, clear, field } from "../dom";
import { t, tn } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { Account, Profile, ProfileKind } from "../types";
import { isFullHandle, parseHandles, safeColour } from "../logic/publish";
import { button, emptyState, errorBox, loading, pageHeader, segmented } from "./common";
import { avatar, networkLabel, paintProfile, profileChip } from "./identity";

/** vigie-domain `ProfileKind::default_colour` (the CLI's default too). */
const DEFAULT_COLOUR: Record<ProfileKind, string> = { brand: "#c92a2a", personal: "#2f9e44" };

export function renderAccounts(root: HTMLElement, ctx: Ctx): Cleanup {
  let disposed = false;
  const profilesBox = h("section", { class: "card", "aria-labelledby": "profiles-h" });
  const accountsBox = h("section", { class: "card profile-card", "aria-labelledby": "accounts-h" });
  const connectBox = h("section", { class: "card", "aria-labelledby": "connect-h" });
  root.append(pageHeader(t("accounts.title"), t("accounts.subtitle")), profilesBox, accountsBox, connectBox);

  // ---- profiles ---------------------------------------------------------------------------

  function drawProfiles() {
    clear(profilesBox);
    const { profiles, active } = ctx.publishing;
    profilesBox.append(h("div", { class: "card-title-row" }, h("h2", { id: "profiles-h" }, t("profiles.title")),
      h("span", { class: "muted small" }, tn("profiles.count", profiles.length))));
    if (profiles.length) {
      profilesBox.append(h("ul", { class: "profile-list", testid: "profile-list" }, ...profiles.map((p) => profileRow(p, p.id === active?.id))));
    } else {
      profilesBox.append(h("p", { class: "muted" }, t("profiles.emptyBody")));
    }
    profilesBox.append(newProfileForm());
  }

  function profileRow(p: Profile, isActive: boolean): HTMLElement {
    const allowed = h("div", { class: "profile-allowed" });
    const drawAllowed = () => {
      clear(allowed);
      if (p.kind !== "brand") {
        allowed.append(h("p", { class: "muted small" }, t("profiles.personalNote")));
        return;
      }
      allowed.append(
        h("p", { class: "small" }, h("span", { class: "muted" }, t("profiles.mayHold")), " ",
          ...p.allowedHandles.map((x) => h("span", { class: "chip chip-term", testid: "profile-allowed-handle" }, `@${x}`))),
        button(t("profiles.editAllowed"), editAllowed, { small: true, kind: "ghost", testid: "profile-edit-allowed" }),
      );
    };
    const editAllowed = () => {
      clear(allowed);
      const area = h("textarea", { class: "input textarea", rows: "3", testid: "profile-allowed-edit", value: p.allowedHandles.map((x) => `@${x}`).join("\n") });
      const err = h("p", { class: "field-error", role: "alert" });
      allowed.append(
        field(t("profiles.allowed"), area, { hint: t("profiles.allowedHint"), error: err }),
        h("div", { class: "form-actions" },
          button(t("common.save"), async () => {
            const handles = parseHandles(area.value);
            const bad = handles.find((x) => !isFullHandle(x));
            if (!handles.length || bad) {
              err.textContent = bad ? t("profiles.badHandle", { handle: bad }) : t("profiles.allowedRequired");
              return;
            }
            try {
              const saved = await ipc.setAllowedHandles(p.id, handles);
              ctx.toast(t("profiles.allowedSaved", { name: saved.name }));
              await ctx.refreshPublishing();
              drawProfiles();
            } catch (e) {
              err.textContent = ctx.errorText(e);
            }
          }, { small: true, kind: "primary", testid: "profile-allowed-save" }),
          button(t("common.cancel"), drawAllowed, { small: true, kind: "ghost" })),
      );
      area.focus();
    };
    drawAllowed();
    const li = h("li", { class: `profile-row${isActive ? " active" : ""}`, testid: "profile-row", "data-profile-id": String(p.id), "data-kind": p.kind },
      h("div", { class: "profile-row-head" },
        profileChip(p),
        isActive
          ? h("span", { class: "tag tag-active", testid: "profile-active" }, t("profiles.active"))
          : button(t("profiles.activate"), async () => {
              try {
                await ctx.switchProfile(p.id);
              } catch (e) {
                ctx.toast(ctx.errorText(e), "error");
              }
            }, { small: true, testid: "profile-activate" })),
      allowed);
    paintProfile(li, p);
    return li;
  }

  function newProfileForm(): HTMLElement {
    let kind: ProfileKind = "brand";
    const name = h("input", { type: "text", class: "input", testid: "profile-name", autocomplete: "off", maxlength: "80" });
    const colour = h("input", { type: "color", class: "input colour-input", testid: "profile-colour", value: DEFAULT_COLOUR.brand });
    let colourTouched = false;
    colour.addEventListener("input", () => (colourTouched = true));
    const allowed = h("textarea", { class: "input textarea", rows: "3", testid: "profile-allowed", placeholder: "@marque@mastodon.social\nmarque.bsky.social" });
    const allowedField = field(t("profiles.allowed"), allowed, { hint: t("profiles.allowedHint") });
    const err = h("p", { class: "field-error", role: "alert", testid: "profile-error" });
    const kindSwitch = segmented<ProfileKind>(t("profiles.kind"), [
      { value: "brand", label: t("profile.kind.brand"), testid: "profile-kind-brand" },
      { value: "personal", label: t("profile.kind.personal"), testid: "profile-kind-personal" },
    ], kind, (v) => {
      kind = v;
      allowedField.hidden = v !== "brand";
      if (!colourTouched) colour.value = DEFAULT_COLOUR[v];
      kindHint.textContent = t(`profiles.kindHint.${v}` as const);
    });
    const kindHint = h("p", { class: "hint" }, t("profiles.kindHint.brand"));
    const form = h("form", { class: "profile-form", novalidate: true, testid: "profile-form", "aria-labelledby": "new-profile-h" },
      h("h3", { id: "new-profile-h" }, t("profiles.new")),
      h("div", { class: "profile-form-grid" },
        field(t("profiles.name"), name),
        h("div", { class: "field" }, h("span", { class: "label" }, t("profiles.kind")), kindSwitch, kindHint),
        field(t("profiles.colour"), colour, { hint: t("profiles.colourHint") })),
      allowedField,
      err,
      h("div", { class: "form-actions" }, button(t("profiles.create"), () => undefined, { kind: "primary", type: "submit", icon: "plus", testid: "profile-create" })));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      err.textContent = "";
      if (!name.value.trim()) {
        err.textContent = t("profiles.nameRequired");
        name.focus();
        return;
      }
      const handles = kind === "brand" ? parseHandles(allowed.value) : [];
      const bad = handles.find((x) => !isFullHandle(x));
      if (kind === "brand" && (!handles.length || bad)) {
        err.textContent = bad ? t("profiles.badHandle", { handle: bad }) : t("profiles.allowedRequired");
        allowed.focus();
        return;
      }
      try {
        const p = await ipc.createProfile({ name: name.value.trim(), kind, colour: safeColour(colour.value), allowedHandles: handles });
        ctx.toast(t("profiles.created", { name: p.name }));
        await ctx.refreshPublishing();
        drawn = signature();
        if (!disposed) drawAll();
      } catch (e2) {
        err.textContent = ctx.errorText(e2);
      }
    });
    return form;
  }

  // ---- accounts of the active profile -----------------------------------------------------

  function drawAccounts() {
    clear(accountsBox);
    const active = ctx.publishing.active;
    paintProfile(accountsBox, active);
    if (!active) {
      accountsBox.append(h("h2", { id: "accounts-h" }, t("accounts.listTitle")), emptyState(t("accounts.noProfileTitle"), t("accounts.noProfileBody")));
      return;
    }
    accountsBox.append(h("div", { class: "card-title-row" }, h("h2", { id: "accounts-h" }, t("accounts.of", { name: active.name })), profileChip(active)),
      h("p", { class: "muted small" }, t("accounts.onlyActive")), loading());
    ipc.listAccounts(active.id).then((accounts) => {
      if (disposed || ctx.publishing.active?.id !== active.id) return;
      accountsBox.lastElementChild?.remove();
      if (!accounts.length) {
        accountsBox.append(emptyState(t("accounts.emptyTitle"), t("accounts.emptyBody")));
        return;
      }
      accountsBox.append(h("ul", { class: "account-list", testid: "account-list" }, ...accounts.map(accountRow)));
    }).catch((e) => {
      if (disposed) return;
      accountsBox.lastElementChild?.remove();
      accountsBox.append(errorBox(ctx.errorText(e)));
    });
  }

  function accountRow(a: Account): HTMLElement {
    const cred = h("span", { class: "credential muted small", testid: "account-credential" }, t("accounts.credentialChecking"));
    ipc.credentialIsSet(a.id).then((set) => {
      cred.dataset.set = String(set);
      cred.className = `credential small ${set ? "credential-ok" : "credential-missing"}`;
      cred.textContent = set ? t("accounts.credentialSet") : t("accounts.credentialMissing");
    }).catch((e) => {
      cred.dataset.set = "unknown";
      cred.className = "credential small credential-missing";
      cred.textContent = ctx.errorText(e);
    });
    const actions = h("span", { class: "inline-confirm" });
    const reset = () => actions.replaceChildren(button(t("accounts.disconnect"), ask, { small: true, kind: "ghost", icon: "trash", testid: "account-disconnect" }));
    const ask = () => actions.replaceChildren(
      h("span", { class: "confirm-text small" }, t("accounts.disconnectAsk", { handle: `@${a.identity.handle}` })),
      button(t("common.confirm"), async () => {
        try {
          const d = await ipc.disconnectAccount(a.id);
          ctx.toast(t(d.keptForHistory ? "accounts.disconnectedKept" : "accounts.disconnected", { handle: `@${a.identity.handle}` }));
          drawAccounts();
        } catch (e) {
          ctx.toast(ctx.errorText(e), "error");
        }
      }, { small: true, kind: "danger", testid: "account-disconnect-confirm" }),
      button(t("common.cancel"), reset, { small: true, kind: "ghost" }));
    reset();
    return h("li", { class: "account-row", testid: "account-row", "data-account-id": String(a.id), "data-network": a.network },
      avatar(a.identity, "sm"),
      h("div", { class: "account-main" },
        h("div", { class: "account-names" },
          h("span", { class: "account-display", testid: "account-display-name" }, a.identity.displayName || a.identity.handle),
          h("span", { class: "account-handle mono", testid: "account-handle" }, `@${a.identity.handle}`)),
        h("div", { class: "account-meta small muted" },
          h("span", { class: `chip chip-network chip-${a.network}` }, networkLabel(a.network)),
          h("span", { class: "break" }, a.server),
          h("span", { testid: "account-audience" }, tn("accounts.followers", a.identity.audience)),
          cred)),
      actions);
  }

  // ---- connect ----------------------------------------------------------------------------

  type Tab = "mastodon" | "bluesky";
  let tab: Tab = "mastodon";
  const formSlot = h("div");
  const connectErr = h("div", { class: "error-box", role: "alert", testid: "connect-error", hidden: true });

  function showError(message: string | null) {
    connectErr.hidden = !message;
    connectErr.textContent = message ?? "";
  }

  function drawConnect() {
    clear(connectBox);
    const active = ctx.publishing.active;
    connectBox.append(h("div", { class: "add-head" }, h("h2", { id: "connect-h" }, active ? t("connect.title", { name: active.name }) : t("connect.titleNone")),
      active ? segmented<Tab>(t("connect.network"), [
        { value: "mastodon", label: networkLabel("mastodon"), testid: "connect-tab-mastodon" },
        { value: "bluesky", label: networkLabel("bluesky"), testid: "connect-tab-bluesky" },
      ], tab, (v) => { tab = v; showError(null); drawForm(); }) : null));
    if (!active) {
      connectBox.append(h("p", { class: "muted" }, t("connect.needProfile")));
      return;
    }
    connectBox.append(formSlot, connectErr);
    drawForm();
  }

  async function connected(a: Account) {
    showError(null);
    ctx.toast(t("connect.done", { handle: `@${a.identity.handle}` }));
    ctx.announce(t("connect.done", { handle: `@${a.identity.handle}` }));
    drawAccounts();
  }

  function drawForm() {
    clear(formSlot);
    const active = ctx.publishing.active;
    if (!active) return;
    const brandNote = active.kind === "brand"
      ? h("p", { class: "hint" }, t("connect.brandNote", { handles: active.allowedHandles.map((x) => `@${x}`).join(", ") }))
      : null;
    if (tab === "mastodon") {
      const server = h("input", { type: "url", class: "input", testid: "connect-mastodon-server", placeholder: "https://mastodon.social", autocomplete: "off" });
      const handle = h("input", { type: "text", class: "input", testid: "connect-mastodon-handle", placeholder: "@alice@mastodon.social", autocomplete: "off" });
      const token = h("input", { type: "password", class: "input", testid: "connect-mastodon-token", autocomplete: "off" });
      const waiting = h("div", { class: "signin-wait", testid: "connect-mastodon-waiting", role: "status", hidden: true });
      const signIn = button(t("connect.signIn"), async () => {
        showError(null);
        const srv = server.value.trim();
        if (!srv) {
          server.setAttribute("aria-invalid", "true");
          server.focus();
          showError(t("connect.serverRequired"));
          return;
        }
        signIn.disabled = true;
        const profileId = active.id;
        let stopped = false;
        try {
          const s = await ipc.beginMastodonSignIn(srv);
          waiting.hidden = false;
          clear(waiting);
          append(waiting, [
            h("p", null, h("strong", null, t("connect.waiting")), " ", t("connect.waitingBody", { server: srv })),
            s.opened ? null : h("p", null, t("connect.noBrowser"), " ", h("code", { class: "break select-all", testid: "connect-mastodon-url" }, s.url)),
            button(t("connect.stopWaiting"), () => {
              stopped = true;
              waiting.hidden = true;
              signIn.disabled = false;
              // The engine stops too: the browser coming back later connects nothing.
              ipc.cancelMastodonSignIn(s.flow).catch(() => undefined);
              signIn.focus();
            }, { small: true, kind: "ghost", testid: "connect-mastodon-stop" })]);
          const a = await ipc.finishMastodonSignIn(s.flow, profileId, handle.value.trim() || null);
          if (!disposed && !stopped) await connected(a);
        } catch (e) {
          if (!disposed && !stopped) showError(ctx.errorText(e));
        } finally {
          if (!disposed && !stopped) {
            waiting.hidden = true;
            signIn.disabled = false;
          }
        }
      }, { kind: "primary", icon: "open", testid: "connect-mastodon-signin" });
      const tokenForm = h("form", { class: "token-form", novalidate: true },
        field(t("connect.token"), token, { hint: t("connect.tokenHint"), class: "grow" }),
        button(t("connect.useToken"), () => undefined, { type: "submit", testid: "connect-mastodon-token-submit", icon: "key" }));
      tokenForm.addEventListener("submit", async (e) => {
        e.preventDefault();
        showError(null);
        const srv = server.value.trim();
        if (!srv || !token.value) {
          showError(!srv ? t("connect.serverRequired") : t("connect.tokenRequired"));
          (!srv ? server : token).focus();
          return;
        }
        const submit = tokenForm.querySelector<HTMLButtonElement>("button[type=submit]");
        if (submit) submit.disabled = true;
        try {
          // Read at submit time, sent once, cleared below: the token is not kept in the UI.
          const a = await ipc.connectAccount({ profileId: active.id, network: "mastodon", server: srv, handle: handle.value.trim() || undefined, secret: token.value });
          if (!disposed) await connected(a);
        } catch (e2) {
          if (!disposed) showError(ctx.errorText(e2));
        } finally {
          token.value = "";
          if (submit) submit.disabled = false;
        }
      });
      append(formSlot, [
        h("div", { class: "two-col" },
          field(t("connect.server"), server, { hint: t("connect.serverHint") }),
          field(t("connect.expectedHandle"), handle, { hint: t("connect.expectedHandleHint") })),
        brandNote,
        h("div", { class: "connect-way" }, h("h3", null, t("connect.wayBrowser")), h("p", { class: "muted small" }, t("connect.wayBrowserBody")), h("div", { class: "form-actions" }, signIn), waiting),
        h("div", { class: "connect-way" }, h("h3", null, t("connect.wayToken")), h("p", { class: "muted small" }, t("connect.wayTokenBody")), tokenForm),
      ]);
    } else {
      const service = h("input", { type: "url", class: "input", testid: "connect-bluesky-service", value: "https://bsky.social", autocomplete: "off" });
      const handle = h("input", { type: "text", class: "input", testid: "connect-bluesky-handle", placeholder: "marque.bsky.social", autocomplete: "off" });
      const password = h("input", { type: "password", class: "input", testid: "connect-bluesky-password", placeholder: "xxxx-xxxx-xxxx-xxxx", autocomplete: "off" });
      const form = h("form", { class: "bluesky-form", novalidate: true },
        h("div", { class: "three-col" },
          field(t("connect.service"), service, { hint: t("connect.serviceHint") }),
          field(t("connect.handle"), handle),
          field(t("connect.appPassword"), password, { hint: t("connect.appPasswordHint") })),
        brandNote,
        h("div", { class: "form-actions" }, button(t("connect.connect"), () => undefined, { type: "submit", kind: "primary", icon: "key", testid: "connect-bluesky-submit" })));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        showError(null);
        const missing = [service, handle, password].find((i) => !i.value.trim());
        if (missing) {
          missing.setAttribute("aria-invalid", "true");
          missing.focus();
          showError(t("connect.allRequired"));
          return;
        }
        const submit = form.querySelector<HTMLButtonElement>("button[type=submit]");
        if (submit) submit.disabled = true;
        try {
          const a = await ipc.connectAccount({ profileId: active.id, network: "bluesky", server: service.value.trim(), handle: handle.value.trim().replace(/^@/, ""), secret: password.value });
          if (!disposed) await connected(a);
        } catch (e2) {
          if (!disposed) showError(ctx.errorText(e2));
        } finally {
          password.value = "";
          if (submit) submit.disabled = false;
        }
      });
      formSlot.append(form);
    }
  }

  function drawAll() {
    drawProfiles();
    drawAccounts();
    drawConnect();
  }

  drawAll();
  // Another window of the app state (a kill switch event…) must not wipe a form being filled:
  // redraw the profile list only when the profiles themselves changed.
  const signature = () => JSON.stringify([ctx.publishing.profiles, ctx.publishing.active?.id]);
  let drawn = signature();
  const off = ctx.onPublishing(() => {
    if (disposed || signature() === drawn) return;
    drawn = signature();
    drawProfiles();
  });
  return () => {
    disposed = true;
    off();
  };
}
