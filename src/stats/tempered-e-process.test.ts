import { describe, expect, it } from "vitest";
import { createRng, sampleBeta, sampleBinomial, sampleNormal } from "../sim/random.ts";
import {
  addInterval,
  defaultMixtureGrid,
  initialLogRatios,
  logEValue,
  shiftOdds,
} from "./mixture-e-process.ts";
import reference from "./testdata/r-arm-temper.json" with { type: "json" };
import {
  addPriorCheck,
  addResidual,
  armTemper,
  addTemperedInterval,
  checkedPrior,
  dispersionC2,
  NO_DISPERSION,
  pearsonResidual,
  rateSize,
} from "./tempered-e-process.ts";

const grid = defaultMixtureGrid(24);
const alt = (p0: number) => (g: number) => shiftOdds(p0, grid.offsets[g] ?? 0);

describe("tempered, clipped mixture e-process", () => {
  it("is the plain mixture update when φ = 1 and the clip is far away", () => {
    const lr = initialLogRatios(grid);
    expect(addTemperedInterval(lr, 7, 1000, 0.005, alt(0.005), 1, 1e9)).toEqual(
      addInterval(lr, 7, 1000, 0.005, alt(0.005)),
    );
  });

  it.each([
    [1, 3],
    [2.5, 3],
    [10, 2],
  ])("never adds more than the unclipped update (φ = %s, z = %s)", (phi, z) => {
    const lr = initialLogRatios(grid);
    for (const k of [0, 5, 20, 80]) {
      const clipped = logEValue(grid, addTemperedInterval(lr, k, 1000, 0.01, alt(0.01), phi, z));
      const unclipped = logEValue(grid, addTemperedInterval(lr, k, 1000, 0.01, alt(0.01), phi, 1e9));
      expect(clipped).toBeLessThanOrEqual(unclipped + 1e-12);
    }
  });

  it("bounds what one look can add, whatever the count", () => {
    const one = logEValue(
      grid,
      addTemperedInterval(initialLogRatios(grid), 1000, 1000, 0.01, alt(0.01), 1, 3),
    );
    expect(one).toBeLessThan(4.5);
    expect(one).toBeGreaterThan(2);
  });

  it("shrinks the prior towards the looks' moments", () => {
    let d = NO_DISPERSION;
    expect(dispersionC2(d, { c2: 2, looks: 3 }, 10)).toBeCloseTo(2, 12);
    // Looks with binomial residuals (r = 1) pull c² to 0 as they accumulate.
    for (let i = 0; i < 27; i++) d = addResidual(d, 1, 10);
    expect(dispersionC2(d, { c2: 2, looks: 3 }, 10)).toBeCloseTo(0.2, 12);
    expect(dispersionC2(NO_DISPERSION, { c2: 0, looks: 3 }, 10)).toBe(0);
  });

  it.each(reference.cases)(
    "tempers a split look exactly for per-arm gamma noise: R's negative-binomial sums (θ₀ $theta0, θ $thetaG, μ $muC / $muS, c² $c2)",
    (c) => {
      const a = Math.log(c.thetaG / c.theta0);
      const b = Math.log1p(-c.thetaG) - Math.log1p(-c.theta0);
      const t = armTemper(a, b, c.muC, c.muS, c.c2);
      expect(Math.abs(t - c.t)).toBeLessThan(1e-9 + 1e-7 * c.t);
      // The closed form at t: log E = −(1/c²)(log(1 − c²x) + log(1 + c²y)) ≤ 0, and > 0 a little past it.
      const logE = (u: number): number =>
        (-1 / c.c2) *
        (Math.log(1 - c.c2 * c.muC * Math.expm1(u * a)) + Math.log(1 - c.c2 * c.muS * Math.expm1(u * b)));
      expect(logE(t)).toBeLessThanOrEqual(1e-12);
      expect(logE(t * 1.01)).toBeGreaterThan(0);
    },
  );

  it("returns the root itself, never a point past it, over 2,000 random looks (armTemper)", () => {
    const rng = createRng("arm-temper");
    let tight = 0;
    for (let i = 0; i < 2000; i++) {
      const theta0 = 0.01 + 0.8 * rng.uniform();
      const thetaG = theta0 + (0.99 - theta0) * rng.uniform() * rng.uniform();
      const total = Math.exp(8 * rng.uniform() - 2);
      const c2 = Math.exp(10 * rng.uniform() - 7);
      const muC = theta0 * total;
      const muS = (1 - theta0) * total;
      const a = Math.log(thetaG / theta0);
      const b = Math.log1p(-thetaG) - Math.log1p(-theta0);
      const t = armTemper(a, b, muC, muS, c2);
      const f = (u: number): number => {
        const x = muC * Math.expm1(u * a);
        const y = -muS * Math.expm1(u * b);
        return y - x - c2 * x * y;
      };
      expect(t).toBeGreaterThan(0);
      expect(t).toBeLessThanOrEqual(1);
      expect(f(t), JSON.stringify({ theta0, thetaG, total, c2, t })).toBeGreaterThanOrEqual(0);
      if (t === 1 || f(t * (1 + 1e-6)) < 0) tight++;
    }
    expect(tight).toBe(2000);
  });

  it("does not temper without noise, and tempers harder the more noise (armTemper)", () => {
    const a = Math.log(0.1818 / 0.1089);
    const b = Math.log1p(-0.1818) - Math.log1p(-0.1089);
    expect(armTemper(a, b, 1.65, 13.5, 0)).toBe(1);
    const ts = [0.01, 0.1, 1, 10].map((c2) => armTemper(a, b, 1.65, 13.5, c2));
    for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeLessThan(ts[i - 1]!);
    expect(ts.every((t) => t > 0 && t <= 1)).toBe(true);
    // Degenerate inputs: nothing to temper, or nothing finite.
    expect(armTemper(a, b, 0, 13.5, 1)).toBe(1);
    expect(armTemper(a, b, 1.65, 13.5, Number.NaN)).toBe(1);
    expect(armTemper(a, b, Infinity, 13.5, 1)).toBe(0);
  });

  it("keeps the prior check's evidence when a residual is added", () => {
    const d = addPriorCheck(NO_DISPERSION, 1, 10, 2);
    expect(d.priorLogLr).toBeGreaterThan(0);
    expect(addResidual(d, 1, 10).priorLogLr).toBe(d.priorLogLr);
  });

  it("weighs residuals between 'no excess' and the prior's level by their mean (½ log φ − (r/2)(1 − 1/φ))", () => {
    const phi = 1 + 10 * 2;
    const one = addPriorCheck(NO_DISPERSION, 1, 10, 2).priorLogLr ?? NaN;
    expect(one).toBeCloseTo(0.5 * Math.log(phi) - 0.5 * (1 - 1 / phi), 12);
    // Binomial residuals (mean 1) move it towards "no excess"; residuals at the prior's level
    // (mean φ) move it away, however skewed: 90 % zeros and 10 % at 10·φ have mean φ too.
    const drift = (draw: () => number): number => {
      let d = NO_DISPERSION;
      for (let i = 0; i < 4000; i++) d = addPriorCheck(d, draw(), 10, 2);
      return (d.priorLogLr ?? 0) / 4000;
    };
    const rng = createRng("prior-check");
    const chi2 = (): number => sampleNormal(rng) ** 2;
    expect(drift(chi2)).toBeGreaterThan(0.5);
    expect(drift(() => phi * chi2())).toBeLessThan(-2);
    expect(drift(() => (rng.uniform() < 0.1 ? 10 * phi : 0))).toBeLessThan(-2);
    // No prior excess: nothing to weigh.
    expect(addPriorCheck(NO_DISPERSION, 1, 10, 0)).toBe(NO_DISPERSION);
  });

  it("drops the prior once the residuals favour 'no excess' by the odds, not before", () => {
    const prior = { c2: 5, looks: 10 };
    const fallback = { c2: 0, looks: 3 };
    const at = (lr: number) => checkedPrior(prior, { ...NO_DISPERSION, priorLogLr: lr }, 20, fallback);
    expect(at(Math.log(20) - 1e-9)).toBe(prior);
    expect(at(Math.log(20))).toBe(fallback);
    expect(at(-50)).toBe(prior);
    expect(checkedPrior(prior, NO_DISPERSION, 20, fallback)).toBe(prior);
    expect(at(Number.NaN)).toBe(prior);
  });

  it("recovers the per-step CV² of beta-binomial counts by the method of moments", () => {
    const rng = createRng("c2");
    const p = 0.01;
    const icc = 0.005;
    const c = 1 / icc - 1;
    let d = NO_DISPERSION;
    for (let i = 0; i < 4000; i++) {
      const k = sampleBinomial(rng, 2000, sampleBeta(rng, p * c, (1 - p) * c));
      d = addResidual(d, pearsonResidual(k, 2000, p), rateSize(2000, p));
    }
    // CV² of a Beta(p, icc) rate: icc (1 − p) / p.
    expect(dispersionC2(d, { c2: 0, looks: 0 }, 1)).toBeCloseTo((icc * (1 - p)) / p, 0);
  });

  it.each([
    [0.005, 3000, 0.002],
    [0.01, 1000, 0.01],
    [0.05, 300, 0.05],
  ])(
    "has expectation ≤ 1 at the null on beta-binomial counts with the true φ (p = %s, n = %s, icc = %s; Monte Carlo)",
    (p, n, icc) => {
      const rng = createRng(`mc-${p}-${n}-${icc}`);
      const c = 1 / icc - 1;
      const phi = 1 + (n - 1) * icc;
      const runs = 20000;
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < runs; i++) {
        const k = sampleBinomial(rng, n, sampleBeta(rng, p * c, (1 - p) * c));
        const e = Math.exp(
          logEValue(grid, addTemperedInterval(initialLogRatios(grid), k, n, p, alt(p), phi, 4)),
        );
        sum += e;
        sq += e * e;
      }
      const mean = sum / runs;
      const se = Math.sqrt((sq / runs - mean * mean) / runs);
      expect(mean).toBeLessThanOrEqual(1 + 3 * se + 0.01);
    },
  );
});
