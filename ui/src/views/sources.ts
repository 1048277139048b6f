// Sources: add (feed or web page, Mastodon tag, Bluesky search), OPML import/export, health.

import { h, append, clear, field } from "../dom";
import { icon } from "../icons";
import { t, tn } from "../i18n";
import * as ipc from "../ipc";
import { decodeXml } from "../logic/xml";
import type { Ctx, Cleanup } from "../app";
import type { SourceKind, SourceRow, SourceSpec } from "../types";
import { relativeTime } from "../logic/format";
import { healthText, isFailing } from "../logic/health";
import { button, emptyState, errorBox, loading, pageHeader, segmented } from "./common";

type Tab = "feed" | "mastodon" | "bluesky";

export function describeKind(k: SourceKind): string {
  switch (k.kind) {
    case "feed":
      return k.url;
    case "mastodon_tag":
      return `#${k.tag} · ${k.instance.replace(/^https?:\/\//, "")}`;
    case "bluesky_search":
      return `${t("sources.quoted", { text: k.query })} · ${k.handle}`;
  }
}

export function renderSources(root: HTMLElement, ctx: Ctx): Cleanup {
  let disposed = false;
  let tab: Tab = "feed";
  const unlisten: ipc.Unlisten[] = [];
  const formSlot = h("div", { class: "add-form" });
  const listBox = h("div", { class: "card" }, loading());
  const fileInput = h("input", { type: "file", accept: ".opml,.xml,text/xml,text/x-opml", class: "sr-only", testid: "opml-file", id: "opml-file" });

  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    try {
      const r = await ipc.importOpml(decodeXml(new Uint8Array(await file.arrayBuffer())));
      ctx.toast(t("sources.imported", { added: r.added, present: r.already_present }));
      if (r.skipped.length) {
        ctx.toast(t("sources.importSkipped", { n: r.skipped.length, urls: r.skipped.map((f) => f.url || "\"\"").slice(0, 3).join(", ") }), "error");
      }
      refresh();
    } catch (e) {
      ctx.toast(ctx.errorText(e), "error");
    } finally {
      fileInput.value = "";
    }
  });

  root.append(
    pageHeader(t("sources.title"), t("sources.subtitle"),
      h("label", { for: "opml-file", class: "btn btn-secondary", testid: "opml-import", tabindex: "0", role: "button",
        onkeydown: (e: Event) => { const k = (e as KeyboardEvent).key; if (k === "Enter" || k === " ") { e.preventDefault(); fileInput.click(); } } },
        icon("upload", 16), h("span", null, t("sources.importOpml"))),
      fileInput,
      button(t("sources.checkAll"), async () => {
        try {
          const n = await ipc.checkAllSources();
          ctx.toast(tn("sources.checkingAll", n));
        } catch (e) {
          ctx.toast(ctx.errorText(e), "error");
        }
      }, { icon: "refresh", testid: "sources-check-all" }),
      button(t("sources.exportOpml"), async () => {
        try {
          ctx.toast(t("sources.exported", { path: await ipc.exportOpml() }), "ok");
        } catch (e) {
          ctx.toast(ctx.errorText(e), "error");
        }
      }, { icon: "download", testid: "opml-export" })),
    h("section", { class: "card add-card", "aria-labelledby": "add-source-h" },
      h("div", { class: "add-head" }, h("h2", { id: "add-source-h" }, t("sources.add")),
        segmented<Tab>(t("sources.add"), [
          { value: "feed", label: t("sources.tabFeed"), testid: "source-tab-feed" },
          { value: "mastodon", label: t("sources.tabMastodon"), testid: "source-tab-mastodon" },
          { value: "bluesky", label: t("sources.tabBluesky"), testid: "source-tab-bluesky" },
        ], tab, (v) => { tab = v; drawForm(); })),
      formSlot),
    listBox,
  );

  async function submit(form: HTMLFormElement, spec: () => SourceSpec | null, after?: () => void) {
    const btn = form.querySelector<HTMLButtonElement>("button[type=submit]");
    const s = spec();
    if (!s) return;
    if (btn) btn.disabled = true;
    try {
      const src = await ipc.addSource(s);
      // A new feed has no title until its first poll: name it by its address meanwhile.
      const kind = src.kind;
      const where = kind.kind === "feed" ? kind.url : kind.kind === "mastodon_tag" ? `#${kind.tag}` : kind.query;
      ctx.toast(t("sources.added", { title: src.title || where }));
      form.reset();
      refresh();
    } catch (e) {
      ctx.toast(ctx.errorText(e), "error");
    } finally {
      after?.();
      if (btn) btn.disabled = false;
    }
  }

  function drawForm() {
    clear(formSlot);
    const form = h("form", { class: "inline-form", novalidate: true });
    const addBtn = button(t("sources.addButton"), () => undefined, { kind: "primary", type: "submit", icon: "plus", testid: "source-add" });
    const req = (i: HTMLInputElement) => {
      const ok = !!i.value.trim();
      i.setAttribute("aria-invalid", ok ? "false" : "true");
      if (!ok) i.focus();
      return ok;
    };
    if (tab === "feed") {
      const url = h("input", { type: "url", class: "input", testid: "source-url", placeholder: "https://", autocomplete: "off" });
      form.append(field(t("sources.url"), url, { hint: t("sources.urlHint"), class: "grow" }), addBtn);
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        void submit(form, () => (req(url) ? { kind: "feed", url: url.value.trim() } : null));
      });
    } else if (tab === "mastodon") {
      const instance = h("input", { type: "url", class: "input", testid: "source-mastodon-instance", value: "https://mastodon.social" });
      const tag = h("input", { type: "text", class: "input", testid: "source-mastodon-tag", placeholder: t("sources.tagPlaceholder") });
      form.append(field(t("sources.instance"), instance), field(t("sources.tag"), tag, { hint: t("sources.tagHint") }), addBtn);
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        void submit(form, () => (req(instance) && req(tag) ? { kind: "mastodon_tag", instance: instance.value.trim(), tag: tag.value.trim().replace(/^#/, "") } : null));
      });
    } else {
      const service = h("input", { type: "url", class: "input", testid: "source-bluesky-service", value: "https://bsky.social" });
      const handle = h("input", { type: "text", class: "input", testid: "source-bluesky-handle", placeholder: "you.bsky.social", autocomplete: "username" });
      const query = h("input", { type: "text", class: "input", testid: "source-bluesky-query" });
      // The app password is read from the field at submit time only, sent to the shell (which
      // stores it in the OS keychain) and the field is cleared: it is never kept in JS state.
      const password = h("input", { type: "password", class: "input", testid: "source-bluesky-password", autocomplete: "off", placeholder: "xxxx-xxxx-xxxx-xxxx" });
      form.append(
        field(t("sources.service"), service), field(t("sources.handle"), handle), field(t("sources.query"), query),
        field(t("sources.appPassword"), password, { hint: t("sources.appPasswordHint") }), addBtn,
      );
      form.classList.add("wrap");
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        void submit(
          form,
          () =>
            req(service) && req(handle) && req(query) && req(password)
              ? { kind: "bluesky_search", service: service.value.trim(), handle: handle.value.trim().replace(/^@/, ""), query: query.value.trim(), appPassword: password.value }
              : null,
          () => (password.value = ""),
        );
      });
    }
    formSlot.appendChild(form);
  }

  function sourceRow(r: SourceRow): HTMLElement {
    // An untitled source (not checked yet) is named by where it comes from.
    const name = r.source.title || describeKind(r.source.kind);
    const failing = isFailing(r.state);
    const healthCell = h("td", { class: "health-cell" });
    const tr = h("tr", { testid: "source-row", "data-source-id": String(r.source.id), class: `${failing ? "failing" : ""}${r.source.enabled ? "" : " paused"}` });
    const fill = (row: SourceRow) => {
      clear(healthCell);
      const bad = isFailing(row.state);
      tr.classList.toggle("failing", bad);
      append(healthCell, [
        r.source.enabled ? null : h("p", { class: "health paused-note", testid: "source-paused" }, t("sources.pausedNote")),
        h("p", { class: `health ${bad ? "health-bad" : "health-ok"}`, testid: "source-health" },
          h("span", { class: "health-dot", "aria-hidden": "true" }), healthText(row.state)),
        // The health line already says the last error, with what to do: not said twice.
      ]);
    };
    fill(r);
    tr.append(
      h("td", null, h("div", { class: "strong" }, name), h("div", { class: "muted small break source-desc" }, describeKind(r.source.kind))),
      h("td", null, h("span", { class: "chip" }, t(`kind.${r.source.kind.kind}` as const))),
      healthCell,
      h("td", { class: "muted small nowrap" }, r.state.last_checked_at ? relativeTime(r.state.last_checked_at) : t("sources.never")),
      h("td", null, h("div", { class: "row-actions" },
        !r.source.enabled ? null : button(t("sources.checkNow"), async () => {
          try {
            await ipc.checkSource(r.source.id);
            ctx.toast(t("sources.checking", { title: r.source.title }));
          } catch (e) {
            ctx.toast(ctx.errorText(e), "error");
          }
        }, { small: true, icon: "refresh", testid: "source-check" }),
        button(r.source.enabled ? t("sources.pause") : t("sources.resume"), async () => {
          try {
            await ipc.setSourceEnabled(r.source.id, !r.source.enabled);
            ctx.toast(t(r.source.enabled ? "sources.paused" : "sources.resumed", { title: name }));
            refresh();
          } catch (e) {
            ctx.toast(ctx.errorText(e), "error");
          }
        }, { small: true, kind: "ghost", testid: "source-pause" }),
        removeButton(r))),
    );
    ipc.onSourceHealth(r.source.id, fill).then((u) => (disposed ? u() : unlisten.push(u))).catch(() => undefined);
    return tr;
  }

  function removeButton(r: SourceRow): HTMLElement {
    const box = h("span", { class: "inline-confirm" });
    // The keyboard follows the question: to "Confirm" when asked, back to "Remove" on cancel.
    const reset = (focus = false) => {
      const remove = button(t("common.remove"), ask, { small: true, kind: "ghost", icon: "trash", testid: "source-remove" });
      box.replaceChildren(remove);
      if (focus) remove.focus();
    };
    const ask = () => {
      const confirm = button(t("common.confirm"), async () => {
        try {
          await ipc.removeSource(r.source.id);
          ctx.toast(t("sources.removed", { title: r.source.title }));
          refresh();
        } catch (e) {
          ctx.toast(ctx.errorText(e), "error");
        }
      }, { small: true, kind: "danger", testid: "source-remove-confirm" });
      box.replaceChildren(confirm, button(t("common.cancel"), () => reset(true), { small: true, kind: "ghost", testid: "source-remove-cancel" }));
      confirm.focus();
    };
    reset();
    return box;
  }

  function refresh() {
    ipc
      .listSources()
      .then((rows) => {
        if (disposed) return;
        unlisten.splice(0).forEach((u) => u());
        clear(listBox);
        const failing = rows.filter((r) => isFailing(r.state)).length;
        listBox.appendChild(h("div", { class: "card-title-row" }, h("h2", null, tn("sources.count", rows.length)),
          failing ? h("span", { class: "tag tag-bad" }, tn("sources.failing", failing)) : null));
        if (!rows.length) {
          listBox.appendChild(emptyState(t("sources.emptyTitle"), t("sources.emptyBody")));
          return;
        }
        const sorted = [...rows].sort((a, b) => b.state.error_count - a.state.error_count || a.source.title.localeCompare(b.source.title));
        listBox.appendChild(
          h("table", { class: "table" },
            h("thead", null, h("tr", null,
              h("th", { scope: "col" }, t("sources.colSource")),
              h("th", { scope: "col" }, t("sources.colKind")),
              h("th", { scope: "col" }, t("sources.colHealth")),
              h("th", { scope: "col" }, t("sources.colChecked")),
              h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("sources.colActions"))))),
            h("tbody", null, ...sorted.map(sourceRow))),
        );
      })
      .catch((e) => !disposed && listBox.replaceChildren(errorBox(ctx.errorText(e))));
  }

  drawForm();
  refresh();
  return () => {
    disposed = true;
    unlisten.forEach((u) => u());
  };
}
