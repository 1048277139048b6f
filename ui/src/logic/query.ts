import { t } from "../i18n";
import type { QueryProblem } from "../types";

/**
 * Splits a query around the error column reported by `check_query` (1-based character
 * column, as vigie-domain reports it; it may be one past the end for "found the end of the
 * query"). Characters, not UTF-16 units, so « » and accents count as one.
 */
export interface QueryHighlight {
  before: string;
  at: string;
  after: string;
  /** True when the error points past the last character (shown as a caret). */
  atEnd: boolean;
}

export function highlightQueryError(query: string, position: number): QueryHighlight {
  const chars = Array.from(query);
  const idx = Math.max(0, Math.min(chars.length, Math.floor(position) - 1));
  if (idx >= chars.length) {
    return { before: query, at: "", after: "", atEnd: true };
  }
  return {
    before: chars.slice(0, idx).join(""),
    at: chars[idx],
    after: chars.slice(idx + 1).join(""),
    atEnd: false,
  };
}

/** A starting query for a brand name: the name, plus its hashtag form when it has spaces. */
export function suggestQuery(brand: string): string {
  const name = brand.trim().replace(/["«»]/g, "");
  if (!name) return "";
  const words = name.split(/\s+/);
  if (words.length === 1) return name.toLowerCase();
  const joined = words.join("").toLowerCase();
  return `"${name}" OR ${joined}`;
}

/** A tag for a Mastodon timeline: letters and digits only. */
export function suggestTag(brand: string): string {
  return brand
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_]/g, "")
    .toLowerCase();
}

/** "boycott, scandale ,, rappel" → ["boycott", "scandale", "rappel"] (trimmed, unique). */
export function parseWordList(text: string): string[] {
  const out: string[] = [];
  for (const w of text.split(/[,;\n]/)) {
    const v = w.trim();
    if (v && !out.some((o) => o.toLowerCase() === v.toLowerCase())) out.push(v);
  }
  return out;
}

/** What was wrong with a query, in the UI's language (the engine sends it as data). */
export function queryProblemText(p: QueryProblem): string {
  const found = (f: string | null) => f ?? t("queryError.end");
  switch (p.kind) {
    case "empty":
      return t("queryError.empty");
    case "unclosed_quote":
      return t("queryError.unclosedQuote");
    case "star_without_word":
      return t("queryError.starWithoutWord");
    case "expected_term":
      return p.after
        ? t("queryError.expectedTermAfter", { op: p.after, found: found(p.found) })
        : t("queryError.expectedTerm", { found: found(p.found) });
    case "empty_parentheses":
      return t("queryError.emptyParentheses");
    case "unclosed_parenthesis":
      return t("queryError.unclosedParenthesis", { open: p.open_at, found: found(p.found) });
    case "unexpected_close":
      return t("queryError.unexpectedClose");
    case "no_letters":
      return t("queryError.noLetters", { text: p.text });
    case "prefix_of_phrase":
      return t("queryError.prefixOfPhrase", { text: p.text });
    case "only_negative":
      return t("queryError.onlyNegative");
    case "too_deep":
      return t("queryError.tooDeep", { max: p.max });
  }
}
