/**
 * @module stats/mann-whitney
 * The Mann-Whitney U test (Wilcoxon rank-sum), matching `scipy.stats.mannwhitneyu`:
 * U is the statistic of the first sample (U₁ = R₁ − n₁(n₁+1)/2, so U₁/(n₁n₂) estimates
 * P(X > Y) + ½P(X = Y)); the exact null distribution for small tie-free samples; otherwise the
 * normal approximation with the tie-corrected variance and a continuity correction.
 * Pure.
 */
import { midRanks, tieTerm } from "./ranks.ts";
import { normalSf } from "./special.ts";

/** Alternative hypothesis about the first sample relative to the second. */
export type Alternative = "two-sided" | "less" | "greater";

export interface MannWhitneyOptions {
  /** Default `two-sided`. `greater`: x tends to be larger than y. */
  readonly alternative?: Alternative;
  /**
   * `exact` uses the permutation distribution (no ties allowed: falls back to asymptotic);
   * `auto` (default) uses it when both samples have ≤ 8 values and no ties, like SciPy.
   */
  readonly method?: "auto" | "exact" | "asymptotic";
  /** Continuity correction in the normal approximation. Default true. */
  readonly continuity?: boolean;
}

export interface MannWhitneyResult {
  /** U of the first sample. */
  readonly u: number;
  readonly p: number;
  /** Standardized U₁ (with continuity correction toward the mean); null for the exact method. */
  readonly z: number | null;
  readonly method: "exact" | "asymptotic";
  readonly n1: number;
  readonly n2: number;
  /** Common-language effect size U₁/(n₁n₂). */
  readonly effect: number;
}

/**
 * P(U = u) for u = 0..m·n under the null, samples of sizes m and n without ties: the
 * coefficients of the Gaussian binomial [m+n choose m]_q divided by C(m+n, m).
 */
export function exactUDistribution(m: number, n: number): Float64Array {
  const max = m * n;
  const c = new Float64Array(max + 1);
  c[0] = 1;
  // Π_{i=1..m} (1 − q^{n+i}) / (1 − q^i), built as polynomial products and divisions.
  for (let i = 1; i <= m; i++) {
    const k = n + i;
    for (let u = max; u >= k; u--) c[u] = (c[u] ?? 0) - (c[u - k] ?? 0);
    for (let u = i; u <= max; u++) c[u] = (c[u] ?? 0) + (c[u - i] ?? 0);
  }
  let total = 0;
  for (let u = 0; u <= max; u++) total += c[u] ?? 0;
  for (let u = 0; u <= max; u++) c[u] = (c[u] ?? 0) / total;
  return c;
}

/** P(U ≥ k) from an exact distribution. */
function exactSf(dist: Float64Array, k: number): number {
  let s = 0;
  for (let u = Math.max(0, Math.ceil(k)); u < dist.length; u++) s += dist[u] ?? 0;
  return Math.min(1, s);
}

/**
 * Normal-approximation p-value of a U statistic given the tie term Σ(t³ − t), shared with the
 * binned variant. Returns p and the standardized U₁.
 */
export function mannWhitneyNormalP(
  u1: number,
  n1: number,
  n2: number,
  tieSum: number,
  alternative: Alternative,
  continuity: boolean,
): { p: number; z: number } {
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - (n > 1 ? tieSum / (n * (n - 1)) : 0));
  const s = Math.sqrt(Math.max(0, variance));
  const u2 = n1 * n2 - u1;
  const cc = continuity ? 0.5 : 0;
  const zSigned = s > 0 ? (u1 - mu - Math.sign(u1 - mu) * Math.min(cc, Math.abs(u1 - mu))) / s : 0;
  if (!(s > 0)) return { p: 1, z: 0 };
  let u: number;
  let f: number;
  if (alternative === "greater") [u, f] = [u1, 1];
  else if (alternative === "less") [u, f] = [u2, 1];
  else [u, f] = [Math.max(u1, u2), 2];
  const z = (u - mu - cc) / s;
  return { p: Math.min(1, Math.max(0, f * normalSf(z))), z: zSigned };
}

/** Mann-Whitney U test of `x` against `y`. Empty samples give p = 1 (no evidence). */
export function mannWhitneyU(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: MannWhitneyOptions = {},
): MannWhitneyResult {
  const alternative = options.alternative ?? "two-sided";
  const continuity = options.continuity ?? true;
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) {
    return { u: 0, p: 1, z: null, method: "asymptotic", n1, n2, effect: 0.5 };
  }
  const pooled = new Float64Array(n1 + n2);
  for (let i = 0; i < n1; i++) pooled[i] = x[i] ?? 0;
  for (let i = 0; i < n2; i++) pooled[n1 + i] = y[i] ?? 0;
  const { ranks, ties } = midRanks(pooled);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i] ?? 0;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const effect = u1 / (n1 * n2);
  const method = options.method ?? "auto";
  const exact =
    ties.length === 0 && (method === "exact" || (method === "auto" && n1 <= 8 && n2 <= 8)) && n1 * n2 <= 1e6;
  if (exact) {
    const dist = exactUDistribution(Math.min(n1, n2), Math.max(n1, n2));
    const u2 = n1 * n2 - u1;
    let p: number;
    if (alternative === "greater") p = exactSf(dist, u1);
    else if (alternative === "less") p = exactSf(dist, u2);
    else p = Math.min(1, 2 * exactSf(dist, Math.max(u1, u2)));
    return { u: u1, p, z: null, method: "exact", n1, n2, effect };
  }
  const { p, z } = mannWhitneyNormalP(u1, n1, n2, tieTerm(ties), alternative, continuity);
  return { u: u1, p, z, method: "asymptotic", n1, n2, effect };
}
