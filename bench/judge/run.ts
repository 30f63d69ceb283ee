/**
 * @module bench/judge/run
 * Monte Carlo runs of every judge (plus the oracle SPRT) on the same simulated streams.
 * Each analysis draws its looks once from the synthetic traffic model and feeds them to all
 * judges; an analysis stops early once every judge and the oracle have failed.
 */
import { latencyCdf } from "../../src/sim/latency.ts";
import { simulateLooks } from "../../src/sim/looks.ts";
import { defineScenario } from "../../src/sim/scenarios.ts";
import type { Scenario } from "../../src/sim/scenario.ts";
import { getJudge } from "../../src/judge/registry.ts";
import { nullRatio } from "../../src/judge/margins.ts";
import type { JudgeName } from "../../src/slo/model.ts";
import type { Slo } from "../../src/slo/model.ts";
import { BUCKETS_30, errorSlo, latencySlo } from "../../src/judge/testdata/slo-fixtures.ts";
import { HistogramOracleSprt, OracleSprt } from "./oracle.ts";
import { LookStream, type SliKind } from "./stream.ts";

export const JUDGES: readonly JudgeName[] = ["sequential", "kayenta", "threshold"];
export const LOOK_SECONDS = 60;
export const MAX_LOOKS = 600;
export const REQUESTS_PER_SECOND = 50;
export const BASE_ERROR_RATIO = 0.005;
export const BASE_LATENCY = { body: { median: 0.08, sigma: 0.5 } };

/** The SLO each judge is configured with, per SLI. */
export function sloFor(kind: SliKind, judge: JudgeName): Slo {
  return kind === "errors" ? errorSlo(judge) : latencySlo(judge);
}

/** A scenario: canary effect, traffic split. */
export interface BenchScenario {
  readonly key: string;
  readonly kind: SliKind;
  /** Canary error ratio multiplier (errors) or latency scale (latency). */
  readonly effect: number;
  /** Constant canary share, or the 10 → 25 → 50 % steps for A/A. */
  readonly split: Scenario["split"];
}

export function buildScenario(s: BenchScenario): Scenario {
  const canaryBehaviour =
    s.kind === "errors"
      ? { errorRatio: BASE_ERROR_RATIO * s.effect, latency: BASE_LATENCY }
      : {
          errorRatio: BASE_ERROR_RATIO,
          latency: { body: { median: BASE_LATENCY.body.median * s.effect, sigma: BASE_LATENCY.body.sigma } },
        };
  return defineScenario({
    name: s.key,
    description: `bench ${s.key}`,
    requestsPerSecond: REQUESTS_PER_SECOND,
    split: s.split,
    durationSeconds: MAX_LOOKS * LOOK_SECONDS,
    buckets: BUCKETS_30,
    canary: { behaviour: canaryBehaviour, restarts: [] },
    stable: { behaviour: { errorRatio: BASE_ERROR_RATIO, latency: BASE_LATENCY }, restarts: [] },
  });
}

/** The true ratio of canary's bad-event rate to stable's in a scenario (for the oracle). */
export function trueRatio(s: BenchScenario): number {
  if (s.kind === "errors") return s.effect;
  const threshold = 0.2;
  const stable = 1 - latencyCdf(BASE_LATENCY, threshold);
  const canary =
    1 -
    latencyCdf(
      { body: { median: BASE_LATENCY.body.median * s.effect, sigma: BASE_LATENCY.body.sigma } },
      threshold,
    );
  return canary / stable;
}

/**
 * Per-bucket ratio λ_k = P(canary in bucket k) / P(stable in bucket k) when the canary's
 * latency is the stable's scaled by `scale` (for the histogram oracle).
 */
export function bucketRatios(scale: number, bounds: readonly number[] = BUCKETS_30): number[] {
  const canary = { body: { median: BASE_LATENCY.body.median * scale, sigma: BASE_LATENCY.body.sigma } };
  const out: number[] = [];
  let pc = 0;
  let ps = 0;
  for (const b of bounds) {
    const c = b === Infinity ? 1 : latencyCdf(canary, b);
    const s = b === Infinity ? 1 : latencyCdf(BASE_LATENCY, b);
    const dc = c - pc;
    const ds = s - ps;
    out.push(dc > 0 && ds > 0 ? dc / ds : 1);
    pc = c;
    ps = s;
  }
  return out;
}

/** Outcome of one analysis: the 1-based look of the first `fail` per `<kind>:<judge>` (null if none). */
export interface AnalysisOutcome {
  readonly failLook: Record<string, number | null>;
  /** Canary requests seen at the fail look. */
  readonly failRequests: Record<string, number | null>;
}

/**
 * Runs one analysis of up to `looks` looks on one simulated stream, judging an SLO of each
 * kind in `kinds` with every judge, plus one oracle SPRT per kind that knows the true effect
 * `oracleEffect[kind]`: for errors the ratio of error rates (count SPRT against the judge's
 * null ratio), for latency the latency scale (histogram SPRT against identical distributions).
 * For A/A streams: the alternative its SPRT would be designed for. Stops early once
 * everything has failed.
 */
export function runAnalysis(
  scenario: Scenario,
  kinds: readonly SliKind[],
  seed: string,
  looks: number,
  oracleEffect: Readonly<Record<SliKind, number>>,
  judges: readonly JudgeName[] = JUDGES,
): AnalysisOutcome {
  const lanes = kinds.map((kind) => {
    const slos = Object.fromEntries(judges.map((j) => [j, sloFor(kind, j)])) as Record<JudgeName, Slo>;
    const alpha = sloFor(kind, "sequential").canary.alpha;
    const states: Record<string, unknown> = {};
    return {
      kind,
      stream: new LookStream(kind, BUCKETS_30, 0.2),
      slos,
      states,
      oracle:
        kind === "errors"
          ? new OracleSprt(nullRatio(sloFor(kind, "sequential"), null), oracleEffect[kind], alpha)
          : new HistogramOracleSprt(bucketRatios(oracleEffect[kind]), alpha),
      // Errors only: the same SPRT without the margin (null ratio 1), faster than any test of
      // the judge's null r ≤ 1.1 can be — the bound quoted when a target is out of reach.
      noMargin: kind === "errors" ? new OracleSprt(1, oracleEffect[kind], alpha) : null,
    };
  });
  const failLook: Record<string, number | null> = {};
  const failRequests: Record<string, number | null> = {};
  for (const k of kinds) {
    for (const j of [...judges, "oracle", ...(k === "errors" ? ["oracle-no-margin"] : [])]) {
      failLook[`${k}:${j}`] = null;
      failRequests[`${k}:${j}`] = null;
    }
  }
  let open = Object.keys(failLook).length;
  for (const look of simulateLooks(scenario, { seed, lookSeconds: LOOK_SECONDS, looks })) {
    const n = look.index + 1;
    for (const lane of lanes) {
      const data = lane.stream.push(look);
      const canaryTotal = data.canary?.total ?? 0;
      for (const j of judges) {
        const key = `${lane.kind}:${j}`;
        if (failLook[key] !== null) continue;
        const out = getJudge(j).look({
          slo: lane.slos[j],
          data,
          now: data.at,
          final: n === looks,
          state: lane.states[j],
        });
        lane.states[j] = out.state;
        if (out.verdict.verdict === "fail") {
          failLook[key] = n;
          failRequests[key] = canaryTotal;
          open--;
        }
      }
      const okey = `${lane.kind}:oracle`;
      if (failLook[okey] === null && data.canary && data.stable) {
        const o = lane.oracle;
        const hc = data.canary.histogram;
        const hs = data.stable.histogram;
        const rejected =
          o instanceof OracleSprt
            ? o.look(data.canary.total, data.canary.bad, data.stable.total, data.stable.bad)
            : hc !== undefined && hs !== undefined && o.look(hc.counts, hs.counts);
        if (rejected) {
          failLook[okey] = n;
          failRequests[okey] = canaryTotal;
          open--;
        }
      }
      const nkey = `${lane.kind}:oracle-no-margin`;
      if (lane.noMargin && failLook[nkey] === null && data.canary && data.stable) {
        if (lane.noMargin.look(data.canary.total, data.canary.bad, data.stable.total, data.stable.bad)) {
          failLook[nkey] = n;
          failRequests[nkey] = canaryTotal;
          open--;
        }
      }
    }
    if (open === 0) break;
  }
  return { failLook, failRequests };
}
