// Where a watch's terms appear in a mention, to mark them: so a communicator tells a real hit
// from a homonym at a glance. Folding follows the engine's (vigie_domain::text::fold):
// lower case, diacritics dropped, œ/æ/ß expanded; words are runs of letters and digits, so
// "l'usine" holds the word "usine". Terms come from `check_query` (phrases, and prefixes
// ending in "*"; negated ones are left out by the engine).

/** The folded text, and for each folded character the index of the original one. */
function foldWithMap(text: string): { folded: string; at: number[] } {
  let folded = "";
  const at: number[] = [];
  let i = 0;
  for (const ch of text) {
    let f: string;
    if (ch === "œ" || ch === "Œ") f = "oe";
    else if (ch === "æ" || ch === "Æ") f = "ae";
    else if (ch === "ß") f = "ss";
    else f = ch.normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase();
    for (let k = 0; k < f.length; k++) at.push(i);
    folded += f;
    i += ch.length;
  }
  at.push(i);
  return { folded, at };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A term as a pattern over folded text: its words in order, anything not a letter or a digit
 * between them, ending a word (a prefix's last word may go on). Where it starts is checked
 * by hand (`startsWord`): no lookbehind, which older WebKits lack. */
function pattern(term: string): RegExp | null {
  const prefix = term.endsWith("*");
  const words = foldWithMap(prefix ? term.slice(0, -1) : term)
    .folded.split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  if (!words.length) return null;
  const body = words.map(escape).join("[^\\p{L}\\p{N}]+");
  return new RegExp(`${body}${prefix ? "[\\p{L}\\p{N}]*" : "(?![\\p{L}\\p{N}])"}`, "gu");
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Whether a match at `start` begins a word (the character before is none, or not a letter or digit). */
function startsWord(folded: string, start: number): boolean {
  if (start === 0) return true;
  const before = String.fromCodePoint(folded.codePointAt(start - 1) ?? 32);
  // A low surrogate: look at the whole character before it.
  const prev = /[\uDC00-\uDFFF]/.test(before) && start >= 2 ? folded.slice(start - 2, start) : before;
  return !WORD_CHAR.test(prev);
}

/** The ranges `[start, end)` of `text` where any of `terms` appears, sorted and merged. */
export function termRanges(text: string, terms: string[]): [number, number][] {
  if (!text || !terms.length) return [];
  const { folded, at } = foldWithMap(text);
  const found: [number, number][] = [];
  for (const term of terms) {
    const re = pattern(term);
    if (!re) continue;
    for (const m of folded.matchAll(re)) {
      const start = m.index ?? 0;
      if (startsWord(folded, start)) found.push([at[start], at[start + m[0].length]]);
    }
  }
  found.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of found) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return merged;
}

/** `text` as DOM nodes, the terms in <mark> (text nodes only: remote text is never markup). */
export function markTerms(text: string, terms: string[]): Node[] {
  const out: Node[] = [];
  let pos = 0;
  for (const [start, end] of termRanges(text, terms)) {
    if (start > pos) out.push(document.createTextNode(text.slice(pos, start)));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(start, end);
    out.push(mark);
    pos = end;
  }
  if (pos < text.length || !out.length) out.push(document.createTextNode(text.slice(pos)));
  return out;
}
