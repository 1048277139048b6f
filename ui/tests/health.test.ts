import { afterEach, describe, expect, it } from "vitest";
import { setLanguage } from "../src/i18n";
import { healthText, isFailing, lastErrorText, problemText } from "../src/logic/health";
import { renderSources } from "../src/views/sources";
import { setBackend } from "../src/ipc";
import type { PollState, Problem, SourceRow } from "../src/types";
import { flush, testBackend, testCtx } from "./helpers";

const NOW = 1_800_000_000;
// Intl separates a number from its unit with a no-break space in French.
const plain = (s: string) => s.replace(/\s/g, " ");

function state(over: Partial<PollState> = {}): PollState {
  return {
    next_check_at: NOW + 17 * 60, etag: null, last_modified: null, error_count: 0, last_error: null,
    last_problem: null, last_status: 200, last_checked_at: NOW - 180, last_success_at: NOW - 180, cursor: null, ...over,
  };
}

const gone: Problem = { problem: "http", status: 410, retry_after_secs: null };

// One of each kind the engine stores (vigie_domain::health::Problem).
const EVERY: Problem[] = [
  gone,
  { problem: "http", status: 404, retry_after_secs: null },
  { problem: "http", status: 403, retry_after_secs: null },
  { problem: "http", status: 429, retry_after_secs: 120 },
  { problem: "http", status: 429, retry_after_secs: null },
  { problem: "http", status: 503, retry_after_secs: 2400 },
  { problem: "http", status: 500, retry_after_secs: null },
  { problem: "http", status: 418, retry_after_secs: null },
  { problem: "timeout", secs: 20 },
  { problem: "connect", detail: "connection refused" },
  { problem: "too_large", limit_bytes: 10_000_000 },
  { problem: "too_many_redirects", max: 5 },
  { problem: "redirect_loop" },
  { problem: "redirect_inward", host: "192.168.1.10" },
  { problem: "insecure_server", server: "http://pds.example" },
  { problem: "unsupported_scheme", scheme: "ftp" },
  { problem: "not_a_feed", content_type: "text/html" },
  { problem: "malformed", detail: "unexpected end of file" },
  { problem: "auth", detail: "invalid app password" },
  { problem: "keychain", detail: "locked" },
  { problem: "keychain_locked" },
  { problem: "session_expired" },
  { problem: "no_app_password", handle: "acme.bsky.social" },
  { problem: "main_password", handle: "acme.bsky.social" },
  { problem: "refused", code: "InvalidRequest", message: "bad query" },
];

describe("source health in the user's language", () => {
  afterEach(() => setLanguage("en"));

  it("says a working source's last success and next check in French and in English", () => {
    setLanguage("fr");
    const fr = plain(healthText(state(), NOW));
    expect(fr).toContain("fonctionne");
    expect(fr).toContain("il y a 3 min");
    expect(fr).toContain("prochaine vérification dans 17 min");
    setLanguage("en");
    const en = plain(healthText(state(), NOW));
    expect(en).toContain("3 min. ago");
    expect(en).toContain("next check in 17 min");
    // Intl's "in 17 min." and the sentence's own full stop make one.
    expect(en).not.toContain("..");
    expect(en.endsWith("next check in 17 min.")).toBe(true);
  });

  it("words a stored failure in French, with the count of errors in a row", () => {
    setLanguage("fr");
    const s = state({ error_count: 2, last_problem: gone, last_error: "the server answered 410 Gone: the feed was removed." });
    const text = plain(healthText(s, NOW));
    expect(text).toContain("en échec (2 erreurs d'affilée)");
    expect(text).toContain("410 Gone : le flux a été supprimé");
    expect(text).not.toContain("the feed was removed");
    expect(lastErrorText(s)).toContain("Retirez cette source");
    expect(isFailing(s)).toBe(true);
  });

  it("a source due now, or never checked, says so", () => {
    setLanguage("fr");
    expect(healthText(state({ last_success_at: null, last_status: null, next_check_at: NOW - 5 }), NOW)).toBe(
      "pas encore vérifiée ; prochaine vérification maintenant.",
    );
    setLanguage("en");
    expect(healthText(state({ last_success_at: null, error_count: 1, last_problem: { problem: "timeout", secs: 20 } }), NOW)).toContain(
      "never worked: the server did not answer within 20 s",
    );
  });

  it("words every kind of failure in both languages, with its details filled in", () => {
    for (const p of EVERY) {
      setLanguage("fr");
      const fr = problemText(p);
      setLanguage("en");
      const en = problemText(p);
      expect(fr, JSON.stringify(p)).not.toMatch(/\{\w+\}/);
      expect(en, JSON.stringify(p)).not.toMatch(/\{\w+\}/);
      expect(fr, JSON.stringify(p)).not.toBe(en);
      for (const v of Object.values(p).slice(1)) if (typeof v === "string") expect(fr).toContain(v);
    }
    setLanguage("en");
    expect(problemText({ problem: "http", status: 429, retry_after_secs: 120 })).toContain("wait 2 min");
    expect(problemText({ problem: "http", status: 503, retry_after_secs: 2400 })).toContain("503 Service Unavailable");
    expect(problemText({ problem: "too_large", limit_bytes: 10_000_000 })).toContain("10 MB");
    expect(problemText({ problem: "refused", code: "InvalidRequest", message: "Bad query." })).toBe("Bluesky refused the request (InvalidRequest): Bad query.");
    expect(problemText({ problem: "refused", code: "HTTP 400", message: "" })).toBe("Bluesky refused the request (HTTP 400).");
  });

  it("a failure stored before Vigie kept it as data shows its English words", () => {
    const s = state({ error_count: 1, last_error: "down" });
    expect(lastErrorText(s)).toBe("down");
    expect(isFailing(s)).toBe(true);
    expect(isFailing(state())).toBe(false);
  });

  it("the sources screen shows the health in French, and again when the engine reports a change", async () => {
    setLanguage("fr");
    const now = Math.floor(Date.now() / 1000);
    const row: SourceRow = {
      source: { id: 7, title: "Le Journal", kind: { kind: "feed", url: "https://journal.example/rss" }, enabled: true, interval_secs: 600, created_at: 0 },
      state: { ...state(), next_check_at: now + 600, last_success_at: now - 120, last_checked_at: now - 120 },
    };
    const t = testBackend({ list_sources: [row] });
    setBackend(t.backend);
    const root = document.createElement("div");
    const cleanup = renderSources(root, testCtx({ settings: { language: "fr", theme: "system", poll_interval_secs: 600, notify_levels: true, notify_weak_signals: true } }));
    for (let i = 0; i < 5; i++) await flush();
    const health = () => root.querySelector('[data-testid="source-health"]')?.textContent ?? "";
    expect(health()).toContain("fonctionne");
    t.emit("source://7/health", { ...row, state: { ...row.state, error_count: 1, last_problem: gone, last_error: "the server answered 410 Gone" } });
    expect(health()).toContain("410 Gone : le flux a été supprimé");
    expect(health()).toContain("Retirez cette source");
    // Said once: no second box repeating it.
    expect(root.textContent?.split("410 Gone").length).toBe(2);
    cleanup();
    setBackend(null);
  });
});
