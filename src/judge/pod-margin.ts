/**
 * @module judge/pod-margin
 * Pods are units: two arms of identical code differ by the pods' persistent offsets (node,
 * warm-up, cache), which no per-step dispersion sees and which do not average away with 2–5
 * pods. When the look carries per-pod counts, the spread of log bad rates between pods of the
 * same arm (pooled over both arms: a canary effect common to all its pods does not change it)
 * gives σ̂², the between-pod variance beyond binomial noise; the arms' realized rate ratio of
 * identical code is then ≈ lognormal with variance σ²(1/k_c + 1/k_s), and the relative check's
 * null ratio is widened to r₀·exp(z·σ̂·√(1/k_c + 1/k_s)). σ̂ comes from the cumulative per-pod
 * counts including the current look: the within-arm deviations are (under the normal
 * approximation of log rates, exactly by Cochran's theorem) independent of the between-arm
 * contrast the relative check tests, so the margin is not chosen from the evidence it is
 * applied to — and waiting a look would let the first look fail on pod offsets alone. Pure.
 */
import { tQuantile } from "../stats/special.ts";

/** Memo of `podZ` by degrees of freedom and level (pure: a cache of a deterministic function). */
const Z_BY_DF = new Map<string, number>();

/**
 * Share of a check's α that its pod margin gets once the looks carry per-pod counts. The margin
 * is allowed to miss (identical code's pods differ by more than it allows) with probability
 * POD_SHARE·α, and the check's e-process then crosses at 1/((1 − POD_SHARE)·α): the two add up
 * to the check's α. The resource judge (resource-judge.ts) splits its relative α with it too.
 */
export const POD_SHARE = 0.5;

/**
 * A check's α once per-pod counts have been read (`podsRead`, sticky from the first look that
 * had them): `test` for its e-process (or band), `level` for its pod margin (one-sided). Without
 * pods the whole α goes to the test and there is no margin.
 */
export function podSplit(alpha: number, podsRead: boolean): { test: number; level: number } {
  if (!podsRead) return { test: alpha, level: 1 };
  return { test: alpha * (1 - POD_SHARE), level: 1 - alpha * POD_SHARE };
}

/**
 * The margin's multiplier of σ̂: Student's t quantile at `level` with the pooled degrees of
 * freedom (k_c − 1) + (k_s − 1), since σ̂ is estimated from that few pods (at level 0.99:
 * 6.96 for 2 + 2 pods, 2.90 for 5 + 5; the normal 2.33 with many).
 */
export function podZ(kc: number, ks: number, level: number): number {
  const df = Math.max(0, kc - 1) + Math.max(0, ks - 1);
  if (!(df > 0) || !(level > 0.5 && level < 1)) return Number.NaN;
  const key = `${df}:${level}`;
  let z = Z_BY_DF.get(key);
  if (z === undefined) {
    z = tQuantile(level, df);
    if (Z_BY_DF.size < 4096) Z_BY_DF.set(key, z);
  }
  return z;
}

/** A pod's cumulative bad and total counts. */
export interface PodCount {
  readonly bad: number;
  readonly total: number;
}

/**
 * Between-pod variance of log bad rates, pooled within arms, beyond binomial noise
 * (method of moments, ≥ 0); null when fewer than 2 pods with traffic in both arms together
 * leave no degree of freedom.
 */
export function podLogVariance(arms: readonly (readonly PodCount[])[]): number | null {
  let ss = 0;
  let noise = 0;
  let df = 0;
  for (const pods of arms) {
    const used = pods.filter((p) => p.total > 0);
    const k = used.length;
    if (k < 2) continue;
    const logs = used.map((p) => Math.log((p.bad + 0.5) / (p.total + 1)));
    const mean = logs.reduce((a, b) => a + b, 0) / k;
    for (const l of logs) ss += (l - mean) * (l - mean);
    for (const p of used) noise += (1 / (p.bad + 0.5) - 1 / (p.total + 1)) * (1 - 1 / k);
    df += k - 1;
  }
  if (df === 0) return null;
  return Math.max(0, (ss - noise) / df);
}

/**
 * Largest factor on r₀. Beyond it the relative check cannot tell anything anyway (one arm would
 * need 50× the other's bad rate), and split probabilities θ that round to 1 lose all precision.
 */
export const MAX_POD_FACTOR = 50;

/**
 * The factor on r₀: exp(z·σ̂·√(1/k_c + 1/k_s)), z = `podZ` at `level`, at most MAX_POD_FACTOR;
 * 1 without a usable estimate or without a margin (level 1).
 */
export function podMarginFactor(
  logVariance: number | null | undefined,
  kc: number,
  ks: number,
  level: number,
): number {
  if (logVariance === null || logVariance === undefined || !(logVariance > 0) || !(kc > 0 && ks > 0))
    return 1;
  if (!(level < 1)) return 1;
  const f = Math.exp(podZ(kc, ks, level) * Math.sqrt(logVariance * (1 / kc + 1 / ks)));
  return Number.isFinite(f) ? Math.min(MAX_POD_FACTOR, f) : MAX_POD_FACTOR;
}

/** Between-pod variance of log latency (log of each pod's median), pooled within arms; no noise correction. */
export function podLatencyLogVariance(arms: readonly (readonly number[])[]): number | null {
  let ss = 0;
  let df = 0;
  for (const meds of arms) {
    const logs = meds.filter((m) => m > 0 && Number.isFinite(m)).map((m) => Math.log(m));
    const k = logs.length;
    if (k < 2) continue;
    const mean = logs.reduce((a, b) => a + b, 0) / k;
    for (const l of logs) ss += (l - mean) * (l - mean);
    df += k - 1;
  }
  return df === 0 ? null : ss / df;
}

/**
 * The limit an arm's realized bad ratio is compared with when its k pods are a sample of the
 * code's pods: L shifted up on the log-odds scale by z·σ̂/√k, z = `podZ` at `level` of the pods
 * σ̂ came from (the SLO is the code's, over all pods; k pods of it can be that much worse by
 * chance). L itself without a usable estimate or without a margin (level 1).
 */
export function podLimit(
  limit: number,
  logVariance: number | null | undefined,
  k: number,
  kOther: number,
  level: number,
): number {
  if (logVariance === null || logVariance === undefined || !(logVariance > 0) || !(k > 0)) return limit;
  if (!(level < 1)) return limit;
  const o = Math.log(limit) - Math.log1p(-limit) + podZ(k, kOther, level) * Math.sqrt(logVariance / k);
  return 1 / (1 + Math.exp(-o));
}
