// An XML file's text in the encoding its declaration names (an OPML export from an older
// reader may be ISO-8859-1): UTF-8 unless a byte order mark or the declaration says otherwise.

export function decodeXml(bytes: Uint8Array): string {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 200));
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  const declared = /encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
  let label = bom ? "utf-8" : utf16 ? (bytes[0] === 0xff ? "utf-16le" : "utf-16be") : declared ?? "utf-8";
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    label = "utf-8"; // a label the browser does not know: read it as UTF-8
    return new TextDecoder(label).decode(bytes);
  }
}
