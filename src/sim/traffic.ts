/**
 * @module sim/traffic
 * Count-level draws of one arm's requests over a time interval: total ~ Poisson(expected),
 * 5xx ~ Binomial(total, errorRatio), 4xx ~ Binomial(rest, ·), per-bucket latency counts ~
 * Multinomial(total, exact bucket probabilities). Intervals that cross a split or behaviour
 * change are cut into constant pieces. O(buckets) per draw whatever the traffic. Pure.
 */
import { bucketProbabilities } from "./latency.ts";
import { sampleBinomial, sampleMultinomial, samplePoisson, type Rng } from "./random.ts";
import {
  armWeightAt,
  behaviourAt,
  changePoints,
  type ArmBehaviour,
  type Scenario,
  type SimArm,
} from "./scenario.ts";

/** Requests of one arm over an interval, as counts. */
export interface IntervalCounts {
  /** All requests. */
  total: number;
  /** 5xx responses (the bad events of the error-rate SLI). */
  bad: number;
  /** 4xx responses (not bad). */
  clientErrors: number;
  /** De-cumulated latency histogram, one count per scenario bucket (sums to `total`). */
  buckets: number[];
}

/** Zero counts with `n` buckets. */
export function emptyCounts(n: number): IntervalCounts {
  return { total: 0, bad: 0, clientErrors: 0, buckets: new Array<number>(n).fill(0) };
}

/** Adds `b` into `a` in place. */
export function addCounts(a: IntervalCounts, b: IntervalCounts): void {
  a.total += b.total;
  a.bad += b.bad;
  a.clientErrors += b.clientErrors;
  for (let i = 0; i < a.buckets.length; i++) a.buckets[i] = (a.buckets[i] ?? 0) + (b.buckets[i] ?? 0);
}

/** Draws counts of `n` requests (known total) with the given behaviour. */
export function drawRequests(
  rng: Rng,
  n: number,
  behaviour: ArmBehaviour,
  probs: readonly number[],
): IntervalCounts {
  const bad = sampleBinomial(rng, n, behaviour.errorRatio);
  const rest = n - bad;
  const c = behaviour.clientErrorRatio ?? 0;
  const clientErrors =
    c > 0 ? sampleBinomial(rng, rest, Math.min(1, c / Math.max(1e-300, 1 - behaviour.errorRatio))) : 0;
  return { total: n, bad, clientErrors, buckets: sampleMultinomial(rng, n, probs) };
}

/** Caches bucket probabilities per behaviour object. */
export class BucketCache {
  readonly #map = new Map<ArmBehaviour, number[]>();
  readonly #bounds: readonly number[];
  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
  }
  /** Exact bucket probabilities of `b`'s latency model. */
  get(b: ArmBehaviour): number[] {
    let p = this.#map.get(b);
    if (!p) {
      p = bucketProbabilities(b.latency, this.#bounds);
      this.#map.set(b, p);
    }
    return p;
  }
}

/**
 * Draws an arm's requests over (from, to] (seconds since start), scaled by `share` (the
 * fraction of the arm's traffic this draw covers, e.g. 1/pods for one pod).
 */
export function drawInterval(
  rng: Rng,
  s: Scenario,
  arm: SimArm,
  from: number,
  to: number,
  cache: BucketCache,
  share = 1,
): IntervalCounts {
  const out = emptyCounts(s.buckets.length);
  const cuts = [from, ...changePoints(s, from, to), to];
  for (let i = 1; i < cuts.length; i++) {
    const a = cuts[i - 1] ?? from;
    const b = cuts[i] ?? to;
    const mid = (a + b) / 2;
    const mean = s.requestsPerSecond * armWeightAt(s, arm, mid) * (b - a) * share;
    const n = samplePoisson(rng, mean);
    if (n === 0) continue;
    const beh = behaviourAt(s[arm], mid);
    addCounts(out, drawRequests(rng, n, beh, cache.get(beh)));
  }
  return out;
}
