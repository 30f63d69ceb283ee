/**
 * @module stats/cdf-band
 * A time-uniform confidence band for a distribution function (Howard & Ramdas 2022,
 * "Sequential estimation of quantiles with applications to A/B-testing and best-arm
 * identification", Theorem 2): for i.i.d. observations with any CDF F, with probability
 * ≥ 1 − α, simultaneously for all t ≥ 1 and all x,
 *   |F̂_t(x) − F(x)| ≤ 0.85 · sqrt((log log(e·t) + 0.8 · log(1612/α)) / t).
 * It holds at histogram bucket boundaries exactly (F̂_t there is the exact empirical CDF), so
 * two arms can be compared boundary by boundary at every look without paying for peeking.
 * Pure.
 */

/** Half-width of the band after t observations at level α. Infinity for t < 1. */
export function cdfBandWidth(t: number, alpha: number): number {
  if (!(t >= 1) || !(alpha > 0 && alpha < 1)) return Infinity;
  return 0.85 * Math.sqrt((Math.log(Math.log(Math.E * t)) + 0.8 * Math.log(1612 / alpha)) / t);
}

/** Empirical CDF at each bucket's upper bound from de-cumulated counts. */
export function empiricalCdf(counts: readonly number[]): { cdf: number[]; total: number } {
  let total = 0;
  for (const c of counts) total += Math.max(0, c);
  const cdf: number[] = [];
  let cum = 0;
  for (const c of counts) {
    cum += Math.max(0, c);
    cdf.push(total > 0 ? cum / total : 0);
  }
  return { cdf, total };
}
