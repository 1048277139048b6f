import type { Triage } from "../types";

/** Keyboard model of the mention stream: a selected row index in a list of `count` rows. */
export interface ListState {
  selected: number; // -1: nothing selected
  count: number;
}

export type KeyEffect =
  | { type: "none" }
  | { type: "select"; index: number }
  /** Triage the row at `index`, then select `next` (the following row, or the same if last). */
  | { type: "triage"; index: number; triage: Triage; next: number }
  | { type: "open"; index: number }
  | { type: "focusSearch" };

export const TRIAGE_KEYS: Record<string, Triage> = { s: "seen", f: "flagged", h: "handled", n: "new" };

/** Pure reducer: (state, key) → next state and what the view must do. */
export function reduceKey(state: ListState, key: string): { state: ListState; effect: KeyEffect } {
  const { selected, count } = state;
  const same = { state, effect: { type: "none" } as KeyEffect };
  if (key === "/") return { state, effect: { type: "focusSearch" } };
  if (count <= 0) return same;
  switch (key) {
    case "j":
    case "ArrowDown": {
      const index = Math.min(count - 1, selected < 0 ? 0 : selected + 1);
      return { state: { count, selected: index }, effect: { type: "select", index } };
    }
    case "k":
    case "ArrowUp": {
      const index = selected < 0 ? 0 : Math.max(0, selected - 1);
      return { state: { count, selected: index }, effect: { type: "select", index } };
    }
    case "Home":
    case "g":
      return { state: { count, selected: 0 }, effect: { type: "select", index: 0 } };
    case "End":
    case "G":
      return { state: { count, selected: count - 1 }, effect: { type: "select", index: count - 1 } };
    case "o":
    case "Enter":
      return selected >= 0 ? { state, effect: { type: "open", index: selected } } : same;
    default: {
      const triage = TRIAGE_KEYS[key];
      if (triage && selected >= 0 && selected < count) {
        // Triaging moves on, as in a mail inbox: one key per mention, not two.
        const next = Math.min(count - 1, selected + 1);
        return { state: { count, selected: next }, effect: { type: "triage", index: selected, triage, next } };
      }
      return same;
    }
  }
}

/** Keeps the same mention selected after the list is refreshed (falls back to a valid index). */
export function reselect(prevId: number | null, ids: number[], prevIndex: number): number {
  if (ids.length === 0) return -1;
  if (prevId !== null) {
    const i = ids.indexOf(prevId);
    if (i >= 0) return i;
  }
  if (prevIndex < 0) return -1;
  return Math.min(prevIndex, ids.length - 1);
}
