import { afterEach, describe, expect, it } from "vitest";
import {
  canConfirm, counterState, formatCountdown, initials, isFullHandle, normalizeHandle, parseHandles, postView, safeColour,
  textOn, typeHandleReason, typedHandleMatches,
} from "../src/logic/publish";
import { setLanguage } from "../src/i18n";
import { account, check } from "./publishFixtures";

describe("typed handle (the confirm button's rule)", () => {
  const masto = account({ network: "mastodon", server: "https://mastodon.example", handle: "acme@mastodon.example" });
  const bsky = account({ network: "bluesky", server: "https://bsky.social", handle: "acme.bsky.social" });

  it("matches the engine's normalisation: @ and case do not matter", () => {
    for (const typed of ["acme@mastodon.example", "@acme@mastodon.example", "@ACME@Mastodon.Example", "  acme@mastodon.example  "]) {
      expect(typedHandleMatches(masto, typed), typed).toBe(true);
    }
    expect(typedHandleMatches(bsky, "@Acme.bsky.social")).toBe(true);
  });

  it("a bare Mastodon name gets the account's own instance", () => {
    expect(normalizeHandle("mastodon", "@Acme", "https://mastodon.example/")).toBe("acme@mastodon.example");
    expect(normalizeHandle("mastodon", "alice", "http://127.0.0.1:8080")).toBe("alice@127.0.0.1:8080");
    // …but typing confirms only the whole handle, instance included.
    expect(typedHandleMatches(masto, "acme")).toBe(false);
    expect(typedHandleMatches(masto, "@acme")).toBe(false);
    expect(normalizeHandle("bluesky", "@Acme.bsky.social", "https://bsky.social")).toBe("acme.bsky.social");
  });

  it("refuses another account, another instance, a prefix or nothing", () => {
    for (const typed of ["", "   ", "@", "acm", "acme@other.example", "acme@mastodon.example.evil", "acme.bsky.social"]) {
      expect(typedHandleMatches(masto, typed), typed).toBe(false);
    }
    expect(typedHandleMatches(bsky, "acme")).toBe(false);
  });

  it("the confirm button: click rule at once, typeHandle only once it matches, never with problems", () => {
    expect(canConfirm(check({ rule: { kind: "click" } }), "")).toBe(true);
    const strict = check({ rule: { kind: "typeHandle" } });
    expect(canConfirm(strict, "")).toBe(false);
    expect(canConfirm(strict, "@acme@mastodon")).toBe(false);
    expect(canConfirm(strict, "@acme@mastodon.example")).toBe(true);
    expect(canConfirm(check({ rule: { kind: "click" }, problems: ["too long"], invalid: [{ kind: "tooLong", count: 501, max: 500 }] }), "")).toBe(false);
  });

  it("says why the handle must be typed", () => {
    expect(typeHandleReason("brand", "alert")).toBe("crisis");
    expect(typeHandleReason("brand", "crisis")).toBe("crisis");
    expect(typeHandleReason("brand", "watch")).toBe("audience");
    expect(typeHandleReason("personal", "crisis")).toBe("audience");
  });
});

describe("outbox countdown and states", () => {
  afterEach(() => setLanguage("en"));

  it("formats the undo window as m:ss (h:mm:ss past an hour)", () => {
    expect(formatCountdown(0)).toBe("0:00");
    expect(formatCountdown(-5)).toBe("0:00");
    expect(formatCountdown(7)).toBe("0:07");
    expect(formatCountdown(6.2)).toBe("0:07");
    expect(formatCountdown(65)).toBe("1:05");
    expect(formatCountdown(600)).toBe("10:00");
    expect(formatCountdown(3600)).toBe("1:00:00");
    expect(formatCountdown(3725)).toBe("1:02:05");
  });

  it("a queued post counts down, then is due; after a failure it is a retry", () => {
    const ks = { on: false };
    expect(postView({ state: "queued", sendAfter: 130, attempts: 0 }, ks, 100)).toEqual({ kind: "undo", remaining: 30 });
    expect(postView({ state: "queued", sendAfter: 100, attempts: 0 }, ks, 100)).toEqual({ kind: "due" });
    expect(postView({ state: "queued", sendAfter: 160, attempts: 2 }, ks, 100)).toEqual({ kind: "retryIn", remaining: 60 });
  });

  it("the kill switch holds every queued post, whatever its time", () => {
    const on = { on: true };
    expect(postView({ state: "queued", sendAfter: 130, attempts: 0 }, on, 100)).toEqual({ kind: "held" });
    expect(postView({ state: "queued", sendAfter: 10, attempts: 3 }, on, 100)).toEqual({ kind: "held" });
    expect(postView({ state: "sent", sendAfter: 10, attempts: 1 }, on, 100)).toEqual({ kind: "sent" });
  });

  it("other states pass through", () => {
    for (const state of ["sending", "sent", "failed", "cancelled"] as const) {
      expect(postView({ state, sendAfter: 0, attempts: 1 }, { on: false }, 100)).toEqual({ kind: state });
    }
  });
});

describe("profiles", () => {
  it("initials for an avatar that cannot be shown", () => {
    expect(initials("Maison Lumen")).toBe("ML");
    expect(initials("alice@127.0.0.1:8080")).toBe("A1");
    expect(initials("@claire.bsky.social")).toBe("CB");
    expect(initials("élodie")).toBe("É");
    expect(initials("")).toBe("?");
    expect(initials("<img src=x>")).toBe("IS");
  });

  it("only #rrggbb colours reach CSS", () => {
    expect(safeColour("#C92A2A")).toBe("#c92a2a");
    for (const bad of ["red", "#fff", "url(javascript:alert(1))", "#12345g", "", null, undefined, "#c92a2a; background: url(x)"]) {
      expect(safeColour(bad)).toBe("#868e96");
    }
  });

  it("picks readable text on the profile colour", () => {
    expect(textOn("#ffffff")).toBe("#000000");
    expect(textOn("#ffd43b")).toBe("#000000");
    expect(textOn("#c92a2a")).toBe("#ffffff");
    expect(textOn("#1b2230")).toBe("#ffffff");
  });

  it("reads an allow-list typed in lines, commas or spaces", () => {
    expect(parseHandles("@Acme@mastodon.example\nacme.bsky.social, @acme@mastodon.example ;other@x.y")).toEqual([
      "acme@mastodon.example", "acme.bsky.social", "other@x.y",
    ]);
    expect(parseHandles("  \n ,")).toEqual([]);
    expect(isFullHandle("alice@127.0.0.1:8080")).toBe(true);
    expect(isFullHandle("acme.bsky.social")).toBe(true);
    expect(isFullHandle("acme")).toBe(false);
    expect(isFullHandle("a@b@c")).toBe(false);
  });

  it("counter: fine, near the limit (last 10 %), over", () => {
    expect(counterState(10, 500)).toBe("ok");
    expect(counterState(450, 500)).toBe("near");
    expect(counterState(500, 500)).toBe("near");
    expect(counterState(501, 500)).toBe("over");
  });
});
