import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hodgesLehmann } from "../stats/hodges-lehmann.ts";
import { mannWhitneyU } from "../stats/mann-whitney.ts";
import { classifyMetric, judgeKayenta, mannWhitneySorted, type KayentaState } from "./kayenta-judge.ts";
import { looksFrom, repeat } from "./testdata/looks.ts";
import { errorSlo, latencySlo } from "./testdata/slo-fixtures.ts";
import type { LookData } from "../domain/counts.ts";
import type { SloVerdict } from "../domain/verdict.ts";

function runAll(looks: readonly LookData[], slo = errorSlo("kayenta"), finalLast = false): SloVerdict[] {
  let state: KayentaState | undefined;
  return looks.map((data, i) => {
    const out = judgeKayenta({ slo, data, now: data.at, final: finalLast && i === looks.length - 1, state });
    state = JSON.parse(JSON.stringify(out.state)) as KayentaState;
    return out.verdict;
  });
}

const sorted = (v: number[]): number[] => [...v].sort((a, b) => a - b);

describe("kayenta judge", () => {
  it("classifies a clear upward shift as High and fails", () => {
    const c = classifyMetric(sorted([5, 6, 7, 8, 9, 10, 11, 12]), sorted([1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]));
    expect(c.classification).toBe("High");
    expect(c.lower as number).toBeGreaterThan(0.25 * Math.abs(c.estimate as number));
  });

  it.each([
    ["identical points", [1, 2, 3, 4], [1, 2, 3, 4], "Pass"],
    ["fewer than 3 points", [1, 2], [1, 2, 3], "Nodata"],
    [
      "a clear downward shift (an improvement)",
      [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5],
      [5, 6, 7, 8, 9, 10, 11, 12],
      "Low",
    ],
    [
      "higher ranks with a lower mean (Kayenta's mean-ratio gate keeps it a Pass)",
      [2, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8, 2.9],
      [1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 100],
      "Pass",
    ],
    [
      "the same higher ranks without the outlier",
      [2, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8, 2.9],
      [1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9],
      "High",
    ],
  ])("classifies %s as %s", (_n, c, s, cls) => {
    expect(classifyMetric(sorted(c), sorted(s)).classification).toBe(cls);
  });

  it("merge-walk Mann-Whitney equals the rank test on the same points", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 40 }),
        (x, y) => {
          const a = mannWhitneySorted(sorted(x), sorted(y));
          const b = mannWhitneyU(x, y, { method: "asymptotic" });
          expect(a.u).toBeCloseTo(b.u, 9);
          expect(a.p).toBeCloseTo(b.p, 12);
        },
      ),
    );
  });

  it("decides High/Low exactly as the full Hodges-Lehmann interval and the mean-ratio gate would", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 3, maxLength: 30 }),
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 3, maxLength: 30 }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        (x, y, shift) => {
          const c = x.map((v) => v + shift);
          const got = classifyMetric(sorted(c), sorted(y)).classification;
          const hl = hodgesLehmann(c, y, { confLevel: 0.98, method: "asymptotic", estimate: "root" });
          const mw = mannWhitneyU(c, y, { method: "asymptotic" });
          const crit = 0.25 * Math.abs(hl.estimate);
          const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
          // Kayenta's mean-ratio gate (NaN when either mean is 0: ignored).
          const effect = mean(c) === 0 || mean(y) === 0 ? Number.NaN : mean(c) / mean(y);
          const want = !(mw.p < 0.02)
            ? "Pass"
            : hl.lower > crit && !(effect < 1)
              ? "High"
              : hl.upper < -crit && !(effect > 1)
                ? "Low"
                : "Pass";
          // Bisection endpoints can differ by rounding exactly at a jump; allow only that case.
          if (got !== want)
            expect(Math.min(Math.abs(hl.lower - crit), Math.abs(hl.upper + crit))).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("fails a canary whose per-step error ratios are clearly higher, and stays failed", () => {
    const looks = looksFrom([
      ...repeat(8, { canary: [600, 30], stable: [5400, 27] }),
      ...repeat(3, { canary: [600, 3], stable: [5400, 27] }),
    ]);
    const verdicts = runAll(looks);
    expect(verdicts.slice(0, 2).map((v) => v.checks[0]?.status)).toEqual(["nodata", "nodata"]);
    expect(verdicts.slice(0, 2).every((v) => v.verdict === "pass")).toBe(true);
    expect(verdicts[7]?.verdict).toBe("fail");
    expect(verdicts[10]?.verdict).toBe("fail");
  });

  it("judges latency SLIs on per-step bad ratios and per-step quantiles", () => {
    const looks = looksFrom(repeat(6, { canary: [600, 3], stable: [5400, 27] }));
    const v = runAll(looks, latencySlo("kayenta"), true).at(-1);
    expect(v?.checks.map((c) => c.id)).toEqual(["latency-relative", "latency-quantile-relative"]);
    expect(v?.checks[1]?.status).toBe("nodata");
    expect(v?.verdict).toBe("inconclusive");
  });

  it("does not double count steps when the controller asks twice with the same series", () => {
    const looks = looksFrom(repeat(6, { canary: [600, 3], stable: [5400, 27] }));
    let state: KayentaState | undefined;
    for (const data of [...looks, looks[5]!, looks[5]!]) {
      state = judgeKayenta({ slo: errorSlo("kayenta"), data, now: data.at, final: false, state }).state;
    }
    expect(state?.points["errors-relative"]?.canary.length).toBe(6);
    expect(state?.points["errors-relative"]?.stable.length).toBe(6);
  });

  it("passes at the end with enough traffic when nothing differs", () => {
    const looks = looksFrom(repeat(10, { canary: [600, 3], stable: [5400, 27] }));
    expect(runAll(looks, errorSlo("kayenta"), true).at(-1)?.verdict).toBe("pass");
  });
});
