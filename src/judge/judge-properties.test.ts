import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binnedMannWhitney } from "../stats/binned-mann-whitney.ts";
import { mannWhitneyU } from "../stats/mann-whitney.ts";
import type { JudgeName } from "../slo/model.ts";
import type { Slo } from "../slo/model.ts";
import { JUDGE_NAMES, judgeLook } from "./registry.ts";
import { allNumbers, looksFrom, type Step } from "./testdata/looks.ts";
import { errorSlo, latencySlo } from "./testdata/slo-fixtures.ts";
import type { ArmCounts, LookData } from "../domain/counts.ts";
import type { SloVerdict } from "../domain/verdict.ts";

function runAll(slo: Slo, looks: readonly LookData[]): SloVerdict[] {
  let state: unknown;
  return looks.map((data) => {
    const out = judgeLook({ slo, data, now: data.at, final: false, state });
    state = JSON.parse(JSON.stringify(out.state));
    return out.verdict;
  });
}

const firstFail = (vs: readonly SloVerdict[]): number => {
  const i = vs.findIndex((v) => v.verdict === "fail");
  return i < 0 ? Infinity : i;
};

/** A look's increments: totals 1..5000, bad up to 10 % of total. */
const stepArb = fc
  .record({
    ct: fc.integer({ min: 1, max: 2000 }),
    st: fc.integer({ min: 1, max: 5000 }),
    cr: fc.double({ min: 0, max: 0.1, noNaN: true }),
    sr: fc.double({ min: 0, max: 0.1, noNaN: true }),
  })
  .map(({ ct, st, cr, sr }): Step => ({
    canary: [ct, Math.round(ct * cr)],
    stable: [st, Math.round(st * sr)],
  }));

describe("judge invariants", () => {
  // For one interval (a single traffic split). Over several intervals the canary can truly be
  // worse in one and better in another, and both one-sided claims can then be right.
  it("swapping the arms flips the direction: ratios invert and the relative check never fails both ways", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 1 }), (steps) => {
        const swapped = steps.map((s) => ({ canary: s.stable, stable: s.canary }));
        const a = runAll(errorSlo(), looksFrom(steps)).at(-1)!;
        const b = runAll(errorSlo(), looksFrom(swapped)).at(-1)!;
        const ra = a.checks.find((c) => c.id === "errors-relative")!;
        const rb = b.checks.find((c) => c.id === "errors-relative")!;
        if (
          typeof ra.evidence.ratio === "number" &&
          typeof rb.evidence.ratio === "number" &&
          ra.evidence.ratio > 0
        ) {
          expect(ra.evidence.ratio * rb.evidence.ratio).toBeCloseTo(1, 9);
        }
        expect(ra.status === "fail" && rb.status === "fail").toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it("swapping samples flips Mann-Whitney: U(x,y) + U(y,x) = n·m and the binned effect sizes sum to 1", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 5, maxLength: 5 }),
        (x, y) => {
          const n = x.reduce((s, v) => s + v, 0);
          const m = y.reduce((s, v) => s + v, 0);
          fc.pre(n > 0 && m > 0);
          expect(binnedMannWhitney(x, y).effect + binnedMannWhitney(y, x).effect).toBeCloseTo(1, 12);
          expect(mannWhitneyU(x, y).u + mannWhitneyU(y, x).u).toBeCloseTo(x.length * y.length, 9);
        },
      ),
    );
  });

  // Invariant: multiplying every count of every look by an integer k ≥ 1 keeps all ratios,
  // quantiles and per-step points; the kayenta and threshold verdicts (before the final look)
  // are identical. (The sequential judge is not in this list since it tempers by the dispersion
  // it learns: k copies of every request are perfectly correlated groups of k, overdispersed
  // counts that carry less evidence than k independent requests each.)
  it.each<[JudgeName, "errors" | "latency"]>([
    ["kayenta", "errors"],
    ["threshold", "errors"],
  ])("scaling every count by k keeps the %s verdict on the %s SLO", (judge, kind) => {
    const bounds = [0.1, 0.2, 0.5, Infinity];
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 2, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 4, maxLength: 4 }),
        (steps, k, hist) => {
          const withHist = (s: Step, f: number): Step => ({
            canary: s.canary ? [s.canary[0] * f, s.canary[1] * f] : null,
            stable: s.stable ? [s.stable[0] * f, s.stable[1] * f] : null,
            ...(kind === "latency"
              ? { canaryHist: hist.map((c) => c * 2 * f), stableHist: hist.map((c) => c * 5 * f) }
              : {}),
          });
          const slo = kind === "errors" ? errorSlo(judge) : latencySlo(judge);
          const base = runAll(
            slo,
            looksFrom(
              steps.map((s) => withHist(s, 1)),
              kind === "latency" ? bounds : undefined,
            ),
          );
          const scaled = runAll(
            slo,
            looksFrom(
              steps.map((s) => withHist(s, k)),
              kind === "latency" ? bounds : undefined,
            ),
          );
          if (judge === "sequential") {
            expect(firstFail(scaled)).toBeLessThanOrEqual(firstFail(base));
          } else {
            expect(scaled.map((v) => v.verdict)).toEqual(base.map((v) => v.verdict));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  const num = fc.oneof(
    fc.integer({ min: -10, max: 100000 }),
    fc.double(),
    fc.constantFrom(Number.NaN, Infinity, -Infinity, 0),
  );
  const armArb: fc.Arbitrary<ArmCounts | null> = fc.option(
    fc.record(
      {
        total: num,
        bad: num,
        histogram: fc.record({
          bounds: fc.array(num, { maxLength: 5 }),
          counts: fc.array(num, { maxLength: 5 }),
        }),
      },
      { requiredKeys: ["total", "bad"] },
    ),
  );

  it.each(JUDGE_NAMES.map((j) => [j]))(
    "no NaN or Infinity escapes the %s judge, whatever the input",
    (judge) => {
      fc.assert(
        fc.property(
          armArb,
          armArb,
          armArb,
          fc.boolean(),
          fc.boolean(),
          (canary, stable, baseline, final, latency) => {
            const data: LookData = {
              since: 0,
              at: 60,
              canary,
              stable,
              ...(baseline ? { baseline: { ...baseline, capturedAt: 0, from: -3600 } } : {}),
              series: {
                canary: canary ? [{ ...canary, t: 60 }] : [],
                stable: stable ? [{ ...stable, t: 60 }] : [],
              },
            };
            const slo = latency ? latencySlo(judge) : errorSlo(judge);
            let state: unknown;
            for (let i = 0; i < 2; i++) {
              const out = judgeLook({ slo, data, now: 60, final: final && i === 1, state });
              expect(allNumbers(out).every((x) => Number.isFinite(x))).toBe(true);
              expect(["pass", "fail", "inconclusive", "nodata"]).toContain(out.verdict.verdict);
              if (canary === null) expect(out.verdict.verdict).not.toBe("pass");
              expect(JSON.parse(JSON.stringify(out.state))).toEqual(out.state);
              state = out.state;
            }
          },
        ),
        { numRuns: 200 },
      );
    },
  );
});
