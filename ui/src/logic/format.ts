import { getLanguage } from "../i18n";

export function nowSecs(): number {
  return Math.floor(Date.now() / 1000);
}

/** "il y a 5 min" / "5 min ago", then a date after a week. */
export function relativeTime(at: number, now = nowSecs()): string {
  const lang = getLanguage();
  const diff = at - now;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "short" });
  if (abs < 45) return rtf.format(0, "second");
  if (abs < 3600) return rtf.format(Math.round(diff / 60), "minute");
  if (abs < 86_400) return rtf.format(Math.round(diff / 3600), "hour");
  if (abs < 7 * 86_400) return rtf.format(Math.round(diff / 86_400), "day");
  return dateTime(at);
}

export function dateTime(at: number): string {
  return new Intl.DateTimeFormat(getLanguage(), {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(at * 1000));
}

/** "14:05" today, "21 nov., 14:05" otherwise. */
export function shortTime(at: number, now = nowSecs()): string {
  const d = new Date(at * 1000);
  const sameDay = new Date(now * 1000).toDateString() === d.toDateString();
  const opts: Intl.DateTimeFormatOptions = sameDay
    ? { hour: "2-digit", minute: "2-digit" }
    : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(getLanguage(), opts).format(d);
}

export function number(n: number, digits = 0): string {
  return new Intl.NumberFormat(getLanguage(), { maximumFractionDigits: digits }).format(n);
}

/** A percentage in the UI's language: "12,5 %" in French, "12.5%" in English. */
export function percent(n: number, digits = 0): string {
  return new Intl.NumberFormat(getLanguage(), { style: "percent", maximumFractionDigits: digits }).format(n / 100);
}

/** Only http(s) links can be opened (and only through `open_external`). */
export function isOpenableUrl(url: string | null | undefined): url is string {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

export function hostOf(url: string | null | undefined): string {
  if (!url) return "";
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return "";
  }
}
