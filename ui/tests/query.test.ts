import { describe, expect, it } from "vitest";
import { highlightQueryError, parseWordList, suggestQuery, suggestTag } from "../src/logic/query";
import { renderQueryError } from "../src/views/queryField";
import { mockCheckQuery } from "../src/mock";

describe("query error highlighting", () => {
  it("marks the 1-based column reported by check_query", () => {
    expect(highlightQueryError("danone)", 7)).toEqual({ before: "danone", at: ")", after: "", atEnd: false });
    expect(highlightQueryError("()", 2)).toEqual({ before: "(", at: ")", after: "", atEnd: false });
  });

  it("an error past the end becomes a caret after the query", () => {
    expect(highlightQueryError("danone AND", 11)).toEqual({ before: "danone AND", at: "", after: "", atEnd: true });
  });

  it("counts characters, not UTF-16 units", () => {
    expect(highlightQueryError("« été » )", 9).at).toBe(")");
    expect(highlightQueryError("😀 x)", 4).at).toBe(")");
  });

  it("renders the mirror with the faulty character in a <mark>, as text", () => {
    const el = renderQueryError("danone OR OR evian", 11, "expected a word after OR");
    const mark = el.querySelector("mark");
    expect(mark?.textContent).toBe("O");
    expect(el.querySelector(".query-mirror")?.textContent).toBe("danone OR OR evian");
    expect(el.textContent).toContain("Position 11");
    expect(el.textContent).toContain("expected a word after OR");
  });

  it("does not interpret markup inside a query", () => {
    const el = renderQueryError("<img src=x onerror=alert(1)> (", 30, "unclosed");
    expect(el.querySelector("img")).toBeNull();
    expect(el.textContent).toContain("<img src=x onerror=alert(1)>");
  });

  it("the mock backend reports the same positions as the engine for common mistakes", () => {
    expect(mockCheckQuery("danone AND")).toMatchObject({ ok: false, position: 11 });
    expect(mockCheckQuery("danone)")).toMatchObject({ ok: false, position: 7 });
    expect(mockCheckQuery("(danone")).toMatchObject({ ok: false, position: 8 });
    expect(mockCheckQuery('(danone OR evian) "rappel produit"')).toMatchObject({ ok: true });
  });
});

describe("onboarding suggestions", () => {
  it("suggests a phrase plus the joined form for multi-word brands", () => {
    expect(suggestQuery("Maison Lumen")).toBe('"Maison Lumen" OR maisonlumen');
    expect(suggestQuery(" Velora ")).toBe("velora");
    expect(suggestQuery("")).toBe("");
    expect(suggestTag("Brasserie Ardèche!")).toBe("brasserieardeche");
  });

  it("parses comma lists of sensitive words", () => {
    expect(parseWordList("boycott, scandale ,, Boycott; rappel")).toEqual(["boycott", "scandale", "rappel"]);
  });
});
