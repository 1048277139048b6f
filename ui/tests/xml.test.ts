import { describe, expect, it } from "vitest";
import { decodeXml } from "../src/logic/xml";

const bytes = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));

describe("an OPML file's text, as the engine reads it", () => {
  it("Latin-1 as declared; mislabelled UTF-8 as the UTF-8 it is; spaces around '='; a BOM first", () => {
    expect(decodeXml(bytes('<?xml version="1.0" encoding="ISO-8859-1"?><o t="Soci\u00e9t\u00e9"/>'))).toContain('t="Société"');
    expect(decodeXml(new TextEncoder().encode('<?xml version="1.0" encoding="ISO-8859-1"?><o t="Société"/>'))).toContain('t="Société"');
    expect(decodeXml(bytes('<?xml version="1.0" encoding = "ISO-8859-1"?><o t="\u00e9"/>'))).toContain('t="é"');
    expect(decodeXml(Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("<o t=\"é\"/>")]))).toContain('t="é"');
    // Undeclared and not UTF-8: read as Windows-1252, never as replacement characters.
    expect(decodeXml(bytes('<o t="\u00e9"/>'))).toContain('t="é"');
  });
});
