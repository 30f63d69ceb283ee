import { describe, expect, it } from "vitest";
import { createRng, logFactorial, sampleBinomial, sampleMultinomial, samplePoisson } from "./random.ts";

/** Pearson chi-square statistic of `draws` against `pmf` over 0..max, lumping the tails. */
function chiSquare(
  draws: number[],
  pmf: (k: number) => number,
  lo: number,
  hi: number,
): { stat: number; df: number } {
  const n = draws.length;
  const obs = new Map<number, number>();
  for (const d of draws) {
    const k = Math.min(hi, Math.max(lo, d));
    obs.set(k, (obs.get(k) ?? 0) + 1);
  }
  let stat = 0;
  let df = -1;
  let below = 0;
  for (let k = 0; k < lo; k++) below += pmf(k);
  let cum = below;
  for (let k = lo; k <= hi; k++) {
    let p = pmf(k);
    if (k === lo) p += below;
    if (k === hi) p = 1 - cum;
    else cum += k === lo ? pmf(k) : p;
    const e = n * p;
    const o = obs.get(k) ?? 0;
    stat += ((o - e) * (o - e)) / e;
    df++;
  }
  return { stat, df };
}

/** Chi-square 0.999 quantile, Wilson–Hilferty approximation (good for df ≥ 5). */
function chiSquare999(df: number): number {
  const z = 3.090232;
  const a = 2 / (9 * df);
  return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
}

const poissonPmf = (m: number) => (k: number) => Math.exp(-m + k * Math.log(m) - logFactorial(k));
const binomialPmf = (n: number, p: number) => (k: number) =>
  Math.exp(
    logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p),
  );

describe("seeded samplers", () => {
  it("the same seed gives the same stream and another seed a different one", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it.each([
    [0.7, 0, 6],
    [4.5, 0, 12],
    [37, 20, 56],
    [1500, 1400, 1600],
  ])("Poisson(%d) draws fit the exact pmf (chi-square below its 99.9%% quantile)", (mean, lo, hi) => {
    const rng = createRng(`poisson-${mean}`);
    const draws = Array.from({ length: 40_000 }, () => samplePoisson(rng, mean));
    const { stat, df } = chiSquare(draws, poissonPmf(mean), lo, hi);
    expect(stat).toBeLessThan(chiSquare999(df));
  });

  it.each([
    [20, 0.1, 0, 7],
    [3000, 0.005, 3, 28],
    [3000, 0.3, 840, 960],
    [1500, 0.9, 1320, 1380],
  ])("Binomial(%d, %d) draws fit the exact pmf", (n, p, lo, hi) => {
    const rng = createRng(`binomial-${n}-${p}`);
    const draws = Array.from({ length: 40_000 }, () => sampleBinomial(rng, n, p));
    expect(draws.every((d) => Number.isInteger(d) && d >= 0 && d <= n)).toBe(true);
    const { stat, df } = chiSquare(draws, binomialPmf(n, p), lo, hi);
    expect(stat).toBeLessThan(chiSquare999(df));
  });

  it("multinomial counts always sum to n and follow the probabilities on average", () => {
    const rng = createRng("multi");
    const probs = [0.1, 0.5, 0.3, 0.1];
    const tot = [0, 0, 0, 0];
    for (let i = 0; i < 2000; i++) {
      const c = sampleMultinomial(rng, 1000, probs);
      expect(c.reduce((a, b) => a + b, 0)).toBe(1000);
      c.forEach((x, j) => (tot[j] = (tot[j] ?? 0) + x));
    }
    tot.forEach((x, j) => expect(x / 2_000_000).toBeCloseTo(probs[j] ?? 0, 2));
  });

  it.each([
    [0, 0],
    [1, 0],
    [10, 15.104412573075516],
    [300, 1414.9058499450678],
  ])("log(%d!) is %d (SciPy gammaln)", (k, want) => {
    expect(logFactorial(k)).toBeCloseTo(want, 9);
  });
});
