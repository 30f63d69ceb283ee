/**
 * @module bench/judge/models
 * The judges on the realistic traffic models (`src/sim/traffic-model.ts`): per model, A/A
 * streams (canary = stable in distribution, traffic 10 → 25 → 50 %, and for the sequential judges
 * also a constant 10 %: `model-runs.ts`) and detection streams
 * (errors ×2 and p95 +20 % at a constant 10 % canary share; the ramp model keeps its ramp).
 * Every analysis also hands the judges the stable arm's 60 one-minute steps before the deploy
 * (`LookData.history`, same pods). Judges: `sequential` with the shipped default margins
 * (relative 0.1 for errors and latency), `sequential-tight` (errors relative 0.1: the same SLOs
 * since the default changed from 0.5 pp; kept as a key of judge.json), `kayenta`, `threshold`,
 * and the oracles.
 *
 * The oracle is calibrated, not Wald's: per model and SLI its statistic (the SPRT
 * log-likelihood ratio that knows the true effect: for errors the count SPRT of r₀ against the
 * true ratio, for latency the whole-histogram SPRT of identical distributions against the true
 * per-bucket ratios) is run on the model's A/A streams, and its threshold is the (1 − α)
 * quantile of the A/A running maximum over all looks, so its own A/A false-fail rate is α
 * (by construction, on the same streams). Detection streams reuse that threshold.
 */
import type { StepCounts } from "../../src/domain/counts.ts";
import { simulateModelLooks, type ModelLook } from "../../src/sim/model-looks.ts";
import { trafficModels, type CanaryEffect, type TrafficModel } from "../../src/sim/traffic-model.ts";
import { defaultCanarySettings } from "../../src/slo/canary-defaults.ts";
import { getJudge } from "../../src/judge/registry.ts";
import { nullRatio } from "../../src/judge/margins.ts";
import type { JudgeName, Slo } from "../../src/slo/model.ts";
import { BUCKETS_30, errorSlo, latencySlo } from "../../src/judge/testdata/slo-fixtures.ts";
import { bucketProbabilities, scaleLatency, type LatencyModel } from "../../src/sim/latency.ts";
import type { PodEffect } from "../../src/sim/model-looks.ts";
import { HistogramOracleSprt, OracleSprt, PodHistogramOracleSprt } from "./oracle.ts";
import { BASE_ERROR_RATIO, BASE_LATENCY, LOOK_SECONDS, REQUESTS_PER_SECOND } from "./run.ts";
import { LookStream, type SliKind } from "./stream.ts";

/** The models, on the benchmark's base traffic. */
export const MODELS: readonly TrafficModel[] = trafficModels({
  requestsPerSecond: REQUESTS_PER_SECOND,
  stepSeconds: LOOK_SECONDS,
  errorRatio: BASE_ERROR_RATIO,
  latency: BASE_LATENCY,
  buckets: BUCKETS_30,
  split: [
    { at: 0, canaryWeight: 0.1 },
    { at: 600, canaryWeight: 0.25 },
    { at: 1200, canaryWeight: 0.5 },
  ],
});

/** A judge configured for the models' benchmark. */
export interface Variant {
  readonly name: string;
  readonly judge: JudgeName;
  readonly slo: (kind: SliKind) => Slo;
  /** For SLIs where this variant's SLO is another variant's: that variant (not judged twice). */
  readonly copyOf?: Partial<Record<SliKind, string>>;
}

const DEFAULT_ERRORS = defaultCanarySettings("error-rate").maxRegression;

export const VARIANTS: readonly Variant[] = [
  {
    name: "sequential",
    judge: "sequential",
    slo: (k) =>
      k === "errors" ? errorSlo("sequential", { maxRegression: DEFAULT_ERRORS }) : latencySlo("sequential"),
  },
  {
    name: "sequential-tight",
    judge: "sequential",
    slo: (k) => (k === "errors" ? errorSlo("sequential") : latencySlo("sequential")),
    // The shipped default is relative 0.1 for every kind now: the same SLOs as `sequential`.
    copyOf: { errors: "sequential", latency: "sequential" },
  },
  {
    name: "kayenta",
    judge: "kayenta",
    slo: (k) =>
      k === "errors" ? errorSlo("kayenta", { maxRegression: DEFAULT_ERRORS }) : latencySlo("kayenta"),
  },
  {
    name: "threshold",
    judge: "threshold",
    slo: (k) =>
      k === "errors" ? errorSlo("threshold", { maxRegression: DEFAULT_ERRORS }) : latencySlo("threshold"),
  },
];

/** Oracle lanes: the statistic per SLI and its null. */
export const ORACLES = ["oracle", "oracle-tight", "oracle-no-margin"] as const;
export type OracleName = (typeof ORACLES)[number];

export const DETECTIONS: readonly { key: string; kind: SliKind; effect: CanaryEffect }[] = [
  { key: "errors-x2-10pct", kind: "errors", effect: { errorMultiplier: 2, latencyScale: 1 } },
  { key: "p95-plus20-10pct", kind: "latency", effect: { errorMultiplier: 1, latencyScale: 1.2 } },
];

/** The model for a detection stream: a constant 10 % canary share (a ramp keeps its ramp). */
export function detectionModel(m: TrafficModel): TrafficModel {
  return m.ramp ? m : { ...m, split: [{ at: 0, canaryWeight: 0.1 }] };
}

/** The null rate ratio an error oracle tests (and is calibrated at): its variant's r₀, or 1. */
export function oracleNull(name: OracleName): number {
  if (name === "oracle-no-margin") return 1;
  const v = VARIANTS.find((x) => x.name === (name === "oracle" ? "sequential" : "sequential-tight"));
  return nullRatio(v!.slo("errors"), null);
}

/** The model's latency distribution scaled by `scale`: its bucket probabilities. */
function scaledBuckets(latency: LatencyModel, scale: number): number[] {
  return bucketProbabilities(scaleLatency(latency, scale), BUCKETS_30);
}

type Oracle = OracleSprt | HistogramOracleSprt | PodHistogramOracleSprt;

/**
 * The oracle of one lane, built at the first look: it knows the true effect and, on pod
 * models, the pods' persistent effects of this analysis (`ModelLook.podEffects`): the errors
 * oracle then weighs each pod's requests by its error multiplier (the split's exposure), the
 * latency oracle uses each pod's own latency distribution. Without pods both are the plain
 * SPRTs (one pod per arm, no pod effect). Latency uses the model's own latency distribution.
 */
function makeOracle(
  model: TrafficModel,
  kind: SliKind,
  name: OracleName,
  effect: CanaryEffect,
  pods: { readonly canary: readonly PodEffect[]; readonly stable: readonly PodEffect[] },
): Oracle {
  if (kind === "errors") return new OracleSprt(oracleNull(name), effect.errorMultiplier, 0);
  if (model.pods) {
    return new PodHistogramOracleSprt(
      pods.canary.map((p) => scaledBuckets(model.latency, p.lat)),
      pods.canary.map((p) => scaledBuckets(model.latency, p.lat * effect.latencyScale)),
      pods.stable.map((p) => scaledBuckets(model.latency, p.lat)),
    );
  }
  const s = scaledBuckets(model.latency, 1);
  const c = scaledBuckets(model.latency, effect.latencyScale);
  return new HistogramOracleSprt(
    c.map((v, k) => (v > 0 && (s[k] ?? 0) > 0 ? v / (s[k] ?? 1) : 1)),
    0,
  );
}

/** One-minute stable steps before the deploy handed to the judges (as `LookData.history`). */
export const HISTORY_STEPS = 60;

function historyStep(kind: SliKind, look: ModelLook): StepCounts {
  const c = look.stable;
  let slow = 0;
  const from = BUCKETS_30.findIndex((b) => b > 0.2);
  for (let i = from; i < c.buckets.length; i++) slow += c.buckets[i] ?? 0;
  return {
    t: look.t,
    total: c.total,
    bad: kind === "errors" ? c.bad : slow,
    ...(kind === "latency" ? { histogram: { bounds: BUCKETS_30, counts: c.buckets } } : {}),
  };
}

/** Per analysis: first fail look per lane `<kind>:<name>`, and each oracle's running max LLR at the marks. */
export interface ModelOutcome {
  readonly failLook: Record<string, number | null>;
  /** `<kind>:<oracle>` → running max of the LLR at looks `marks`. */
  readonly oracleMax: Record<string, number[]>;
}

/**
 * One analysis on one model stream. `thresholds[<kind>:<oracle>]` (when given) makes the
 * oracle fail once its LLR reaches it; A/A runs pass none and record the running maxima.
 * `oracleEffect`: the alternative the oracle knows (A/A: the detection effect).
 */
export function runModelAnalysis(
  model: TrafficModel,
  effect: CanaryEffect,
  kinds: readonly SliKind[],
  seed: string,
  looks: number,
  oracleEffect: Readonly<Record<SliKind, CanaryEffect>>,
  marks: readonly number[],
  thresholds?: Readonly<Record<string, number>>,
  skip: readonly string[] = [],
  /** Leave the oracle lanes out (A/A runs that only judge). */
  skipOracles = false,
): ModelOutcome {
  const lanes = kinds.map((kind) => ({
    kind,
    stream: new LookStream(kind, BUCKETS_30, 0.2),
    slos: VARIANTS.map((v) => v.slo(kind)),
    states: VARIANTS.map((): unknown => undefined),
    oracles: ORACLES.map((o) => ({ name: o, sprt: null as Oracle | null, max: 0 })),
    // Error oracles on pod models: cumulative requests weighted by the pods' error multipliers.
    exposure: { canary: 0, stable: 0 },
  }));
  const failLook: Record<string, number | null> = {};
  const oracleMax: Record<string, number[]> = {};
  for (const k of kinds) {
    for (const v of VARIANTS) failLook[`${k}:${v.name}`] = null;
    for (const o of ORACLES) {
      failLook[`${k}:${o}`] = null;
      oracleMax[`${k}:${o}`] = [];
    }
  }
  let open = thresholds ? Object.keys(failLook).length : Infinity;
  const history: Record<SliKind, StepCounts[]> = { errors: [], latency: [] };
  for (const look of simulateModelLooks(model, effect, {
    seed,
    looks,
    historySteps: HISTORY_STEPS,
    histograms: kinds.includes("latency"),
  })) {
    if (look.index < 0) {
      for (const lane of lanes) history[lane.kind].push(historyStep(lane.kind, look));
      continue;
    }
    const n = look.index + 1;
    for (const lane of lanes) {
      const data = { ...lane.stream.push(look), history: { stable: history[lane.kind] } };
      VARIANTS.forEach((v, i) => {
        const key = `${lane.kind}:${v.name}`;
        if (failLook[key] !== null || skip.includes(v.name)) return;
        const copy = v.copyOf?.[lane.kind];
        if (copy !== undefined) {
          if (failLook[`${lane.kind}:${copy}`] === n) {
            failLook[key] = n;
            open--;
          }
          return;
        }
        const out = getJudge(v.judge).look({
          slo: lane.slos[i]!,
          data,
          now: data.at,
          final: n === looks,
          state: lane.states[i],
        });
        lane.states[i] = out.state;
        if (out.verdict.verdict === "fail") {
          failLook[key] = n;
          open--;
        }
      });
      for (const arm of ["canary", "stable"] as const)
        look.pods[arm].forEach((c, p) => {
          lane.exposure[arm] += c.total * (look.podEffects[arm][p]?.err ?? 1);
        });
      for (const o of lane.oracles) {
        const key = `${lane.kind}:${o.name}`;
        if (skipOracles || failLook[key] !== null) continue;
        const sprt = (o.sprt ??= makeOracle(
          model,
          lane.kind,
          o.name,
          oracleEffect[lane.kind],
          look.podEffects,
        ));
        const hc = data.canary?.histogram;
        const hs = data.stable?.histogram;
        if (sprt instanceof OracleSprt && data.canary && data.stable)
          sprt.look(lane.exposure.canary, data.canary.bad, lane.exposure.stable, data.stable.bad);
        else if (sprt instanceof HistogramOracleSprt && hc && hs) sprt.look(hc.counts, hs.counts);
        else if (sprt instanceof PodHistogramOracleSprt)
          sprt.look(
            look.pods.canary.map((c) => c.buckets),
            look.pods.stable.map((c) => c.buckets),
          );
        o.max = Math.max(o.max, sprt.llr);
        if (marks.includes(n)) oracleMax[key]?.push(o.max);
        const th = thresholds?.[key];
        if (th !== undefined && sprt.llr >= th) {
          failLook[key] = n;
          open--;
        }
      }
    }
    if (open === 0) break;
  }
  return { failLook, oracleMax };
}
