// Why a teamwork action was refused, in the UI's language. The engine sends the refusal as
// data (vigie-domain `approval::TeamRefusal`) beside its English words, which the CLI prints
// (they name CLI commands where the UI names its screens).

import { t } from "../i18n";
import type { TeamRefusal } from "../types";

const NETWORKS = { mastodon: "Mastodon", bluesky: "Bluesky" } as const;
const roles = (list: string[]) => (list.length ? list.join(", ") : t("teamRefusal.noRole"));

/** Most kinds are worded by their key, `teamRefusal.<kind>`, with their fields filled in. */
export function teamRefusalText(r: TeamRefusal): string {
  switch (r.kind) {
    case "notYourRole":
      return t("teamRefusal.notYourRole", { role: r.role, yours: roles(r.yours) });
    case "roleNotHeld":
      return t("teamRefusal.roleNotHeld", { name: r.name, role: r.role, roles: roles(r.roles) });
    case "wrongNetwork":
      return t("teamRefusal.wrongNetwork", { statement: r.statement, network: NETWORKS[r.network], target: NETWORKS[r.target] });
    default:
      return t(`teamRefusal.${r.kind}`, r);
  }
}
