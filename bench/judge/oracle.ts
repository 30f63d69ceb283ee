/**
 * @module bench/judge/oracle
 * The physical limit: Wald's SPRT that knows the true rate ratio r₁ of the canary's bad events
 * to stable's, testing the same null as the sequential judge's relative check (r ≤ r₀) on the
 * same conditional-binomial evidence (each look's new bad events split by the arms' shares of
 * the look's requests), rejecting when the log-likelihood ratio reaches log(1/α) with the
 * judge's whole α (no split across checks).
 */
import { canaryEventProbability } from "../../src/stats/mixture-e-process.ts";

export class OracleSprt {
  readonly #r0: number;
  readonly #r1: number;
  readonly #threshold: number;
  #llr = 0;
  #prev = { ct: 0, cb: 0, st: 0, sb: 0 };

  constructor(r0: number, r1: number, alpha: number) {
    this.#r0 = r0;
    this.#r1 = r1;
    this.#threshold = alpha > 0 ? Math.log(1 / alpha) : Infinity;
  }

  /** The current log-likelihood ratio. */
  get llr(): number {
    return this.#llr;
  }

  /** Feeds cumulative counts; true once the SPRT rejects the null. */
  look(ct: number, cb: number, st: number, sb: number): boolean {
    const dct = ct - this.#prev.ct;
    const dst = st - this.#prev.st;
    const k = cb - this.#prev.cb;
    const n = k + sb - this.#prev.sb;
    if (dct > 0 && dst > 0) {
      this.#prev = { ct, cb, st, sb };
      if (n > 0) {
        const rho = dct / (dct + dst);
        const t0 = canaryEventProbability(rho, this.#r0);
        const t1 = canaryEventProbability(rho, this.#r1);
        this.#llr += k * Math.log(t1 / t0) + (n - k) * Math.log((1 - t1) / (1 - t0));
      }
    }
    return this.#llr >= this.#threshold;
  }
}

/**
 * The physical limit for the latency relative check, which compares the arms at several
 * bucket boundaries: Wald's SPRT on the whole histogram that knows the true per-bucket ratio
 * λ_k = P(canary request in bucket k) / P(stable request in bucket k) (but not the stable
 * distribution itself, like the count oracle that knows the ratio but not the level). Given a
 * look's requests in bucket k from both arms, the canary's count there is Binomial(t_k, θ_k)
 * with θ_k = ρλ_k/(ρλ_k + 1 − ρ); the buckets are independent given their totals. The null is
 * "identical distributions" (λ ≡ 1) with the judge's whole α: any test that keeps its error
 * rate in an A/A comparison — as every valid test of the judge's larger null must — cannot
 * be faster on average, so this bounds the latency check from below.
 */
export class HistogramOracleSprt {
  readonly #logLambda: number[];
  readonly #threshold: number;
  #llr = 0;
  #prev: { canary: number[]; stable: number[] } | null = null;

  constructor(lambda: readonly number[], alpha: number) {
    this.#logLambda = lambda.map((l) => (l > 0 && Number.isFinite(l) ? Math.log(l) : 0));
    this.#threshold = alpha > 0 ? Math.log(1 / alpha) : Infinity;
  }

  /** The current log-likelihood ratio. */
  get llr(): number {
    return this.#llr;
  }

  /** Feeds cumulative per-bucket counts of both arms; true once the SPRT rejects the null. */
  look(canary: readonly number[], stable: readonly number[]): boolean {
    const prev = this.#prev ?? { canary: canary.map(() => 0), stable: stable.map(() => 0) };
    let dct = 0;
    let dst = 0;
    for (let k = 0; k < canary.length; k++) {
      dct += (canary[k] ?? 0) - (prev.canary[k] ?? 0);
      dst += (stable[k] ?? 0) - (prev.stable[k] ?? 0);
    }
    if (dct > 0 && dst > 0) {
      const rho = dct / (dct + dst);
      for (let k = 0; k < canary.length; k++) {
        const x = (canary[k] ?? 0) - (prev.canary[k] ?? 0);
        const t = x + (stable[k] ?? 0) - (prev.stable[k] ?? 0);
        if (t <= 0) continue;
        const lam = Math.exp(this.#logLambda[k] ?? 0);
        const t1 = (rho * lam) / (rho * lam + 1 - rho);
        this.#llr += x * Math.log(t1 / rho) + (t - x) * Math.log((1 - t1) / (1 - rho));
      }
      this.#prev = { canary: [...canary], stable: [...stable] };
    }
    return this.#llr >= this.#threshold;
  }
}

/**
 * The whole-histogram oracle when each arm is a few pods with their own persistent latency
 * scale and the oracle knows them (the model's truth for this analysis — no judge can). Given
 * a look's per-pod requests n_p, a request of pod p falls in bucket k with probability
 * P_p(k) (the pod's scaled latency distribution; for canary pods also scaled by the effect
 * under the alternative). Given bucket k's requests from all pods, the canary pods' count is
 * Binomial(t_k, θ_k) with θ_k = Σ_canary n_p P_p(k) / Σ_all n_p P_p(k); the SPRT compares
 * θ under the alternative with θ under "the canary's code is the stable's" (its pods still
 * differ by their known scales). With one pod per arm and no pod effect it is
 * `HistogramOracleSprt`.
 */
export class PodHistogramOracleSprt {
  readonly #null: { canary: readonly (readonly number[])[]; stable: readonly (readonly number[])[] };
  readonly #alt: readonly (readonly number[])[];
  #llr = 0;

  /** Per pod, bucket probabilities: canary pods under the null and the alternative, stable pods. */
  constructor(
    canaryNull: readonly (readonly number[])[],
    canaryAlt: readonly (readonly number[])[],
    stable: readonly (readonly number[])[],
  ) {
    this.#null = { canary: canaryNull, stable };
    this.#alt = canaryAlt;
  }

  get llr(): number {
    return this.#llr;
  }

  /** Feeds one look's per-pod bucket counts (increments, not cumulative). */
  look(canary: readonly (readonly number[])[], stable: readonly (readonly number[])[]): void {
    const nC = canary.map((c) => c.reduce((a, b) => a + b, 0));
    const nS = stable.map((c) => c.reduce((a, b) => a + b, 0));
    const buckets = this.#alt[0]?.length ?? 0;
    for (let k = 0; k < buckets; k++) {
      let x = 0;
      let t = 0;
      let c0 = 0;
      let c1 = 0;
      let s = 0;
      canary.forEach((c, p) => {
        x += c[k] ?? 0;
        c0 += (nC[p] ?? 0) * (this.#null.canary[p]?.[k] ?? 0);
        c1 += (nC[p] ?? 0) * (this.#alt[p]?.[k] ?? 0);
      });
      stable.forEach((c, p) => {
        s += (nS[p] ?? 0) * (this.#null.stable[p]?.[k] ?? 0);
        t += c[k] ?? 0;
      });
      t += x;
      if (t <= 0 || !(c0 > 0 && c1 > 0 && s > 0)) continue;
      const t0 = c0 / (c0 + s);
      const t1 = c1 / (c1 + s);
      this.#llr += x * Math.log(t1 / t0) + (t - x) * Math.log((1 - t1) / (1 - t0));
    }
  }
}
