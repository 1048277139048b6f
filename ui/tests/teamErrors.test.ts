import { afterEach, describe, expect, it } from "vitest";
import { setLanguage } from "../src/i18n";
import { errorText } from "../src/logic/errors";
import { teamRefusalText } from "../src/logic/teamErrors";
import type { TeamRefusal } from "../src/types";

// One of each kind the engine sends (vigie_domain::approval::TeamRefusal).
const EVERY: TeamRefusal[] = [
  { kind: "identityExists" },
  { kind: "noIdentity" },
  { kind: "notInRoster" },
  { kind: "noPrivateKey" },
  { kind: "damagedKey" },
  { kind: "badRoster", detail: "missing field `name`" },
  { kind: "badMemberKey", name: "Camille" },
  { kind: "noSuchMember", who: "Durand" },
  { kind: "ownRoles" },
  { kind: "noPlaybook", name: "Rappel produit" },
  { kind: "noStatement", playbook: "Rappel produit", statement: "holding-fr" },
  { kind: "wrongNetwork", statement: "attente-bluesky", network: "bluesky", target: "mastodon" },
  { kind: "invalid", detail: "the slot {date} is empty" },
  { kind: "noVariant" },
  { kind: "requestDamaged" },
  { kind: "selfApproval" },
  { kind: "notYourRole", role: "direction", yours: ["legal"] },
  { kind: "approverUnknown", name: "Eve" },
  { kind: "roleNotHeld", name: "Maître Durand", role: "legal", roles: ["communication"] },
  { kind: "expired", name: "Maître Durand" },
  { kind: "ownApproval" },
  { kind: "authorApproved" },
  { kind: "someoneElsesRequest" },
  { kind: "draftEdited" },
  { kind: "noMatchingDraft", handle: "acme@social.example" },
];

describe("teamwork refusals in the user's language", () => {
  afterEach(() => setLanguage("en"));

  it("words every kind in both languages, with its details filled in", () => {
    for (const r of EVERY) {
      setLanguage("fr");
      const fr = teamRefusalText(r);
      setLanguage("en");
      const en = teamRefusalText(r);
      const name = JSON.stringify(r);
      // A playbook's, the policy's or a slot's own check is shown in the engine's words.
      if (r.kind === "invalid") expect(fr, name).toBe(r.detail);
      else expect(fr, name).not.toBe(en);
      for (const [k, v] of Object.entries(r)) {
        if (k === "kind") continue;
        // Networks are named as people write them ("Bluesky").
        if (r.kind === "wrongNetwork" && (k === "network" || k === "target")) {
          expect(fr, name).toContain(v === "bluesky" ? "Bluesky" : "Mastodon");
          continue;
        }
        for (const s of Array.isArray(v) ? v : [v]) {
          expect(fr, name).toContain(s);
          expect(en, name).toContain(s);
        }
      }
      // A detail may hold braces of its own ("the slot {date} is empty"); no key is left unfilled.
      expect(fr.replace("{date}", ""), name).not.toMatch(/\{\w+\}/);
      expect(en.replace("{date}", ""), name).not.toMatch(/\{\w+\}/);
    }
  });

  it("points to the Team screen where the engine's words name a CLI command", () => {
    setLanguage("en");
    expect(teamRefusalText({ kind: "noIdentity" })).toBe("no identity on this Vigie yet: create yours on the Team screen");
    setLanguage("fr");
    const text = errorText({ code: "refused", message: "no identity on this Vigie yet: create one (`vigie team init --name … --role …`)", team: { kind: "noIdentity" } });
    expect(text).toBe("pas encore d'identité sur ce Vigie : créez la vôtre dans l'écran Équipe");
    expect(text).not.toContain("vigie team");
    expect(teamRefusalText({ kind: "notYourRole", role: "direction", yours: [] })).toBe(
      "vous n'avez pas le rôle « direction » dans l'équipe (les vôtres : aucun)",
    );
  });
});
