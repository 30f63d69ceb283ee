/**
 * @module stats/binomial-interval
 * Confidence intervals for a binomial proportion k/n, as `scipy.stats.binomtest(k, n)
 * .proportion_ci(confidence_level, method)`: Wilson's score interval (no continuity
 * correction) and the Clopper-Pearson "exact" interval from Beta quantiles. Pure.
 */
import { betaQuantile, normalQuantile } from "./special.ts";

export interface ProportionInterval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

function clean(k: number, n: number): { k: number; n: number } | null {
  if (!(n > 0) || !Number.isFinite(n) || !Number.isFinite(k)) return null;
  return { k: Math.min(Math.max(0, k), n), n };
}

const EMPTY: ProportionInterval = { estimate: Number.NaN, lower: 0, upper: 1 };

/** The two-sided 95 % normal quantile (the default level, asked for at every look). */
const Z95 = normalQuantile(1 - (1 - 0.95) / 2);

/** Wilson score interval; two-sided at `confLevel` (default 0.95). n = 0 gives [0, 1]. */
export function wilsonInterval(k0: number, n0: number, confLevel = 0.95): ProportionInterval {
  const c = clean(k0, n0);
  if (!c) return EMPTY;
  const { k, n } = c;
  const z = confLevel === 0.95 ? Z95 : normalQuantile(1 - (1 - confLevel) / 2);
  const z2 = z * z;
  const center = (k + z2 / 2) / (n + z2);
  const half = (z * Math.sqrt((k * (n - k)) / n + z2 / 4)) / (n + z2);
  return { estimate: k / n, lower: Math.max(0, center - half), upper: Math.min(1, center + half) };
}

/** Clopper-Pearson interval; two-sided at `confLevel` (default 0.95). n = 0 gives [0, 1]. */
export function clopperPearsonInterval(k0: number, n0: number, confLevel = 0.95): ProportionInterval {
  const c = clean(k0, n0);
  if (!c) return EMPTY;
  const { k, n } = c;
  const a = (1 - confLevel) / 2;
  return {
    estimate: k / n,
    lower: k === 0 ? 0 : betaQuantile(a, k, n - k + 1),
    upper: k === n ? 1 : betaQuantile(1 - a, k + 1, n - k),
  };
}
