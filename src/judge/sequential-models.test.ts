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
    "relative e-values have mean ≤ 1 on %s",
    (_name, model) => {
      const slos = {
        errors: errorSlo("sequential", { maxRegression: { relative: 0 } }),
        latency: latencySlo("sequential", { maxRegression: { relative: 0 } }),
      };
      for (const kind of ["errors", "latency"] as const) {
        let sum = 0;
        let sq = 0;
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
            e = Number(out.verdict.checks.find((c) => c.kind === "relative")?.evidence.eValue ?? NaN);
          }
          sum += e;
          sq += e * e;
        }
        const mean = sum / RUNS;
        const se = Math.sqrt(Math.max(0, sq / RUNS - mean * mean) / RUNS);
        expect(mean, `${kind}: mean ${mean.toFixed(3)} ± ${se.toFixed(3)}`).toBeLessThanOrEqual(
          1 + 3 * se + 0.05,
        );
      }
    },
  );
});
