import type { Series } from "../types";

/** uPlot's column data: x (unix seconds), volume, negative share in percent (null when no volume). */
export type ChartData = [number[], (number | null)[], (number | null)[]];

export function negativeShare(volume: number, negative: number): number | null {
  if (!(volume > 0)) return null;
  const share = (Math.min(negative, volume) / volume) * 100;
  return Math.round(share * 10) / 10;
}

/**
 * Buckets summed for the negative share: one hour of 5-minute buckets, three hours of hourly
 * ones. A share over a single small bucket jumps between 0 and 100 % and reads as noise.
 */
export function shareWindow(step: number): number {
  return step <= 300 ? Math.max(1, Math.round(3600 / step)) : Math.max(1, Math.round(10_800 / step));
}

/** Series → uPlot columns: x, volume per bucket, negative share (%) over a trailing window. */
export function seriesToChart(s: Series, window = shareWindow(s.step)): ChartData {
  const n = Math.min(s.volume.length, s.negative.length);
  const xs: number[] = [];
  const vol: (number | null)[] = [];
  const share: (number | null)[] = [];
  let sumV = 0;
  let sumN = 0;
  for (let i = 0; i < n; i++) {
    xs.push(s.start + i * s.step);
    vol.push(s.volume[i]);
    sumV += s.volume[i];
    sumN += Math.min(s.negative[i], s.volume[i]);
    if (i >= window) {
      sumV -= s.volume[i - window];
      sumN -= Math.min(s.negative[i - window], s.volume[i - window]);
    }
    share.push(negativeShare(sumV, sumN));
  }
  return [xs, vol, share];
}

export interface SeriesTotals {
  volume: number;
  negative: number;
  share: number | null;
  peak: number;
}

export function seriesTotals(s: Series): SeriesTotals {
  const volume = s.volume.reduce((a, b) => a + b, 0);
  const negative = s.negative.reduce((a, b) => a + b, 0);
  return { volume, negative, share: negativeShare(volume, negative), peak: Math.max(0, ...s.volume) };
}
