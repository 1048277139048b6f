// The application shell: sidebar navigation, hash router, toasts, live region, settings.

import { h, clear, hasUnsavedInput } from "./dom";
import { icon } from "./icons";
import { t, setLanguage, detectLanguage, type Key } from "./i18n";
import * as ipc from "./ipc";
import type { DashboardRow, KillSwitch, Profile, Settings } from "./types";
import { compareLevels, levelStyle } from "./logic/levels";
import { errorText } from "./logic/errors";
import { applyTheme } from "./theme";
import { openModal } from "./views/modal";
import { button } from "./views/common";
import { renderDashboard } from "./views/dashboard";
import { renderMentions } from "./views/mentions";
import { renderWatches } from "./views/watches";
import { renderSources } from "./views/sources";
import { renderAlerts } from "./views/alerts";
import { renderSettings } from "./views/settings";
import { renderOnboarding } from "./views/onboarding";
import { renderAccounts } from "./views/accounts";
import { renderCompose } from "./views/compose";
import { renderOutbox } from "./views/outbox";
import { renderDrafts } from "./views/drafts";
import { renderApprovals } from "./views/approvals";
import { renderPlaybooks } from "./views/playbooks";
import { renderTeam } from "./views/team";
import { renderAudit } from "./views/audit";
import { killSwitchBanner, topBar } from "./views/chrome";
import { paintProfile } from "./views/identity";

/** The publishing state every screen shows: the active profile and the kill switch. */
export interface Publishing {
  profiles: Profile[];
  active: Profile | null;
  killSwitch: KillSwitch;
}

export interface Ctx {
  settings: Settings;
  rows: DashboardRow[];
  backend: ipc.Backend["name"];
  refreshDashboard(): Promise<DashboardRow[]>;
  navigate(hash: string): void;
  toast(message: string, kind?: "ok" | "error"): void;
  /** Reads a message out to screen readers (aria-live polite). */
  announce(message: string): void;
  applySettings(s: Settings): void;
  errorText(e: unknown): string;
  publishing: Publishing;
  /** Reloads profiles, the active profile and the kill switch, then repaints the chrome. */
  refreshPublishing(): Promise<void>;
  /** Makes another profile the active one and re-renders the screen for it; false when the
   *  user chose to stay on a screen with unsaved input. */
  switchProfile(id: number): Promise<boolean>;
  /** Called with the new state whenever the kill switch or the profiles change. */
  onPublishing(fn: (p: Publishing) => void): () => void;
  /** While `unsaved()` holds, leaving the screen asks first (the watch editor). Cleared by
   *  `null`, and at every screen change. */
  setLeaveGuard(unsaved: (() => boolean) | null): void;
}

export type Cleanup = () => void;
export type View = (
  root: HTMLElement,
  ctx: Ctx,
  params: URLSearchParams,
  path: string[],
) => Cleanup | void;

const NAV: { id: string; key: Key; icon: string }[] = [
  { id: "dashboard", key: "nav.dashboard", icon: "dashboard" },
  { id: "mentions", key: "nav.mentions", icon: "mentions" },
  { id: "watches", key: "nav.watches", icon: "watches" },
  { id: "sources", key: "nav.sources", icon: "sources" },
  { id: "alerts", key: "nav.alerts", icon: "alerts" },
  { id: "compose", key: "nav.compose", icon: "send" },
  { id: "drafts", key: "nav.drafts", icon: "draft" },
  { id: "approvals", key: "nav.approvals", icon: "shield" },
  { id: "outbox", key: "nav.outbox", icon: "outbox" },
  { id: "playbooks", key: "nav.playbooks", icon: "book" },
  { id: "accounts", key: "nav.accounts", icon: "user" },
  { id: "team", key: "nav.team", icon: "team" },
  { id: "audit", key: "nav.audit", icon: "audit" },
  { id: "settings", key: "nav.settings", icon: "settings" },
];

const VIEWS: Record<string, View> = {
  dashboard: renderDashboard,
  mentions: renderMentions,
  watches: renderWatches,
  sources: renderSources,
  alerts: renderAlerts,
  settings: renderSettings,
  welcome: renderOnboarding,
  compose: renderCompose,
  outbox: renderOutbox,
  accounts: renderAccounts,
  drafts: renderDrafts,
  approvals: renderApprovals,
  playbooks: renderPlaybooks,
  team: renderTeam,
  audit: renderAudit,
};

const DEFAULT_SETTINGS: Settings = {
  language: "en",
  theme: "system",
  poll_interval_secs: 600,
  notify_levels: true,
  notify_weak_signals: true,
};

export function parseHash(hash: string): { path: string[]; params: URLSearchParams } {
  const raw = hash.replace(/^#\/?/, "");
  const [p, q] = raw.split("?", 2);
  const path = p.split("/").filter(Boolean);
  return { path: path.length ? path : ["dashboard"], params: new URLSearchParams(q ?? "") };
}

/** The profiles, the active one and the kill switch, asked at once. */
async function loadPublishing(): Promise<Ctx["publishing"]> {
  const [profiles, active, killSwitch] = await Promise.all([ipc.listProfiles(), ipc.activeProfile(), ipc.killSwitch()]);
  return { profiles, active, killSwitch };
}

export async function startApp(mount: HTMLElement): Promise<void> {
  setLanguage(detectLanguage(navigator.language));
  const live = h("div", { class: "sr-only", "aria-live": "polite", role: "status", testid: "live-region" });
  const toasts = h("div", { class: "toasts", "aria-live": "assertive" });
  const main = h("main", { id: "main", class: "main", tabindex: "-1" });
  const navList = h("ul", { class: "nav-list" });
  const sideFooter = h("div", { class: "sidebar-footer" });
  const topSlot = h("div", { class: "topbar-slot" });
  const bannerSlot = h("div", { class: "banner-slot" });
  const workspace = h("div", { class: "workspace" }, topSlot, bannerSlot, main);
  const publishingListeners = new Set<(p: Publishing) => void>();
  let cleanup: Cleanup | void;
  let newCount = 0;
  // Level changes since the alerts centre was last seen (its menu item shows them), as the
  // engine keeps them: across restarts and the window's release.
  let alertCount = 0;
  const levelSubs = new Set<number>();

  const ctx: Ctx = {
    settings: { ...DEFAULT_SETTINGS, language: detectLanguage(navigator.language) },
    rows: [],
    backend: await ipc.backendName().catch(() => "tauri" as const),
    async refreshDashboard() {
      applyRows(await ipc.dashboard());
      followLevels();
      return ctx.rows;
    },
    navigate(hash) {
      if (location.hash === hash) route();
      else location.hash = hash;
    },
    toast(message, kind = "ok") {
      const el = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" }, message);
      toasts.appendChild(el);
      setTimeout(() => el.remove(), kind === "error" ? 7000 : 3500);
    },
    announce(message) {
      live.textContent = "";
      setTimeout(() => (live.textContent = message), 30);
    },
    applySettings(s) {
      ctx.settings = s;
      setLanguage(s.language);
      applyTheme(s.theme);
      buildChrome();
      route();
    },
    errorText(e) {
      return errorText(ipc.toIpcError(e));
    },
    publishing: { profiles: [], active: null, killSwitch: { on: false, reason: "", since: null } },
    async refreshPublishing() {
      ctx.publishing = await loadPublishing();
      renderPublishing();
    },
    switchProfile(id) {
      // The screen is drawn again for the new profile: what is typed there would be lost.
      return new Promise<boolean>((resolve, reject) => {
        askBeforeLeaving(() => {
          ipc.setActiveProfile(id)
            .then(() => ctx.refreshPublishing())
            .then(() => route())
            .then(() => resolve(true), reject);
        }, () => resolve(false));
      });
    },
    onPublishing(fn) {
      publishingListeners.add(fn);
      return () => publishingListeners.delete(fn);
    },
    setLeaveGuard(unsaved) {
      leaveGuard = unsaved;
    },
  };

  // Leaving a screen with unsaved changes asks first: "Stay" or "Leave without saving".
  let leaveGuard: (() => boolean) | null = null;
  let shownHash = location.hash;
  /** Runs `leave` at once, or after "Leave without saving" when the screen holds unsaved
   *  input; `stay` when the user stays. */
  function askBeforeLeaving(leave: () => void, stay?: () => void) {
    if (!leaveGuard?.()) {
      leave();
      return;
    }
    const m = openModal({
      title: t("leave.title"),
      testid: "leave-dialog",
      body: [h("p", null, t("leave.body"))],
      actions: [
        button(t("leave.stay"), () => m.close(), { kind: "primary", testid: "leave-stay" }),
        button(t("leave.go"), () => {
          leaveGuard = null;
          left = true;
          m.close();
          leave();
        }, { kind: "danger", testid: "leave-go" }),
      ],
      onClose: () => {
        if (!left) stay?.();
      },
    });
    let left = false;
  }

  function onHashChange() {
    if (leaveGuard?.()) {
      const target = location.hash;
      history.replaceState(null, "", shownHash || "#/");
      askBeforeLeaving(() => (location.hash = target));
      return;
    }
    route();
  }

  /** The profile band, switcher and kill switch on top of every screen, and the pause banner. */
  function renderPublishing() {
    paintProfile(workspace, ctx.publishing.active);
    workspace.dataset.profileKind = ctx.publishing.active?.kind ?? "none";
    topSlot.replaceChildren(topBar(ctx));
    bannerSlot.replaceChildren(...(ctx.publishing.killSwitch.on ? [killSwitchBanner(ctx)] : []));
    for (const fn of publishingListeners) fn(ctx.publishing);
  }

  let alertSeq = 0;
  /** The Alertes item's count, asked of the engine (it logs a level change before saying so;
   *  the alerts centre itself marks what it shows as seen). */
  function refreshAlertCount() {
    const my = ++alertSeq;
    ipc.alertsSeen()
      .then((seen) => {
        if (my !== alertSeq) return;
        const here = parseHash(location.hash).path[0];
        const count = here === "alerts" ? 0 : seen.unseen_level_changes;
        if (count !== alertCount) {
          alertCount = count;
          renderNav(VIEWS[here] ? here : "dashboard");
        }
      })
      .catch(() => undefined);
  }

  /** New rows from the engine: a level that changed since the last rows counts once. */
  function applyRows(rows: DashboardRow[]) {
    const before = new Map(ctx.rows.map((r) => [r.watch.id, r.level.level]));
    ctx.rows = rows;
    if (rows.some((r) => (before.get(r.watch.id) ?? "calm") !== r.level.level)) refreshAlertCount();
    renderFooter();
  }

  /** Every watch's level, wherever the user is: the sidebar's highest level and the alerts
   *  centre's count stay current (the dashboard listens for its own cards too). A watch
   *  listened to for the first time has its rows read again once listening: a change made
   *  between the last read and the listening is caught there, later ones by the events. */
  function followLevels() {
    const fresh = ctx.rows.map((r) => r.watch.id).filter((id) => !levelSubs.has(id));
    if (!fresh.length) return;
    Promise.all(
      fresh.map((id) => {
        levelSubs.add(id);
        return ipc
          .onWatchLevel(id, (wl) => {
            const row = ctx.rows.find((x) => x.watch.id === wl.watch_id);
            const changed = !row || row.level.level !== wl.level;
            if (row) row.level = wl;
            renderFooter();
            if (changed) refreshAlertCount();
          })
          .catch(() => {
            levelSubs.delete(id);
          });
      }),
    )
      .then(() => ipc.dashboard())
      .then(applyRows)
      .catch(() => undefined);
  }

  function renderNav(active: string) {
    clear(navList);
    for (const item of NAV) {
      const count = item.id === "mentions" ? newCount : item.id === "alerts" ? alertCount : 0;
      const badge =
        count > 0
          ? h("span", { class: "nav-badge", testid: item.id === "mentions" ? "nav-new-count" : "nav-alert-count", "aria-label": t(item.id === "mentions" ? "nav.newCount" : "nav.alertCount", { n: count }) }, String(count > 99 ? "99+" : count))
          : null;
      const a = h(
        "a",
        {
          href: `#/${item.id}`,
          class: `nav-item${active === item.id ? " active" : ""}`,
          testid: `nav-${item.id}`,
          title: t(item.key),
          "aria-current": active === item.id ? "page" : undefined,
        },
        icon(item.icon),
        h("span", { class: "nav-label" }, t(item.key)),
        badge,
      );
      navList.appendChild(h("li", null, a));
    }
  }

  function renderFooter() {
    clear(sideFooter);
    if (ctx.rows.length) {
      const worst = [...ctx.rows].sort((a, b) => compareLevels(a.level.level, b.level.level))[0];
      const st = levelStyle(worst.level.level);
      sideFooter.appendChild(
        h("div", { class: "footer-level" }, h("span", { class: "footer-caption" }, t("nav.highestLevel")),
          h("span", { class: `level-badge ${st.className}`, testid: "nav-highest-level" }, h("span", { class: "level-dot" }), st.label)),
      );
    }
    if (ctx.backend === "mock") {
      sideFooter.appendChild(h("div", { class: "mock-pill", testid: "mock-banner", title: t("mock.title") }, t("mock.label")));
    }
  }

  function buildChrome() {
    document.documentElement.lang = ctx.settings.language;
    clear(mount);
    const sidebar = h(
      "nav",
      { class: "sidebar", "aria-label": t("nav.label") },
      h("div", { class: "brand" }, h("span", { class: "brand-mark", "aria-hidden": "true" }), h("span", { class: "brand-name" }, "Vigie")),
      navList,
      sideFooter,
    );
    mount.append(
      h("a", { class: "skip-link", href: "#main", onclick: (e: Event) => { e.preventDefault(); main.focus(); } }, t("nav.skip")),
      h("div", { class: "layout" }, sidebar, workspace),
      toasts,
      live,
    );
    renderFooter();
    renderPublishing();
  }

  function route() {
    leaveGuard = null;
    shownHash = location.hash;
    const { path, params } = parseHash(location.hash);
    let name = path[0];
    if (!VIEWS[name]) name = "dashboard";
    if (name === "mentions") {
      newCount = 0;
    }
    if (name === "alerts") {
      alertCount = 0;
    }
    renderNav(name);
    if (cleanup) cleanup();
    cleanup = undefined;
    clear(main);
    const view = h("div", { class: `view view-${name}` });
    main.appendChild(view);
    cleanup = VIEWS[name](view, ctx, params, path.slice(1));
  }

  // The first screen's questions go to the engine at once; the answers are drawn once the
  // chrome exists, in the user's language (errors as toasts).
  performance.mark("vigie:boot-asked");
  const [settings, rows, publishing] = await Promise.allSettled([
    ipc.getSettings(),
    ipc.dashboard(),
    loadPublishing(),
  ]);
  performance.mark("vigie:boot-answered");
  if (settings.status === "fulfilled") ctx.settings = settings.value;
  // otherwise keep the defaults detected from the system language
  setLanguage(ctx.settings.language);
  applyTheme(ctx.settings.theme);
  buildChrome();
  if (rows.status === "fulfilled") {
    ctx.rows = rows.value;
    renderFooter();
    followLevels();
  } else ctx.toast(ctx.errorText(rows.reason), "error");
  refreshAlertCount();
  if (publishing.status === "fulfilled") {
    ctx.publishing = publishing.value;
    renderPublishing();
  } else ctx.toast(ctx.errorText(publishing.reason), "error");
  if (ctx.rows.length === 0 && !location.hash.startsWith("#/welcome")) {
    location.hash = "#/welcome";
  }

  window.addEventListener("hashchange", onHashChange);
  route();

  ipc
    .onNewMentions((p) => {
      if (parseHash(location.hash).path[0] !== "mentions") {
        newCount += p.count;
        renderNav(parseHash(location.hash).path[0]);
        ctx.announce(t("mentions.liveCount", { n: p.count }));
      }
    })
    .catch(() => undefined);
  ipc
    .onKillSwitch((ks) => {
      const was = ctx.publishing.killSwitch;
      if (was.on === ks.on && was.reason === ks.reason) return;
      ctx.publishing = { ...ctx.publishing, killSwitch: ks };
      renderPublishing();
      ctx.announce(ks.on ? t("kill.announceOn", { reason: ks.reason }) : t("kill.announceOff"));
    })
    .catch(() => undefined);
  ipc
    .onOpenWatch((p) => ctx.navigate(`#/mentions?watch=${encodeURIComponent(String(p.watchId))}`))
    .catch(() => undefined);
  // Closed: say whether anything typed would be lost if the webview were released.
  ipc
    .onWindowClosed(() => {
      ipc.releaseWindow(hasUnsavedInput()).catch(() => undefined);
    })
    .catch(() => undefined);
}
