/**
 * @module judge/margins
 * How `slo.canary.maxRegression` becomes the null hypotheses of the checks, and how the
 * family-wise α is split across checks. Everything here is fixed at the analysis' first look
 * and kept in the judge state, so the hypotheses never depend on the data being tested.
 * Pure.
 */
import type { CheckKind } from "../slo/model.ts";
import type { Slo } from "../slo/model.ts";
import { badRatioLimit } from "./arm-data.ts";

/** The checks the sequential judge can run; `distribution` is the latency CDF band (kind relative). */
export type SequentialCheck = CheckKind | "distribution";

/** Relative weight of each check in the α split (normalized over the planned checks). */
export const ALPHA_SHARES: Readonly<Record<SequentialCheck, number>> = {
  relative: 4,
  absolute: 2,
  baseline: 2,
  distribution: 1,
};

/** α per check; 0 = not planned. Σ = slo.canary.alpha (the family-wise bound). */
export type AlphaPlan = Record<SequentialCheck, number>;

/** Splits `slo.canary.alpha` over the planned checks in proportion to `ALPHA_SHARES`. */
export function planAlpha(slo: Slo, planned: Readonly<Record<SequentialCheck, boolean>>): AlphaPlan {
  const alpha =
    Number.isFinite(slo.canary.alpha) && slo.canary.alpha > 0 && slo.canary.alpha < 1
      ? slo.canary.alpha
      : 0.05;
  const keys: SequentialCheck[] = ["relative", "absolute", "baseline", "distribution"];
  const total = keys.reduce((s, k) => s + (planned[k] ? ALPHA_SHARES[k] : 0), 0);
  const out: AlphaPlan = { relative: 0, absolute: 0, baseline: 0, distribution: 0 };
  for (const k of keys) if (planned[k] && total > 0) out[k] = (alpha * ALPHA_SHARES[k]) / total;
  return out;
}

/**
 * The relative checks' null: canary rate ≤ r₀ · reference rate, r₀ = 1 + max(relative,
 * absolutePoints/100 ÷ reference bad ratio). The reference for absolute points is the
 * captured baseline's bad ratio when there is one with bad events, else the SLO's allowed bad
 * ratio (1 − objective) — both known before the canary's data.
 */
export function nullRatio(slo: Slo, baselineBadRatio: number | null): number {
  const m = slo.canary.maxRegression;
  const rel = typeof m.relative === "number" && m.relative > 0 ? m.relative : 0;
  let abs = 0;
  if (typeof m.absolutePoints === "number" && m.absolutePoints > 0) {
    const ref = baselineBadRatio !== null && baselineBadRatio > 0 ? baselineBadRatio : badRatioLimit(slo);
    abs = ref > 0 ? m.absolutePoints / 100 / ref : 0;
  }
  return 1 + Math.max(rel, abs);
}

/**
 * The largest bad ratio the canary may have against a baseline whose bad ratio is at most
 * `upper`: the larger of (1 + relative)·upper and upper + absolutePoints/100.
 */
export function baselineLimit(slo: Slo, upper: number): number {
  const m = slo.canary.maxRegression;
  const rel = typeof m.relative === "number" && m.relative > 0 ? m.relative : 0;
  const abs = typeof m.absolutePoints === "number" && m.absolutePoints > 0 ? m.absolutePoints / 100 : 0;
  return Math.min(1, Math.max(upper * (1 + rel), upper + abs));
}
