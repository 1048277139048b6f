// Why a teamwork action was refused, in the UI's language. The engine sends the refusal as
// data (vigie-domain `approval::TeamRefusal`) beside its English words, which the CLI prints
// (they name CLI commands where the UI names its screens).

import { t } from "../i18n";
import type { TeamRefusal } from "../types";

const roles = (list: string[]) => (list.length ? list.join(", ") : t("teamRefusal.noRole"));

export function teamRefusalText(r: TeamRefusal): string {
  switch (r.kind) {
    case "identityExists":
      return t("teamRefusal.identityExists");
    case "noIdentity":
      return t("teamRefusal.noIdentity");
    case "notInRoster":
      return t("teamRefusal.notInRoster");
    case "noPrivateKey":
      return t("teamRefusal.noPrivateKey");
    case "damagedKey":
      return t("teamRefusal.damagedKey");
    case "badRoster":
      return t("teamRefusal.badRoster", { detail: r.detail });
    case "badMemberKey":
      return t("teamRefusal.badMemberKey", { name: r.name });
    case "noSuchMember":
      return t("teamRefusal.noSuchMember", { who: r.who });
    case "ownRoles":
      return t("teamRefusal.ownRoles");
    case "noPlaybook":
      return t("teamRefusal.noPlaybook", { name: r.name });
    case "noStatement":
      return t("teamRefusal.noStatement", { playbook: r.playbook, statement: r.statement });
    case "invalid":
      return t("teamRefusal.invalid", { detail: r.detail });
    case "noVariant":
      return t("teamRefusal.noVariant");
    case "requestDamaged":
      return t("teamRefusal.requestDamaged");
    case "selfApproval":
      return t("teamRefusal.selfApproval");
    case "notYourRole":
      return t("teamRefusal.notYourRole", { role: r.role, yours: roles(r.yours) });
    case "approverUnknown":
      return t("teamRefusal.approverUnknown", { name: r.name });
    case "roleNotHeld":
      return t("teamRefusal.roleNotHeld", { name: r.name, role: r.role, roles: roles(r.roles) });
    case "expired":
      return t("teamRefusal.expired", { name: r.name });
    case "ownApproval":
      return t("teamRefusal.ownApproval");
    case "authorApproved":
      return t("teamRefusal.authorApproved");
    case "someoneElsesRequest":
      return t("teamRefusal.someoneElsesRequest");
    case "draftEdited":
      return t("teamRefusal.draftEdited");
    case "noMatchingDraft":
      return t("teamRefusal.noMatchingDraft", { handle: r.handle });
  }
}
