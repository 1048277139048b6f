// MOCK BACKEND — for `npm run dev` in a plain browser only. ipc.ts loads this module only when
// `window.__TAURI_INTERNALS__` is absent; the desktop app always talks to the Rust shell.
// All names and data below are fictional. URL options: `?mock=empty` (first run), `?lang=fr`,
// `?theme=dark`.

import type {
  DashboardRow, Level, Mention, MentionFilter, NewWatch, Problem, QueryCheck, Series, Settings, Source,
  SourceRow, SourceSpec, ToneLabel, VigieEvent, Watch, WatchLevel,
} from "./types";
import { MockPublishing, NOT_MINE } from "./mockPublish";
import { MockTeam } from "./mockTeam";

type Handler = (payload: unknown) => void;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const fold = (s: string) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

/** A rough stand-in for vigie-domain's parser: same error shapes (1-based column), fewer rules. */
export function mockCheckQuery(q: string): QueryCheck {
  const chars = Array.from(q);
  if (!q.trim()) return { ok: false, position: 1, message: "the query is empty" };
  const terms: string[] = [];
  const stack: number[] = [];
  let expectOperand = true;
  let lastOp = "";
  let i = 0;
  while (i < chars.length) {
    const c = chars[i];
    if (/\s/.test(c)) { i++; continue; }
    const pos = i + 1;
    if (c === '"' || c === "«") {
      const close = c === '"' ? '"' : "»";
      const end = chars.indexOf(close, i + 1);
      if (end < 0) return { ok: false, position: pos, message: "this phrase is never closed: add the closing quote" };
      terms.push(fold(chars.slice(i + 1, end).join("").trim()));
      i = end + 1; expectOperand = false; continue;
    }
    if (c === "(") { stack.push(pos); i++; expectOperand = true; lastOp = "("; continue; }
    if (c === ")") {
      if (!stack.length) return { ok: false, position: pos, message: "unexpected ')': there is no '(' to close" };
      if (lastOp === "(") return { ok: false, position: pos, message: "empty parentheses" };
      stack.pop(); i++; expectOperand = false; continue;
    }
    let j = i;
    while (j < chars.length && !/[\s()"«]/.test(chars[j])) j++;
    const word = chars.slice(i, j).join("");
    if (["AND", "OR", "ET", "OU"].includes(word)) {
      if (expectOperand) return { ok: false, position: pos, message: `expected a word, a "phrase" or '(' before ${word}, found ${word}` };
      expectOperand = true; lastOp = word;
    } else if (["NOT", "SAUF"].includes(word)) {
      expectOperand = true; lastOp = word;
    } else if (word === "*") {
      return { ok: false, position: pos, message: "a prefix needs at least one letter before '*'" };
    } else {
      if (!/[\p{L}\p{N}]/u.test(word)) return { ok: false, position: pos, message: "this word has no letters or digits" };
      if (!word.startsWith("-")) terms.push(fold(word.replace(/^#/, "")));
      expectOperand = false; lastOp = "";
    }
    i = j;
  }
  if (expectOperand && lastOp && lastOp !== "(") {
    return { ok: false, position: chars.length + 1, message: `expected a word, a "phrase" or '(' after ${lastOp}, found the end of the query` };
  }
  if (stack.length) return { ok: false, position: chars.length + 1, message: `expected ')' to close the '(' at position ${stack[stack.length - 1]}, found the end of the query` };
  if (!terms.length) return { ok: false, position: 1, message: "the query needs at least one word to look for" };
  return { ok: true, terms: [...new Set(terms)] };
}

function matches(m: Mention, q: string): boolean {
  const r = mockCheckQuery(q);
  if (!r.ok) return false;
  const text = fold(`${m.title} ${m.text}`);
  return r.terms.some((t) => text.includes(t.replace(/\*$/, "")));
}

const NOW = () => Math.floor(Date.now() / 1000);

const WATCHES: [string, string, string[], Level, string, string][] = [
  ["Maison Lumen", '"Maison Lumen" OR maisonlumen OR (lumen AND (crème OR sérum))', ["rappel", "allergie", "boycott"], "alert",
    "Mentions négatives ×6 par rapport à un jeudi 14 h habituel ; 3 nouveaux médias en 2 h ; mots : rappel, allergie.",
    "Negative mentions ×6 vs a usual Thursday 14:00; 3 new outlets in 2 h; words: recall, allergy."],
  ["Brasserie Ardent", '"Brasserie Ardent" OR ardent*', ["grève", "intoxication"], "watch",
    "Mentions ×2,4 par rapport à un jeudi 14 h habituel ; mot : grève.",
    "Mentions ×2.4 vs a usual Thursday 14:00; word: strike."],
  ["Velora", "velora -bourse", ["scandale"], "calm", "", ""],
  ["Projet Sirius", '"projet sirius"', [], "calm", "", ""],
];

const SOURCES: [string, Source["kind"], Problem | null, number][] = [
  ["Le Quotidien — Économie", { kind: "feed", url: "https://quotidien.example/economie/rss.xml" }, null, 0],
  ["Google Alerts — Maison Lumen", { kind: "feed", url: "https://alerts.example/feeds/1234/5678" }, null, 0],
  ["#maisonlumen", { kind: "mastodon_tag", instance: "https://mastodon.example", tag: "maisonlumen" }, null, 0],
  ["Bluesky: ardent", { kind: "bluesky_search", service: "https://bsky.example", handle: "veille.example.org", query: "ardent" }, null, 0],
  ["Beauty Talk forum", { kind: "feed", url: "https://forum.example/beauty.atom" }, { problem: "http", status: 503, retry_after_secs: 2400 }, 4],
  ["Consumer Watch blog", { kind: "feed", url: "https://consumer.example/feed" }, { problem: "http", status: 404, retry_after_secs: null }, 9],
];

const TEMPLATES: [string, string, string, ToneLabel, boolean][] = [
  ["fr", "Rappel de la crème {b} : des allergies signalées", "Plusieurs clientes disent avoir eu des réactions après la nouvelle crème {b}. La marque n'a pas encore répondu.", "negative", false],
  ["fr", "{b} lance une gamme rechargeable", "La nouvelle gamme de {b} mise sur des flacons rechargeables en magasin.", "positive", false],
  ["en", "Is anyone else reacting badly to the new {b} serum?", "Third day of redness after the {b} serum. Support says to wait. Not impressed.", "negative", true],
  ["fr", "Boycott {b} ? Le hashtag monte", "Un appel au boycott de {b} circule depuis ce matin, relayé par deux comptes influents.", "negative", true],
  ["en", "{b} quarterly results beat expectations", "Analysts note steady growth for {b} in the premium segment.", "positive", false],
  ["fr", "Les salariés de {b} en grève jeudi", "Les syndicats appellent à une grève jeudi sur le site principal de {b}.", "negative", false],
  ["fr", "Test : la crème de jour {b}", "Texture agréable, parfum discret ; le prix reste élevé pour {b}.", "neutral", false],
  ["en", "{b} opens a new store in Lyon", "The shop follows the brand's recent expansion in France.", "neutral", false],
  ["fr", "{b} : la réponse du service client déçoit", "« On m'a répondu au bout de 10 jours » : les avis se multiplient sur {b}.", "negative", false],
  ["en", "Love the {b} refill program", "Finally a brand that takes packaging seriously. Well done {b}!", "positive", false],
];

const AUTHORS = ["Claire M.", "@julien_d", "Le Quotidien", "@sam.writes", "Beauty Talk", "Camille R.", null, "@newsdesk", "Thomas B."];

class MockBackend {
  readonly name = "mock" as const;
  private handlers = new Map<string, Set<Handler>>();
  private watches: Watch[] = [];
  private levels = new Map<number, WatchLevel>();
  private sources: SourceRow[] = [];
  private mentions: Mention[] = [];
  private events: VigieEvent[] = [];
  private alertsSeenUpTo = 0;
  private nextId = 1000;
  private settings: Settings;
  private rand = rng(42);
  private publishing: MockPublishing;
  private team: MockTeam;

  constructor(empty: boolean, params: URLSearchParams) {
    const nav = params.get("lang") ?? (typeof navigator !== "undefined" ? navigator.language : "en");
    const theme = params.get("theme");
    this.settings = {
      language: nav.toLowerCase().startsWith("fr") ? "fr" : "en",
      theme: theme === "dark" || theme === "light" ? theme : "system",
      poll_interval_secs: 600, notify_levels: true, notify_weak_signals: true,
    };
    if (!empty) this.seed();
    if (typeof window !== "undefined") setInterval(() => this.liveMention(), 20_000);
    const rank: Level[] = ["calm", "watch", "alert", "crisis"];
    const highest = () =>
      [...this.levels.values()].map((l) => l.level).reduce<Level>((a, b) => (rank.indexOf(b) > rank.indexOf(a) ? b : a), "calm");
    this.publishing = new MockPublishing(empty, (e, p) => this.emit(e, p), highest);
    this.team = new MockTeam(empty, (id) => this.publishing.accountById(id), highest);
  }

  private seed() {
    const now = NOW();
    WATCHES.forEach(([name, query, words, level, fr, en], i) => {
      const id = i + 1;
      this.watches.push({ id, name, query, languages: ["fr", "en"], sensitivity: i === 0 ? "high" : "medium", enabled: i < 3, sensitive_words: words, thresholds: null, created_at: now - 40 * 86_400, updated_at: now - 86_400 });
      this.levels.set(id, { watch_id: id, level, since: level === "calm" ? null : now - (i === 0 ? 47 : 190) * 60, explanation_fr: fr, explanation_en: en, last_bucket: now - 300 });
    });
    SOURCES.forEach(([title, kind, problem, errors], i) => {
      const id = i + 1;
      this.sources.push({
        source: { id, title, kind, enabled: true, interval_secs: 600, created_at: now - 30 * 86_400 },
        state: { next_check_at: now + 400, etag: null, last_modified: null, error_count: errors, last_error: null, last_problem: problem, last_status: problem?.problem === "http" ? problem.status : 200, last_checked_at: now - (i + 1) * 90, last_success_at: problem ? now - 7200 : now - (i + 1) * 90, cursor: null },
      });
    });
    for (let i = 0; i < 70; i++) {
      const ageMin = Math.floor(i < 20 ? this.rand() * 180 : this.rand() * 7 * 1440);
      this.mentions.push(this.makeMention(now - ageMin * 60, i));
    }
    this.mentions.push({
      id: this.nextId++, source_id: 5, guid: "xss-demo", url: "https://forum.example/t/42", title: "<img src=x onerror=alert(1)>",
      text: "<script>alert('xss')</script> Maison Lumen <b>bold?</b> — this markup must show as plain text.",
      html: null, author: "<i>anonymous</i>", published_at: now - 25 * 60, fetched_at: now - 20 * 60, lang: "en", triage: "new",
      tonality: { score: -0.2, label: "neutral", anger: false }, watch_ids: [1],
    });
    this.mentions.sort((a, b) => b.published_at - a.published_at);
    this.events.push(
      { id: 1, at: now - 47 * 60, kind: "level_changed", watch_id: 1, source_id: null, data: { from: "watch", to: "alert", points: 5, explanation_fr: WATCHES[0][4], explanation_en: WATCHES[0][5] } },
      { id: 2, at: now - 75 * 60, kind: "weak_signal", watch_id: 1, source_id: null, data: { series: "negative", observed: 14, expected: 2.3, ratio: 6.1 } },
      { id: 3, at: now - 120 * 60, kind: "level_changed", watch_id: 1, source_id: null, data: { from: "calm", to: "watch", points: 2, explanation_fr: "Mentions ×3 par rapport à un jeudi 12 h habituel.", explanation_en: "Mentions ×3 vs a usual Thursday 12:00." } },
      { id: 4, at: now - 190 * 60, kind: "level_changed", watch_id: 2, source_id: null, data: { from: "calm", to: "watch", points: 2, explanation_fr: WATCHES[1][4], explanation_en: WATCHES[1][5] } },
      { id: 5, at: now - 200 * 60, kind: "weak_signal", watch_id: 2, source_id: null, data: { series: "new_voices", observed: 5, expected: 0.8, ratio: 6.2 } },
      { id: 6, at: now - 26 * 3600, kind: "level_changed", watch_id: 3, source_id: null, data: { from: "watch", to: "calm", points: 0, explanation_fr: "Retour au calme : volume normal depuis 1 h.", explanation_en: "Back to calm: normal volume for 1 h." } },
    );
  }

  private makeMention(at: number, i: number): Mention {
    const wIdx = this.rand() < 0.55 ? 0 : this.rand() < 0.6 ? 1 : 2;
    const [lang, title, text, label, anger] = TEMPLATES[Math.floor(this.rand() * TEMPLATES.length)];
    const brand = WATCHES[wIdx][0];
    const srcId = 1 + Math.floor(this.rand() * 4);
    const states = ["new", "new", "new", "seen", "flagged", "handled"] as const;
    return {
      id: this.nextId++, source_id: srcId, guid: `g-${i}-${at}`, url: `https://news.example/articles/${at}-${i}`,
      title: title.replaceAll("{b}", brand), text: text.replaceAll("{b}", brand), html: null,
      author: AUTHORS[Math.floor(this.rand() * AUTHORS.length)], published_at: at, fetched_at: at + 120, lang,
      triage: at > NOW() - 3 * 3600 ? "new" : states[Math.floor(this.rand() * states.length)],
      tonality: { score: label === "negative" ? -0.6 : label === "positive" ? 0.6 : 0, label, anger }, watch_ids: [wIdx + 1],
    };
  }

  private liveMention() {
    if (!this.watches.length) return;
    const m = this.makeMention(NOW(), this.nextId);
    this.mentions.unshift(m);
    this.emit("mentions://new", { count: 1, ids: [m.id] });
  }

  private emit(event: string, payload: unknown) {
    this.handlers.get(event)?.forEach((h) => h(payload));
  }

  private series(watchId: number, range: "24h" | "7d"): Series {
    const step = range === "24h" ? 300 : 3600;
    const n = range === "24h" ? 288 : 168;
    const now = NOW();
    const start = Math.floor(now / step) * step - (n - 1) * step;
    const r = rng(watchId * 97 + n);
    const lvl = this.levels.get(watchId)?.level ?? "calm";
    const scale = (watchId === 1 ? 6 : watchId === 2 ? 3 : 1.5) * (step / 300);
    const volume: number[] = [];
    const negative: number[] = [];
    for (let i = 0; i < n; i++) {
      const hour = new Date((start + i * step) * 1000).getHours();
      const daily = 0.35 + 0.65 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI));
      const nearEnd = (n - i) * step;
      const burst = lvl === "alert" && nearEnd < 3 * 3600 ? 4 + (3 * 3600 - nearEnd) / 1800 : lvl === "watch" && nearEnd < 4 * 3600 ? 2.2 : 1;
      const v = Math.max(0, Math.floor(scale * daily * burst * (0.5 + r()) + r()));
      const negShare = lvl === "alert" && nearEnd < 3 * 3600 ? 0.55 + r() * 0.2 : 0.12 + r() * 0.12;
      volume.push(watchId > 3 ? 0 : v);
      negative.push(watchId > 3 ? 0 : Math.round(v * negShare));
    }
    return { start, step, volume, negative };
  }

  private filter(f: MentionFilter): Mention[] {
    let out = this.mentions.filter((m) =>
      (f.watchId === undefined || m.watch_ids.includes(f.watchId)) &&
      (f.sourceId === undefined || m.source_id === f.sourceId) &&
      (f.lang === undefined || m.lang === f.lang) &&
      (f.tonality === undefined || m.tonality?.label === f.tonality) &&
      (f.triage === undefined || m.triage === f.triage) &&
      (f.since === undefined || m.published_at >= f.since) &&
      (f.until === undefined || m.published_at < f.until));
    if (f.search) {
      const words = fold(f.search).split(/\s+/).filter(Boolean);
      out = out.filter((m) => { const t = fold(`${m.title} ${m.text} ${m.author ?? ""}`); return words.every((w) => t.includes(w)); });
    }
    return out.sort((a, b) => b.published_at - a.published_at).slice(0, f.limit ?? 200);
  }

  private saveWatch(id: number | null, w: NewWatch): Watch {
    const check = mockCheckQuery(w.query);
    if (!check.ok) throw { code: "invalid_query", message: `query error at position ${check.position}: ${check.message}` };
    if (!w.name.trim()) throw { code: "invalid", message: "a watch needs a name" };
    const now = NOW();
    if (id !== null) {
      const cur = this.watches.find((x) => x.id === id);
      if (!cur) throw { code: "not_found", message: "this watch no longer exists" };
      Object.assign(cur, w, { updated_at: now });
      return { ...cur };
    }
    if (this.watches.some((x) => x.name.toLowerCase() === w.name.trim().toLowerCase())) throw { code: "conflict", message: `a watch named "${w.name}" already exists` };
    const nw: Watch = { ...w, id: Math.max(0, ...this.watches.map((x) => x.id)) + 1, created_at: now, updated_at: now };
    this.watches.push(nw);
    this.levels.set(nw.id, { watch_id: nw.id, level: "calm", since: null, explanation_fr: "", explanation_en: "", last_bucket: null });
    return { ...nw };
  }

  private addSource(spec: SourceSpec): Source {
    const now = NOW();
    let title: string;
    let kind: Source["kind"];
    if (spec.kind === "feed") {
      if (!/^https?:\/\/[^\s/]+\.[^\s]+/.test(spec.url)) throw { code: "invalid_url", message: "only http and https addresses can be watched" };
      kind = { kind: "feed", url: spec.url };
      title = spec.title || new URL(spec.url).hostname;
    } else if (spec.kind === "mastodon_tag") {
      kind = { kind: "mastodon_tag", instance: spec.instance, tag: spec.tag };
      title = `#${spec.tag}`;
    } else {
      if (!spec.appPassword) throw { code: "auth", message: "the app password is required" };
      kind = { kind: "bluesky_search", service: spec.service, handle: spec.handle, query: spec.query };
      title = `Bluesky: ${spec.query}`;
    }
    const source: Source = { id: Math.max(0, ...this.sources.map((s) => s.source.id)) + 1, title, kind, enabled: true, interval_secs: this.settings.poll_interval_secs, created_at: now };
    this.sources.push({ source, state: { next_check_at: now + 5, etag: null, last_modified: null, error_count: 0, last_error: null, last_problem: null, last_status: null, last_checked_at: null, last_success_at: null, cursor: null } });
    return source;
  }

  async invoke<T>(cmd: string, a: Record<string, unknown> = {}): Promise<T> {
    await new Promise((r) => setTimeout(r, 60 + Math.random() * 120));
    return this.dispatch(cmd, a) as T;
  }

  private dispatch(cmd: string, a: Record<string, unknown>): unknown {
    switch (cmd) {
      case "dashboard":
        return this.watches.map((w): DashboardRow => ({ watch: { ...w }, level: { ...this.levels.get(w.id)! } }));
      case "dashboard_series": return this.watches.map((w) => ({ watch_id: w.id, ...this.series(w.id, a.range as "24h" | "7d") }));
      case "list_watches": return this.watches.map((w) => ({ ...w }));
      case "save_watch": return this.saveWatch(a.id as number | null, a.watch as NewWatch);
      case "remove_watch": this.watches = this.watches.filter((w) => w.id !== a.id); return null;
      case "check_query": return mockCheckQuery(a.query as string);
      case "preview_query": return this.mentions.filter((m) => matches(m, a.query as string)).slice(0, a.limit as number);
      case "list_mentions": return this.filter((a.filter ?? {}) as MentionFilter).map((m) => ({ ...m }));
      case "set_triage": { const m = this.mentions.find((x) => x.id === a.id); if (!m) throw { code: "not_found", message: "no such mention" }; m.triage = a.triage as Mention["triage"]; return null; }
      case "set_triage_many": { let n = 0; for (const m of this.mentions) if ((a.ids as number[]).includes(m.id) && m.triage !== a.triage) { m.triage = a.triage as Mention["triage"]; n++; } return n; }
      case "list_sources": return this.sources.map((s) => structuredClone(s));
      case "add_source": return this.addSource(a.spec as SourceSpec);
      case "remove_source": this.sources = this.sources.filter((s) => s.source.id !== a.id); return null;
      case "check_all_sources": return this.sources.filter((s) => s.source.enabled).length;
      case "set_source_enabled": { const row = this.sources.find((s) => s.source.id === a.id); if (row) row.source.enabled = Boolean(a.enabled); return null; }
      case "check_source": {
        const row = this.sources.find((s) => s.source.id === a.id);
        if (row) setTimeout(() => { row.state.last_checked_at = NOW(); this.emit(`source://${row.source.id}/health`, structuredClone(row)); }, 1200);
        return null;
      }
      case "import_opml": {
        const urls = [...String(a.text).matchAll(/xmlUrl="([^"]+)"/g)].map((m) => m[1]);
        if (!urls.length) throw { code: "invalid_opml", message: "this file has no feed (no outline with an xmlUrl)" };
        let added = 0; let present = 0;
        const skipped: { url: string; reason: string }[] = [];
        for (const url of urls) {
          if (!/^https?:\/\/[^/@]+(\/|$)/.test(url)) skipped.push({ url, reason: "only http and https addresses without a password" });
          else if (this.sources.some((s) => s.source.kind.kind === "feed" && s.source.kind.url === url)) present++;
          else { this.addSource({ kind: "feed", url }); added++; }
        }
        return { added, already_present: present, skipped };
      }
      case "export_opml": {
        const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
        const items = this.sources.filter((s) => s.source.kind.kind === "feed")
          .map((s) => `    <outline type="rss" text="${esc(s.source.title)}" xmlUrl="${esc((s.source.kind as { url: string }).url)}"/>`);
        const doc = `<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n  <head><title>Vigie sources</title></head>\n  <body>\n${items.join("\n")}\n  </body>\n</opml>\n`;
        // In a browser, the browser's own download saves it; the app saves it in Rust.
        const url = URL.createObjectURL(new Blob([doc], { type: "text/x-opml" }));
        const link = Object.assign(document.createElement("a"), { href: url, download: "vigie-sources.opml" });
        link.click();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
        return "vigie-sources.opml";
      }
      case "alerts": return this.events.slice(0, a.limit as number);
      case "alerts_seen": return {
        seen_up_to: this.alertsSeenUpTo,
        unseen_level_changes: this.events.filter((e) => e.id > this.alertsSeenUpTo && e.kind === "level_changed").length,
      };
      case "mark_alerts_seen": this.alertsSeenUpTo = Math.max(this.alertsSeenUpTo, a.upTo as number); return null;
      case "get_settings": return { ...this.settings };
      case "save_settings": this.settings = { ...(a.settings as Settings) }; return { ...this.settings };
      case "open_external": console.info("[mock] open_external", a.url); return null;
      default: {
        const r = this.publishing.dispatch(cmd, a);
        if (r !== NOT_MINE) return r;
        const r2 = this.team.dispatch(cmd, a);
        if (r2 !== NOT_MINE) return r2;
        throw { code: "unknown_command", message: `mock backend: unknown command ${cmd}` };
      }
    }
  }

  async listen<T>(event: string, handler: (payload: T) => void): Promise<() => void> {
    const set = this.handlers.get(event) ?? new Set();
    set.add(handler as Handler);
    this.handlers.set(event, set);
    return () => set.delete(handler as Handler);
  }
}

/** URL options (dev only): `?mock=empty` first run, `?lang=fr|en`, `?theme=dark|light`. */
export function createMockBackend(): MockBackend {
  const params = new URLSearchParams(typeof location !== "undefined" ? location.search : "");
  console.info("[Vigie] MOCK backend in use: no Tauri shell detected (plain browser). Sample data only.");
  return new MockBackend(params.get("mock") === "empty", params);
}
