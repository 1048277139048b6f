// The audit log: the latest entries (who, when, what) and "verify", which walks the whole hash
// chain in the engine and says whether it is intact or where it first breaks.

import { h, clear } from "../dom";
import { DICTIONARIES, t, tn, type Key } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { AuditEntry, AuditReport } from "../types";
import { dateTime, nowSecs, relativeTime } from "../logic/format";
import { auditSummary, shortKey } from "../logic/teamwork";
import { button, emptyState, errorBox, loading, pageHeader } from "./common";

const LIMIT = 200;

/** "Post sent" for known kinds; the raw kind, readable, otherwise. */
export function auditKindLabel(kind: string): string {
  const key = `audit.kind.${kind}`;
  return key in DICTIONARIES.en ? t(key as Key) : kind.replace(/_/g, " ");
}

export function renderAudit(root: HTMLElement, ctx: Ctx): Cleanup {
  let disposed = false;
  const result = h("div", { class: "audit-result", testid: "audit-result", role: "status", hidden: true });
  const listBox = h("section", { class: "card" }, loading());
  const verify = button(t("audit.verify"), async () => {
    verify.disabled = true;
    try {
      show(await ipc.verifyAudit());
    } catch (e) {
      result.hidden = false;
      result.dataset.state = "error";
      result.className = "audit-result error-box";
      result.textContent = ctx.errorText(e);
    } finally {
      verify.disabled = false;
    }
  }, { kind: "primary", icon: "audit", testid: "audit-verify" });
  root.append(pageHeader(t("audit.title"), t("audit.subtitle"),
    button(t("common.refresh"), () => void load(), { icon: "refresh", testid: "audit-refresh" }), verify), result, listBox);

  function show(r: AuditReport) {
    result.hidden = false;
    clear(result);
    if (r.broken === null) {
      result.dataset.state = "intact";
      result.className = "audit-result ok-box";
      result.append(h("strong", null, t("audit.intact")), " ", tn("audit.intactBody", r.entries, { head: shortKey(r.head) }));
    } else {
      result.dataset.state = "broken";
      result.className = "audit-result error-box";
      result.append(h("strong", null, t("audit.broken")), " ", h("span", { testid: "audit-broken" }, r.broken));
    }
    ctx.announce(result.textContent ?? "");
  }

  function row(e: AuditEntry, now: number): HTMLElement {
    return h("li", { class: "audit-entry", testid: "audit-entry", "data-seq": String(e.seq), "data-kind": e.kind },
      h("span", { class: "mono small muted audit-seq" }, `#${e.seq}`),
      h("time", { class: "small muted", datetime: new Date(e.at * 1000).toISOString(), title: dateTime(e.at) }, relativeTime(e.at, now)),
      h("span", { class: "audit-actor", testid: "audit-actor" }, e.actor),
      h("span", { class: "audit-kind", testid: "audit-kind" }, auditKindLabel(e.kind)),
      h("code", { class: "mono small muted audit-hash", title: e.hash }, shortKey(e.hash)),
      h("span", { class: "audit-data small", testid: "audit-data" }, auditSummary(e.data)));
  }

  async function load() {
    try {
      const entries = await ipc.auditLog(LIMIT);
      if (disposed) return;
      clear(listBox);
      listBox.append(h("div", { class: "card-title-row" }, h("h2", null, tn("audit.count", entries.length)),
        h("span", { class: "muted small" }, t("audit.newestFirst"))));
      if (!entries.length) {
        listBox.append(emptyState(t("audit.emptyTitle"), t("audit.emptyBody")));
        return;
      }
      const now = nowSecs();
      const sorted = [...entries].sort((a, b) => b.seq - a.seq);
      listBox.append(h("ol", { class: "audit-list", testid: "audit-list" }, ...sorted.map((e) => row(e, now))));
    } catch (e) {
      if (!disposed) listBox.replaceChildren(errorBox(ctx.errorText(e)));
    }
  }

  void load();
  return () => {
    disposed = true;
  };
}
