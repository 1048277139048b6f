// Tiny DOM helpers. Text always goes in as text nodes (never innerHTML), so remote content
// such as mention titles and bodies stays inert whatever it contains.

export type Child = Node | string | number | null | undefined | false | Child[];

type Handler = (ev: Event) => void;
export type Attrs = {
  class?: string;
  testid?: string;
  [name: string]: string | number | boolean | null | undefined | Handler;
};

const PROPS = new Set(["value", "checked", "disabled", "selected", "hidden", "indeterminate"]);

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (typeof v === "function") {
        if (!k.startsWith("on")) throw new Error(`handler on non-event attribute ${k}`);
        el.addEventListener(k.slice(2).toLowerCase(), v as Handler);
      } else if (k === "testid") {
        el.setAttribute("data-testid", String(v));
      } else if (PROPS.has(k)) {
        // The initial value is also the default, so hasUnsavedInput can tell typed from given.
        if (k === "value" && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) el.defaultValue = String(v);
        if (k === "checked" && el instanceof HTMLInputElement) el.defaultChecked = Boolean(v);
        if (k === "selected" && el instanceof HTMLOptionElement) el.defaultSelected = Boolean(v);
        (el as unknown as Record<string, unknown>)[k] = v;
      } else {
        el.setAttribute(k, v === true ? "" : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
}

/** Whether any form control under `root` holds something the user changed and did not save:
 *  text typed or edited, a box ticked, another option chosen. Search boxes, read-only and
 *  disabled fields and fields marked `data-transient` do not count. Closing the window only
 *  hides it while this holds (its webview is released otherwise, see src-tauri/src/window.rs). */
export function hasUnsavedInput(root: ParentNode = document): boolean {
  for (const el of root.querySelectorAll<HTMLElement>("input, textarea, select")) {
    if (el.closest("[data-transient]")) continue;
    if (el instanceof HTMLSelectElement) {
      if (el.disabled || el.multiple) continue;
      const initial = [...el.options].findIndex((o) => o.defaultSelected);
      // No default option: the browser shows the first one, or none.
      const given = initial === -1 ? [-1, 0] : [initial];
      if (!given.includes(el.selectedIndex)) return true;
    } else if (el instanceof HTMLTextAreaElement) {
      if (!el.disabled && !el.readOnly && el.value !== el.defaultValue) return true;
    } else if (el instanceof HTMLInputElement) {
      if (el.disabled || el.readOnly) continue;
      if (["search", "hidden", "button", "submit", "reset", "file", "image", "range"].includes(el.type)) continue;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== el.defaultChecked) return true;
      } else if (el.value !== el.defaultValue) return true;
    }
  }
  return false;
}

/** Puts a saved value in a field: its value and the default `hasUnsavedInput` compares with
 *  (a value set from the engine is not something the user typed). */
export function showSaved(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  el.defaultValue = value;
  el.value = value;
}

export function clear(el: Element): void {
  el.replaceChildren();
}

let idSeq = 0;
/** A unique element id, to tie labels and descriptions to their fields. */
export function uid(prefix = "f"): string {
  idSeq += 1;
  return `${prefix}-${idSeq}`;
}

/** A labelled form field: label, control, optional hint and error line (aria-describedby). */
export function field(
  label: string,
  control: HTMLElement,
  opts: { hint?: string; error?: HTMLElement; class?: string } = {},
): HTMLElement {
  const id = control.id || uid();
  control.id = id;
  const described: string[] = [];
  const hint = opts.hint ? h("p", { class: "hint", id: `${id}-hint` }, opts.hint) : null;
  if (hint) described.push(hint.id);
  if (opts.error) {
    opts.error.id = opts.error.id || `${id}-err`;
    described.push(opts.error.id);
  }
  if (described.length) control.setAttribute("aria-describedby", described.join(" "));
  return h(
    "div",
    { class: `field ${opts.class ?? ""}`.trim() },
    h("label", { for: id }, label),
    control,
    hint,
    opts.error ?? null,
  );
}

export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const d = (...a: A) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => fn(...a), ms);
  };
  d.cancel = () => timer && clearTimeout(timer);
  return d;
}

/** Is the keyboard event aimed at a text field (where single-letter shortcuts must not fire)? */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["checkbox", "radio", "button", "submit", "reset", "range", "file"].includes(type);
}
