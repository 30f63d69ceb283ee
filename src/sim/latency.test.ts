import { describe, expect, it } from "vitest";
import { DEFAULT_BUCKETS, bucketMeans, bucketProbabilities, normalCdf } from "./latency.ts";

// Reference values: python3 -c "from scipy.stats import norm; print(norm.cdf(z))" (SciPy 1.x).
const PHI: [number, number][] = [
  [-8, 6.22096057427174e-16],
  [-5, 2.866515718791933e-7],
  [-3.5, 0.00023262907903552502],
  [-3, 0.0013498980316300933],
  [-2.9, 0.0018658133003840375],
  [-1, 0.15865525393145707],
  [-0.1, 0.460172162722971],
  [0, 0.5],
  [0.5, 0.6914624612740131],
  [1.96, 0.9750021048517795],
  [2.99, 0.9986051127645078],
  [3, 0.9986501019683699],
  [4, 0.9999683287581669],
  [6, 0.9999999990134123],
];

// python3 -c "from scipy.stats import lognorm; ..." with s=0.5, scale=0.08 over DEFAULT_BUCKETS.
const LOGNORMAL_BUCKETS = [
  1.4682810563903721e-8, 1.5975693707868196e-5, 0.0003910639020330023, 0.009594178567408466,
  0.16360568590431226, 0.4986981455381854, 0.29426251730262554, 0.02209497866914667, 0.011213849153617228,
  0.0001233713601601627, 2.1922308379718203e-7, 2.9088953468203727e-12, 1.1102230246251565e-16, 0,
];

describe("latency model", () => {
  it.each(PHI)("the normal CDF at %d matches SciPy to 1e-13 relative", (z, want) => {
    expect(Math.abs(normalCdf(z) - want)).toBeLessThanOrEqual(1e-13 * want + 1e-16);
  });

  it("bucket probabilities of a log-normal match SciPy's and sum to one", () => {
    const got = bucketProbabilities({ body: { median: 0.08, sigma: 0.5 } }, DEFAULT_BUCKETS);
    got.forEach((p, i) => expect(Math.abs(p - (LOGNORMAL_BUCKETS[i] ?? 0))).toBeLessThan(1e-14));
    expect(got.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it("a slow tail moves probability into the upper buckets", () => {
    const base = bucketProbabilities({ body: { median: 0.08, sigma: 0.5 } }, DEFAULT_BUCKETS);
    const tail = bucketProbabilities(
      { body: { median: 0.08, sigma: 0.5 }, tail: { weight: 0.05, dist: { median: 1.2, sigma: 0.3 } } },
      DEFAULT_BUCKETS,
    );
    const above = (p: number[]): number => p.slice(9).reduce((a, b) => a + b, 0);
    expect(above(tail) - above(base)).toBeGreaterThan(0.02);
  });

  it("the mean latency of each bucket lies inside the bucket", () => {
    const means = bucketMeans({ body: { median: 0.08, sigma: 0.5 } }, DEFAULT_BUCKETS);
    means.forEach((m, i) => {
      const lo = i === 0 ? 0 : (DEFAULT_BUCKETS[i - 1] ?? 0);
      expect(m).toBeGreaterThanOrEqual(lo);
      expect(m).toBeLessThanOrEqual(DEFAULT_BUCKETS[i] ?? Infinity);
    });
  });
});
