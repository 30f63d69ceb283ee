/**
 * @module judge/tail-boundaries
 * The histogram boundaries the latency relative check compares the arms at. A latency
 * regression moves requests across every bucket boundary near the SLO threshold, not only the
 * one at the threshold; boundaries below the threshold see several times more requests above
 * them, so together they carry much more evidence than the threshold's slow count alone.
 * The set is fixed from the SLO and the bucket layout at the analysis' first look (never from
 * the counts): every finite boundary b with T/2 ≤ b ≤ 1.5·T, T = the SLO's latency threshold.
 * Pure.
 */

/** Lowest boundary used, as a fraction of the SLO threshold. */
export const TAIL_FROM = 0.5;
/** Highest boundary used, as a multiple of the SLO threshold. */
export const TAIL_TO = 1.5;

/**
 * Finite bucket boundaries within [TAIL_FROM·T, TAIL_TO·T], ascending; empty when the layout
 * has none (the check then falls back to the slow count at the threshold).
 */
export function tailBoundaries(bounds: readonly number[], thresholdSeconds: number): number[] {
  if (!(thresholdSeconds > 0) || !Number.isFinite(thresholdSeconds)) return [];
  const lo = thresholdSeconds * TAIL_FROM * (1 - 1e-9);
  const hi = thresholdSeconds * TAIL_TO * (1 + 1e-9);
  return bounds.filter((b) => Number.isFinite(b) && b >= lo && b <= hi);
}

/**
 * Requests above each boundary (in buckets whose upper bound is greater than it) and the
 * histogram's total, from de-cumulated bucket counts. `null` when a boundary is not one of the
 * histogram's bounds (a different bucket layout).
 */
export function countsAbove(
  hist: { readonly bounds: readonly number[]; readonly counts: readonly number[] },
  boundaries: readonly number[],
): { above: number[]; total: number } | null {
  let total = 0;
  for (const c of hist.counts) total += c;
  const above: number[] = [];
  for (const b of boundaries) {
    const i = hist.bounds.indexOf(b);
    if (i < 0) return null;
    let s = 0;
    for (let j = i + 1; j < hist.counts.length; j++) s += hist.counts[j] ?? 0;
    above.push(s);
  }
  return { above, total };
}
