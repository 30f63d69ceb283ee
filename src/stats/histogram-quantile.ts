/**
 * @module stats/histogram-quantile
 * Quantiles from classic histogram buckets with the interpolation rules of Prometheus 2.42's
 * `histogram_quantile` (promql/quantile.go `bucketQuantile`):
 * - q < 0 → −Inf, q > 1 → +Inf, q NaN → NaN; no `+Inf` bucket, fewer than 2 buckets, or
 *   zero observations → NaN;
 * - buckets sorted by upper bound, equal bounds merged, cumulative counts made monotonic;
 * - rank = q · total; the first bucket whose cumulative count ≥ rank (searching all but +Inf);
 * - rank falls in +Inf → the highest finite upper bound;
 * - lowest bucket with upper bound ≤ 0 → that upper bound; otherwise the lowest bucket
 *   interpolates from 0;
 * - else linear interpolation inside the bucket.
 * Pure.
 */
import type { HistogramCounts } from "../domain/counts.ts";

/** One cumulative bucket as Prometheus stores it (`le` and the count of requests ≤ le). */
export interface CumulativeBucket {
  readonly upperBound: number;
  readonly count: number;
}

/** `histogram_quantile(q, ...)` over cumulative buckets, in any order. */
export function histogramQuantileCumulative(q: number, input: readonly CumulativeBucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  // Merge buckets with the same upper bound (Prometheus' coalesceBuckets).
  const buckets: { upperBound: number; count: number }[] = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else buckets.push({ upperBound: b.upperBound, count: b.count });
  }
  const top = buckets[buckets.length - 1];
  if (!top || top.upperBound !== Infinity) return Number.NaN;
  if (buckets.length < 2) return Number.NaN;
  // ensureMonotonic
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count > max) max = b.count;
    else b.count = max;
  }
  const observations = top.count;
  if (!(observations > 0)) return Number.NaN;
  let rank = q * observations;
  let b = 0;
  while (b < buckets.length - 1 && (buckets[b]?.count ?? 0) < rank) b++;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]?.upperBound ?? Number.NaN;
  const cur = buckets[b];
  if (!cur) return Number.NaN;
  if (b === 0 && cur.upperBound <= 0) return cur.upperBound;
  let bucketStart = 0;
  let count = cur.count;
  if (b > 0) {
    const prev = buckets[b - 1];
    bucketStart = prev?.upperBound ?? 0;
    count -= prev?.count ?? 0;
    rank -= prev?.count ?? 0;
  }
  return bucketStart + (cur.upperBound - bucketStart) * (rank / count);
}

/** `histogram_quantile` over de-cumulated counts (the judge's `HistogramCounts`). */
export function histogramQuantile(q: number, h: HistogramCounts): number {
  const buckets: CumulativeBucket[] = [];
  let cum = 0;
  for (let i = 0; i < h.bounds.length; i++) {
    cum += Math.max(0, h.counts[i] ?? 0);
    buckets.push({ upperBound: h.bounds[i] ?? Number.NaN, count: cum });
  }
  return histogramQuantileCumulative(q, buckets);
}

/** Requests above `threshold` (strictly): the histogram's count above the largest bound ≤ threshold. */
export function countAbove(
  h: HistogramCounts,
  threshold: number,
): { above: number; total: number; bound: number } {
  let total = 0;
  let below = 0;
  let bound = -Infinity;
  for (let i = 0; i < h.bounds.length; i++) {
    const c = Math.max(0, h.counts[i] ?? 0);
    total += c;
    const ub = h.bounds[i] ?? Infinity;
    if (ub <= threshold) {
      below += c;
      bound = ub;
    }
  }
  return { above: total - below, total, bound };
}
