/**
 * @module sim/model-looks
 * Count-level looks drawn from a `TrafficModel` (`traffic-model.ts`): per step and pod,
 * requests ~ Poisson(rate · load · arm share · step / pods), 5xx ~ Binomial(requests, the
 * pod's rate this step), latency buckets ~ Multinomial(requests, the log-normal's exact bucket
 * probabilities at the pod's latency scale this step). Every random effect is drawn from the
 * seed: pod effects once per analysis, shifts, mixing and bursts once per step. Latency
 * scales are rounded to 0.05 % on the log scale so bucket probabilities can be cached.
 * Deterministic from the seed. Pure.
 */
import { bucketProbabilities, scaleLatency, type LatencyModel } from "./latency.ts";
import type { Look } from "./looks.ts";
import {
  createRng,
  sampleBeta,
  sampleBinomial,
  sampleGamma,
  sampleMultinomial,
  sampleNormal,
  samplePoisson,
  type Rng,
} from "./random.ts";
import { modelCanaryWeight, type CanaryEffect, type TrafficModel } from "./traffic-model.ts";
import { emptyCounts, type IntervalCounts } from "./traffic.ts";

/** A pod's persistent effects, drawn once per analysis: error-rate and latency multipliers. */
export interface PodEffect {
  readonly err: number;
  readonly lat: number;
}

/**
 * A look with the per-pod counts behind each arm's totals, and the pods' true persistent
 * effects (the same every look; what an oracle that knows the truth may use — never a judge).
 */
export interface ModelLook extends Look {
  readonly canary: IntervalCounts;
  readonly stable: IntervalCounts;
  readonly pods: { readonly canary: readonly IntervalCounts[]; readonly stable: readonly IntervalCounts[] };
  readonly podEffects: { readonly canary: readonly PodEffect[]; readonly stable: readonly PodEffect[] };
}

const LOG_SCALE_STEP = 0.0005;

/** Bucket probabilities of the model's latency scaled by exp(k · LOG_SCALE_STEP), cached by k. */
class ScaledBuckets {
  readonly #map = new Map<number, number[]>();
  readonly #latency: LatencyModel;
  readonly #bounds: readonly number[];
  constructor(latency: LatencyModel, bounds: readonly number[]) {
    this.#latency = latency;
    this.#bounds = bounds;
  }
  get(scale: number): number[] {
    const k = Math.round(Math.log(scale) / LOG_SCALE_STEP);
    let p = this.#map.get(k);
    if (!p) {
      p = bucketProbabilities(scaleLatency(this.#latency, Math.exp(k * LOG_SCALE_STEP)), this.#bounds);
      this.#map.set(k, p);
    }
    return p;
  }
}

/** An error multiplier with mean 1 from Beta mixing at mean p and intra-step correlation icc. */
function betaMultiplier(rng: Rng, p: number, icc: number): number {
  if (!(icc > 0) || !(p > 0 && p < 1)) return 1;
  const c = 1 / icc - 1;
  return sampleBeta(rng, p * c, (1 - p) * c) / p;
}

/**
 * Replays `model` as `looks` steps for one analysis. `effect` changes the canary (an A/A
 * stream with `NO_EFFECT`). Both arms always have series (pods ≥ 1). With `historySteps`
 * = H, first yields H steps before the deploy (index −H … −1, canary share 0, the same pods).
 */
export function* simulateModelLooks(
  model: TrafficModel,
  effect: CanaryEffect,
  opts: {
    readonly seed: number | string;
    readonly looks: number;
    readonly historySteps?: number;
    /** Draw latency buckets (default true); false leaves them all 0 (error-only streams, cheaper). */
    readonly histograms?: boolean;
  },
): Generator<ModelLook> {
  const withBuckets = opts.histograms !== false;
  const rng = createRng(`${String(opts.seed)}/model/${model.name}`);
  const cache = new ScaledBuckets(model.latency, model.buckets);
  const nPods = { canary: model.pods?.canary ?? 1, stable: model.pods?.stable ?? 1 };
  const podEffects = (k: number): PodEffect[] =>
    Array.from({ length: k }, () => ({
      err: Math.exp((model.pods?.errorSd ?? 0) * sampleNormal(rng)),
      lat: Math.exp((model.pods?.latencySd ?? 0) * sampleNormal(rng)),
    }));
  const pods = { stable: podEffects(nPods.stable), canary: podEffects(nPods.canary) };
  const step = model.stepSeconds;
  const h = Math.max(0, Math.floor(opts.historySteps ?? 0));
  for (let i = -h; i < opts.looks; i++) {
    const from = i * step;
    const mid = from + step / 2;
    // Shared by both arms this step.
    let load = 1;
    let errShared = 1;
    let latShared = 1;
    const d = model.diurnal;
    if (d) {
      const l = 1 + d.amplitude * Math.sin((2 * Math.PI * mid) / d.periodSeconds + d.phase);
      load *= l;
      errShared *= Math.pow(l, d.errorElasticity);
      latShared *= Math.pow(l, d.latencyElasticity);
    }
    const b = model.bursts;
    if (b) {
      const l = sampleGamma(rng, b.shape) / b.shape;
      load *= l;
      errShared *= Math.pow(l, b.errorElasticity);
      latShared *= Math.pow(l, b.latencyElasticity);
    }
    const ls = model.latencyShift;
    if (ls?.shared) latShared *= Math.exp(ls.sd * sampleNormal(rng));
    if (ls?.gc && rng.uniform() < ls.gc.probability) {
      latShared *= ls.gc.latencyScale;
      errShared *= ls.gc.errorMultiplier;
    }
    const od = model.overdispersion;
    const sharedMix = od?.shared ? betaMultiplier(rng, model.errorRatio, od.icc) : 1;
    // Before the deploy (history steps, index < 0) stable serves all traffic.
    const w = i < 0 ? 0 : modelCanaryWeight(model, mid);
    const arms = {} as Record<"canary" | "stable", { total: IntervalCounts; pods: IntervalCounts[] }>;
    for (const arm of ["stable", "canary"] as const) {
      const eff = arm === "canary" ? effect : { errorMultiplier: 1, latencyScale: 1 };
      const armMix = od && !od.shared ? betaMultiplier(rng, model.errorRatio, od.icc) : sharedMix;
      const armShift = ls && !ls.shared ? Math.exp(ls.sd * sampleNormal(rng)) : 1;
      const share = arm === "canary" ? w : 1 - w;
      const total = emptyCounts(model.buckets.length);
      const podCounts: IntervalCounts[] = [];
      for (const pe of pods[arm]) {
        const mean = (model.requestsPerSecond * load * share * step) / pods[arm].length;
        const n = samplePoisson(rng, mean);
        const p = Math.min(1, model.errorRatio * eff.errorMultiplier * pe.err * errShared * armMix);
        const bad = sampleBinomial(rng, n, p);
        const scale = eff.latencyScale * pe.lat * latShared * armShift;
        const buckets =
          n > 0 && withBuckets
            ? sampleMultinomial(rng, n, cache.get(scale))
            : new Array<number>(model.buckets.length).fill(0);
        const c: IntervalCounts = { total: n, bad, clientErrors: 0, buckets };
        podCounts.push(c);
        total.total += n;
        total.bad += bad;
        for (let k = 0; k < buckets.length; k++)
          total.buckets[k] = (total.buckets[k] ?? 0) + (buckets[k] ?? 0);
      }
      arms[arm] = { total, pods: podCounts };
    }
    yield {
      index: i,
      t: from + step,
      canaryShare: w,
      canary: arms.canary.total,
      stable: arms.stable.total,
      pods: { canary: arms.canary.pods, stable: arms.stable.pods },
      podEffects: pods,
    };
  }
}
