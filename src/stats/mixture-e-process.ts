/**
 * @module stats/mixture-e-process
 * A one-sided, anytime-valid test for binomial evidence that arrives in intervals, each with
 * its own null success probability: the mixture-likelihood-ratio e-process
 *   E_t = Σ_g w_g Π_{intervals j ≤ t} (θ_{g,j}/θ_{0,j})^{k_j} ((1 − θ_{g,j})/(1 − θ_{0,j}))^{n_j − k_j}
 * over a fixed grid of alternatives g (prior weights w_g, Σ w_g = 1), where interval j brought
 * n_j trials with k_j successes, θ_{0,j} is the boundary null and θ_{g,j} > θ_{0,j} the
 * alternatives. Each factor has expectation ≤ 1 under any θ ≤ θ_{0,j} (it is linear in the true
 * θ, equal to 1 at θ_{0,j} and increasing), so E_t is a nonnegative supermartingale for the
 * whole one-sided null and Ville's inequality gives P(sup_t E_t ≥ 1/α) ≤ α: reject the first
 * time E_t ≥ 1/α, at any number of looks (derivation in docs/judge.md).
 *
 * Two uses in the judge:
 * - canary vs stable (rate ratio r): given an interval's bad events, each came from the canary
 *   with probability θ = ρr/(ρr + 1 − ρ), ρ = the canary's share of the interval's requests;
 *   the shared, unknown traffic level cancels; the null is r ≤ r₀ = 1 + margin;
 * - canary vs a fixed limit L on its bad ratio: θ = p per request, null p ≤ L.
 *
 * The state is the grid's cumulative log-likelihood ratios: plain numbers, JSON-serializable.
 * Pure.
 */

/** The alternatives: offsets x_g > 0 on a log scale above the null, with prior weights. */
export interface MixtureGrid {
  /** Offsets above the null, e.g. log(r/r₀) or logit(p) − logit(L). Ascending, > 0. */
  readonly offsets: readonly number[];
  /** log w_g; Σ w_g = 1. */
  readonly logWeights: readonly number[];
}

/**
 * The default prior: G points spread log-uniformly on [0.05, 3] with weights from a normal
 * density in log(x) centred at log(0.5) (σ = 0.8): most mass on alternatives 1.2× to 3.3× the
 * null ratio (or odds), the regressions a canary gate exists to catch, while keeping weight on
 * small (×1.05) and huge (×20) ones. Chosen before seeing any benchmark outcome of a given
 * stream; see docs/judge.md for the cost of a mis-centred prior.
 */
export function defaultMixtureGrid(points = 24): MixtureGrid {
  const lo = Math.log(0.05);
  const hi = Math.log(3);
  const offsets: number[] = [];
  const raw: number[] = [];
  for (let g = 0; g < points; g++) {
    const lx = lo + ((hi - lo) * g) / (points - 1);
    offsets.push(Math.exp(lx));
    const z = (lx - Math.log(0.5)) / 0.8;
    raw.push(-0.5 * z * z);
  }
  const m = Math.max(...raw);
  const sum = raw.reduce((s, v) => s + Math.exp(v - m), 0);
  return { offsets, logWeights: raw.map((v) => v - m - Math.log(sum)) };
}

/** Fresh cumulative log-likelihood ratios (all zero: E₀ = 1). */
export function initialLogRatios(grid: MixtureGrid): number[] {
  return grid.offsets.map(() => 0);
}

/**
 * Adds one interval's evidence: `k` successes out of `n`, boundary null `theta0` and the
 * alternatives `thetaAt(g)`. Returns new cumulative log-ratios (input is not modified).
 * Intervals with n = 0, or a degenerate null (θ₀ ∉ (0, 1)), add nothing.
 */
export function addInterval(
  logRatios: readonly number[],
  k: number,
  n: number,
  theta0: number,
  thetaAt: (g: number) => number,
): number[] {
  if (!(n > 0) || !(theta0 > 0 && theta0 < 1) || !(k >= 0) || k > n) return [...logRatios];
  const l0 = Math.log(theta0);
  const m0 = Math.log1p(-theta0);
  return logRatios.map((lr, g) => {
    const th = thetaAt(g);
    if (!(th > 0 && th < 1)) return lr;
    return lr + k * (Math.log(th) - l0) + (n - k) * (Math.log1p(-th) - m0);
  });
}

/** log E = log Σ_g w_g exp(logRatio_g), computed stably. */
export function logEValue(grid: MixtureGrid, logRatios: readonly number[]): number {
  let m = -Infinity;
  for (let g = 0; g < logRatios.length; g++)
    m = Math.max(m, (grid.logWeights[g] ?? -Infinity) + (logRatios[g] ?? 0));
  if (m === -Infinity) return 0;
  let s = 0;
  for (let g = 0; g < logRatios.length; g++)
    s += Math.exp((grid.logWeights[g] ?? -Infinity) + (logRatios[g] ?? 0) - m);
  return m + Math.log(s);
}

/** Success probability that an event came from the canary given exposure share ρ and rate ratio r. */
export function canaryEventProbability(rho: number, ratio: number): number {
  return (rho * ratio) / (rho * ratio + 1 - rho);
}

/** logistic(logit(p) + x): p shifted by x on the log-odds scale. */
export function shiftOdds(p: number, x: number): number {
  const o = Math.log(p) - Math.log1p(-p) + x;
  return 1 / (1 + Math.exp(-o));
}

/**
 * log of the equally weighted mean of several mixture e-values, log((1/B) Σ_b E_b), computed
 * stably. An average of e-processes with fixed weights is an e-process for the intersection of
 * their nulls (each term is a nonnegative supermartingale under it, and so is the average), so
 * rejecting when it reaches 1/α has P(ever) ≤ α whenever every component's null holds.
 * Returns 0 (E = 1) for an empty list.
 */
export function logMeanEValue(grid: MixtureGrid, logRatiosList: readonly (readonly number[])[]): number {
  if (logRatiosList.length === 0) return 0;
  const logs = logRatiosList.map((lr) => logEValue(grid, lr));
  const m = Math.max(...logs);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const l of logs) s += Math.exp(l - m);
  return m + Math.log(s / logs.length);
}
