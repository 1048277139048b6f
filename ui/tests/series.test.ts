import { describe, expect, it } from "vitest";
import { negativeShare, seriesToChart, seriesTotals, shareWindow } from "../src/logic/series";

describe("Series → uPlot data", () => {
  const s = { start: 1000, step: 3600, volume: [4, 0, 10, 5], negative: [1, 0, 5, 5] };

  it("x values are bucket starts", () => {
    expect(seriesToChart(s, 1)[0]).toEqual([1000, 4600, 8200, 11800]);
  });

  it("volume is passed through", () => {
    expect(seriesToChart(s, 1)[1]).toEqual([4, 0, 10, 5]);
  });

  it("negative share is a percentage, null when there is no volume", () => {
    expect(seriesToChart(s, 1)[2]).toEqual([25, null, 50, 100]);
  });

  it("the share can be computed over a trailing window", () => {
    // window 2: [1/4, 1/4, 5/10, 10/15]
    expect(seriesToChart(s, 2)[2]).toEqual([25, 25, 50, 66.7]);
  });

  it("windows are one hour of 5-minute buckets, three hours of hourly buckets", () => {
    expect(shareWindow(300)).toBe(12);
    expect(shareWindow(3600)).toBe(3);
  });

  it("never goes above 100 % even if negatives exceed volume", () => {
    expect(negativeShare(2, 5)).toBe(100);
    expect(negativeShare(0, 0)).toBeNull();
  });

  it("mismatched arrays are cut to the shorter one", () => {
    const d = seriesToChart({ start: 0, step: 300, volume: [1, 2, 3], negative: [0] }, 1);
    expect(d[0]).toHaveLength(1);
  });

  it("totals give the overall negative share and the peak", () => {
    expect(seriesTotals(s)).toEqual({ volume: 19, negative: 11, share: 57.9, peak: 10 });
  });
});
