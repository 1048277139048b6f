// "Needs 1 approval: …": what the approval policy asks for a post, in words. The engine decides
// (`requirement`) and enforces it again at queue and send time; this only shows it.

import { h } from "../dom";
import { t, tn } from "../i18n";
import type { Requirement } from "../types";
import { ruleName } from "../logic/postProblems";

export function requirementText(r: Requirement): string {
  if (r.approvals === 0 && r.roles.length === 0) return t("req.none");
  const because = r.because.map(ruleName).join(t("list.rules"));
  const head = tn("req.needs", r.approvals, { because });
  return r.roles.length ? `${head} ${t("req.roles", { roles: r.roles.join(", ") })}` : head;
}

/** Fills `el` (created with `requirementSlot`) with the requirement, or empties it. */
export function showRequirement(el: HTMLElement, r: Requirement | null): void {
  el.hidden = !r;
  el.dataset.approvals = r ? String(r.approvals) : "";
  el.className = `requirement${r && r.approvals > 0 ? " requirement-needed" : ""}`;
  el.textContent = r ? requirementText(r) : "";
}

export function requirementSlot(testid: string): HTMLElement {
  return h("p", { class: "requirement", testid, role: "status", hidden: true });
}
