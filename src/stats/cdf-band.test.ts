import { describe, expect, it } from "vitest";
import { expectClose } from "./testdata/close.ts";
import { cdfBandWidth, empiricalCdf } from "./cdf-band.ts";

describe("time-uniform CDF band", () => {
  it("matches Howard & Ramdas' formula", () => {
    const t = 1000;
    const a = 0.05;
    expectClose(
      cdfBandWidth(t, a),
      0.85 * Math.sqrt((Math.log(Math.log(Math.E * t)) + 0.8 * Math.log(1612 / a)) / t),
    );
  });

  it("narrows as observations accumulate", () => {
    let prev = Infinity;
    for (const t of [1, 2, 10, 100, 1e4, 1e6]) {
      const w = cdfBandWidth(t, 0.01);
      expect(w).toBeLessThan(prev);
      prev = w;
    }
  });

  it.each([
    [0, 0.05],
    [Number.NaN, 0.05],
    [10, 0],
    [10, 1],
  ])("is infinite (no information) for t = %d, α = %d", (t, a) => {
    expect(cdfBandWidth(t, a)).toBe(Infinity);
  });

  it("computes the empirical CDF at bucket bounds, ignoring negative counts", () => {
    expect(empiricalCdf([1, 2, -5, 1])).toEqual({ cdf: [0.25, 0.75, 0.75, 1], total: 4 });
    expect(empiricalCdf([0, 0])).toEqual({ cdf: [0, 0], total: 0 });
  });
});
