import { afterEach, describe, expect, it } from "vitest";
import { setLanguage } from "../src/i18n";
import { errorText } from "../src/logic/errors";
import { invalidText, postProblemText, refusalText } from "../src/logic/postProblems";
import type { Invalid, PostProblem, Refusal } from "../src/types";

// Intl separates digits with a no-break space in French.
const plain = (s: string) => s.replace(/\s/g, " ");

// One of each kind the engine sends (vigie_domain::publish::Invalid).
const EVERY_INVALID: Invalid[] = [
  { kind: "empty" },
  { kind: "tooLong", count: 1_250, max: 500 },
  { kind: "tooManyBytes", bytes: 7_500, max: 3_000 },
  { kind: "tooManyImages", count: 6, max: 4 },
  { kind: "imageTooBig", index: 1, bytes: 2_400_000, max: 1_000_000 },
  { kind: "missingAlt", index: 0 },
  { kind: "unsupportedImage", index: 2, mime: "image/tiff" },
];

describe("what stops a post, in the user's language", () => {
  afterEach(() => setLanguage("en"));

  it("words every kind in both languages, with its figures filled in", () => {
    for (const i of EVERY_INVALID) {
      setLanguage("fr");
      const fr = plain(invalidText(i));
      setLanguage("en");
      const en = invalidText(i);
      expect(fr, JSON.stringify(i)).not.toMatch(/\{\w+\}/);
      expect(en, JSON.stringify(i)).not.toMatch(/\{\w+\}/);
      expect(fr, JSON.stringify(i)).not.toBe(en);
    }
  });

  it("says how much to remove, and counts images from 1", () => {
    setLanguage("fr");
    expect(plain(invalidText({ kind: "tooLong", count: 1_250, max: 500 }))).toBe(
      "le texte fait 1 250 caractères ; ce compte en accepte 500 : retirez-en 750",
    );
    expect(plain(invalidText({ kind: "imageTooBig", index: 1, bytes: 2_400_000, max: 1_000_000 }))).toBe(
      "l'image 2 pèse 2,4 Mo ; 1 Mo au plus : redimensionnez-la ou compressez-la",
    );
    setLanguage("en");
    expect(invalidText({ kind: "tooManyImages", count: 6, max: 4 })).toBe("6 images attached; at most 4: remove 2");
    expect(invalidText({ kind: "imageTooBig", index: 0, bytes: 830_000, max: 1_000_000 })).toBe(
      "image 1 weighs 830 kB; at most 1 MB: resize or compress it",
    );
    expect(invalidText({ kind: "unsupportedImage", index: 2, mime: "image/tiff" })).toBe("image 3 is image/tiff: use JPEG, PNG, GIF or WebP");
  });
});

// One of each kind the engine sends (vigie_domain::publish::Refusal and PostProblem).
const EVERY_REFUSAL: Refusal[] = [
  { kind: "wrongProfile", handle: "bob@social.example", profileKind: "personal", profile: "Bob perso", active: "Acme" },
  { kind: "typeHandle", handle: "@acme@social.example", profileKind: "brand", level: "crisis", audience: 1200 },
  { kind: "typeHandle", handle: "@acme@social.example", profileKind: "brand", level: "calm", audience: 25_000 },
  { kind: "notApproved", handle: "acme@social.example", unmet: { kind: "tooFew", needed: 2, given: 0, because: ["crisis: two validators, one of them legal"] }, hasIdentity: true },
  { kind: "notApproved", handle: "acme@social.example", unmet: { kind: "role", role: "legal" }, hasIdentity: false },
  { kind: "approvals", detail: "the roster file is not valid" },
  { kind: "paused" },
  { kind: "samePost", handle: "acme@social.example", postId: 3, state: "queued", at: 1_700_000_000 },
  { kind: "samePost", handle: "acme@social.example", postId: 3, state: "sending", at: 1_700_000_000 },
  { kind: "samePost", handle: "acme@social.example", postId: 3, state: "sent", at: 1_700_000_000 },
  { kind: "notAllowListed", handle: "bob@social.example", profile: "Acme" },
  { kind: "wrongAccount", expected: "alice@social.example", actual: "bob@social.example" },
  { kind: "brandAccount", handle: "acme@social.example", brand: "Acme" },
  { kind: "credentialsInAddress", server: "http://social.example" },
  { kind: "notFullHandle", handle: "alice" },
  { kind: "emptyAllowList" },
  { kind: "badAddress", server: "htp:/x", detail: "relative URL without a base" },
  { kind: "insecureServer", server: "http://social.example", scheme: "http" },
  { kind: "signInExpired" },
  { kind: "signInStopped" },
  { kind: "browserTimeout", secs: 300 },
  { kind: "notAuthorised", detail: "access_denied" },
  { kind: "imageUnreadable", path: "/tmp/logo.png", detail: "No such file or directory" },
  { kind: "imageType", path: "/tmp/notes.txt" },
  { kind: "imageReference", alt: "logo" },
  { kind: "imageCopy", detail: "No space left on device" },
  { kind: "imageMissing", alt: "logo", detail: "No such file or directory" },
  { kind: "imageChanged", alt: "logo" },
];

const EVERY_POST_PROBLEM: PostProblem[] = [
  { kind: "paused" },
  { kind: "slowDown", afterSecs: 120 },
  { kind: "unreachable", detail: "connection refused" },
  { kind: "transport", problem: { problem: "timeout", secs: 20 } },
  { kind: "serverFailed", status: 503 },
  { kind: "unreadable", detail: "EOF while parsing" },
  { kind: "unexpected", detail: "HTTP 418: teapot" },
  { kind: "credentialRefused", detail: "HTTP 401" },
  { kind: "noCredential", handle: "acme@social.example" },
  { kind: "otherAccount", found: "bob@social.example", expected: "acme@social.example" },
  { kind: "foreignAccount", acct: "eve@elsewhere.example" },
  { kind: "keychainLocked" },
  { kind: "keychainUnavailable", detail: "no session bus" },
  { kind: "keychain", detail: "the keychain refused the secret" },
  { kind: "refused", detail: "Text character limit of 500 exceeded" },
  { kind: "checkFailed", status: 502 },
  { kind: "registrationRefused", server: "https://social.example", status: 403 },
  { kind: "loginRefused", detail: "Invalid identifier or password" },
  { kind: "sessionExpired" },
  { kind: "waitBeforeRetry", afterSecs: 120 },
  { kind: "transport", problem: { problem: "http", status: 404, retry_after_secs: null } },
  { kind: "transport", problem: { problem: "keychain_locked" } },
  { kind: "transport", problem: { problem: "refused", code: "InvalidRequest", message: "Record/text must not be longer than 300 graphemes" } },
  { kind: "signInRefused", status: 400 },
  { kind: "localPort", detail: "Address already in use" },
  { kind: "notSent", refusal: { kind: "imageChanged", alt: "logo" } },
  { kind: "contentChanged" },
  { kind: "accountGone" },
  { kind: "store", detail: "database is locked" },
  { kind: "gaveUp", attempts: 5, cause: { kind: "unreachable", detail: "connection refused" } },
];

/** Every string a value carries, nested ones included. */
function strings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === "object") {
    // Tags and enumerations are worded, not shown: `kind`, a nested Problem's `problem` tag, …
    return Object.entries(v).flatMap(([k, x]) =>
      k === "kind" || (k === "problem" && typeof x === "string") || k === "profileKind" || k === "level" || k === "state" || k === "because" ? [] : strings(x),
    );
  }
  return [];
}

describe("publishing refusals and failures, in the user's language", () => {
  afterEach(() => setLanguage("en"));

  it("words every refusal and every failure in both languages, with its details filled in", () => {
    const cases: [string, () => string, unknown][] = [
      ...EVERY_REFUSAL.map((r): [string, () => string, unknown] => [JSON.stringify(r), () => refusalText(r), r]),
      ...EVERY_POST_PROBLEM.map((p): [string, () => string, unknown] => [JSON.stringify(p), () => postProblemText(p), p]),
    ];
    for (const [name, text, value] of cases) {
      setLanguage("fr");
      const fr = plain(text());
      setLanguage("en");
      const en = plain(text());
      expect(fr, name).not.toMatch(/\{\w+\}/);
      expect(en, name).not.toMatch(/\{\w+\}/);
      expect(fr, name).not.toBe(en);
      for (const s of strings(value)) {
        expect(fr, name).toContain(s);
        expect(en, name).toContain(s);
      }
    }
  });

  it("the English says the same as the engine's words for the same data", () => {
    setLanguage("en");
    // vigie-domain publish::problem::tests::the_english_words_say_why_the_handle_must_be_typed
    // holds the engine's sentence for this refusal.
    expect(refusalText(EVERY_REFUSAL[1])).toBe("type the handle @acme@social.example to confirm: this is a brand account and the level is crisis");
    expect(postProblemText(EVERY_POST_PROBLEM[EVERY_POST_PROBLEM.length - 1])).toBe(
      "the server could not be reached (connection refused) (after 5 attempts, Vigie stopped trying: press Retry once this is solved)",
    );
  });

  it("says why the handle must be typed, the level or the audience, and which approvals are missing, in French", () => {
    setLanguage("fr");
    expect(refusalText(EVERY_REFUSAL[1])).toBe("tapez l'identifiant @acme@social.example pour confirmer : c'est un compte de marque et le niveau est « crise »");
    expect(plain(refusalText(EVERY_REFUSAL[2]))).toBe("tapez l'identifiant @acme@social.example pour confirmer : c'est un compte de marque suivi par 25 000 abonnés");
    expect(refusalText(EVERY_REFUSAL[3])).toBe(
      "pas de validation pour @acme@social.example : 2 validations nécessaires (crise : deux validateurs, dont un juriste) ; validations obtenues : 0. Demandez une validation (exportez une demande depuis le brouillon).",
    );
    // Whose approval expired, rather than "0" alone.
    const expired: Refusal = { kind: "notApproved", handle: "acme@social.example", unmet: { kind: "tooFew", needed: 1, given: 0, because: [], expired: ["Maître Durand"] }, hasIdentity: true };
    expect(refusalText(expired)).toContain("validations obtenues : 0 ; validation expirée : Maître Durand (à redemander)");
    setLanguage("en");
    expect(refusalText(expired)).toContain("0 given; expired: Maître Durand (ask again)");
    const role: Refusal = { kind: "notApproved", handle: "acme@social.example", unmet: { kind: "role", role: "legal", expired: ["Maître Durand"] }, hasIdentity: true };
    expect(refusalText(role)).toContain("; expired: Maître Durand (ask again)");
    expect(refusalText({ ...role, unmet: { kind: "role", role: "legal" } })).not.toContain("expired");
    setLanguage("fr");
    expect(postProblemText({ kind: "transport", problem: { problem: "timeout", secs: 20 } })).toContain("n'a pas répondu en 20 s");
    expect(postProblemText({ kind: "slowDown", afterSecs: 120 })).toBe("le serveur demande à Vigie de ralentir : prochain essai dans 2 min");
    // Bluesky's refusal: its message and code once each, the code alone when it says nothing more.
    expect(postProblemText({ kind: "transport", problem: { problem: "refused", code: "InvalidRequest", message: "Too long." } })).toBe(
      "le serveur a refusé le message : Too long (InvalidRequest). Modifiez-le et réessayez.",
    );
    expect(postProblemText({ kind: "transport", problem: { problem: "refused", code: "InvalidRequest", message: "InvalidRequest" } })).toBe(
      "le serveur a refusé le message : InvalidRequest. Modifiez-le et réessayez.",
    );
  });

  it("an error from the engine with a refusal or a problem is worded from the data", () => {
    setLanguage("fr");
    expect(errorText({ code: "refused", message: "publishing is paused (kill switch)", refusal: { kind: "paused" } })).toBe(
      "la publication est suspendue",
    );
    expect(postProblemText({ kind: "transport", problem: { problem: "http", status: 404, retry_after_secs: null } })).toBe(
      "le serveur a répondu 404 Not Found",
    );
    expect(errorText({ code: "auth", message: "…", problem: { kind: "credentialRefused", detail: "HTTP 401" } })).toContain(
      "Reconnectez ce compte",
    );
    // Without data: the engine's words.
    expect(errorText({ code: "refused", message: "something new" })).toBe("something new");
  });
});
