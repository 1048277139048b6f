// Who speaks: avatar (or initials), handle, network, profile chip. Every remote string (display
// name, handle, server) goes in as text.

import { h } from "../dom";
import { t } from "../i18n";
import type { Account, Identity, Network, Profile } from "../types";
import { isOpenableUrl } from "../logic/format";
import { initials, safeColour, textOn } from "../logic/publish";

/**
 * The account's avatar from its own server (an http(s) URL only). The CSP allows https: images
 * and http://127.0.0.1 (local test servers); anything it blocks, or that fails to load, shows
 * the initials instead.
 */
export function avatar(identity: Identity, size: "sm" | "lg" = "sm", testid?: string): HTMLElement {
  const fallback = () =>
    h("span", { class: `avatar avatar-${size} avatar-initials`, "aria-hidden": "true", testid: testid ? `${testid}-initials` : undefined },
      initials(identity.displayName || identity.handle));
  if (!isOpenableUrl(identity.avatarUrl)) return fallback();
  const img = h("img", { class: `avatar avatar-${size}`, src: identity.avatarUrl, alt: "", referrerpolicy: "no-referrer", testid });
  img.addEventListener("error", () => img.replaceWith(fallback()), { once: true });
  return img;
}

export function networkLabel(n: Network): string {
  return t(`network.${n}` as const);
}

/** "Brand · Acme" with the profile's colour. */
export function profileChip(p: Pick<Profile, "name" | "kind" | "colour">, testid?: string): HTMLElement {
  const chip = h("span", { class: "profile-chip", testid, "data-kind": p.kind },
    h("span", { class: "profile-swatch", "aria-hidden": "true" }),
    h("span", { class: "profile-chip-kind" }, t(`profile.kind.${p.kind}` as const)),
    h("span", { class: "profile-chip-name" }, p.name));
  chip.style.setProperty("--profile-colour", safeColour(p.colour));
  chip.style.setProperty("--profile-on", textOn(p.colour));
  return chip;
}

/** One line naming an account: avatar, display name, @handle, network. */
export function accountLine(a: Account, opts: { testid?: string } = {}): HTMLElement {
  return h("div", { class: "account-line", testid: opts.testid },
    avatar(a.identity),
    h("div", { class: "account-names" },
      h("span", { class: "account-display" }, a.identity.displayName || a.identity.handle),
      h("span", { class: "account-handle mono" }, `@${a.identity.handle}`)),
    h("span", { class: `chip chip-network chip-${a.network}` }, networkLabel(a.network)));
}

/** Sets the profile colour variables on an element (CSSOM, which the CSP allows). */
export function paintProfile(el: HTMLElement, p: Pick<Profile, "colour"> | null): void {
  const c = p ? safeColour(p.colour) : "transparent";
  el.style.setProperty("--profile-colour", c);
  el.style.setProperty("--profile-on", p ? textOn(p.colour) : "#000000");
}
