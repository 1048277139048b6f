// The engine's errors in the UI's language. The engine sends a stable code, an English
// sentence and, where the code alone does not say enough, what the error is about
// (`what`, `key`: see AppError in vigie-engine), or the publishing refusal or failure as data
// (`refusal`, `problem`: logic/postProblems.ts), or the teamwork refusal (`team`:
// logic/teamErrors.ts). The common ones are worded here; the others
// keep the engine's sentence.

import { t, type Key } from "../i18n";
import type { IpcError } from "../ipc";
import { postProblemText, refusalText } from "./postProblems";
import { teamRefusalText } from "./teamErrors";

const ABOUT: Record<string, Record<string, Key>> = {
  duplicate: { watch: "error.duplicate.watch", source: "error.duplicate.source" },
  not_found: { watch: "error.notFound.watch", source: "error.notFound.source", mention: "error.notFound.mention" },
  invalid: {
    address: "error.invalid.address",
    hashtag: "error.invalid.hashtag",
    not_a_block: "error.invalid.notABlock",
    damaged_block: "error.invalid.damagedBlock",
    opml: "error.invalid.opml",
    search: "error.invalid.search",
    credentials_in_address: "error.invalid.credentialsInAddress",
  },
  refused: { no_profile: "error.refused.noProfile", profile_changed: "error.refused.profileChanged" },
  keychain: { locked: "error.keychain.locked", unavailable: "error.keychain.unavailable" },
  storage: { read_only: "error.storage.readOnly", disk_full: "error.storage.diskFull", rolled_back: "error.storage.rolledBack" },
};

const BY_CODE: Record<string, Key> = {
  busy: "error.busy",
  newer_schema: "error.newerSchema",
  not_a_feed: "error.notAFeed",
  bad_signature: "error.badSignature",
  open_failed: "error.openFailed",
  export_failed: "error.exportFailed",
};

/** The sentence to show for an error, in the UI's language when Vigie knows it. */
export function errorText(err: IpcError): string {
  if (err.refusal) return refusalText(err.refusal);
  if (err.problem) return postProblemText(err.problem);
  if (err.team) return teamRefusalText(err.team);
  const key = (err.what && ABOUT[err.code]?.[err.what]) || BY_CODE[err.code];
  if (key) return t(key, { key: err.key ?? "" });
  return err.message || t("error.generic");
}
