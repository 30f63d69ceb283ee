/**
 * @module stats/betting-e-process
 * A betting e-process (Waudby-Smith & Ramdas 2023, "Estimating means of bounded random
 * variables by betting") for the one-sided null "the conditional mean of Y_t is ≤ 0" on
 * observations bounded in [−1, 1]. Wealth of a bettor who stakes the fraction λ of it on
 * Y_t > 0 at every step: K_t(λ) = Π_{s ≤ t} (1 + λ·Y_s). For λ ∈ [0, 1) each factor is
 * positive, and under the null E[1 + λY_t | past] = 1 + λ·E[Y_t | past] ≤ 1, so K_t(λ) is a
 * nonnegative supermartingale with K_0 = 1. A mixture over a fixed grid of λ with fixed
 * weights is one too, so by Ville's inequality P(sup_t E_t ≥ 1/α) ≤ α: a test that may be
 * looked at after every observation, and stopped at any time. The grid spares choosing λ: the
 * mixture is within log(grid size) nats of the best fixed λ in hindsight.
 *
 * The state is the log-wealth of every λ (plain numbers), so the process continues across
 * looks from a persisted state. Pure.
 */

/** The stakes of the mixture: 12 values log-spaced from 0.01 to 0.9, equal weights. */
export const BETTING_LAMBDAS: readonly number[] = Array.from(
  { length: 12 },
  (_, i) => 0.01 * Math.exp((i * Math.log(90)) / 11),
);

/** Log-wealth per stake, starting at 0 (wealth 1). */
export function initialLogWealth(lambdas: readonly number[] = BETTING_LAMBDAS): number[] {
  return lambdas.map(() => 0);
}

/**
 * Adds one observation `y` (clamped to [−1, 1]; a non-finite `y` adds nothing) to the
 * log-wealth of every stake. Returns a new array.
 */
export function addBet(
  logWealth: readonly number[],
  y: number,
  lambdas: readonly number[] = BETTING_LAMBDAS,
): number[] {
  if (!Number.isFinite(y)) return [...logWealth];
  const v = Math.max(-1, Math.min(1, y));
  return logWealth.map((w, i) => w + Math.log1p((lambdas[i] ?? 0) * v));
}

/** Log of the mixture's e-value: log of the mean wealth over the stakes (log-sum-exp). */
export function logMixtureWealth(logWealth: readonly number[]): number {
  if (logWealth.length === 0) return 0;
  const m = Math.max(...logWealth);
  if (!Number.isFinite(m)) return m;
  const s = logWealth.reduce((a, w) => a + Math.exp(w - m), 0);
  return m + Math.log(s / logWealth.length);
}

/**
 * The bounded score of a log ratio d (positive = worse than the null's boundary):
 * tanh(d / (2·scale)) ∈ (−1, 1). It is odd and increasing, so when d is conditionally
 * symmetric about a centre ≤ 0 its conditional mean is ≤ 0 — the null of the betting test.
 * At scale s it is (x − 1)/(x + 1) for x = e^{d/s}; `scale` sets which differences count as
 * "clearly worse" (d ≫ scale scores ≈ 1).
 */
export function logRatioScore(d: number, scale: number): number {
  if (!Number.isFinite(d)) return d > 0 ? 1 : d < 0 ? -1 : Number.NaN;
  return Math.tanh(d / (2 * scale));
}
