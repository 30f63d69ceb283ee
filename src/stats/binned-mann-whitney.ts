/**
 * @module stats/binned-mann-whitney
 * Mann-Whitney directly from histogram bucket counts: every request in a bucket is a tie at
 * the bucket's rank, so for per-bucket counts x_k (first arm) and y_k (second arm)
 *   U_x = Σ_k x_k · (Y_{<k} + y_k / 2),  CLES = U_x / (n_x n_y) = P(X > Y) + ½ P(X = Y),
 *   Var = n_x n_y / 12 · [(N + 1) − Σ_k (t_k³ − t_k) / (N (N − 1))],  t_k = x_k + y_k.
 * Identical to running the rank test on the expanded sample (one value per request at its
 * bucket index), in O(buckets). Fixed-horizon: reported as an effect size, not used to stop.
 * Pure.
 */
import { mannWhitneyNormalP, type Alternative } from "./mann-whitney.ts";

export interface BinnedMannWhitneyResult {
  readonly u: number;
  /** P(X > Y) + ½ P(X = Y): 0.5 means no shift; above 0.5 the first arm is slower. */
  readonly effect: number;
  readonly z: number;
  readonly p: number;
  readonly n1: number;
  readonly n2: number;
}

/** Rank test of the first arm's bucket counts against the second's (same buckets). */
export function binnedMannWhitney(
  x: readonly number[],
  y: readonly number[],
  options: { alternative?: Alternative; continuity?: boolean } = {},
): BinnedMannWhitneyResult {
  const k = Math.min(x.length, y.length);
  let n1 = 0;
  let n2 = 0;
  let u = 0;
  let yBelow = 0;
  let tie = 0;
  for (let i = 0; i < k; i++) {
    const a = Math.max(0, x[i] ?? 0);
    const b = Math.max(0, y[i] ?? 0);
    u += a * (yBelow + b / 2);
    yBelow += b;
    n1 += a;
    n2 += b;
    const t = a + b;
    tie += t * t * t - t;
  }
  if (n1 === 0 || n2 === 0) return { u: 0, effect: 0.5, z: 0, p: 1, n1, n2 };
  const { p, z } = mannWhitneyNormalP(
    u,
    n1,
    n2,
    tie,
    options.alternative ?? "two-sided",
    options.continuity ?? true,
  );
  return { u, effect: u / (n1 * n2), z, p, n1, n2 };
}
