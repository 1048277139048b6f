// What stops or failed a post, in the UI's language. The engine keeps these as data
// (vigie-domain `publish::Invalid`) beside its English words, which the CLI prints.

import { t, tn } from "../i18n";
import type { Invalid } from "../types";
import { number } from "./format";

/** "1.4 MB", "830 kB": an image's weight as the user thinks of it. */
function weight(bytes: number): string {
  return bytes >= 1_000_000 ? `${number(bytes / 1_000_000, 1)} ${t("unit.mb")}` : `${number(Math.ceil(bytes / 1000))} ${t("unit.kb")}`;
}

/** What stops a post, and what to change. */
export function invalidText(i: Invalid): string {
  switch (i.kind) {
    case "empty":
      return t("invalid.empty");
    case "tooLong":
      return tn("invalid.tooLong", i.count - i.max, { count: number(i.count), max: number(i.max) });
    case "tooManyImages":
      return tn("invalid.tooManyImages", i.count - i.max, { count: number(i.count), max: number(i.max) });
    case "imageTooBig":
      return t("invalid.imageTooBig", { image: number(i.index + 1), size: weight(i.bytes), max: weight(i.max) });
    case "missingAlt":
      return t("invalid.missingAlt", { image: number(i.index + 1) });
    case "unsupportedImage":
      return t("invalid.unsupportedImage", { image: number(i.index + 1), mime: i.mime });
  }
}
