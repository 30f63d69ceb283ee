/**
 * @module sim/looks
 * The fast count-level API for Monte Carlo: a scenario replayed as a sequence of looks, each
 * carrying the counts of both arms over the look's interval. No per-request loops: each look
 * costs a handful of Poisson/binomial draws per arm, so 2,000 analyses × 600 looks run in
 * seconds. Deterministic from the seed. Pure.
 *
 * ```ts
 * import { simulateLooks } from "./looks.ts";
 * import { SCENARIOS } from "./scenarios.ts";
 * for (const look of simulateLooks(SCENARIOS.healthy, { seed: 1, lookSeconds: 60, looks: 30 })) {
 *   look.t;               // seconds since start at the end of the look
 *   look.canaryShare;     // canary's expected share of requests over the look (ρ)
 *   look.canary?.total;   // requests in (t − lookSeconds, t]; null if the canary has no pods
 *   look.stable?.buckets; // de-cumulated histogram over the scenario's buckets
 * }
 * ```
 */
import { createRng } from "./random.ts";
import { expectedRequests, type Scenario } from "./scenario.ts";
import { BucketCache, drawInterval, type IntervalCounts } from "./traffic.ts";

/** One look: increments over (t − lookSeconds, t]. */
export interface Look {
  /** Look index, 0-based. */
  readonly index: number;
  /** Seconds since the analysis start at the end of the look. */
  readonly t: number;
  /** The canary's expected share of all requests over this look (exposure ρ). */
  readonly canaryShare: number;
  /** `null` when the arm exports no series (0 pods): "no data", not zero traffic. */
  readonly canary: IntervalCounts | null;
  readonly stable: IntervalCounts | null;
}

export interface LookOptions {
  readonly seed: number | string;
  /** Interval between looks, seconds. */
  readonly lookSeconds: number;
  /** Number of looks. */
  readonly looks: number;
  /** Start of the first look, seconds since start (default 0). */
  readonly from?: number;
}

/** Replays `scenario` as `looks` consecutive intervals of `lookSeconds`. */
export function* simulateLooks(scenario: Scenario, opts: LookOptions): Generator<Look> {
  const rng = createRng(`${String(opts.seed)}/looks/${scenario.name}`);
  const cache = new BucketCache(scenario.buckets);
  const from0 = opts.from ?? 0;
  for (let i = 0; i < opts.looks; i++) {
    const from = from0 + i * opts.lookSeconds;
    const to = from + opts.lookSeconds;
    const ec = expectedRequests(scenario, "canary", from, to);
    const es = expectedRequests(scenario, "stable", from, to);
    yield {
      index: i,
      t: to,
      canaryShare: ec + es > 0 ? ec / (ec + es) : 0,
      canary: scenario.canary.pods > 0 ? drawInterval(rng, scenario, "canary", from, to, cache) : null,
      stable: scenario.stable.pods > 0 ? drawInterval(rng, scenario, "stable", from, to, cache) : null,
    };
  }
}
