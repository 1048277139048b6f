// Mention stream: newest first, live updates, filters, full-text search, triage, keyboard.

import { h, append, clear, debounce, isTypingTarget } from "../dom";
import { icon } from "../icons";
import { t, tn } from "../i18n";
import * as ipc from "../ipc";
import type { Ctx, Cleanup } from "../app";
import type { Mention, SourceRow, Triage } from "../types";
import { LEVELS, TONES, TRIAGES } from "../types";
import { activeFilterCount, appendPage, EMPTY_FILTERS, EVERYTHING, filtersFromParams, filtersToParams, PAGE_SIZE, toMentionFilter, type FilterState } from "../logic/filters";
import { reduceKey, reselect } from "../logic/keyboard";
import { dateTime, nowSecs } from "../logic/format";
import { levelStyle } from "../logic/levels";
import { button, emptyState, errorBox, loading, select } from "./common";
import { mentionRow } from "./mentionRow";
import { renderQueryError } from "./queryField";
import { queryProblemText } from "../logic/query";

export const LANGS = ["fr", "en", "es", "de", "it", "nl", "pt"];

export function renderMentions(root: HTMLElement, ctx: Ctx, params: URLSearchParams): Cleanup {
  let filters: FilterState = filtersFromParams(params);
  let mentions: Mention[] = [];
  let sources: SourceRow[] = [];
  let selected = -1;
  let fresh = new Set<number>();
  let disposed = false;
  let unlisten: ipc.Unlisten | null = null;
  let seq = 0;
  // The last answer filled its page: older mentions are there to load.
  let more = false;
  // New mentions waiting while the user reads (see onNewMentions below).
  let pendingLive: number[] = [];

  const list = h("ol", { class: "mention-list", testid: "mention-list", "aria-label": t("mentions.title") });
  const moreBox = h("div", { class: "list-more" });
  const status = h("p", { class: "subtitle", testid: "mention-count" });
  const liveBox = h("div", { class: "live-pill", "aria-live": "polite", role: "status", testid: "live-count" });
  // Filters are a way of looking, not input to keep: closing the window may drop them.
  const filterBar = h("div", { class: "filter-bar", role: "search", "data-transient": "" });
  const search = h("input", {
    type: "search",
    class: "search-input",
    testid: "mention-search",
    placeholder: t("mentions.searchPlaceholder"),
    "aria-label": t("mentions.search"),
    title: t("mentions.searchHelp"),
    value: filters.search,
  });

  const runSearch = debounce(() => {
    filters.search = search.value;
    reload();
  }, 300);
  search.addEventListener("input", () => runSearch());
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      runSearch.cancel();
      filters.search = search.value;
      reload();
    } else if (e.key === "Escape") {
      // Escape clears the search (as the browser clears the box) and goes back to the list:
      // the stream must never stay filtered by a search no longer shown.
      e.preventDefault();
      runSearch.cancel();
      if (search.value || filters.search) {
        search.value = "";
        filters.search = "";
        reload();
      }
      search.blur();
      focusSelected();
    }
  });

  root.append(
    h("header", { class: "page-header" },
      h("div", { class: "page-titles" }, h("h1", null, t("mentions.title")), status),
      h("div", { class: "page-actions" }, liveBox,
        button(t("mentions.markAllSeen"), () => void markShownSeen(), { icon: "eye", testid: "mentions-mark-seen", title: t("mentions.markAllSeenHelp") }),
        button(t("common.refresh"), () => (pendingLive.length ? applyLive() : reload()), { icon: "refresh", testid: "mentions-refresh" }))),
    filterBar,
    list,
    moreBox,
    h("p", { class: "kbd-help", testid: "keyboard-help" }, t("mentions.keyboardHelp")),
  );

  const watchName = (id: number) => ctx.rows.find((r) => r.watch.id === id)?.watch.name ?? null;
  const sourceName = (id: number | null) => (id === null ? null : sources.find((s) => s.source.id === id)?.source.title ?? null);

  function buildFilters() {
    clear(filterBar);
    const sel = (key: keyof FilterState, label: string, opts: { value: string; label: string }[]) => {
      const s = select([{ value: "", label }, ...opts], filters[key], { "aria-label": label, testid: `filter-${key}`, class: filters[key] ? "is-set" : "" });
      s.addEventListener("change", () => {
        filters[key] = s.value;
        s.classList.toggle("is-set", !!s.value);
        reload();
      });
      return s;
    };
    append(filterBar, [
      h("div", { class: "search-wrap" }, icon("search", 16), search),
      sel("watch", t("filters.watch"), [
        { value: EVERYTHING, label: t("filters.everything") },
        ...ctx.rows.map((r) => ({ value: String(r.watch.id), label: r.watch.name })),
      ]),
      sel("source", t("filters.source"), sources.map((s) => ({ value: String(s.source.id), label: s.source.title }))),
      sel("lang", t("filters.lang"), LANGS.map((l) => ({ value: l, label: l.toUpperCase() }))),
      sel("tonality", t("filters.tonality"), TONES.map((x) => ({ value: x, label: t(`tone.${x}` as const) }))),
      sel("level", t("filters.level"), LEVELS.map((x) => ({ value: x, label: levelStyle(x).label }))),
      sel("triage", t("filters.triage"), TRIAGES.map((x) => ({ value: x, label: t(`triage.${x}` as const) }))),
      sel("period", t("filters.period"), ["24h", "7d", "30d"].map((x) => ({ value: x, label: t(`period.${x}` as "period.24h") }))),
      windowChip(),
      activeFilterCount(filters)
        ? button(t("filters.reset"), () => {
            filters = { ...EMPTY_FILTERS };
            search.value = "";
            buildFilters();
            reload();
          }, { kind: "ghost", small: true, testid: "filters-reset" })
        : null,
    ]);
  }

  /** The time window (from an alert), with a button that removes it. */
  function windowChip(): HTMLElement | null {
    const from = Number(filters.from);
    const to = Number(filters.to);
    if (!filters.from && !filters.to) return null;
    const label = filters.from && filters.to
      ? t("filters.window", { from: dateTime(from), to: dateTime(to) })
      : filters.from ? t("filters.windowFrom", { from: dateTime(from) }) : t("filters.windowTo", { to: dateTime(to) });
    return h("span", { class: "chip chip-window", testid: "filter-window" }, label,
      h("button", {
        type: "button",
        class: "chip-remove",
        "aria-label": t("filters.windowRemove"),
        testid: "filter-window-remove",
        onclick: () => {
          filters.from = "";
          filters.to = "";
          buildFilters();
          reload();
        },
      }, "×"));
  }

  // Each watch's terms (asked once the watches are known), to mark them in its mentions.
  const watchTerms = new Map<number, string[]>();
  function loadTerms() {
    Promise.all(
      ctx.rows.map((r) =>
        ipc.checkQuery(r.watch.query)
          .then((c) => { if (c.ok) watchTerms.set(r.watch.id, c.terms); })
          .catch(() => undefined)),
    ).then(() => {
      if (!disposed && watchTerms.size && mentions.length) draw();
    });
  }
  // The search's own terms (from `check_query`), marked in every mention it finds.
  let searchTerms: string[] = [];
  const termsOf = (m: Mention) => [...searchTerms, ...m.watch_ids.flatMap((id) => watchTerms.get(id) ?? [])];

  function rowOpts(m: Mention, i: number) {
    return {
      terms: termsOf,
      selected: i === selected,
      fresh: fresh.has(m.id),
      watchName,
      sourceName,
      onTriage: (mm: Mention, tr: Triage) => triage(mm, tr),
      onOpen: (mm: Mention) => open(mm),
      onSelect: (mm: Mention) => select_(mentions.indexOf(mm), false),
    };
  }

  function draw() {
    clear(list);
    const n = mentions.length;
    status.textContent = tn(more ? "mentions.countNewest" : "mentions.count", n) + (activeFilterCount(filters) ? ` · ${tn("filters.active", activeFilterCount(filters))}` : "");
    clear(moreBox);
    if (more) moreBox.appendChild(button(t("mentions.more"), () => void loadMore(), { kind: "secondary", testid: "mentions-more" }));
    if (!n) {
      list.appendChild(h("li", { class: "empty-li" }, emptyState(t("mentions.emptyTitle"), activeFilterCount(filters) ? t("mentions.emptyFiltered") : t("mentions.emptyBody"))));
      return;
    }
    mentions.forEach((m, i) => list.appendChild(mentionRow(m, rowOpts(m, i))));
  }

  function redrawRow(i: number) {
    const old = list.children[i];
    if (!old || !mentions[i]) return;
    const row = mentionRow(mentions[i], rowOpts(mentions[i], i));
    old.replaceWith(row);
  }

  function focusSelected() {
    const el = list.children[selected] as HTMLElement | undefined;
    if (el && el.classList.contains("mention-row")) {
      el.focus({ preventScroll: true });
      el.scrollIntoView?.({ block: "nearest" });
    }
  }

  function select_(i: number, focus = true) {
    if (i < 0 || i >= mentions.length) return;
    const prev = selected;
    selected = i;
    if (prev >= 0) redrawRow(prev);
    redrawRow(i);
    if (focus) focusSelected();
    else (list.children[i] as HTMLElement | undefined)?.focus({ preventScroll: true });
  }

  async function triage(m: Mention, tr: Triage) {
    const i = mentions.indexOf(m);
    const before = m.triage;
    if (before === tr) return;
    m.triage = tr;
    redrawRow(i);
    if (i === selected) focusSelected();
    try {
      await ipc.setTriage(m.id, tr);
      ctx.announce(t("mentions.triaged", { state: t(`triage.${tr}` as const) }));
    } catch (e) {
      m.triage = before;
      redrawRow(mentions.indexOf(m));
      ctx.toast(ctx.errorText(e), "error");
    }
  }

  function open(m: Mention) {
    if (!m.url) return;
    ipc.openExternal(m.url).catch((e) => ctx.toast(ctx.errorText(e), "error"));
  }

  async function reload(opts: { live?: number[] } = {}) {
    const my = ++seq;
    const prevId = selected >= 0 ? mentions[selected]?.id ?? null : null;
    if (!mentions.length && !opts.live) list.replaceChildren(h("li", { class: "empty-li" }, loading()));
    history.replaceState(null, "", `#/mentions${filtersToParams(filters) ? `?${filtersToParams(filters)}` : ""}`);
    try {
      // A live update asks for as many as are shown (the pages loaded below stay); other
      // reloads (filters, search, refresh) start again from the newest page, and show
      // whatever was waiting.
      if (!opts.live) takePending();
      // The search speaks the watch query language: one it cannot read says where and
      // what, as the watch editor does, instead of an empty list.
      const q = filters.search.trim();
      const check = q ? await ipc.checkQuery(q) : null;
      if (disposed || my !== seq) return;
      search.classList.toggle("invalid", check?.ok === false);
      search.setAttribute("aria-invalid", check?.ok === false ? "true" : "false");
      if (check && !check.ok) {
        mentions = [];
        more = false;
        status.textContent = t("mentions.searchInvalid");
        clear(moreBox);
        list.replaceChildren(h("li", { class: "empty-li", testid: "search-error" },
          renderQueryError(q, check.position, check.problem ? queryProblemText(check.problem) : check.message)));
        return;
      }
      searchTerms = check?.terms ?? [];
      const limit = opts.live ? Math.min(1000, Math.max(PAGE_SIZE, mentions.length)) : PAGE_SIZE;
      const got = await ipc.listMentions(toMentionFilter(filters, nowSecs(), limit, ctx.rows));
      if (disposed || my !== seq) return;
      mentions = got;
      more = got.length >= limit;
      fresh = new Set(opts.live ?? []);
      selected = reselect(prevId, mentions.map((m) => m.id), selected);
      const hadFocus = list.contains(document.activeElement);
      draw();
      if (hadFocus) focusSelected();
    } catch (e) {
      if (!disposed && my === seq) list.replaceChildren(h("li", { class: "empty-li" }, errorBox(ctx.errorText(e))));
    }
  }

  /** Every new mention shown becomes seen, in one step (a crisis brings hundreds). */
  async function markShownSeen() {
    const ids = mentions.filter((m) => m.triage === "new").map((m) => m.id);
    if (!ids.length) {
      ctx.toast(t("mentions.noneNew"));
      return;
    }
    try {
      let n = 0;
      // The engine takes at most 1,000 at once; more pages may be shown.
      for (let i = 0; i < ids.length; i += 1000) n += await ipc.setTriageMany(ids.slice(i, i + 1000), "seen");
      for (const m of mentions) if (ids.includes(m.id)) m.triage = "seen";
      draw();
      ctx.toast(tn("mentions.markedSeen", n));
    } catch (e) {
      ctx.toast(ctx.errorText(e), "error");
    }
  }

  /** The next page of older mentions, below those shown. */
  async function loadMore() {
    const my = ++seq;
    const last = mentions[mentions.length - 1];
    try {
      const page = await ipc.listMentions(toMentionFilter(filters, nowSecs(), PAGE_SIZE, ctx.rows, last));
      if (disposed || my !== seq) return;
      mentions = appendPage(mentions, page);
      more = page.length >= PAGE_SIZE;
      draw();
      ctx.announce(tn("mentions.count", mentions.length));
    } catch (e) {
      if (!disposed && my === seq) ctx.toast(ctx.errorText(e), "error");
    }
  }

  function onKey(e: KeyboardEvent) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTypingTarget(e.target)) return;
    if ((e.target as HTMLElement | null)?.closest?.("select, .filter-bar")) return;
    const { state, effect } = reduceKey({ selected, count: mentions.length }, e.key);
    switch (effect.type) {
      case "none":
        return;
      case "focusSearch":
        e.preventDefault();
        search.focus();
        search.select();
        return;
      case "select":
        e.preventDefault();
        select_(state.selected);
        return;
      case "triage":
        e.preventDefault();
        triage(mentions[effect.index], effect.triage);
        select_(effect.next);
        return;
      case "open":
        if ((e.target as HTMLElement | null)?.tagName === "BUTTON") return;
        e.preventDefault();
        open(mentions[effect.index]);
        return;
    }
  }
  document.addEventListener("keydown", onKey);

  // New mentions go straight in while the user is not reading; while a mention is selected
  // or the list is scrolled, they wait behind a button, so rows do not move under the reader.
  // The page scrolls inside the app's <main>, not the window.
  const scrolled = () => (document.getElementById("main")?.scrollTop ?? 0) > 40 || window.scrollY > 40;
  const reading = () => selected >= 0 || scrolled();
  /** The mentions waiting to be shown; the button that offered them goes. */
  function takePending(): number[] {
    const ids = pendingLive;
    pendingLive = [];
    clear(liveBox);
    liveBox.classList.remove("show");
    return ids;
  }
  function applyLive() {
    const ids = takePending();
    if (ids.length) reload({ live: ids });
  }
  ipc
    .onNewMentions((p) => {
      pendingLive.push(...p.ids.filter((id) => !pendingLive.includes(id)));
      if (!reading()) {
        applyLive();
        ctx.announce(tn("mentions.newLive", p.count));
        return;
      }
      liveBox.replaceChildren(
        button(`${tn("mentions.newLive", pendingLive.length)} · ${t("mentions.showNew")}`, applyLive, { small: true, kind: "secondary", testid: "live-show" }),
      );
      liveBox.classList.add("show");
    })
    .then((u) => (disposed ? u() : (unlisten = u)))
    .catch(() => undefined);

  buildFilters();
  Promise.all([
    ipc.listSources().then((s) => (sources = s)).catch(() => []),
    ctx.rows.length ? Promise.resolve() : ctx.refreshDashboard().catch(() => undefined),
  ]).then(() => {
    if (disposed) return;
    buildFilters();
    reload();
    loadTerms();
  });

  return () => {
    disposed = true;
    runSearch.cancel();
    document.removeEventListener("keydown", onKey);
    unlisten?.();
  };
}
