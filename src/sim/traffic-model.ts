/**
 * @module sim/traffic-model
 * Traffic that is not independent requests: the departures from "every request an independent
 * draw with one rate per arm" that production series show, each with documented parameters,
 * and the catalog the judge benchmark runs A/A and detection streams on. A model describes both
 * arms of identical code (the A/A truth); a detection stream adds a canary effect on top
 * (`CanaryEffect`). The draws are in `model-looks.ts`. Pure data.
 *
 * None of these is the model the sequential judge's e-processes assume (independent Bernoulli
 * requests with a fixed rate per arm) except `independent`, which is kept as the control.
 *
 * | parameter | meaning |
 * |---|---|
 * | `overdispersion.icc` | per-step error rate of an arm ~ Beta with mean p and intra-step correlation icc: Var(p_step) = icc·p(1 − p); one draw per arm and step (`shared: false`, e.g. a bad client on one arm) or one draw for both arms (`shared: true`, a cache flush, a dependency's retries) |
 * | `pods` | k pods per arm, traffic split evenly; each pod's error rate × exp(errorSd·Z) and latency × exp(latencySd·Z), Z ~ N(0, 1) drawn once per analysis (canary pods are a fresh draw, like stable's) |
 * | `latencyShift` | per-step latency scale exp(sd·Z), one Z per arm and step (noisy neighbour) or per step for both arms (shared); `gc`: with probability `probability` a step is a GC/incident minute for both arms: latency × `latencyScale`, error rate × `errorMultiplier` |
 * | `diurnal` | load(t) = 1 + amplitude·sin(2π t/period + phase); requests ∝ load, error rate × load^errorElasticity, latency × load^latencyElasticity (both arms) |
 * | `bursts` | per-step load multiplier ~ Gamma(shape, 1/shape) shared by both arms (bursty arrivals: CV² = 1/shape), with the same elasticities as `diurnal` |
 * | `split` | canary share over time: steps, or linear interpolation between the points (`ramp`) |
 */
import type { LatencyModel } from "./latency.ts";

/** A traffic model for both arms (the A/A truth). */
export interface TrafficModel {
  readonly name: string;
  readonly description: string;
  /** Mean requests per second over both arms (at load 1). */
  readonly requestsPerSecond: number;
  /** Seconds per step (= per look in the benchmark). */
  readonly stepSeconds: number;
  /** Canary share from `at` (seconds since start) on; with `ramp`, interpolated linearly between points. */
  readonly split: readonly { readonly at: number; readonly canaryWeight: number }[];
  readonly ramp?: boolean;
  /** Both arms' mean 5xx ratio per request. */
  readonly errorRatio: number;
  readonly latency: LatencyModel;
  /** Histogram bucket bounds, ascending, `Infinity` last. */
  readonly buckets: readonly number[];
  readonly overdispersion?: { readonly icc: number; readonly shared: boolean };
  readonly pods?: {
    readonly canary: number;
    readonly stable: number;
    readonly errorSd: number;
    readonly latencySd: number;
  };
  readonly latencyShift?: {
    readonly sd: number;
    readonly shared: boolean;
    readonly gc?: {
      readonly probability: number;
      readonly latencyScale: number;
      readonly errorMultiplier: number;
    };
  };
  readonly diurnal?: {
    readonly amplitude: number;
    readonly periodSeconds: number;
    readonly phase: number;
    readonly errorElasticity: number;
    readonly latencyElasticity: number;
  };
  readonly bursts?: {
    readonly shape: number;
    readonly errorElasticity: number;
    readonly latencyElasticity: number;
  };
}

/** What a canary does differently (1 and 1 = an A/A stream). */
export interface CanaryEffect {
  /** Multiplies the canary's error ratio. */
  readonly errorMultiplier: number;
  /** Multiplies the canary's latency (the whole distribution). */
  readonly latencyScale: number;
}

/** The A/A effect. */
export const NO_EFFECT: CanaryEffect = { errorMultiplier: 1, latencyScale: 1 };

/** Defaults of the catalog: the benchmark's traffic (50 req/s, one step a minute, 10 → 25 → 50 %). */
export interface ModelBase {
  readonly requestsPerSecond: number;
  readonly stepSeconds: number;
  readonly errorRatio: number;
  readonly latency: LatencyModel;
  readonly buckets: readonly number[];
  readonly split: TrafficModel["split"];
}

/**
 * The benchmark's catalog of models built on `base`. Parameters are the issue's departures
 * (issue 18's table) plus time-varying load, bursts, ramps, low traffic and a combination;
 * they were fixed before any judge was run on them.
 */
export function trafficModels(base: ModelBase): TrafficModel[] {
  const m = (over: Partial<TrafficModel> & { name: string; description: string }): TrafficModel => ({
    ...base,
    ...over,
  });
  return [
    m({
      name: "independent",
      description:
        "every request an independent draw, one rate per arm (the e-processes' own model; control)",
    }),
    m({
      name: "overdispersed-icc0.01",
      description: "per-minute error rate ~ Beta, intra-minute correlation 0.01, independent per arm",
      overdispersion: { icc: 0.01, shared: false },
    }),
    m({
      name: "overdispersed-icc0.05",
      description: "per-minute error rate ~ Beta, intra-minute correlation 0.05, independent per arm",
      overdispersion: { icc: 0.05, shared: false },
    }),
    m({
      name: "overdispersed-shared",
      description: "per-minute error rate ~ Beta, intra-minute correlation 0.05, the same draw for both arms",
      overdispersion: { icc: 0.05, shared: true },
    }),
    m({
      name: "pods-5-sd0.1",
      description: "5 pods per arm, pod error rate and latency scale lognormal sd 0.1",
      pods: { canary: 5, stable: 5, errorSd: 0.1, latencySd: 0.1 },
    }),
    m({
      name: "pods-2-sd0.3",
      description: "2 pods per arm, pod error rate and latency scale lognormal sd 0.3",
      pods: { canary: 2, stable: 2, errorSd: 0.3, latencySd: 0.3 },
    }),
    m({
      name: "latency-noisy-neighbour",
      description: "per-minute latency shift lognormal sd 0.1, independent per arm",
      latencyShift: { sd: 0.1, shared: false },
    }),
    m({
      name: "latency-shared-gc",
      description:
        "per-minute latency shift sd 0.3 shared by both arms, 2 % GC minutes (latency ×1.5, errors ×3); median 70 ms so the latency SLO is met on average",
      latency: { body: { median: 0.07, sigma: base.latency.body.sigma } },
      latencyShift: {
        sd: 0.3,
        shared: true,
        gc: { probability: 0.02, latencyScale: 1.5, errorMultiplier: 3 },
      },
    }),
    m({
      name: "diurnal",
      description:
        "load 1 ± 0.5 over 24 h (starting at the rise), error rate ∝ load, latency ∝ load^0.3; median 70 ms so the latency SLO is met on average",
      latency: { body: { median: 0.07, sigma: base.latency.body.sigma } },
      diurnal: { amplitude: 0.5, periodSeconds: 86400, phase: 0, errorElasticity: 1, latencyElasticity: 0.3 },
    }),
    m({
      name: "bursty",
      description:
        "per-minute load ~ Gamma(shape 2) shared (CV 0.71), error rate ∝ load, latency ∝ load^0.3; median 70 ms so the latency SLO is met on average",
      latency: { body: { median: 0.07, sigma: base.latency.body.sigma } },
      bursts: { shape: 2, errorElasticity: 1, latencyElasticity: 0.3 },
    }),
    m({
      name: "ramp",
      description: "canary share ramps linearly 1 % → 50 % over the first 60 minutes",
      split: [
        { at: 0, canaryWeight: 0.01 },
        { at: 3600, canaryWeight: 0.5 },
      ],
      ramp: true,
    }),
    m({
      name: "low-traffic",
      description: "2 requests per second in total",
      requestsPerSecond: 2,
    }),
    m({
      name: "combined",
      description:
        "3 pods per arm sd 0.15, intra-minute correlation 0.01 per arm, noisy neighbour sd 0.1, diurnal load, bursts (shape 4); median 65 ms so the latency SLO is met on average",
      latency: { body: { median: 0.065, sigma: base.latency.body.sigma } },
      pods: { canary: 3, stable: 3, errorSd: 0.15, latencySd: 0.15 },
      overdispersion: { icc: 0.01, shared: false },
      latencyShift: { sd: 0.1, shared: false },
      diurnal: { amplitude: 0.5, periodSeconds: 86400, phase: 0, errorElasticity: 1, latencyElasticity: 0.3 },
      bursts: { shape: 4, errorElasticity: 1, latencyElasticity: 0.3 },
    }),
  ];
}

/** The canary's share at time t (seconds since start). */
export function modelCanaryWeight(model: TrafficModel, t: number): number {
  const pts = model.split;
  if (pts.length === 0) return 0;
  let w = pts[0]?.canaryWeight ?? 0;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i];
    if (!p || p.at > t) break;
    w = p.canaryWeight;
    const q = pts[i + 1];
    if (model.ramp && q && q.at > t)
      w = p.canaryWeight + ((q.canaryWeight - p.canaryWeight) * (t - p.at)) / (q.at - p.at);
  }
  return Math.min(1, Math.max(0, w));
}
