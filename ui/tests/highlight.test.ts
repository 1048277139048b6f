import { describe, expect, it } from "vitest";
import { markTerms, termRanges } from "../src/logic/highlight";

const marked = (text: string, terms: string[]) =>
  termRanges(text, terms).map(([a, b]) => text.slice(a, b));

describe("a watch's terms marked in a mention", () => {
  it("finds words and phrases whatever their case and accents, as whole words", () => {
    expect(marked("La Société DANONE rappelle ses yaourts", ["danone", "societe"])).toEqual(["Société", "DANONE"]);
    // Not inside another word: "danoneries" is no "danone".
    expect(marked("Les danoneries du quartier", ["danone"])).toEqual([]);
    // A phrase across punctuation and spaces, an elision before a word.
    expect(marked("Un appel,  au boycott ! Et l'usine ferme.", ["appel au boycott", "usine"])).toEqual(["appel,  au boycott", "usine"]);
  });

  it("a prefix marks the whole word it begins; œ and ß fold as the engine folds them", () => {
    expect(marked("Rappels et rappel produit, pas de rappeur", ["rappel*"])).toEqual(["Rappels", "rappel"]);
    expect(marked("Une belle Œuvre à Straße", ["oeuvre", "strasse"])).toEqual(["Œuvre", "Straße"]);
  });

  it("overlapping terms make one mark; the text stays text", () => {
    expect(termRanges("boycott danone", ["boycott danone", "danone"])).toEqual([[0, 14]]);
    const nodes = markTerms("<b>Danone</b> rappelle", ["danone"]);
    const box = document.createElement("p");
    box.append(...nodes);
    expect(box.querySelectorAll("mark")).toHaveLength(1);
    expect(box.querySelector("b")).toBeNull();
    expect(box.textContent).toBe("<b>Danone</b> rappelle");
    expect(markTerms("rien", [])).toHaveLength(1);
  });
});

describe("word starts without lookbehind", () => {
  it("a term inside a longer word, or after an emoji or a digit, is judged by the character before it", () => {
    expect(marked("xdanone danone", ["danone"])).toEqual(["danone"]);
    expect(marked("😡danone 2danone", ["danone"])).toEqual(["danone"]);
    expect(termRanges("😡danone", ["danone"])).toEqual([[2, 8]]);
  });
});
