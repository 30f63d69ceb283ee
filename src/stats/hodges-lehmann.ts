/**
 * @module stats/hodges-lehmann
 * The Hodges-Lehmann estimate of the location shift between two samples (median of all
 * pairwise differences x_i − y_j) and its confidence interval by inverting the Mann-Whitney
 * test, as R's `wilcox.test(x, y, conf.int = TRUE)` computes it:
 * - exact (both samples < 50, no ties): order statistics of the pairwise differences at the
 *   `qwilcox(α/2)` positions;
 * - otherwise the normal approximation with tie and continuity corrections, solved for the
 *   shift d at which the standardized statistic of (x − d, y) equals ±z (R uses `uniroot`
 *   with tol 1e-4; we find the exact crossing, a pairwise difference, so results agree within
 *   that tolerance).
 * Order statistics of the pairwise differences come from a selection (`pairwise-select.ts`),
 * never from sorting all n·m of them.
 * Kayenta's judge uses the latter with 98 % confidence. Pure.
 */
import { exactUDistribution } from "./mann-whitney.ts";
import { kthPairwiseDifference } from "./pairwise-select.ts";
import { normalQuantile } from "./special.ts";

export interface HodgesLehmannResult {
  /**
   * The Hodges-Lehmann shift: the median of pairwise differences x_i − y_j. (R's asymptotic
   * branch reports a `uniroot` zero of the standardized statistic instead, an arbitrary point
   * of a flat region; we keep the estimator's definition unless `estimate: "root"`.)
   */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly method: "exact" | "asymptotic";
  readonly confLevel: number;
}

export interface HodgesLehmannOptions {
  /** Default 0.95. */
  readonly confLevel?: number;
  /** `auto` (default): exact when both samples have < 50 values and no ties (R's rule). */
  readonly method?: "auto" | "exact" | "asymptotic";
  /** Continuity correction in the asymptotic method. Default true. */
  readonly continuity?: boolean;
  /**
   * How the asymptotic method reports the estimate: `median` of pairwise differences (the
   * estimator's definition; default) or `root`, the zero of the standardized statistic as R's
   * `wilcox.test` (and Kayenta's port of it) computes it — O((n+m) log(n+m)) per evaluation
   * instead of sorting n·m differences.
   */
  readonly estimate?: "median" | "root";
}

/** Median of all pairwise differences x_i − y_j (by selection: O(n + m) memory). */
export function hodgesLehmannEstimate(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const nm = x.length * y.length;
  if (nm === 0) return Number.NaN;
  const xs = Float64Array.from(x).sort();
  const ys = Float64Array.from(y).sort();
  const mid = nm >> 1;
  return nm % 2 === 1
    ? kthPairwiseDifference(xs, ys, mid + 1)
    : (kthPairwiseDifference(xs, ys, mid) + kthPairwiseDifference(xs, ys, mid + 1)) / 2;
}

function hasTies(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  const all = Float64Array.from([...Array.from(x), ...Array.from(y)]).sort();
  for (let i = 1; i < all.length; i++) if (all[i] === all[i - 1]) return true;
  return false;
}

/**
 * The standardized statistic of (x − d) against y, minus zq (R's `wdiff`); non-increasing in
 * d. `x` and `y` must be sorted ascending: the mid-ranks then come from one merge walk.
 * The lower confidence bound exceeds c exactly when `standardizedShift(x, y, c, z) > 0`.
 */
export function standardizedShift(
  x: Float64Array,
  y: Float64Array,
  d: number,
  zq: number,
  continuity: boolean,
): number {
  const nx = x.length;
  const ny = y.length;
  let i = 0;
  let j = 0;
  let rankSum = 0;
  let below = 0;
  let tie = 0;
  while (i < nx || j < ny) {
    const xv = i < nx ? (x[i] ?? 0) - d : Infinity;
    const yv = j < ny ? (y[j] ?? 0) : Infinity;
    const v = Math.min(xv, yv);
    let a = 0;
    let b = 0;
    while (i < nx && (x[i] ?? 0) - d === v) {
      a++;
      i++;
    }
    while (j < ny && y[j] === v) {
      b++;
      j++;
    }
    if (a === 0 && b === 0) break;
    const t = a + b;
    rankSum += a * (below + (t + 1) / 2);
    below += t;
    tie += t * t * t - t;
  }
  const dz = rankSum - (nx * (nx + 1)) / 2 - (nx * ny) / 2;
  const correction = continuity ? Math.sign(dz) * 0.5 : 0;
  const n = nx + ny;
  const sigma = Math.sqrt(((nx * ny) / 12) * (n + 1 - tie / (n * (n - 1))));
  if (!(sigma > 0)) return Number.NaN;
  return (dz - correction) / sigma - zq;
}

/** Σ (t³ − t) over the groups of equal values of a sorted sample. */
function tieTerm(v: Float64Array): number {
  let tie = 0;
  for (let i = 0; i < v.length;) {
    let j = i + 1;
    while (j < v.length && v[j] === v[i]) j++;
    const t = j - i;
    tie += t * t * t - t;
    i = j;
  }
  return tie;
}

/**
 * The shift d where `standardizedShift(x, y, d, zq)` crosses 0 (x, y sorted ascending): the
 * boundary inf{d : statistic(d) ≤ 0}, which R's `uniroot` approximates (tol 1e-4).
 *
 * Exact, without bisection: between consecutive pairwise differences the statistic is
 * constant — U(d) = #{(i, j) : x_i − y_j > d}, the tie term holds only the ties within each
 * sample (σ₀) — and it is non-decreasing in U. So with c* the largest count c in 0…n·m whose
 * value (c − nm/2 − ½·sign(c − nm/2))/σ₀ − zq is ≤ 0, the boundary is the pairwise difference
 * of rank n·m − c* (`kthPairwiseDifference`): below it more than c* pairs exceed d, from it on
 * at most c*. The earlier bisection (to 1e-12 of the range, ≈ 40 walks over both samples)
 * converged to the same point; this takes about three walks.
 */
export function solveShift(x: Float64Array, y: Float64Array, zq: number, continuity = true): number {
  const nx = x.length;
  const ny = y.length;
  if (nx === 0 || ny === 0) return Number.NaN;
  const nm = nx * ny;
  const n = nx + ny;
  const tie = tieTerm(x) + tieTerm(y);
  const sigma = Math.sqrt(((nx * ny) / 12) * (n + 1 - tie / (n * (n - 1))));
  const lo = (x[0] ?? 0) - (y[ny - 1] ?? 0);
  const hi = (x[nx - 1] ?? 0) - (y[0] ?? 0);
  if (!(sigma > 0)) return Number.NaN;
  const value = (c: number): number => {
    const dz = c - nm / 2;
    return (dz - (continuity ? Math.sign(dz) * 0.5 : 0)) / sigma - zq;
  };
  // Largest c with value(c) ≤ 0 (value is non-decreasing in c); −1 when none.
  if (value(0) > 0) return hi;
  let a = 0;
  let b = nm + 1;
  while (b - a > 1) {
    const c = Math.floor((a + b) / 2);
    if (value(c) <= 0) a = c;
    else b = c;
  }
  if (a >= nm) return lo;
  return kthPairwiseDifference(x, y, nm - a);
}

/** Hodges-Lehmann shift of x relative to y with a two-sided confidence interval. */
export function hodgesLehmann(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: HodgesLehmannOptions = {},
): HodgesLehmannResult {
  const confLevel = options.confLevel ?? 0.95;
  const nx = x.length;
  const ny = y.length;
  const alpha = 1 - confLevel;
  if (nx === 0 || ny === 0) {
    return { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, method: "asymptotic", confLevel };
  }
  const method = options.method ?? "auto";
  const exact = !hasTies(x, y) && (method === "exact" || (method === "auto" && nx < 50 && ny < 50));
  if (exact) {
    const xs = Float64Array.from(x).sort();
    const ys = Float64Array.from(y).sort();
    const dist = exactUDistribution(Math.min(nx, ny), Math.max(nx, ny));
    let cum = 0;
    let qu = 0;
    for (; qu < dist.length; qu++) {
      cum += dist[qu] ?? 0;
      if (cum >= alpha / 2 - 1e-12) break;
    }
    if (qu === 0) qu = 1;
    const ql = nx * ny - qu;
    return {
      estimate: hodgesLehmannEstimate(x, y),
      lower: kthPairwiseDifference(xs, ys, qu),
      upper: kthPairwiseDifference(xs, ys, ql + 1),
      method: "exact",
      confLevel,
    };
  }
  const continuity = options.continuity ?? true;
  const z = normalQuantile(1 - alpha / 2);
  const xs = Float64Array.from(x).sort();
  const ys = Float64Array.from(y).sort();
  return {
    estimate: options.estimate !== "root" ? hodgesLehmannEstimate(xs, ys) : solveShift(xs, ys, 0, continuity),
    lower: solveShift(xs, ys, z, continuity),
    upper: solveShift(xs, ys, -z, continuity),
    method: "asymptotic",
    confLevel,
  };
}
