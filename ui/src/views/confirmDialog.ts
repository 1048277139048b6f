// The last step before a post is queued: who will speak (avatar, name, @handle, network,
// followers), in which profile (kind, colour), at which level, and what. When the engine's rule
// says so, the handle must be typed; the button stays disabled until it matches (the engine
// checks it again).

import { h, field } from "../dom";
import { t, tn } from "../i18n";
import type { ComposeCheck, PublishSettings } from "../types";
import { canConfirm, displayHandle, typeHandleReason } from "../logic/publish";
import { button, levelBadge } from "./common";
import { avatar, networkLabel, paintProfile, profileChip } from "./identity";
import { openModal, type Modal } from "./modal";

export interface ConfirmOptions {
  check: ComposeCheck;
  text: string;
  settings: PublishSettings | null;
  /** Queues the post; throws `{code, message}` when the engine refuses. */
  onConfirm(typedHandle: string | undefined): Promise<void>;
  errorText(e: unknown): string;
  /** Dialog title and confirm button (default: publishing a new post). */
  title?: string;
  confirmLabel?: string;
  /** Where the keyboard goes back to on close (default: what had focus when it opened). */
  returnFocus?: HTMLElement | (() => HTMLElement | null) | null;
}

export function confirmDialog(o: ConfirmOptions): Modal {
  const { check } = o;
  const a = check.account;
  const typeRule = check.rule.kind === "typeHandle";
  const err = h("p", { class: "field-error", role: "alert", testid: "confirm-error" });
  const typed = h("input", { type: "text", class: "input mono", testid: "confirm-type-handle", autocomplete: "off", spellcheck: "false", autocapitalize: "off" });
  const matchLine = h("p", { class: "hint", testid: "confirm-handle-match", "aria-live": "polite" });
  const publish = button(o.confirmLabel ?? t("confirm.publish"), async () => {
    if (!canConfirm(check, typed.value)) return;
    publish.disabled = true;
    err.textContent = "";
    try {
      await o.onConfirm(typeRule ? typed.value.trim() : undefined);
      m.close();
    } catch (e) {
      err.textContent = o.errorText(e);
      publish.disabled = !canConfirm(check, typed.value);
    }
  }, { kind: "primary", icon: "send", testid: "confirm-publish" });

  const refresh = () => {
    const ok = canConfirm(check, typed.value);
    publish.disabled = !ok;
    if (typeRule) {
      matchLine.textContent = !typed.value.trim() ? t("confirm.typeWaiting") : ok ? t("confirm.typeOk") : t("confirm.typeNo");
      matchLine.className = `hint ${ok ? "match-ok" : typed.value.trim() ? "match-no" : ""}`.trim();
      typed.setAttribute("aria-invalid", typed.value.trim() && !ok ? "true" : "false");
    }
  };
  typed.addEventListener("input", refresh);
  typed.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      publish.click();
    }
  });

  const reason = typeHandleReason(check.profile.kind, check.level);
  const identity = h("div", { class: "confirm-identity", testid: "confirm-identity" },
    avatar(a.identity, "lg", "confirm-avatar"),
    h("div", { class: "confirm-names" },
      h("span", { class: "confirm-display", testid: "confirm-display-name" }, a.identity.displayName || a.identity.handle),
      h("span", { class: "confirm-handle mono", testid: "confirm-handle" }, displayHandle(a.identity.handle)),
      h("span", { class: "confirm-meta small" },
        h("span", { class: `chip chip-network chip-${a.network}`, testid: "confirm-network" }, networkLabel(a.network)),
        h("span", { class: "muted break" }, a.server))),
    h("div", { class: "confirm-audience", testid: "confirm-audience" },
      h("span", { class: "confirm-audience-n" }, tn("confirm.followers", a.identity.audience))));

  const facts = h("dl", { class: "confirm-facts" },
    h("dt", null, t("confirm.profile")), h("dd", null, profileChip(check.profile, "confirm-profile")),
    h("dt", null, t("confirm.level")), h("dd", { testid: "confirm-level", "data-level": check.level }, levelBadge(check.level)),
    h("dt", null, t("confirm.when")), h("dd", { testid: "confirm-when" },
      o.settings && o.settings.undoSecs > 0 ? tn("confirm.undo", o.settings.undoSecs) : t("confirm.noUndo")));

  const body = [
    identity,
    facts,
    h("div", { class: "confirm-post" }, h("span", { class: "label" }, t("confirm.post")),
      h("p", { class: "post-text", testid: "confirm-text" }, o.text)),
    check.killSwitch.on
      ? h("p", { class: "kill-note", testid: "confirm-kill-switch", role: "note" }, t("confirm.paused", { reason: check.killSwitch.reason }))
      : null,
    typeRule
      ? h("div", { class: "type-handle" },
          h("p", { class: "type-handle-why" }, reason === "crisis"
            ? t("confirm.whyCrisis", { level: t(`level.${check.level}` as const) })
            : tn("confirm.whyAudience", a.identity.audience)),
          field(t("confirm.typeLabel", { handle: displayHandle(a.identity.handle) }), typed),
          matchLine)
      : null,
    err,
  ];

  const m = openModal({
    title: o.title ?? t("confirm.title"),
    testid: "confirm-dialog",
    returnFocus: o.returnFocus ?? null,
    class: "confirm-modal",
    body,
    actions: [button(t("common.cancel"), () => m.close(), { kind: "ghost", testid: "confirm-cancel" }), publish],
    initialFocus: typeRule ? typed : null,
  });
  m.box.dataset.rule = check.rule.kind;
  paintProfile(m.box, check.profile);
  refresh();
  return m;
}
