import { afterEach, describe, expect, it } from "vitest";
import { setLanguage } from "../src/i18n";
import { invalidText } from "../src/logic/postProblems";
import type { Invalid } from "../src/types";

// Intl separates digits with a no-break space in French.
const plain = (s: string) => s.replace(/\s/g, " ");

// One of each kind the engine sends (vigie_domain::publish::Invalid).
const EVERY_INVALID: Invalid[] = [
  { kind: "empty" },
  { kind: "tooLong", count: 1_250, max: 500 },
  { kind: "tooManyImages", count: 6, max: 4 },
  { kind: "imageTooBig", index: 1, bytes: 2_400_000, max: 1_000_000 },
  { kind: "missingAlt", index: 0 },
  { kind: "unsupportedImage", index: 2, mime: "image/tiff" },
];

describe("what stops a post, in the user's language", () => {
  afterEach(() => setLanguage("en"));

  it("words every kind in both languages, with its figures filled in", () => {
    for (const i of EVERY_INVALID) {
      setLanguage("fr");
      const fr = plain(invalidText(i));
      setLanguage("en");
      const en = invalidText(i);
      expect(fr, JSON.stringify(i)).not.toMatch(/\{\w+\}/);
      expect(en, JSON.stringify(i)).not.toMatch(/\{\w+\}/);
      expect(fr, JSON.stringify(i)).not.toBe(en);
    }
  });

  it("says how much to remove, and counts images from 1", () => {
    setLanguage("fr");
    expect(plain(invalidText({ kind: "tooLong", count: 1_250, max: 500 }))).toBe(
      "le texte fait 1 250 caractères ; ce compte en accepte 500 : retirez-en 750",
    );
    expect(plain(invalidText({ kind: "imageTooBig", index: 1, bytes: 2_400_000, max: 1_000_000 }))).toBe(
      "l'image 2 pèse 2,4 Mo ; 1 Mo au plus : redimensionnez-la ou compressez-la",
    );
    setLanguage("en");
    expect(invalidText({ kind: "tooManyImages", count: 6, max: 4 })).toBe("6 images attached; at most 4: remove 2");
    expect(invalidText({ kind: "imageTooBig", index: 0, bytes: 830_000, max: 1_000_000 })).toBe(
      "image 1 weighs 830 kB; at most 1 MB: resize or compress it",
    );
    expect(invalidText({ kind: "unsupportedImage", index: 2, mime: "image/tiff" })).toBe("image 3 is image/tiff: use JPEG, PNG, GIF or WebP");
  });
});
