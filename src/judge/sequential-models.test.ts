/**
 * The sequential judge's e-values on the realistic traffic models (`src/sim/traffic-model.ts`):
 * at the null's boundary (A/A streams, margin 0, so canary = stable is the least favourable
 * null) the mean e-value of the relative checks after a fixed number of looks must not exceed
 * 1 (Monte Carlo: by more than 3 standard errors plus 0.05), as a supermartingale's must.
 * Per-pod counts are handed to the judge (`ArmCounts.pods`), so models with persistent pod
 * effects are tested with the pod-aware margins (`pod-margin.ts`).
 */
import { describe, expect, it } from "vitest";
import type { ArmCounts, StepCounts } from "../domain/counts.ts";
import { simulateModelLooks } from "../sim/model-looks.ts";
import { NO_EFFECT, trafficModels } from "../sim/traffic-model.ts";
import { BUCKETS_30, errorSlo, latencySlo } from "./testdata/slo-fixtures.ts";
import { judgeSequential, type SequentialState } from "./sequential-judge.ts";
import { SPLIT_PRIOR_ODDS } from "./sequential-evidence.ts";

const models = trafficModels({
  requestsPerSecond: 50,
  stepSeconds: 60,
  errorRatio: 0.005,
  latency: { body: { median: 0.08, sigma: 0.5 } },
  buckets: BUCKETS_30,
  split: [
    { at: 0, canaryWeight: 0.1 },
    { at: 600, canaryWeight: 0.25 },
  ],
});

const RUNS = 150;

/*
 * Measured mean relative e-values after 20 looks (errors, 150 runs): per-arm Beta mixing at
 * intra-minute correlation 0.01: 0.84 ± 0.13, at 0.05: 1.35 ± 0.35, with the split tempered
 * from the arms' expected counts (`armTemper`); they were 3.2 ± 0.6 and 5.7 ± 2.8 with the
 * quasi-likelihood φ of the look's own count, when this test could only bound their crossing
 * rate. Two means are dominated by a single run (2 pods sd 0.3, errors: 960 ± 957; combined,
 * latency: 780 ± 778; crossed in 2 and 1 of 150): there the crossing rate is what holds.
 * docs/judge.md, "Real traffic".
 */
const LOOKS = 20;
const SLOW_FROM = BUCKETS_30.findIndex((b) => b > 0.2);

function step(
  kind: "errors" | "latency",
  t: number,
  c: { total: number; bad: number; buckets: number[] },
): StepCounts {
  const slow = c.buckets.slice(SLOW_FROM).reduce((a, b) => a + b, 0);
  return {
    t,
    total: c.total,
    bad: kind === "errors" ? c.bad : slow,
    ...(kind === "latency" ? { histogram: { bounds: BUCKETS_30, counts: c.buckets } } : {}),
  };
}

describe("sequential judge at the null's boundary on realistic traffic (Monte Carlo)", () => {
  it.each(models.map((m) => [m.name, m] as const))(
    "relative e-values have mean ≤ 1 and cross 1/α at most α of the time on %s",
    (_name, model) => {
      const slos = {
        errors: errorSlo("sequential", { maxRegression: { relative: 0 } }),
        latency: latencySlo("sequential", { maxRegression: { relative: 0 } }),
      };
      for (const kind of ["errors", "latency"] as const) {
        let sum = 0;
        let sq = 0;
        let crossings = 0;
        let alphaRel = Number.NaN;
        for (let r = 0; r < RUNS; r++) {
          const history: StepCounts[] = [];
          const cum = {
            canary: { total: 0, bad: 0, counts: BUCKETS_30.map(() => 0) },
            stable: { total: 0, bad: 0, counts: BUCKETS_30.map(() => 0) },
          };
          let state: SequentialState | undefined;
          const podCum: Record<"canary" | "stable", { total: number; bad: number; counts: number[] }[]> = {
            canary: [],
            stable: [],
          };
          let e = 1;
          let failed = false;
          for (const look of simulateModelLooks(model, NO_EFFECT, {
            seed: `sm-${kind}-${r}`,
            looks: LOOKS,
            historySteps: 60,
          })) {
            if (look.index < 0) {
              history.push(step(kind, look.t, look.stable));
              continue;
            }
            const arms = {} as Record<"canary" | "stable", ArmCounts>;
            for (const arm of ["canary", "stable"] as const)
              look.pods[arm].forEach((c, i) => {
                const acc = (podCum[arm][i] ??= { total: 0, bad: 0, counts: BUCKETS_30.map(() => 0) });
                const st = step(kind, look.t, c);
                acc.total += st.total;
                acc.bad += st.bad;
                c.buckets.forEach((v, j) => (acc.counts[j] = (acc.counts[j] ?? 0) + v));
              });
            for (const arm of ["canary", "stable"] as const) {
              const s = step(kind, look.t, look[arm]);
              const a = cum[arm];
              a.total += s.total;
              a.bad += s.bad;
              look[arm].buckets.forEach((v, i) => (a.counts[i] = (a.counts[i] ?? 0) + v));
              arms[arm] = {
                total: a.total,
                bad: a.bad,
                ...(kind === "latency" ? { histogram: { bounds: BUCKETS_30, counts: [...a.counts] } } : {}),
                pods: podCum[arm].map((p, i) => ({
                  pod: String(i),
                  total: p.total,
                  bad: p.bad,
                  ...(kind === "latency" ? { histogram: { bounds: BUCKETS_30, counts: [...p.counts] } } : {}),
                })),
              };
            }
            const out = judgeSequential({
              slo: slos[kind],
              data: {
                since: 0,
                at: look.t,
                canary: arms.canary,
                stable: arms.stable,
                history: { stable: history },
              },
              now: look.t,
              final: false,
              state,
            });
            state = out.state;
            const rel = out.verdict.checks.find((c) => c.kind === "relative");
            e = Number(rel?.evidence.eValue ?? NaN);
            if (rel?.status === "fail") failed = true;
            alphaRel = Number(rel?.evidence.alpha ?? NaN);
          }
          if (failed) crossings++;
          sum += e;
          sq += e * e;
        }
        const mean = sum / RUNS;
        const se = Math.sqrt(Math.max(0, sq / RUNS - mean * mean) / RUNS);
        const label = `${kind}: mean ${mean.toFixed(3)} ± ${se.toFixed(3)}, crossed in ${crossings} of ${RUNS}`;
        expect(alphaRel).toBeGreaterThan(0);
        const bound = alphaRel + 3 * Math.sqrt((alphaRel * (1 - alphaRel)) / RUNS);
        expect(crossings / RUNS, label).toBeLessThanOrEqual(bound);
        expect(mean, label).toBeLessThanOrEqual(1 + 3 * se + 0.05);
      }
    },
  );
});

describe("the split at a constant canary share, shared and per-arm noise (Monte Carlo)", () => {
  /** One analysis at a constant 10 % canary share: the look of the first fail and whether the split dropped the history's prior. */
  const analyse = (name: string, multiplier: number, looks: number, seed: string) => {
    const model = models.find((m) => m.name === name);
    if (!model) throw new Error(name);
    const slo = errorSlo("sequential");
    const history: StepCounts[] = [];
    const cum = { canary: { total: 0, bad: 0 }, stable: { total: 0, bad: 0 } };
    let state: SequentialState | undefined;
    let failedAt: number | null = null;
    for (const look of simulateModelLooks(
      { ...model, split: [{ at: 0, canaryWeight: 0.1 }] },
      { errorMultiplier: multiplier, latencyScale: 1 },
      { seed, looks, historySteps: 60, histograms: false },
    )) {
      if (look.index < 0) {
        history.push(step("errors", look.t, look.stable));
        continue;
      }
      for (const arm of ["canary", "stable"] as const) {
        cum[arm].total += look[arm].total;
        cum[arm].bad += look[arm].bad;
      }
      const out = judgeSequential({
        slo,
        data: {
          since: 0,
          at: look.t,
          canary: { ...cum.canary },
          stable: { ...cum.stable },
          history: { stable: history },
        },
        now: look.t,
        final: false,
        state,
      });
      state = out.state;
      if (out.verdict.verdict === "fail") {
        failedAt = look.index + 1;
        break;
      }
    }
    const dropped = (state?.relative.dispersion?.priorLogLr ?? 0) >= Math.log(SPLIT_PRIOR_ODDS);
    return { failedAt, dropped };
  };
  const medianOf = (xs: (number | null)[]): number => {
    const s = xs.map((x) => x ?? Infinity).sort((a, b) => a - b);
    return ((s[(s.length - 1) >> 1] ?? Infinity) + (s[s.length >> 1] ?? Infinity)) / 2;
  };

  // A 10 % canary under per-arm noise: with the split tempered by the quasi-likelihood φ of the
  // look's own count, which grows with it, a burst in stable (many events, evidence for the
  // null) was tempered ~9× more than one in the canary, and healthy canaries drifted to a fail:
  // 24.5 % by look 60 and 100 % by 600 at intra-minute correlation 0.01, 99 % at 0.05 (200
  // analyses each). Tempered from the expected counts (`armTemper`) the same streams give 0 %
  // and 1.5 % by 600. The 10 → 25 → 50 % ramp of the benchmark's A/A hid it: at 50 % the arms'
  // bursts are alike.
  it.each(["overdispersed-icc0.01", "overdispersed-icc0.05", "combined"])(
    "keeps a healthy canary at a 10 percent share under α over 300 looks on %s",
    (name) => {
      const runs = Array.from({ length: 60 }, (_, i) => analyse(name, 1, 300, `c10-aa-${name}-${i}`));
      const fails = runs.filter((r) => r.failedAt !== null).length;
      // α = 0.05 for the SLO; 3 binomial standard errors over 60 runs.
      expect(fails / runs.length).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / runs.length));
    },
  );

  it("drops the stable-only history's dispersion when the noise is shared (it cancels in the split) and detects errors ×2 far sooner than with it", () => {
    const runs = Array.from({ length: 30 }, (_, i) =>
      analyse("overdispersed-shared", 2, 120, `shared-x2-${i}`),
    );
    // Measured: dropped in 30 of 30 runs, median 29.5 looks; 176 when the history's prior kept
    // its weight (bench/results/judge.md before the prior check).
    expect(runs.filter((r) => r.dropped).length).toBeGreaterThanOrEqual(27);
    expect(medianOf(runs.map((r) => r.failedAt))).toBeLessThanOrEqual(60);
  });

  it("keeps it when the noise is the arm's own (per-arm Beta mixing, A/A)", () => {
    const runs = Array.from({ length: 30 }, (_, i) => analyse("overdispersed-icc0.05", 1, 60, `arm-aa-${i}`));
    // Measured: dropped in 0 of 30, no fail.
    expect(runs.filter((r) => r.dropped).length).toBeLessThanOrEqual(3);
    expect(runs.filter((r) => r.failedAt !== null).length).toBeLessThanOrEqual(2);
  });
});
