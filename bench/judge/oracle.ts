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
    this.#threshold = Math.log(1 / alpha);
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
