// Drafts: messages written together before they go out. The list (`#/drafts`) with a form to
// start one; `#/drafts/ID` opens the editor (draftEditor.ts). Creating a draft needs this
// laptop's identity (the engine says so when it is missing).

import { h, clear, field } from "../dom";
import { t, tn } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { Draft, Member } from "../types";
import { relativeTime, nowSecs } from "../logic/format";
import { memberName } from "../logic/teamwork";
import { button, emptyState, errorBox, loading, pageHeader, select } from "./common";
import { renderDraftEditor } from "./draftEditor";

export function renderDrafts(root: HTMLElement, ctx: Ctx, params: URLSearchParams, path: string[]): Cleanup {
  const id = Number(path[0]);
  if (path[0] && Number.isInteger(id) && id > 0) return renderDraftEditor(root, ctx, id);

  let disposed = false;
  const newBox = h("section", { class: "card", "aria-labelledby": "new-draft-h" });
  const listBox = h("section", { class: "card" }, loading());
  root.append(pageHeader(t("drafts.title"), t("drafts.subtitle")), newBox, listBox);

  function drawNew(hasIdentity: boolean) {
    clear(newBox);
    const title = h("input", { type: "text", class: "input", testid: "draft-title", autocomplete: "off", maxlength: "200" });
    const watchOptions = [{ value: "", label: t("drafts.noWatch") }, ...ctx.rows.map((r) => ({ value: String(r.watch.id), label: r.watch.name }))];
    const wanted = params.get("watch") ?? "";
    const watch = select(watchOptions, watchOptions.some((o) => o.value === wanted) ? wanted : "", { class: "input", testid: "draft-watch" });
    const err = h("p", { class: "field-error", role: "alert", testid: "draft-error" });
    const form = h("form", { class: "new-draft", novalidate: true },
      h("h2", { id: "new-draft-h" }, t("drafts.new")),
      hasIdentity ? null : h("p", { class: "note", testid: "drafts-need-identity" }, t("drafts.needIdentity"), " ",
        h("a", { href: "#/team", class: "link" }, t("drafts.goTeam"))),
      h("div", { class: "two-col" }, field(t("drafts.titleLabel"), title, { hint: t("drafts.titleHint") }), field(t("drafts.watch"), watch, { hint: t("drafts.watchHint") })),
      err,
      h("div", { class: "form-actions" }, button(t("drafts.create"), () => undefined, { type: "submit", kind: "primary", icon: "plus", testid: "draft-create" })));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      err.textContent = "";
      if (!title.value.trim()) {
        err.textContent = t("drafts.titleRequired");
        title.focus();
        return;
      }
      try {
        const d = await ipc.createDraft(title.value.trim(), watch.value ? Number(watch.value) : null, []);
        ctx.toast(t("drafts.created", { title: d.title }));
        ctx.navigate(`#/drafts/${d.id}`);
      } catch (e2) {
        err.textContent = ctx.errorText(e2);
      }
    });
    newBox.append(form);
  }

  function row(d: Draft, roster: Member[], now: number): HTMLElement {
    const watch = d.watchId !== null ? ctx.rows.find((r) => r.watch.id === d.watchId)?.watch.name : undefined;
    return h("li", { class: "draft-row", testid: "draft-row", "data-draft-id": String(d.id) },
      h("a", { href: `#/drafts/${d.id}`, class: "draft-open", testid: "draft-open" }, d.title),
      h("div", { class: "small muted draft-meta" },
        h("span", null, tn("drafts.variants", d.variants.length)),
        h("span", null, t("drafts.by", { name: memberName(d.authorKey, roster) })),
        watch ? h("span", null, t("drafts.about", { watch })) : null,
        d.origin ? h("span", { class: "chip chip-term", testid: "draft-origin" }, `${d.origin.playbook} · ${d.origin.statement}`) : null,
        h("time", { datetime: new Date(d.updatedAt * 1000).toISOString() }, t("drafts.updated", { when: relativeTime(d.updatedAt, now) }))));
  }

  Promise.all([ipc.listDrafts(), ipc.listRoster().catch(() => [] as Member[]), ipc.myIdentity().catch(() => null)])
    .then(([drafts, roster, me]) => {
      if (disposed) return;
      drawNew(!!me);
      clear(listBox);
      listBox.append(h("div", { class: "card-title-row" }, h("h2", null, tn("drafts.count", drafts.length))));
      if (!drafts.length) {
        listBox.append(emptyState(t("drafts.emptyTitle"), t("drafts.emptyBody")));
        return;
      }
      const now = nowSecs();
      const sorted = [...drafts].sort((a, b) => b.updatedAt - a.updatedAt);
      listBox.append(h("ul", { class: "draft-list", testid: "draft-list" }, ...sorted.map((d) => row(d, roster, now))));
    })
    .catch((e) => {
      if (disposed) return;
      drawNew(true);
      listBox.replaceChildren(errorBox(ctx.errorText(e)));
    });

  return () => {
    disposed = true;
  };
}
