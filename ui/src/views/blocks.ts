// Text that travels between laptops (signed blocks, roster files, playbooks, account targets):
// shown read-only with a Copy button, and pasted into plain text areas. No file access and no
// clipboard read permission is needed: the user pastes with the keyboard.

import { h, field } from "../dom";
import { t } from "../i18n";
import { button } from "./common";

/**
 * Copies `text` to the clipboard: the async Clipboard API when the webview allows it, else the
 * selection of `area` and the copy command. Returns whether it worked (the text stays shown and
 * selectable either way).
 */
export async function copyText(text: string, area: HTMLTextAreaElement | null): Promise<boolean> {
  try {
    if (typeof navigator !== "undefined" && navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall back to the selection
  }
  if (!area) return false;
  area.focus();
  area.select();
  try {
    return typeof document.execCommand === "function" && document.execCommand("copy");
  } catch {
    return false;
  }
}

/** A read-only block of text with a Copy button (and a line saying whether it was copied). */
export function textBlock(opts: {
  value: string;
  label: string;
  hint?: string;
  testid: string;
  copyTestid: string;
  rows?: number;
  toast?: (message: string, kind?: "ok" | "error") => void;
}): HTMLElement {
  const area = h("textarea", {
    class: "input textarea mono block-text",
    rows: String(opts.rows ?? Math.min(14, Math.max(4, opts.value.split("\n").length))),
    readonly: true,
    spellcheck: "false",
    testid: opts.testid,
    value: opts.value,
  });
  const status = h("span", { class: "muted small", role: "status" });
  const copy = button(t("block.copy"), async () => {
    const ok = await copyText(opts.value, area);
    status.textContent = ok ? t("block.copied") : t("block.copyManual");
    if (opts.toast) opts.toast(ok ? t("block.copied") : t("block.copyManual"), ok ? "ok" : "error");
  }, { small: true, icon: "copy", testid: opts.copyTestid });
  area.addEventListener("focus", () => area.select());
  return h("div", { class: "text-block" },
    field(opts.label, area, { hint: opts.hint }),
    h("div", { class: "form-actions" }, copy, status));
}

/** A plain text area to paste a block into. */
export function pasteArea(testid: string, placeholder: string, rows = 6): HTMLTextAreaElement {
  return h("textarea", {
    class: "input textarea mono paste-area",
    rows: String(rows),
    spellcheck: "false",
    autocomplete: "off",
    autocapitalize: "off",
    testid,
    placeholder,
  });
}
