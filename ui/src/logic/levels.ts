import type { Level } from "../types";
import { t } from "../i18n";

/** Colour token (CSS variable), CSS class and translated label of a level. */
export interface LevelStyle {
  level: Level;
  className: string;
  colorVar: string;
  label: string;
  rank: number;
}

const RANK: Record<Level, number> = { calm: 0, watch: 1, alert: 2, crisis: 3 };

export function levelStyle(level: Level): LevelStyle {
  const known = level in RANK ? level : "calm";
  return {
    level: known,
    className: `level-${known}`,
    colorVar: `--level-${known}`,
    label: t(`level.${known}` as const),
    rank: RANK[known],
  };
}

/** Most severe first, then by name. */
export function compareLevels(a: Level, b: Level): number {
  return (RANK[b] ?? 0) - (RANK[a] ?? 0);
}
