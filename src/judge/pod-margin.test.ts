import { describe, expect, it } from "vitest";
import { createRng, sampleBinomial, sampleNormal } from "../sim/random.ts";
import {
  MAX_POD_FACTOR,
  POD_SHARE,
  podLatencyLogVariance,
  podLimit,
  podLogVariance,
  podMarginFactor,
  podSplit,
  podZ,
} from "./pod-margin.ts";

describe("pod-aware margins", () => {
  it("needs at least two pods in an arm to say anything", () => {
    expect(podLogVariance([[{ bad: 5, total: 1000 }], [{ bad: 50, total: 9000 }]])).toBeNull();
    expect(podMarginFactor(null, 1, 1, 0.99)).toBe(1);
    expect(podLimit(0.01, null, 2, 2, 0.99)).toBe(0.01);
  });

  it("recovers the between-pod variance of log rates beyond binomial noise", () => {
    const rng = createRng("pods");
    const sd = 0.3;
    const arms = [0, 1].map(() =>
      Array.from({ length: 200 }, () => {
        const p = 0.01 * Math.exp(sd * sampleNormal(rng));
        return { bad: sampleBinomial(rng, 20000, p), total: 20000 };
      }),
    );
    expect(podLogVariance(arms)).toBeCloseTo(sd * sd, 1);
  });

  it("sees no spread in pods of identical rates (only binomial noise)", () => {
    const rng = createRng("same");
    const arms = [0, 1].map(() =>
      Array.from({ length: 50 }, () => ({ bad: sampleBinomial(rng, 50000, 0.01), total: 50000 })),
    );
    expect(podLogVariance(arms)!).toBeLessThan(0.002);
  });

  // R: qt(0.999, 2), qt(0.999, 8), qt(0.99, 2), qt(0.99, 8), qt(1 - 0.05 / 3.5, 8).
  it.each([
    [2, 2, 0.999, 22.3271],
    [5, 5, 0.999, 4.5008],
    [2, 2, 0.99, 6.9646],
    [5, 5, 0.99, 2.8965],
    [5, 5, 1 - 0.05 / 3.5, 2.6653],
  ])("uses Student's t for the few degrees of freedom of %d + %d pods (level %d)", (kc, ks, level, z) => {
    expect(podZ(kc, ks, level)).toBeCloseTo(z, 3);
  });

  it("splits a check's α between the pod margin and the test once pods are read", () => {
    expect(podSplit(0.04, false)).toEqual({ test: 0.04, level: 1 });
    const s = podSplit(0.04, true);
    expect(s.test).toBeCloseTo(0.04 * (1 - POD_SHARE), 15);
    expect(1 - s.level + s.test).toBeCloseTo(0.04, 15);
    // Level 1 is "no margin": the factor and the limit are unchanged.
    expect(podMarginFactor(0.04, 5, 5, 1)).toBe(1);
    expect(podLimit(0.01, 0.04, 5, 5, 1)).toBe(0.01);
  });

  it("widens r₀ by the spread, at most by MAX_POD_FACTOR, and raises the absolute limit on the log-odds scale", () => {
    expect(podMarginFactor(0.01, 5, 5, 0.99)).toBeCloseTo(
      Math.exp(podZ(5, 5, 0.99) * Math.sqrt(0.01 * 0.4)),
      12,
    );
    expect(podMarginFactor(10, 2, 2, 0.99)).toBe(MAX_POD_FACTOR);
    const l = podLimit(0.01, 0.04, 4, 4, 0.99);
    expect(Math.log(l / (1 - l)) - Math.log(0.01 / 0.99)).toBeCloseTo(podZ(4, 4, 0.99) * 0.1, 12);
  });

  it("pools log medians within arms for the latency margin", () => {
    expect(
      podLatencyLogVariance([
        [0.08, 0.08],
        [0.1, 0.1],
      ]),
    ).toBe(0);
    expect(podLatencyLogVariance([[0.08]])).toBeNull();
  });
});
