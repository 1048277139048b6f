import { afterEach, describe, expect, it } from "vitest";
import { h, hasUnsavedInput } from "../src/dom";
import { select } from "../src/views/common";
import { renderOnboarding } from "../src/views/onboarding";
import { setBackend } from "../src/ipc";
import { testBackend, testCtx } from "./helpers";

// Closing the window releases its webview only when this says nothing would be lost
// (src-tauri/src/window.rs): each case is one thing a user could have typed or chosen.
describe("hasUnsavedInput", () => {
  const form = () =>
    h(
      "form",
      null,
      h("input", { type: "text", value: "Maison Lumen", testid: "text" }),
      h("textarea", { value: "Nous avons pris connaissance…", testid: "area" }),
      h("input", { type: "checkbox", checked: true, testid: "box" }),
      select([{ value: "low", label: "low" }, { value: "high", label: "high" }], "high", { testid: "sel" }),
      select([{ value: "a", label: "a" }, { value: "b", label: "b" }], "", { testid: "sel-none" }),
      h("input", { type: "search", testid: "search" }),
      h("textarea", { readonly: true, value: "-----BEGIN VIGIE APPROVAL-----", testid: "ro" }),
      h("div", { "data-transient": "" }, h("input", { type: "text", testid: "transient" })),
    );
  const q = <T extends Element>(root: Element, id: string) => root.querySelector(`[data-testid="${id}"]`) as T;

  it("is false for fields as they were given, whatever their initial values", () => {
    expect(hasUnsavedInput(form())).toBe(false);
  });

  it("sees typed text, edited text, an unticked box and another option", () => {
    const edits: [string, (root: Element) => void][] = [
      ["text", (r) => (q<HTMLInputElement>(r, "text").value = "Maison Lumen SA")],
      ["area", (r) => (q<HTMLTextAreaElement>(r, "area").value = "")],
      ["box", (r) => (q<HTMLInputElement>(r, "box").checked = false)],
      ["sel", (r) => (q<HTMLSelectElement>(r, "sel").value = "low")],
      ["sel-none", (r) => (q<HTMLSelectElement>(r, "sel-none").value = "b")],
    ];
    for (const [what, edit] of edits) {
      const root = form();
      edit(root);
      expect(hasUnsavedInput(root), what).toBe(true);
    }
  });

  it("ignores search boxes, read-only, disabled and transient fields", () => {
    const root = form();
    q<HTMLInputElement>(root, "search").value = "rappel";
    q<HTMLInputElement>(root, "transient").value = "x";
    q<HTMLTextAreaElement>(root, "ro").value = "changed by the app";
    const text = q<HTMLInputElement>(root, "text");
    text.value = "typed";
    text.disabled = true;
    expect(hasUnsavedInput(root)).toBe(false);
  });

  it("follows a real view: the onboarding's brand field", () => {
    setBackend(testBackend({}).backend);
    const root = document.createElement("div");
    renderOnboarding(root, testCtx({}));
    expect(hasUnsavedInput(root)).toBe(false);
    const brand = q<HTMLInputElement>(root, "onboarding-brand");
    brand.value = "Maison Lumen";
    brand.dispatchEvent(new Event("input"));
    expect(hasUnsavedInput(root)).toBe(true);
  });

  afterEach(() => setBackend(null));
});
