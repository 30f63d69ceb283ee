/**
 * @module stats/fisher-exact
 * Fisher's exact test of a 2×2 table [[a, b], [c, d]] (rows: arms; columns: bad, good), as
 * `scipy.stats.fisher_exact`: the hypergeometric distribution of `a` given the margins;
 * `greater` tests a larger odds ratio; two-sided sums the tables no more likely than the
 * observed one (relative tolerance 1e-7). Pure.
 */
import type { Alternative } from "./mann-whitney.ts";
import { logChoose } from "./special.ts";

export interface FisherExactResult {
  /** Sample odds ratio ad/(bc) (Infinity when bc = 0 < ad, NaN when both are 0). */
  readonly oddsRatio: number;
  readonly p: number;
}

/** Fisher's exact test; counts are rounded to integers and negatives clamped to 0. */
export function fisherExact(
  table: readonly [readonly [number, number], readonly [number, number]],
  alternative: Alternative = "two-sided",
): FisherExactResult {
  const [[a0, b0], [c0, d0]] = table;
  const a = Math.max(0, Math.round(a0));
  const b = Math.max(0, Math.round(b0));
  const c = Math.max(0, Math.round(c0));
  const d = Math.max(0, Math.round(d0));
  const oddsRatio = b * c === 0 ? (a * d === 0 ? Number.NaN : Infinity) : (a * d) / (b * c);
  const row1 = a + b;
  const col1 = a + c;
  const n = a + b + c + d;
  const lo = Math.max(0, col1 - (n - row1));
  const hi = Math.min(row1, col1);
  const logDenom = logChoose(n, col1);
  const pmf = (k: number): number => Math.exp(logChoose(row1, k) + logChoose(n - row1, col1 - k) - logDenom);
  if (n === 0 || lo === hi) return { oddsRatio, p: 1 };
  let p = 0;
  if (alternative === "greater") p = upperTail(pmf, a, lo, hi, ((row1 + 1) * (col1 + 1)) / (n + 2));
  else if (alternative === "less")
    p = upperTail((k) => pmf(-k), -a, -hi, -lo, -((row1 + 1) * (col1 + 1)) / (n + 2));
  else {
    const obs = pmf(a) * (1 + 1e-7);
    for (let k = lo; k <= hi; k++) {
      const q = pmf(k);
      if (q <= obs) p += q;
    }
  }
  return { oddsRatio, p: Math.min(1, p) };
}

/**
 * P(X ≥ a) of a unimodal pmf on [lo, hi] with its mode near `mode`: the shorter way round —
 * the upper tail when a is past the mode, else 1 − P(X < a) — and each sum walks away from the
 * mode, stopping once a term is below 1e-17 of the sum (the terms only decrease from there, so
 * what is left cannot change the double). O(√variance) terms instead of O(hi − lo).
 */
function upperTail(pmf: (k: number) => number, a: number, lo: number, hi: number, mode: number): number {
  const sumFrom = (from: number, to: number, step: 1 | -1): number => {
    let s = 0;
    for (let k = from; step > 0 ? k <= to : k >= to; k += step) {
      const q = pmf(k);
      s += q;
      if (q < s * 1e-17 && (step > 0 ? k > mode : k < mode)) break;
    }
    return s;
  };
  if (a >= mode) return sumFrom(a, hi, 1);
  return 1 - sumFrom(a - 1, lo, -1);
}
