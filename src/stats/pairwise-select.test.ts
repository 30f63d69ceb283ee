import { describe, expect, it } from "vitest";
import { kthPairwiseDifference } from "./pairwise-select.ts";
import { solveShift, standardizedShift } from "./hodges-lehmann.ts";

/** A small deterministic generator for the test samples (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Per-step points like the kayenta judge's: error ratios (many zeros, ties) or latency values. */
function sample(r: () => number, n: number, kind: "ratios" | "continuous" | "coarse"): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === "ratios") {
      const total = 250 + Math.floor(r() * 100);
      let bad = 0;
      for (let k = 0; k < 3; k++) if (r() < 0.4) bad++;
      out[i] = bad / total;
    } else if (kind === "coarse") out[i] = Math.floor(r() * 5) / 4;
    else out[i] = Math.exp(-2 + 0.5 * (r() + r() + r() - 1.5));
  }
  return out.sort();
}

/** The former implementation: every difference, sorted. */
function kthBySorting(x: Float64Array, y: Float64Array, k: number): number {
  const d = new Float64Array(x.length * y.length);
  let t = 0;
  for (const a of x) for (const b of y) d[t++] = a - b;
  d.sort();
  return d[k - 1] ?? Number.NaN;
}

/** The former solveShift: bisection of the standardized statistic to 1e-12 of the range. */
function shiftByBisection(x: Float64Array, y: Float64Array, zq: number): number {
  let lo = (x[0] ?? 0) - (y[y.length - 1] ?? 0);
  let hi = (x[x.length - 1] ?? 0) - (y[0] ?? 0);
  if (standardizedShift(x, y, lo, zq, true) <= 0) return lo;
  if (standardizedShift(x, y, hi, zq, true) >= 0) return hi;
  const tol = (hi - lo) * 1e-12;
  for (let i = 0; i < 100 && hi - lo > tol; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (standardizedShift(x, y, mid, zq, true) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const KINDS = ["ratios", "continuous", "coarse"] as const;

describe("kthPairwiseDifference", () => {
  it.each(
    KINDS.flatMap((kind) =>
      [
        [1, 1],
        [3, 7],
        [40, 25],
        [120, 90],
        [300, 290],
      ].map(([n, m]) => [kind, n ?? 1, m ?? 1] as const),
    ),
  )("equals sorting all differences (%s points, %d × %d)", (kind, n, m) => {
    const r = rng(n * 31 + m + kind.length);
    const x = sample(r, n, kind);
    const y = sample(r, m, kind);
    const nm = n * m;
    const ranks = [1, 2, Math.ceil(nm / 3), Math.floor(nm / 2), Math.floor(nm / 2) + 1, nm - 1, nm];
    for (let i = 0; i < 12; i++) ranks.push(1 + Math.floor(r() * nm));
    for (const k of ranks.filter((v) => v >= 1 && v <= nm))
      expect(kthPairwiseDifference(x, y, k)).toBe(kthBySorting(x, y, k));
  });

  it("answers NaN out of range (negative control: the sort gives a value there)", () => {
    const x = Float64Array.from([1, 2]);
    const y = Float64Array.from([0]);
    expect(kthPairwiseDifference(x, y, 0)).toBeNaN();
    expect(kthPairwiseDifference(x, y, 3)).toBeNaN();
    expect(kthPairwiseDifference(x, new Float64Array(0), 1)).toBeNaN();
    expect(kthPairwiseDifference(x, y, 2)).toBe(2);
  });
});

describe("solveShift (exact crossing) against the former bisection", () => {
  it.each(
    KINDS.flatMap((kind) =>
      [
        [5, 5],
        [30, 28],
        [200, 210],
        [600, 600],
      ].map(([n, m]) => [kind, n ?? 1, m ?? 1] as const),
    ),
  )("agrees within the bisection's tolerance (%s points, %d × %d)", (kind, n, m) => {
    const r = rng(n * 17 + m * 3 + kind.length);
    const y = sample(r, m, kind);
    // The canary a little worse, so the crossings are away from the ends.
    const x = sample(r, n, kind).map((v) => v * 1.15);
    const range = (x[n - 1] ?? 0) - (y[0] ?? 0) - ((x[0] ?? 0) - (y[m - 1] ?? 0));
    for (const zq of [0, 2.326, -2.326, 1, -1]) {
      const exact = solveShift(x, y, zq);
      const old = shiftByBisection(x, y, zq);
      expect(Math.abs(exact - old)).toBeLessThanOrEqual(range * 1e-11);
      // The answer is a crossing: the statistic is > 0 just below it and ≤ 0 just above it.
      const eps = Math.max(1e-12, Math.abs(exact) * 1e-9);
      if (exact > (x[0] ?? 0) - (y[m - 1] ?? 0))
        expect(standardizedShift(x, y, exact - eps, zq, true)).toBeGreaterThan(0);
      if (exact < (x[n - 1] ?? 0) - (y[0] ?? 0))
        expect(standardizedShift(x, y, exact + eps, zq, true)).toBeLessThanOrEqual(0);
    }
  });
});
