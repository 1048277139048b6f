// One mention in the stream. Remote content (title, text, author, URL) goes in through text
// nodes only — never innerHTML — so markup in a feed item is shown as inert text.

import { h } from "../dom";
import { icon } from "../icons";
import { t } from "../i18n";
import type { Mention, Triage } from "../types";
import { TRIAGES } from "../types";
import { dateTime, hostOf, isOpenableUrl, relativeTime } from "../logic/format";
import { markTerms } from "../logic/highlight";

export interface RowOptions {
  selected: boolean;
  fresh?: boolean;
  watchName(id: number): string | null;
  sourceName(id: number | null): string | null;
  onTriage(m: Mention, triage: Triage): void;
  onOpen(m: Mention): void;
  onSelect(m: Mention): void;
  /** The terms of the watches that matched it, marked in its title and text. */
  terms?(m: Mention): string[];
}

const TRIAGE_ICON: Record<Triage, string> = { new: "dot", seen: "eye", flagged: "flag", handled: "check" };

export function mentionRow(m: Mention, o: RowOptions): HTMLLIElement {
  const tone = m.tonality?.label ?? null;
  const source = o.sourceName(m.source_id) || hostOf(m.url) || t("mentions.unknownSource");
  const meta = h(
    "div",
    { class: "mention-meta" },
    h("span", { class: "mention-source", testid: "mention-source" }, source),
    m.author ? h("span", { class: "mention-author" }, m.author) : null,
    h("time", { datetime: new Date(m.published_at * 1000).toISOString(), title: dateTime(m.published_at) }, relativeTime(m.published_at)),
    m.lang ? h("span", { class: "chip chip-lang", title: t("filters.lang") }, m.lang.toUpperCase()) : null,
  );

  const chips = h("div", { class: "mention-tags" });
  for (const id of m.watch_ids) {
    const name = o.watchName(id);
    if (name) chips.appendChild(h("span", { class: "chip chip-watch" }, name));
  }
  if (tone) {
    chips.appendChild(
      h("span", { class: `chip tone tone-${tone}`, testid: "mention-tone", "data-tone": tone }, t(`tone.${tone}` as const)),
    );
  }
  if (m.tonality?.anger) chips.appendChild(h("span", { class: "chip tone tone-anger" }, t("tone.anger")));

  const triage = h("div", { class: "triage", role: "group", "aria-label": t("mentions.triage") });
  for (const tr of TRIAGES) {
    const on = m.triage === tr;
    triage.appendChild(
      h(
        "button",
        {
          type: "button",
          class: `triage-btn triage-${tr}${on ? " active" : ""}`,
          testid: `triage-${tr}`,
          "aria-pressed": on ? "true" : "false",
          title: `${t(`triage.${tr}` as const)} (${t(`triage.key.${tr}` as const)})`,
          tabindex: "-1",
          onclick: (e: Event) => {
            e.stopPropagation();
            o.onTriage(m, tr);
          },
        },
        icon(TRIAGE_ICON[tr], 14),
        h("span", null, t(`triage.${tr}` as const)),
      ),
    );
  }
  const open = isOpenableUrl(m.url)
    ? h(
        "button",
        {
          type: "button",
          class: "btn btn-ghost btn-sm",
          testid: "mention-open",
          tabindex: "-1",
          title: m.url,
          onclick: (e: Event) => {
            e.stopPropagation();
            o.onOpen(m);
          },
        },
        icon("open", 14),
        h("span", null, t("mentions.open")),
      )
    : null;

  const title = m.title.trim();
  const terms = o.terms?.(m) ?? [];
  const li = h(
    "li",
    {
      class: `mention-row triage-state-${m.triage}${tone ? ` tone-row-${tone}` : ""}${o.selected ? " selected" : ""}${o.fresh ? " fresh" : ""}`,
      testid: "mention-row",
      "data-mention-id": String(m.id),
      "data-triage": m.triage,
      tabindex: o.selected ? "0" : "-1",
      "aria-current": o.selected ? "true" : undefined,
      onclick: () => o.onSelect(m),
    },
    h("div", { class: "mention-main" },
      meta,
      title ? h("h3", { class: "mention-title", testid: "mention-title" }, markTerms(title, terms)) : null,
      h("p", { class: "mention-text", testid: "mention-text" }, markTerms(m.text, terms)),
      chips),
    h("div", { class: "mention-actions" }, triage, open),
  );
  return li;
}
