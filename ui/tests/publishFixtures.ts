import type { Account, ComposeCheck, Network, Post, Profile } from "../src/types";

export function profile(over: Partial<Profile> = {}): Profile {
  return { id: 1, name: "Acme", kind: "brand", colour: "#c92a2a", allowedHandles: ["acme@mastodon.example"], ...over };
}

export function account(o: { id?: number; profileId?: number; network?: Network; server?: string; handle?: string; displayName?: string; audience?: number; avatarUrl?: string | null } = {}): Account {
  const network = o.network ?? "mastodon";
  return {
    id: o.id ?? 5, profileId: o.profileId ?? 1, network, server: o.server ?? "https://mastodon.example",
    identity: { remoteId: "109", handle: o.handle ?? "acme@mastodon.example", displayName: o.displayName ?? "Acme", avatarUrl: o.avatarUrl ?? null, audience: o.audience ?? 1200 },
    limits: { maxChars: network === "bluesky" ? 300 : 500, urlChars: 23, maxImages: 4, maxImageBytes: 1_000_000 },
  };
}

export function check(over: Partial<ComposeCheck> = {}): ComposeCheck {
  return {
    account: account(), profile: profile(), level: "calm", rule: { kind: "click" }, count: 5, max: 500, problems: [], invalid: [],
    killSwitch: { on: false, reason: "", since: null }, ...over,
  };
}

export function post(over: Partial<Post> = {}): Post {
  return {
    id: 9, key: "k", accountId: 5, content: { text: "Hello", images: [] }, contentHash: "h", state: "queued", queuedAt: 1_700_000_000,
    queuedMicros: 1_700_000_000_000_000, sendAfter: 1_700_000_030, attempts: 0, attemptStartedAt: null, lastError: null, lastProblem: null, remoteId: null,
    remoteUrl: null, sentAt: null, watchId: null, ...over,
  };
}
