// The query field with live validation through `check_query`: error message and position under
// the field, the faulty column highlighted in a mirror of the query, recognised terms when valid.

import { h, clear, debounce, uid } from "../dom";
import { t } from "../i18n";
import * as ipc from "../ipc";
import type { QueryCheck } from "../types";
import { highlightQueryError, queryProblemText } from "../logic/query";

export interface QueryField {
  element: HTMLElement;
  input: HTMLInputElement;
  /** The last check (null while none has come back). */
  result(): QueryCheck | null;
  /** Checks now, bypassing the debounce. */
  checkNow(): Promise<QueryCheck | null>;
  destroy(): void;
}

/** Renders the error mirror: text before, the faulty character in <mark>, the rest (text nodes only). */
export function renderQueryError(query: string, position: number, message: string, onJump?: () => void): HTMLElement {
  const hl = highlightQueryError(query, position);
  const mark = h("mark", { class: hl.atEnd ? "query-mark at-end" : "query-mark", testid: "query-error-mark" }, hl.atEnd ? " " : hl.at);
  if (onJump) mark.addEventListener("click", onJump);
  return h(
    "div",
    { class: "query-feedback error", testid: "query-error", role: "alert" },
    h("div", { class: "query-mirror", "aria-hidden": "true" }, hl.before, mark, hl.after),
    h("p", { class: "query-message" }, t("query.errorAt", { position }), " ", message),
  );
}

export function queryField(opts: {
  value: string;
  testid: string;
  label: string;
  onChange?: (q: string, r: QueryCheck | null) => void;
}): QueryField {
  const id = uid("q");
  const input = h("input", {
    id,
    type: "text",
    class: "input mono",
    testid: opts.testid,
    value: opts.value,
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": `${id}-fb ${id}-help`,
  });
  const feedback = h("div", { id: `${id}-fb`, class: "query-feedback-slot", "aria-live": "polite" });
  const help = h("p", { class: "hint", id: `${id}-help` }, t("query.help"));
  let last: QueryCheck | null = null;
  let seq = 0;

  async function run(): Promise<QueryCheck | null> {
    const q = input.value;
    const my = ++seq;
    if (!q.trim()) {
      last = { ok: false, position: 1, message: t("query.empty") };
      show(q, last);
      opts.onChange?.(q, last);
      return last;
    }
    try {
      const r = await ipc.checkQuery(q);
      if (my !== seq) return last;
      last = r;
      show(q, r);
    } catch (e) {
      if (my !== seq) return last;
      last = null;
      clear(feedback);
      feedback.appendChild(h("p", { class: "query-feedback error" }, ipc.toIpcError(e).message));
    }
    opts.onChange?.(q, last);
    return last;
  }

  function show(q: string, r: QueryCheck) {
    clear(feedback);
    input.setAttribute("aria-invalid", r.ok ? "false" : "true");
    input.classList.toggle("invalid", !r.ok);
    if (r.ok) {
      const terms = h("span", { class: "terms" });
      for (const term of r.terms) terms.appendChild(h("span", { class: "chip chip-term" }, term));
      feedback.appendChild(h("div", { class: "query-feedback ok", testid: "query-ok" }, h("span", null, t("query.valid")), terms));
    } else {
      feedback.appendChild(
        renderQueryError(q, r.position, r.problem ? queryProblemText(r.problem) : r.message, () => {
          input.focus();
          const chars = Array.from(q);
          const offset = chars.slice(0, Math.max(0, r.position - 1)).join("").length;
          input.setSelectionRange(offset, Math.min(q.length, offset + (chars[r.position - 1]?.length ?? 0)));
        }),
      );
    }
  }

  const deb = debounce(() => void run(), 250);
  input.addEventListener("input", () => deb());
  if (opts.value) void run();

  const element = h("div", { class: "field" }, h("label", { for: id }, opts.label), input, feedback, help);
  return { element, input, result: () => last, checkNow: () => { deb.cancel(); return run(); }, destroy: () => deb.cancel() };
}
