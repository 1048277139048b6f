// "Needs 1 approval: …": what the approval policy asks for a post, in words. The engine decides
// (`requirement`) and enforces it again at queue and send time; this only shows it.

import { h } from "../dom";
import { t, tn } from "../i18n";
import type { ApprovalStatus, Requirement } from "../types";
import { ruleName } from "../logic/postProblems";

export function requirementText(r: Requirement): string {
  if (r.approvals === 0 && r.roles.length === 0) return t("req.none");
  const because = r.because.map(ruleName).join(t("list.rules"));
  const head = tn("req.needs", r.approvals, { because });
  return r.roles.length ? `${head} ${t("req.roles", { roles: r.roles.join(", ") })}` : head;
}

/** The requirement, then where it stands: met (by whom), or who approved so far and whose
 *  approval expired. */
export function statusText(r: ApprovalStatus): string {
  const head = requirementText(r);
  // Nothing required, or no status given (an older engine answered the requirement alone).
  if ((r.approvals === 0 && r.roles.length === 0) || r.unmet === undefined) return head;
  const by = r.approvedBy ?? [];
  if (!r.unmet) return `${head} ${t("req.met", { names: by.join(", ") })}`;
  const so_far = by.length ? t("req.soFar", { names: by.join(", ") }) : t("req.noneYet");
  const expired = r.unmet.expired ?? [];
  return `${head} ${so_far}${expired.length ? ` ${t("req.expired", { names: expired.join(", ") })}` : ""}`;
}

/** Fills `el` (created with `requirementSlot`) with the requirement and whether it is met, or
 *  empties it. */
export function showRequirement(el: HTMLElement, r: ApprovalStatus | null): void {
  el.hidden = !r;
  el.dataset.approvals = r ? String(r.approvals) : "";
  el.dataset.met = r && r.unmet !== undefined ? String(!r.unmet) : "";
  const needed = !!r && (r.approvals > 0 || r.roles.length > 0);
  el.className = `requirement${needed ? (r.unmet === null ? " requirement-met" : " requirement-needed") : ""}`;
  el.textContent = r ? statusText(r) : "";
}

export function requirementSlot(testid: string): HTMLElement {
  return h("p", { class: "requirement", testid, role: "status", hidden: true });
}
