import { describe, expect, it } from "vitest";
import reference from "./testdata/betting-e-process.json" with { type: "json" };
import { expectClose } from "./testdata/close.ts";
import {
  BETTING_LAMBDAS,
  addBet,
  initialLogWealth,
  logMixtureWealth,
  logRatioScore,
} from "./betting-e-process.ts";
import { createRng, sampleNormal } from "../sim/random.ts";

function logE(ds: readonly number[], scale: number): { logE: number; logWealth: number[] } {
  let w = initialLogWealth();
  for (const d of ds) w = addBet(w, logRatioScore(d, scale));
  return { logE: logMixtureWealth(w), logWealth: w };
}

describe("betting e-process", () => {
  it("uses the reference script's stakes", () => {
    BETTING_LAMBDAS.forEach((l, i) => expectClose(l, reference.lambdas[i] ?? Number.NaN, 1e-12));
  });

  it.each(Object.entries(reference.cases))("matches NumPy/SciPy on the %s sequence", (_name, c) => {
    const got = logE(c.d, reference.scale);
    expectClose(got.logE, c.logE, 1e-10, 1e-12);
    got.logWealth.forEach((w, i) => expectClose(w, c.logWealth[i] ?? Number.NaN, 1e-10, 1e-12));
  });

  it("grows on a regression and shrinks on a better canary", () => {
    expect(logE(reference.cases.regression.d, reference.scale).logE).toBeGreaterThan(Math.log(20));
    expect(logE(reference.cases.better.d, reference.scale).logE).toBeLessThan(0);
  });

  it("scores a log ratio with a symmetric mean of zero at the null and below it under the null (SciPy quadrature)", () => {
    const rng = createRng(7);
    for (const [mu, expected] of Object.entries(reference.meanScoreNormal.byMu)) {
      let s = 0;
      const n = 100_000;
      for (let i = 0; i < n; i++) s += logRatioScore(Number(mu) + 0.04 * sampleNormal(rng), reference.scale);
      expect(Math.abs(s / n - expected)).toBeLessThan(0.01);
    }
    expect(Math.abs(reference.meanScoreNormal.byMu["0.0"] ?? 1)).toBeLessThan(1e-9);
    expect(reference.meanScoreNormal.byMu["-0.02"]).toBeLessThan(0);
  });

  it("keeps the mean e-value at or below 1 on null data and its A/A crossing rate below α (Ville)", () => {
    const rng = createRng(11);
    const runs = 2000;
    let crossed = 0;
    let meanE = 0;
    for (let r = 0; r < runs; r++) {
      let w = initialLogWealth();
      let hit = false;
      for (let t = 0; t < 60; t++) {
        // Y uniform on [-1, 1]: mean 0, the null's boundary.
        w = addBet(w, 2 * rng.uniform() - 1);
        if (logMixtureWealth(w) >= Math.log(20)) hit = true;
      }
      if (hit) crossed++;
      meanE += Math.exp(logMixtureWealth(w)) / runs;
    }
    expect(crossed / runs).toBeLessThanOrEqual(0.05);
    expect(meanE).toBeLessThan(1.1);
  });

  it("ignores non-finite observations and clamps out-of-range ones", () => {
    const w = initialLogWealth();
    expect(addBet(w, Number.NaN)).toEqual(w);
    expect(addBet(w, 5)).toEqual(addBet(w, 1));
    expect(logRatioScore(Infinity, 0.05)).toBe(1);
    expect(logRatioScore(-Infinity, 0.05)).toBe(-1);
  });
});
