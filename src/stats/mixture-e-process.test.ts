import { describe, expect, it } from "vitest";
import { expectClose } from "./testdata/close.ts";
import {
  addInterval,
  canaryEventProbability,
  defaultMixtureGrid,
  initialLogRatios,
  logEValue,
  logMeanEValue,
  shiftOdds,
} from "./mixture-e-process.ts";
import { logChoose } from "./special.ts";

const grid = defaultMixtureGrid(24);

/** E[E] after one interval of n trials when the true success probability is `theta`. */
function expectedE(n: number, theta0: number, theta: number, alt: (g: number) => number): number {
  let s = 0;
  for (let k = 0; k <= n; k++) {
    const pk = Math.exp(logChoose(n, k) + k * Math.log(theta) + (n - k) * Math.log1p(-theta));
    s += pk * Math.exp(logEValue(grid, addInterval(initialLogRatios(grid), k, n, theta0, alt)));
  }
  return s;
}

describe("mixture e-process", () => {
  it("starts at e-value 1 and its prior weights sum to 1", () => {
    expect(logEValue(grid, initialLogRatios(grid))).toBe(0);
    expectClose(
      grid.logWeights.reduce((s, w) => s + Math.exp(w), 0),
      1,
      1e-12,
    );
  });

  it.each([
    ["at the null boundary", 0.2, 0.2, 1],
    ["below the null", 0.2, 0.15, 0.999],
    ["far below the null", 0.2, 0.05, 0.5],
  ])("has expectation ≤ 1 %s (exact sum over outcomes)", (_n, theta0, theta, bound) => {
    const e = expectedE(60, theta0, theta, (g) => shiftOdds(theta0, grid.offsets[g] ?? 0));
    expect(e).toBeLessThanOrEqual(bound + 1e-9);
  });

  it("has expectation 1 at the boundary for the canary/stable split with a margin", () => {
    const rho = 0.1;
    const r0 = 1.1;
    const t0 = canaryEventProbability(rho, r0);
    const e = expectedE(80, t0, t0, (g) => canaryEventProbability(rho, r0 * Math.exp(grid.offsets[g] ?? 0)));
    expectClose(e, 1, 1e-9);
  });

  it("grows with evidence against the null and shrinks with evidence for it", () => {
    const t0 = 0.1;
    const alt = (g: number): number => shiftOdds(t0, grid.offsets[g] ?? 0);
    const up = logEValue(grid, addInterval(initialLogRatios(grid), 30, 100, t0, alt));
    const down = logEValue(grid, addInterval(initialLogRatios(grid), 5, 100, t0, alt));
    expect(up).toBeGreaterThan(Math.log(20));
    expect(down).toBeLessThan(0);
  });

  it.each([
    ["no trials", 0, 0, 0.1],
    ["a degenerate null at 0", 1, 5, 0],
    ["a degenerate null at 1", 1, 5, 1],
    ["more successes than trials", 6, 5, 0.1],
    ["NaN counts", Number.NaN, 5, 0.1],
  ])("adds nothing for %s", (_n, k, n, t0) => {
    const lr = addInterval(initialLogRatios(grid), k, n, t0, () => 0.5);
    expect(lr.every((v) => v === 0)).toBe(true);
  });
  it("averages e-values: log of the mean, 0 for none, and the mean of nested boundaries has expectation ≤ 1 under the null", () => {
    const a = addInterval(initialLogRatios(grid), 7, 20, 0.2, (g) => shiftOdds(0.2, grid.offsets[g] ?? 0));
    const b = initialLogRatios(grid);
    expectClose(logMeanEValue(grid, [a, b]), Math.log((Math.exp(logEValue(grid, a)) + 1) / 2), 1e-12);
    expect(logMeanEValue(grid, [])).toBe(0);
    // Two nested boundaries: "above b1" = buckets 2 and 3, "above b2" = bucket 3. Given the
    // buckets' totals, the canary's count in each bucket is Binomial(t_k, ρ) when the arms are
    // equal; the null ratio is 1.1, so every boundary's null holds.
    const rho = 0.2;
    const theta0 = canaryEventProbability(rho, 1.1);
    const alt = (g: number) => canaryEventProbability(rho, 1.1 * Math.exp(grid.offsets[g] ?? 0));
    const [t2, t3] = [12, 9];
    const pmf = (t: number, x: number) =>
      Math.exp(logChoose(t, x) + x * Math.log(rho) + (t - x) * Math.log1p(-rho));
    let mean = 0;
    for (let x2 = 0; x2 <= t2; x2++)
      for (let x3 = 0; x3 <= t3; x3++) {
        const e1 = addInterval(initialLogRatios(grid), x2 + x3, t2 + t3, theta0, alt);
        const e2 = addInterval(initialLogRatios(grid), x3, t3, theta0, alt);
        mean += pmf(t2, x2) * pmf(t3, x3) * Math.exp(logMeanEValue(grid, [e1, e2]));
      }
    expect(mean).toBeLessThanOrEqual(1);
    expect(mean).toBeGreaterThan(0.5);
  });
});
