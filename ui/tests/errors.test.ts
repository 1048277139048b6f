import { afterEach, describe, expect, it } from "vitest";
import { setLanguage } from "../src/i18n";
import { toIpcError } from "../src/ipc";
import { errorText } from "../src/logic/errors";

// As the shell sends them (vigie-engine's AppError, serialised).
const CASES = [
  { code: "duplicate", message: "source \"https://x.example/rss\" already exists", what: "source", key: "https://x.example/rss" },
  { code: "duplicate", message: "watch \"Danone\" already exists", what: "watch", key: "Danone" },
  { code: "not_found", message: "watch \"3\" does not exist", what: "watch", key: "3" },
  { code: "not_found", message: "source \"3\" does not exist", what: "source", key: "3" },
  { code: "not_found", message: "mention \"3\" does not exist", what: "mention", key: "3" },
  { code: "invalid", message: "\"ftp://x\" only http and https …", what: "address", key: "ftp://x" },
  { code: "invalid", message: "give a hashtag to follow", what: "hashtag" },
  { code: "storage", message: "the disk is full: …", what: "disk_full" },
  { code: "storage", message: "the database … is read-only …", what: "read_only" },
  { code: "storage", message: "the database … cancelled a batch …", what: "rolled_back" },
  { code: "busy", message: "the database … is busy …" },
  { code: "newer_schema", message: "this database … newer Vigie …" },
  { code: "not_a_feed", message: "this page is not a feed …" },
  { code: "invalid", message: "this is not a Vigie APPROVAL block …", what: "not_a_block", key: "APPROVAL" },
  { code: "invalid", message: "the block is damaged: …", what: "damaged_block", key: "invalid base64" },
  { code: "bad_signature", message: "the signature does not match the content …" },
  { code: "keychain", message: "the OS keychain is locked. …", what: "locked" },
  { code: "invalid", message: "this is not a valid OPML file (…)", what: "opml", key: "unexpected end of file" },
  { code: "refused", message: "create a publishing profile first", what: "no_profile" },
  { code: "refused", message: "the active profile is now \"Acme\": …", what: "profile_changed", key: "Acme" },
  { code: "open_failed", message: "the browser could not be opened (…)" },
  { code: "invalid", message: "invalid search: query error at position 10: expected a word …", what: "search" },
  { code: "export_failed", message: "could not save /x.opml: …", what: "file", key: "/x.opml" },
  { code: "keychain", message: "the OS keychain is not reachable (no bus). …", what: "unavailable", key: "no bus" },
];

describe("the engine's errors in the user's language", () => {
  afterEach(() => setLanguage("en"));

  it("words the common errors in French, naming what they are about", () => {
    setLanguage("fr");
    for (const c of CASES) {
      const text = errorText(toIpcError(c));
      expect(text, c.code).not.toBe(c.message);
      expect(text, c.code).not.toMatch(/\{\w+\}/);
      // A duplicate or a bad address is named; an id of something gone is not worth showing.
      if ((c.code === "duplicate" || c.code === "invalid") && c.key) expect(text, c.code).toContain(c.key);
    }
    expect(errorText(toIpcError(CASES[1]))).toBe("Une veille nommée « Danone » existe déjà : choisissez un autre nom.");
    expect(errorText(toIpcError(CASES[7]))).toContain("Le disque est plein");
  });

  it("and in English", () => {
    expect(errorText(toIpcError(CASES[0]))).toBe("This source is already followed (https://x.example/rss).");
    expect(errorText(toIpcError(CASES[5]))).toContain("\"ftp://x\" is not a web address");
  });

  it("an error Vigie has no wording for keeps the engine's sentence", () => {
    setLanguage("fr");
    expect(errorText(toIpcError({ code: "refused", message: "the network refused the post" }))).toBe("the network refused the post");
    expect(errorText(toIpcError({ code: "duplicate", message: "profile \"x\" already exists", what: "profile", key: "x" }))).toBe(
      "profile \"x\" already exists",
    );
    expect(errorText(toIpcError({ code: "internal", message: "" }))).toBe("Une erreur inattendue s'est produite.");
  });
});
