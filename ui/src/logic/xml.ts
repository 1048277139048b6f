// An XML file's text (an OPML export), decoded as the engine's `feed::xml_text` does: a byte
// order mark first, then UTF-8 if the bytes are valid UTF-8 (a UTF-8 export that wrongly
// declares ISO-8859-1 is common), else the encoding its declaration names.

export function decodeXml(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder("utf-8").decode(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: the declared encoding (the declaration itself is ASCII).
  }
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 200));
  const declared = /encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1] ?? "windows-1252";
  try {
    return new TextDecoder(declared).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}
