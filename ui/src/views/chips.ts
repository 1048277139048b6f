// A chips input for word lists (sensitive words): type, then Enter or comma to add.

import { h, clear, uid } from "../dom";
import { t } from "../i18n";
import { parseWordList } from "../logic/query";

export interface ChipsInput {
  element: HTMLElement;
  values(): string[];
}

export function chipsInput(label: string, initial: string[], testid: string, hint?: string): ChipsInput {
  let values = [...initial];
  const id = uid("chips");
  const list = h("ul", { class: "chips", "aria-label": label });
  const input = h("input", { id, type: "text", class: "chips-input", testid, placeholder: t("chips.placeholder"), autocomplete: "off" });

  function commit() {
    const added = parseWordList(input.value);
    if (!added.length) return;
    values = parseWordList([...values, ...added].join(","));
    input.value = "";
    draw();
  }

  function draw() {
    clear(list);
    for (const v of values) {
      list.appendChild(
        h("li", { class: "chip chip-word", testid: "chip" }, v,
          h("button", {
            type: "button",
            class: "chip-remove",
            "aria-label": t("chips.remove", { word: v }),
            onclick: () => {
              values = values.filter((x) => x !== v);
              draw();
              input.focus();
            },
          }, "×")),
      );
    }
  }

  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === ",") {
      e.preventDefault();
      commit();
    } else if (e.key === "Backspace" && !input.value && values.length) {
      values = values.slice(0, -1);
      draw();
    }
  });
  input.addEventListener("blur", commit);
  input.addEventListener("paste", () => setTimeout(commit, 0));
  draw();

  const element = h("div", { class: "field" },
    h("label", { for: id }, label),
    h("div", { class: "chips-box" }, list, input),
    hint ? h("p", { class: "hint" }, hint) : null);
  return { element, values: () => (input.value.trim() ? parseWordList([...values, input.value].join(",")) : [...values]) };
}
