// A modal dialog built with the DOM: labelled, focus kept inside (Tab / Shift+Tab cycle),
// Escape closes, focus returns to whatever opened it. No <dialog> dependency, so it behaves the
// same in WebKitGTK and in jsdom.

import { h, uid, type Child } from "../dom";

export interface Modal {
  /** The dialog box (role="dialog"). */
  box: HTMLElement;
  close(): void;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function openModal(opts: {
  title: string;
  testid: string;
  body: Child[];
  actions: Child[];
  class?: string;
  onClose?: () => void;
  /** Element to focus first (defaults to the first focusable one). */
  initialFocus?: HTMLElement | null;
  /** Element to focus on close (defaults to the one that had focus when the dialog opened); a
   *  function when the screen behind may be redrawn meanwhile. */
  returnFocus?: HTMLElement | (() => HTMLElement | null) | null;
}): Modal {
  const ret = opts.returnFocus;
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const back = () => (typeof ret === "function" ? ret() : (ret ?? focused));
  const titleId = uid("dlg");
  const box = h(
    "div",
    { class: `modal ${opts.class ?? ""}`.trim(), role: "dialog", "aria-modal": "true", "aria-labelledby": titleId, testid: opts.testid, tabindex: "-1" },
    h("h2", { id: titleId, class: "modal-title" }, opts.title),
    h("div", { class: "modal-body" }, ...opts.body),
    h("div", { class: "modal-actions" }, ...opts.actions),
  );
  const backdrop = h("div", { class: "modal-backdrop" }, box);
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    document.removeEventListener("keydown", onKey, true);
    backdrop.remove();
    opts.onClose?.();
    const opener = back();
    if (opener && opener.isConnected) opener.focus();
  };

  function onKey(e: KeyboardEvent) {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
      return;
    }
    if (e.key !== "Tab") return;
    const items = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hasAttribute("hidden"));
    if (!items.length) {
      e.preventDefault();
      box.focus();
      return;
    }
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !box.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !box.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  }

  document.addEventListener("keydown", onKey, true);
  document.body.appendChild(backdrop);
  const first = opts.initialFocus ?? box.querySelector<HTMLElement>(FOCUSABLE) ?? box;
  first.focus();
  return { box, close };
}
