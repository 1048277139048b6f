import { describe, expect, it } from "vitest";
import { highlightQueryError, parseWordList, queryProblemText, suggestQuery, suggestTag } from "../src/logic/query";
import { queryField, renderQueryError } from "../src/views/queryField";
import { setLanguage } from "../src/i18n";
import { setBackend } from "../src/ipc";
import type { QueryProblem } from "../src/types";
import { testBackend } from "./helpers";
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

describe("query errors in the user's language", () => {
  const EVERY: QueryProblem[] = [
    { kind: "empty" },
    { kind: "unclosed_quote" },
    { kind: "star_without_word" },
    { kind: "expected_term", after: "OR", found: null },
    { kind: "expected_term", after: null, found: "AND" },
    { kind: "empty_parentheses" },
    { kind: "unclosed_parenthesis", open_at: 1, found: null },
    { kind: "unexpected_close" },
    { kind: "no_letters", text: "!!!" },
    { kind: "prefix_of_phrase", text: "e-mail" },
    { kind: "only_negative" },
  ];

  it("words every problem the engine reports in French and in English, details filled in", () => {
    try {
      for (const p of EVERY) {
        setLanguage("fr");
        const fr = queryProblemText(p);
        setLanguage("en");
        const en = queryProblemText(p);
        expect(fr, JSON.stringify(p)).not.toMatch(/\{\w+\}/);
        expect(en, JSON.stringify(p)).not.toMatch(/\{\w+\}/);
        expect(fr, JSON.stringify(p)).not.toBe(en);
        for (const v of Object.values(p).slice(1)) if (v != null) expect(fr, JSON.stringify(p)).toContain(String(v));
      }
      setLanguage("fr");
      expect(queryProblemText({ kind: "expected_term", after: "OR", found: null })).toBe(
        "il faut un mot, une \"expression\" ou « ( » après OR, trouvé : la fin de la requête",
      );
    } finally {
      setLanguage("en");
    }
  });

  it("the English words are the engine's own (vigie-domain's QueryProblem::message)", () => {
    expect(queryProblemText({ kind: "expected_term", after: "OR", found: null })).toBe(
      "expected a word, a \"phrase\" or '(' after OR, found the end of the query",
    );
    expect(queryProblemText({ kind: "unclosed_parenthesis", open_at: 1, found: null })).toBe(
      "expected ')' to close the '(' at position 1, found the end of the query",
    );
  });

  it("the watch editor's query field shows the engine's problem in French", async () => {
    setLanguage("fr");
    try {
      const tb = testBackend({
        check_query: { ok: false, position: 10, message: "expected … after OR", problem: { kind: "expected_term", after: "OR", found: null } },
      });
      setBackend(tb.backend);
      const f = queryField({ value: "", testid: "q", label: "Requête" });
      f.input.value = "danone OR";
      await f.checkNow();
      const text = f.element.querySelector('[data-testid="query-error"]')?.textContent ?? "";
      expect(text).toContain("après OR, trouvé : la fin de la requête");
      expect(text).not.toContain("expected");
      f.destroy();
    } finally {
      setBackend(null);
      setLanguage("en");
    }
  });
});
