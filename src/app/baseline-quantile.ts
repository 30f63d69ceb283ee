/**
 * @module app/baseline-quantile
 * A quantile of a baseline's de-cumulated histogram, interpolated linearly inside the bucket
 * as `histogram_quantile` does (for display on dashboards, not for judging).
 */
import type { HistogramCounts } from "../domain/counts.ts";

/** The q-quantile (0 < q < 1) in seconds; undefined for an empty histogram. In the `+Inf` bucket it is the last finite bound. */
export function baselineQuantile(h: HistogramCounts, q: number): number | undefined {
  const total = h.counts.reduce((a, b) => a + b, 0);
  if (!(total > 0) || !(q > 0 && q < 1)) return undefined;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < h.bounds.length; i++) {
    const count = h.counts[i] ?? 0;
    const upper = h.bounds[i] ?? Infinity;
    const lower = i === 0 ? 0 : (h.bounds[i - 1] ?? 0);
    if (below + count >= rank && count > 0) {
      if (!Number.isFinite(upper)) return lower;
      return lower + ((upper - lower) * (rank - below)) / count;
    }
    below += count;
  }
  const lastFinite = [...h.bounds].reverse().find((b) => Number.isFinite(b));
  return lastFinite;
}
