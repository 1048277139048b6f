// Team: this laptop's identity (created once: name, roles, autonomy; the private key goes to the
// OS keychain), the roster (names, roles, autonomy, public keys; editable), its export as text to
// send to the team and the import of theirs (pasted), and the approval policy.

import { h, clear, field } from "../dom";
import { t, tn } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { Autonomy, Me, Member } from "../types";
import { AUTONOMIES } from "../types";
import { parseRoles, shortKey } from "../logic/teamwork";
import { button, emptyState, errorBox, loading, pageHeader, select } from "./common";
import { pasteArea, textBlock } from "./blocks";
import { policyCard } from "./policy";

export function autonomySelect(value: Autonomy, testid: string): HTMLSelectElement {
  return select(AUTONOMIES.map((a) => ({ value: a, label: t(`autonomy.${a}` as const) })), value, { class: "input", testid });
}

export function roleChips(roles: string[], testid?: string): HTMLElement {
  return h("span", { class: "role-chips", testid },
    ...(roles.length ? roles.map((r) => h("span", { class: "chip chip-term" }, r)) : [h("span", { class: "muted small" }, t("team.noRole"))]));
}

export function renderTeam(root: HTMLElement, ctx: Ctx): Cleanup {
  let disposed = false;
  const meBox = h("section", { class: "card", "aria-labelledby": "me-h" }, loading());
  const rosterBox = h("section", { class: "card", "aria-labelledby": "roster-h" });
  const shareBox = h("section", { class: "card", "aria-labelledby": "share-h" });
  root.append(pageHeader(t("team.title"), t("team.subtitle")), meBox, rosterBox, shareBox, policyCard(ctx));

  let me: Me | null = null;
  let roster: Member[] = [];

  async function load() {
    try {
      const [m, r] = await Promise.all([ipc.myIdentity(), ipc.listRoster()]);
      if (disposed) return;
      me = m;
      roster = r;
      drawMe();
      drawRoster();
      drawShare();
    } catch (e) {
      if (!disposed) meBox.replaceChildren(errorBox(ctx.errorText(e)));
    }
  }

  // ---- me ---------------------------------------------------------------------------------

  function drawMe() {
    clear(meBox);
    if (!me) {
      meBox.append(h("h2", { id: "me-h" }, t("team.createTitle")), h("p", { class: "muted" }, t("team.createBody")), identityForm());
      return;
    }
    const keyCode = h("code", { class: "mono break select-all", testid: "me-key" }, me.key);
    meBox.append(
      h("div", { class: "card-title-row" }, h("h2", { id: "me-h" }, t("team.me")), h("span", { class: "tag tag-active" }, t("team.identityReady"))),
      h("dl", { class: "facts" },
        h("dt", null, t("team.name")), h("dd", { testid: "me-name" }, me.name),
        h("dt", null, t("team.roles")), h("dd", null, roleChips(me.roles, "me-roles")),
        h("dt", null, t("team.autonomy")), h("dd", { testid: "me-autonomy", "data-autonomy": me.autonomy }, t(`autonomy.${me.autonomy}` as const)),
        h("dt", null, t("team.key")), h("dd", null, keyCode)),
      h("p", { class: "hint" }, t("team.keyHint")));
  }

  function identityForm(): HTMLElement {
    const name = h("input", { type: "text", class: "input", testid: "identity-name", autocomplete: "name", maxlength: "80" });
    const roles = h("input", { type: "text", class: "input", testid: "identity-roles", autocomplete: "off", placeholder: "communication, legal" });
    const autonomy = autonomySelect("medium", "identity-autonomy");
    const autonomyField = field(t("team.autonomy"), autonomy, { hint: t("autonomy.hint.medium") });
    const autonomyHint = autonomyField.querySelector(".hint");
    autonomy.addEventListener("change", () => {
      if (autonomyHint) autonomyHint.textContent = t(`autonomy.hint.${autonomy.value as Autonomy}` as const);
    });
    const err = h("p", { class: "field-error", role: "alert", testid: "identity-error" });
    const form = h("form", { class: "identity-form", novalidate: true },
      h("div", { class: "three-col" },
        field(t("team.name"), name, { hint: t("team.nameHint") }),
        field(t("team.roles"), roles, { hint: t("team.rolesHint") }),
        autonomyField),
      err,
      h("div", { class: "form-actions" }, button(t("team.create"), () => undefined, { type: "submit", kind: "primary", icon: "key", testid: "identity-create" })));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      err.textContent = "";
      if (!name.value.trim()) {
        err.textContent = t("team.nameRequired");
        name.focus();
        return;
      }
      const submit = form.querySelector<HTMLButtonElement>("button[type=submit]");
      if (submit) submit.disabled = true;
      try {
        const created = await ipc.createIdentity(name.value.trim(), parseRoles(roles.value), autonomy.value as Autonomy);
        ctx.toast(t("team.created", { name: created.name }));
        ctx.announce(t("team.created", { name: created.name }));
        if (!disposed) await load();
      } catch (e2) {
        err.textContent = ctx.errorText(e2);
      } finally {
        if (submit) submit.disabled = false;
      }
    });
    return form;
  }

  // ---- roster -----------------------------------------------------------------------------

  function drawRoster() {
    clear(rosterBox);
    rosterBox.append(h("div", { class: "card-title-row" }, h("h2", { id: "roster-h" }, t("team.roster")),
      h("span", { class: "muted small" }, tn("team.members", roster.length))));
    if (!roster.length) {
      rosterBox.append(emptyState(t("team.rosterEmptyTitle"), t("team.rosterEmptyBody")));
      return;
    }
    rosterBox.append(h("ul", { class: "roster-list", testid: "roster-list" }, ...roster.map(memberRow)));
  }

  function memberRow(m: Member): HTMLElement {
    const isMe = me?.key === m.key;
    const li = h("li", { class: `roster-row${isMe ? " me" : ""}`, testid: "roster-row", "data-key": m.key, "data-autonomy": m.autonomy });
    const show = () => {
      clear(li);
      li.append(
        h("div", { class: "roster-main" },
          h("span", { class: "roster-name", testid: "roster-name" }, m.name),
          isMe ? h("span", { class: "tag tag-active", testid: "roster-me" }, t("team.you")) : null,
          h("code", { class: "muted small mono", title: m.key, testid: "roster-key" }, shortKey(m.key))),
        h("div", { class: "roster-meta" },
          roleChips(m.roles, "roster-roles"),
          h("span", { class: `tag autonomy-${m.autonomy}`, testid: "roster-autonomy" }, t(`autonomy.${m.autonomy}` as const))),
        button(t("common.edit"), edit, { small: true, kind: "ghost", testid: "roster-edit" }));
    };
    const edit = () => {
      clear(li);
      const roles = h("input", { type: "text", class: "input", testid: "roster-edit-roles", value: m.roles.join(", "), autocomplete: "off" });
      const autonomy = autonomySelect(m.autonomy, "roster-edit-autonomy");
      const err = h("p", { class: "field-error", role: "alert" });
      li.append(
        h("span", { class: "roster-name" }, m.name),
        h("div", { class: "two-col" }, field(t("team.roles"), roles, { hint: t("team.rolesHint") }), field(t("team.autonomy"), autonomy)),
        err,
        h("div", { class: "form-actions" },
          button(t("common.save"), async () => {
            try {
              const saved = await ipc.setMember(m.key, parseRoles(roles.value), autonomy.value as Autonomy);
              ctx.toast(t("team.memberSaved", { name: saved.name }));
              if (!disposed) await load();
            } catch (e) {
              err.textContent = ctx.errorText(e);
            }
          }, { small: true, kind: "primary", testid: "roster-save" }),
          button(t("common.cancel"), cancel, { small: true, kind: "ghost", testid: "roster-cancel" })));
      roles.focus();
    };
    const cancel = () => {
      show();
      li.querySelector<HTMLElement>('[data-testid="roster-edit"]')?.focus();
    };
    // Escape cancels the edit, as in every other inline form; the keyboard goes back to "Edit".
    li.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && li.querySelector('[data-testid="roster-edit-roles"]')) {
        e.preventDefault();
        cancel();
      }
    });
    show();
    return li;
  }

  // ---- share: export and import -----------------------------------------------------------

  function drawShare() {
    clear(shareBox);
    const exportSlot = h("div");
    const exportBtn = button(t("team.export"), async () => {
      try {
        const text = await ipc.exportRoster();
        exportSlot.replaceChildren(textBlock({ value: text, label: t("team.exportLabel"), hint: t("team.exportHint"), testid: "roster-export-text", copyTestid: "roster-export-copy", toast: ctx.toast }));
      } catch (e) {
        exportSlot.replaceChildren(errorBox(ctx.errorText(e)));
      }
    }, { icon: "upload", testid: "roster-export" });
    const area = pasteArea("roster-import-text", t("team.importPlaceholder"));
    const err = h("p", { class: "field-error", role: "alert", testid: "roster-import-error" });
    const result = h("p", { class: "ok-line", role: "status", testid: "roster-import-result" });
    const importBtn = button(t("team.import"), async () => {
      err.textContent = "";
      result.textContent = "";
      if (!area.value.trim()) {
        err.textContent = t("team.importEmpty");
        area.focus();
        return;
      }
      importBtn.disabled = true;
      try {
        const n = await ipc.importRoster(area.value);
        area.value = "";
        const msg = tn("team.imported", n);
        ctx.toast(msg);
        const [m, r] = await Promise.all([ipc.myIdentity(), ipc.listRoster()]);
        if (disposed) return;
        me = m;
        roster = r;
        drawMe();
        drawRoster();
        result.textContent = msg;
      } catch (e) {
        err.textContent = ctx.errorText(e);
      } finally {
        importBtn.disabled = false;
      }
    }, { kind: "primary", icon: "download", testid: "roster-import" });
    shareBox.append(
      h("h2", { id: "share-h" }, t("team.share")),
      h("p", { class: "muted small" }, t("team.shareBody")),
      h("div", { class: "two-col share-grid" },
        h("div", null, h("h3", null, t("team.exportTitle")), h("div", { class: "form-actions" }, exportBtn), exportSlot),
        h("div", null, h("h3", null, t("team.importTitle")),
          field(t("team.importLabel"), area, { hint: t("team.importHint"), error: err }),
          h("div", { class: "form-actions" }, importBtn), result)));
  }

  void load();
  return () => {
    disposed = true;
  };
}
