/**
 * @module judge/dispersion-prior
 * The sequential judge's prior on the per-step dispersion of the bad rate (c², the squared
 * coefficient of variation of a step's bad ratio beyond binomial noise), fixed at the first
 * look: learned from the stable arm's steps before the deploy when the look carries them
 * (`LookData.history`), else stated by the SLO (`canary.dispersion`), else none (c² = 0). The
 * prior counts as a few looks; the looks themselves then update it (`stats/tempered-e-process.ts`).
 * Pure.
 */
import type { StepCounts } from "../domain/counts.ts";
import type { Slo } from "../slo/model.ts";
import {
  addResidual,
  NO_DISPERSION,
  pearsonResidual,
  rateSize,
  type DispersionPrior,
} from "../stats/tempered-e-process.ts";
import { cleanSeries } from "./arm-data.ts";
import { countsAbove } from "./tail-boundaries.ts";

/** Weight of a prior learned from history, in looks (at most the number of history steps). */
export const HISTORY_PRIOR_LOOKS = 10;
/** Weight of an SLO-stated prior, in looks. */
export const SLO_PRIOR_LOOKS = 10;
/** Weight of the default prior c² = 0, in looks. */
export const DEFAULT_PRIOR_LOOKS = 3;

/** Method-of-moments c² of per-step counts (k_i of n_i) around their pooled ratio. */
export function stepC2(steps: readonly { bad: number; total: number }[]): number | null {
  let b = 0;
  let t = 0;
  for (const s of steps) {
    b += s.bad;
    t += s.total;
  }
  if (!(t > 0) || steps.length < 5) return null;
  const p = (b + 0.5) / (t + 1);
  let d = NO_DISPERSION;
  for (const s of steps)
    if (s.total >= 2) d = addResidual(d, pearsonResidual(s.bad, s.total, p), rateSize(s.total, p));
  return d.size > 0 ? Math.max(0, d.excess / d.size) : null;
}

/** The prior for an analysis' first look. */
export function historyPrior(
  slo: Slo,
  history: readonly StepCounts[] | undefined,
): DispersionPrior & { source: "history" | "slo" | "default"; bad?: number; total?: number } {
  const steps = cleanSeries(history, slo);
  const c2 = stepC2(steps);
  if (c2 !== null) {
    let bad = 0;
    let total = 0;
    for (const s of steps) {
      bad += s.bad;
      total += s.total;
    }
    return { c2, looks: Math.min(HISTORY_PRIOR_LOOKS, steps.length), source: "history", bad, total };
  }
  const stated = slo.canary.dispersion;
  if (typeof stated === "number" && Number.isFinite(stated) && stated >= 0)
    return { c2: stated, looks: SLO_PRIOR_LOOKS, source: "slo" };
  return { c2: 0, looks: DEFAULT_PRIOR_LOOKS, source: "default" };
}

/**
 * Prior c² per tail boundary from the history's histograms, and the history's requests above
 * each boundary and in all, for the rate estimate (null without them).
 */
export function tailPriorC2(
  slo: Slo,
  history: readonly StepCounts[] | undefined,
  bounds: readonly number[],
): { c2: number[]; counts: { above: number[]; total: number } } | null {
  const steps = cleanSeries(history, slo);
  const per: { bad: number; total: number }[][] = bounds.map(() => []);
  const above = bounds.map(() => 0);
  let total = 0;
  for (const s of steps) {
    if (!s.histogram) continue;
    const ca = countsAbove(s.histogram, bounds);
    if (!ca) return null;
    ca.above.forEach((a, i) => {
      per[i]?.push({ bad: a, total: ca.total });
      above[i] = (above[i] ?? 0) + a;
    });
    total += ca.total;
  }
  const out: number[] = [];
  for (const list of per) {
    const c2 = stepC2(list);
    if (c2 === null) return null;
    out.push(c2);
  }
  return { c2: out, counts: { above, total } };
}
