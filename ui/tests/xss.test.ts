import { afterEach, describe, expect, it, vi } from "vitest";
import { mentionRow } from "../src/views/mentionRow";
import { renderMentions } from "../src/views/mentions";
import { setBackend } from "../src/ipc";
import { mention, testBackend, testCtx, flush, XSS } from "./helpers";

const opts = {
  selected: false,
  watchName: () => "Lumen",
  sourceName: () => "Forum",
  onTriage: () => undefined,
  onOpen: () => undefined,
  onSelect: () => undefined,
};

describe("remote content is inert", () => {
  afterEach(() => setBackend(null));

  it("a mention whose text is an <img onerror> payload renders no img element", () => {
    const row = mentionRow(mention({ text: XSS }), opts);
    document.body.appendChild(row);
    expect(row.querySelector("img")).toBeNull();
    expect(document.querySelector("img")).toBeNull();
    expect(row.querySelector('[data-testid="mention-text"]')?.textContent).toBe(XSS);
    row.remove();
  });

  it("title, author and sanitised html are never parsed as markup either", () => {
    const row = mentionRow(
      mention({ title: `<script>alert(1)</script>${XSS}`, author: "<b>x</b>", html: `<p>${XSS}</p>` }),
      { ...opts, sourceName: () => "<svg onload=alert(1)>" },
    );
    expect(row.querySelector("img, script, b, svg[onload]")).toBeNull();
    expect(row.querySelectorAll("p")).toHaveLength(1); // only the text paragraph, not the html's <p>
    expect(row.querySelector('[data-testid="mention-title"]')?.textContent).toBe(`<script>alert(1)</script>${XSS}`);
    expect(row.textContent).toContain("<b>x</b>");
    expect(row.textContent).not.toContain("<p>");
  });

  it("a javascript: URL gets no open button", () => {
    const row = mentionRow(mention({ url: "javascript:alert(1)" }), opts);
    expect(row.querySelector('[data-testid="mention-open"]')).toBeNull();
  });

  it("the mention stream renders the payload as text end to end", async () => {
    const { backend } = testBackend({
      list_sources: [],
      list_mentions: [mention({ id: 7, title: XSS, text: XSS })],
      set_triage: null,
    });
    setBackend(backend);
    const root = document.createElement("div");
    document.body.appendChild(root);
    const cleanup = renderMentions(root, testCtx(), new URLSearchParams());
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="mention-row"]')).toHaveLength(1));
    await flush();
    expect(root.querySelector("img")).toBeNull();
    expect(root.querySelector('[data-testid="mention-title"]')?.textContent).toBe(XSS);
    cleanup();
    root.remove();
  });
});
