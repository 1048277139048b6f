// UI strings in French and English (ui/src/locales/). Every visible string goes through
// t() / tn().

import { en } from "./locales/en";
import { fr } from "./locales/fr";

export type Lang = "fr" | "en";

export type Key = keyof typeof fr;
type PluralBase<K> = K extends `${infer B}.one` ? B : never;
export type PluralKey = PluralBase<Key>;

export const DICTIONARIES: Record<Lang, Record<Key, string>> = { fr, en };

let current: Lang = "en";

/** French when the system language starts with "fr", English otherwise. */
export function detectLanguage(navLang: string | undefined | null): Lang {
  return (navLang ?? "").toLowerCase().startsWith("fr") ? "fr" : "en";
}

export function setLanguage(lang: Lang): void {
  current = lang === "fr" ? "fr" : "en";
}

export function getLanguage(): Lang {
  return current;
}

function fill(s: string, params?: Record<string, string | number>): string {
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function t(key: Key, params?: Record<string, string | number>): string {
  const s = DICTIONARIES[current][key] ?? DICTIONARIES.en[key] ?? key;
  return fill(s, params);
}

/** Plural: French treats 0 and 1 as singular, English only 1. `{n}` is filled in. */
export function tn(base: PluralKey, n: number, params?: Record<string, string | number>): string {
  const one = current === "fr" ? n === 0 || n === 1 : n === 1;
  const key = `${base}.${one ? "one" : "other"}` as Key;
  return t(key, { n: new Intl.NumberFormat(current).format(n), ...params });
}
