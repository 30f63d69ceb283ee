/**
 * @module sim/scenario
 * The shape of a synthetic canary scenario and the deterministic functions of time derived
 * from it: the canary's traffic share, each arm's behaviour at time t and its expected request
 * count over an interval. Times are seconds relative to the analysis start (t = 0 is when the
 * canary is deployed); negative times are history, before the canary existed. Pure.
 */
import { DEFAULT_BUCKETS, bucketProbabilities, type LatencyModel } from "./latency.ts";

/** How an arm's requests behave (the truth a judge should recover). */
export interface ArmBehaviour {
  /** Probability that a request fails with a 5xx (`code="500"`): the SLI's bad events. */
  readonly errorRatio: number;
  /** Probability that a request gets a 4xx (`code="404"`): not bad, but present. Default 0. */
  readonly clientErrorRatio?: number;
  readonly latency: LatencyModel;
}

/** One arm (canary or stable) of a scenario. */
export interface ArmModel {
  /** Value of `rollouts_pod_template_hash` on this arm's series. */
  readonly hash: string;
  /** Pods serving the arm. 0 means the arm exports no series at all ("no data"). */
  readonly pods: number;
  readonly behaviour: ArmBehaviour;
  /** Behaviour changes at times `at` (seconds since start), ascending. */
  readonly changes?: readonly { readonly at: number; readonly behaviour: ArmBehaviour }[];
  /** Pod restarts (counter resets): pod index (0-based) and time in seconds since start. */
  readonly restarts?: readonly { readonly pod: number; readonly at: number }[];
}

/** A whole scenario: traffic, split over time, both arms, scrape settings. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Value of the `service` label. */
  readonly service: string;
  /** Total request rate over both arms, requests per second. */
  readonly requestsPerSecond: number;
  /**
   * The canary's share of traffic as a step function: from `at` (seconds since start) on, the
   * canary gets `canaryWeight` (0..1). Before t = 0 the canary does not exist (weight 0); from
   * 0 to the first step it gets the first step's weight.
   */
  readonly split: readonly { readonly at: number; readonly canaryWeight: number }[];
  /** Length of the analysis in seconds. */
  readonly durationSeconds: number;
  /** Stable-only traffic before t = 0 (for baselines), seconds. */
  readonly historySeconds: number;
  readonly scrapeIntervalSeconds: number;
  /** Histogram bucket upper bounds, ascending, `Infinity` last. */
  readonly buckets: readonly number[];
  readonly canary: ArmModel;
  readonly stable: ArmModel;
}

export type SimArm = "canary" | "stable";

/** The canary's traffic share at time t (seconds since start). */
export function canaryWeightAt(s: Scenario, t: number): number {
  if (t < 0 || s.split.length === 0) return 0;
  let w = s.split[0]?.canaryWeight ?? 0;
  for (const step of s.split) if (step.at <= t) w = step.canaryWeight;
  return Math.min(1, Math.max(0, w));
}

/** The arm's share of traffic at time t. */
export function armWeightAt(s: Scenario, arm: SimArm, t: number): number {
  const c = canaryWeightAt(s, t);
  return arm === "canary" ? c : 1 - c;
}

/** The arm's behaviour at time t (the last change with `at ≤ t`, else the base behaviour). */
export function behaviourAt(a: ArmModel, t: number): ArmBehaviour {
  let b = a.behaviour;
  for (const c of a.changes ?? []) if (c.at <= t) b = c.behaviour;
  return b;
}

/**
 * Times inside (from, to) where the split or either arm's behaviour changes; an interval cut
 * at these points has constant rate and behaviour on every piece.
 */
export function changePoints(s: Scenario, from: number, to: number): number[] {
  const pts = new Set<number>([0]);
  for (const st of s.split) pts.add(st.at);
  for (const a of [s.canary, s.stable]) for (const c of a.changes ?? []) pts.add(c.at);
  return [...pts].filter((p) => p > from && p < to).sort((x, y) => x - y);
}

/** Expected requests of `arm` over (from, to]. */
export function expectedRequests(s: Scenario, arm: SimArm, from: number, to: number): number {
  const cuts = [from, ...changePoints(s, from, to), to];
  let sum = 0;
  for (let i = 1; i < cuts.length; i++) {
    const a = cuts[i - 1] ?? from;
    const b = cuts[i] ?? to;
    sum += s.requestsPerSecond * armWeightAt(s, arm, (a + b) / 2) * (b - a);
  }
  return sum;
}

/** The exact truth of an arm at time t: error ratio and per-bucket probabilities. */
export function armTruthAt(
  s: Scenario,
  arm: SimArm,
  t: number,
): { errorRatio: number; bucketProbabilities: number[]; bounds: readonly number[] } {
  const b = behaviourAt(s[arm], t);
  return {
    errorRatio: b.errorRatio,
    bucketProbabilities: bucketProbabilities(b.latency, s.buckets),
    bounds: s.buckets,
  };
}

/** Validates a scenario; returns a list of problems (empty when fine). */
export function checkScenario(s: Scenario): string[] {
  const errs: string[] = [];
  if (!(s.requestsPerSecond >= 0)) errs.push("requestsPerSecond must be ≥ 0");
  if (!(s.scrapeIntervalSeconds > 0)) errs.push("scrapeIntervalSeconds must be > 0");
  if (!(s.durationSeconds > 0)) errs.push("durationSeconds must be > 0");
  if (!(s.historySeconds >= 0)) errs.push("historySeconds must be ≥ 0");
  const b = s.buckets;
  if (b.length === 0 || b[b.length - 1] !== Infinity) errs.push("buckets must end with Infinity");
  for (let i = 1; i < b.length; i++) if (!((b[i] ?? 0) > (b[i - 1] ?? 0))) errs.push("buckets must ascend");
  for (const arm of ["canary", "stable"] as const) {
    const a = s[arm];
    if (!Number.isInteger(a.pods) || a.pods < 0) errs.push(`${arm}.pods must be a non-negative integer`);
    for (const beh of [a.behaviour, ...(a.changes ?? []).map((c) => c.behaviour)]) {
      const e = beh.errorRatio;
      const c = beh.clientErrorRatio ?? 0;
      if (!(e >= 0 && c >= 0 && e + c <= 1)) errs.push(`${arm}: error ratios must be in [0, 1]`);
      if (!(beh.latency.body.median > 0)) errs.push(`${arm}: latency median must be > 0`);
    }
    for (const r of a.restarts ?? [])
      if (r.pod >= a.pods) errs.push(`${arm}: restart of pod ${r.pod} out of range`);
  }
  return errs;
}

export { DEFAULT_BUCKETS };
