/**
 * @module stats/tempered-e-process
 * Dispersion-tempered, clipped updates of the mixture e-process (`mixture-e-process.ts`) for
 * counts that are not independent trials. Production counts vary from step to step more than
 * binomially (overdispersion: bad minutes, noisy neighbours, shared incidents): a look's k
 * successes out of n have variance φ·nθ(1 − θ) with φ ≥ 1. Two changes keep the e-process
 * honest there:
 *
 * - **Tempering.** Each look's log-likelihood ratio is divided by φ_j, a *predictable*
 *   estimate (from earlier looks, the look's own n, and a prior — never from the look's k).
 *   For a count whose cumulant generating function is that of a binomial with variance
 *   multiplied by φ (quasi-likelihood; exact to second order for beta-binomial and gamma-Poisson
 *   mixing), E[LR^{1/φ}] = 1 + O(third cumulant): the first two cumulants cancel exactly, as
 *   in the binomial case with φ = 1. Derivation in docs/judge.md.
 * - **Clipping.** k is replaced by min(k, nθ₀ + z·√(φ nθ₀(1 − θ₀))) before the update. Every
 *   alternative's factor is increasing in k, so the clipped factor is never larger than the
 *   unclipped one: clipping can only lower the e-process (it stays a supermartingale whenever
 *   the unclipped one is), and it bounds what one look can add (≈ z²/2 nats at the best
 *   alternative), so a single burst the dispersion estimate has not seen yet cannot fail a
 *   canary on its own.
 *
 * The dispersion model is φ = 1 + a·c², with c² the per-step squared coefficient of variation
 * of the bad rate and a the look's size factor (`splitSize`, `rateSize`); c² is learned from
 * Pearson residuals of past looks (method of moments) shrunk to a prior. Pure.
 */

/** Running sums of the dispersion estimate: Σ (r_i − 1) and Σ a_i over looks with events. */
export interface DispersionSums {
  readonly excess: number;
  readonly size: number;
  readonly looks: number;
  /**
   * Log-likelihood ratio of the past residuals, "no excess dispersion" against "the prior's"
   * (`addPriorCheck`); absent = 0 (no evidence either way).
   */
  readonly priorLogLr?: number;
}

/** No looks yet. */
export const NO_DISPERSION: DispersionSums = { excess: 0, size: 0, looks: 0 };

/** Prior on c²: its value and its weight in looks. */
export interface DispersionPrior {
  readonly c2: number;
  readonly looks: number;
}

/**
 * Size factor of the split of k bad events between two arms with independent per-step noise
 * of CV² c² each: Var(θ_step) ≈ 2c²θ²(1 − θ)², so φ = 1 + 2(n − 1)θ(1 − θ)c².
 */
export function splitSize(n: number, theta: number): number {
  return Math.max(0, 2 * (n - 1) * theta * (1 - theta));
}

/** Size factor of one arm's k bad out of n requests with rate CV² c²: φ = 1 + (n − 1)p/(1 − p)·c². */
export function rateSize(n: number, p: number): number {
  return p < 1 ? Math.max(0, ((n - 1) * p) / (1 - p)) : 0;
}

/** Pearson residual (k − nθ)² / (nθ(1 − θ)); expectation φ. */
export function pearsonResidual(k: number, n: number, theta: number): number {
  const v = n * theta * (1 - theta);
  return v > 0 ? ((k - n * theta) * (k - n * theta)) / v : 1;
}

/** Adds one look's residual to the sums (only looks with n ≥ 2 carry information on c²). */
export function addResidual(d: DispersionSums, residual: number, size: number): DispersionSums {
  if (!(size > 0) || !Number.isFinite(residual)) return d;
  return { ...d, excess: d.excess + residual - 1, size: d.size + size, looks: d.looks + 1 };
}

/**
 * Weighs one residual as evidence between two dispersion levels: φ = 1 (the counts are
 * binomial: no excess) against φ = 1 + size·c²₀ (the prior's level). The residual is treated as
 * φ·χ²₁, so the look adds log f(r | 1) − log f(r | φ) = ½ log φ − (r/2)(1 − 1/φ). Its expectation
 * depends on the residual's mean only: it is positive when E[r] < φ log φ/(φ − 1) and negative
 * when E[r] = φ, however skewed the residual's distribution. Used where the prior may be wrong in
 * a known direction: the stable-only history sees shared noise that cancels in the split.
 */
export function addPriorCheck(d: DispersionSums, residual: number, size: number, c2: number): DispersionSums {
  const phi = 1 + Math.max(0, size) * Math.max(0, c2);
  if (!(phi > 1) || !Number.isFinite(phi) || !Number.isFinite(residual)) return d;
  const step = 0.5 * Math.log(phi) - 0.5 * residual * (1 - 1 / phi);
  return { ...d, priorLogLr: (d.priorLogLr ?? 0) + step };
}

/**
 * The prior as the residuals so far leave it: unchanged until their evidence for "no excess"
 * against the prior's level (`d.priorLogLr`) reaches log `odds`; from then on `fallback`. A
 * switch, not a blend: a prior c² weighed down by a posterior probability still dominates looks
 * of large size (φ − 1 = size·c²), which are the looks that carry the evidence.
 */
export function checkedPrior(
  prior: DispersionPrior,
  d: DispersionSums,
  odds: number,
  fallback: DispersionPrior,
): DispersionPrior {
  return (d.priorLogLr ?? 0) >= Math.log(odds) ? fallback : prior;
}

/**
 * c² for a look of size `size`: the prior counted as `prior.looks` looks of this size,
 * combined with the past looks' moments; never below 0.
 */
export function dispersionC2(d: DispersionSums, prior: DispersionPrior, size: number): number {
  const w = prior.looks * Math.max(size, 1e-9);
  const c2 = (prior.c2 * w + d.excess) / (w + d.size);
  return Number.isFinite(c2) && c2 > 0 ? c2 : 0;
}

/**
 * Exact tempering of a split look under per-arm rate noise. The look's log-likelihood ratio of
 * one alternative is ℓ = k_c·a + k_s·b (a = log(θ_g/θ₀) > 0, b = log((1 − θ_g)/(1 − θ₀)) < 0,
 * k_c and k_s the arms' new bad events). When each arm's count is Poisson(μ·u) — or binomial,
 * whose moment generating function is smaller — with its own step multiplier u, independent
 * between the arms, mean 1 and gamma-distributed with CV² c², then
 *
 *     E[e^{tℓ}] = M(μ_c(e^{ta} − 1)) · M(μ_s(e^{tb} − 1)),   M(s) = (1 − c²s)^{−1/c²},
 *
 * which is ≤ 1 iff, with x = μ_c(e^{ta} − 1) > 0 and y = μ_s(1 − e^{tb}) > 0,
 * y − x ≥ c²·x·y. At t = 1 and the null's boundary (θ₀ = μ_c/(μ_c + μ_s)) y = x, so any c² > 0
 * needs t < 1; as t → 0, y − x ≈ t(μ_c + μ_s)·KL(θ₀‖θ_g) > 0. Returns the largest such t in
 * (0, 1] (safeguarded Newton; f(t) = y − x − c²xy is 0 at 0, rises, and crosses 0 once), 1 when
 * c² = 0.
 *
 * Unlike the quasi-likelihood φ of `splitSize`, which grows with the look's own event count
 * K, t depends on the expected counts μ only: with φ ∝ K a burst in the large arm (many events,
 * evidence for the null) was tempered far more than a burst in the small one (few events,
 * evidence against it), and a healthy canary at a 10 % share drifted to a fail under per-arm
 * noise. Noise both arms share needs no tempering (E[e^{tℓ}] = M(x − y) ≤ 1 for t ≤ 1).
 */
export function armTemper(a: number, b: number, muC: number, muS: number, c2: number): number {
  if (!(c2 > 0) || !(a > 0) || !(b < 0) || !(muC > 0) || !(muS > 0)) return 1;
  if (!Number.isFinite(c2 * muC * muS)) return 0;
  const f = (t: number): number => {
    const x = muC * Math.expm1(t * a);
    const y = -muS * Math.expm1(t * b);
    return y - x - c2 * x * y;
  };
  if (f(1) >= 0) return 1;
  // Safeguarded Newton on the bracket [lo, hi] with f(lo) ≥ 0 > f(hi), started at the root of
  // f's second-order expansion, t ≈ D / (½(μ_c a² + μ_s b²) + c²μ_cμ_s·a|b|) with
  // D = μ_s|b| − μ_c a; a step that leaves the bracket bisects it. Newton may approach the root
  // from above only: once it has converged, a point just below it (checked) is the answer.
  let lo = 0;
  let hi = 1;
  const d = -muS * b - muC * a;
  const q = 0.5 * (muC * a * a + muS * b * b) + c2 * muC * muS * a * -b;
  let t = d > 0 && q > 0 ? Math.min(1, d / q) : 0.5;
  for (let i = 0; i < 60; i++) {
    const ea = Math.exp(t * a);
    const eb = Math.exp(t * b);
    const x = muC * (ea - 1);
    const y = muS * (1 - eb);
    const v = y - x - c2 * x * y;
    if (v >= 0) lo = t;
    else hi = t;
    const dx = muC * a * ea;
    const dy = -muS * b * eb;
    const dv = dy - dx - c2 * (dx * y + x * dy);
    const next = dv !== 0 ? t - v / dv : Number.NaN;
    if (Math.abs(next - t) <= 1e-12 * t) {
      const below = Math.min(next, t) * (1 - 1e-11);
      if (f(below) >= 0) return below;
      break;
    }
    if (hi - lo <= 1e-13 * hi) break;
    t = next > lo && next < hi ? next : (lo + hi) / 2;
  }
  // Not converged, or rounding put the point on the wrong side: bisect the bracket, keeping
  // only points where f (computed with expm1) is ≥ 0.
  if (!(f(lo) >= 0)) lo = 0;
  for (let i = 0; i < 60 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) >= 0) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * One tempered, clipped look of a mixture e-process: `k` successes out of `n`, boundary
 * null `theta0`, alternatives `thetaAt(g)`, dispersion φ ≥ 1 (predictable), clip at z
 * (from `clipPhi`); with `exponents`, alternative g's log-ratio is multiplied by exponents[g]
 * instead of divided by φ.
 * Returns new cumulative log-ratios (input not modified); n = 0 or a degenerate null adds
 * nothing.
 */
export function addTemperedInterval(
  logRatios: readonly number[],
  k: number,
  n: number,
  theta0: number,
  thetaAt: (g: number) => number,
  phi: number,
  z: number,
  clipPhi: number = phi,
  exponents?: readonly number[],
): number[] {
  if (!(n > 0) || !(theta0 > 0 && theta0 < 1) || !(k >= 0) || k > n) return [...logRatios];
  const f = Number.isFinite(phi) && phi > 1 ? phi : 1;
  const fc = Number.isFinite(clipPhi) && clipPhi > 1 ? Math.min(clipPhi, f) : 1;
  const l0 = Math.log(theta0);
  const m0 = Math.log1p(-theta0);
  const sd = Math.sqrt(fc * n * theta0 * (1 - theta0));
  // The clip sits z sd above the null's mean — and never below z sd past the count at which the
  // nearest alternative breaks even, so that a look with so many events that z sd is finer
  // than the mixture grid still carries evidence (else the check goes blind at large counts).
  let even = n * theta0;
  const near = logRatios.length > 0 ? thetaAt(0) : Number.NaN;
  if (near > theta0 && near < 1) {
    const a = Math.log(near) - l0;
    const b = Math.log1p(-near) - m0;
    even = (-n * b) / (a - b);
  }
  const cap = Math.max(n * theta0, even) + z * sd;
  const kc = Math.min(k, cap);
  return logRatios.map((lr, g) => {
    const th = thetaAt(g);
    if (!(th > 0 && th < 1)) return lr;
    // Each alternative's exponent: `exponents[g]` when given (`armTemper`), else 1/φ.
    const e = exponents ? Math.min(1, Math.max(0, exponents[g] ?? 0)) : 1 / f;
    const at = (x: number, lt: number, mt: number): number => (x * (lt - l0) + (n - x) * (mt - m0)) * e;
    const lt = Math.log(th);
    const mt = Math.log1p(-th);
    if (k <= cap) return lr + at(k, lt, mt);
    // Past the clip each alternative gets at most what the clipped count gives it, but never
    // less than nothing: min(ℓ(k), max(ℓ(cap), 0)) ≤ ℓ(k), so validity is that of the tempered
    // factor, while a regression far beyond every alternative no longer reads as evidence for
    // the null (clipping k alone made such a look push every far alternative down).
    return lr + Math.min(at(k, lt, mt), Math.max(at(kc, lt, mt), 0));
  });
}
