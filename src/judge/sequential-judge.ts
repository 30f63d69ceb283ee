/**
 * @module judge/sequential-judge
 * The default judge: anytime-valid checks that may be asked at every look without inflating
 * the false-fail rate. Per SLO (bad events = errors, failed probes, or requests slower than the
 * latency threshold's bucket):
 * - `<sli>-relative`: canary vs stable, the count e-process on how the look's new bad events
 *   split between the arms given each arm's share of the look's requests (the traffic split
 *   may change between looks; unknown shared traffic cancels); null: canary rate ≤ r₀ ·
 *   stable rate. For latency SLIs with histograms: the mean of one such e-process per bucket
 *   boundary in [T/2, 1.5T] (`tail-boundaries.ts`), null: at every one of those boundaries
 *   the canary's share of slower requests ≤ r₀ × stable's;
 * - `<sli>-absolute`: canary vs the objective, a binomial e-process; null: canary bad ratio
 *   ≤ 1 − objective (or `maxBadRatio`);
 * - `<sli>-baseline`: canary vs the baseline captured before the deploy: a one-sided
 *   Clopper-Pearson upper bound U of the baseline's bad ratio (at α_b/2) and the binomial
 *   e-process against (1 + margin)·U (at α_b/2);
 * - `latency-distribution` (latency SLIs with histograms): a time-uniform CDF band per arm
 *   compared at every bucket boundary, allowing the relative latency margin.
 * α is split over the planned checks (see `margins.ts`); by the union bound and Ville's
 * inequality the probability that any check ever fails while the canary is not worse is
 * ≤ slo.canary.alpha, for any number of looks. Derivations: docs/judge.md.
 *
 * The state (JSON) keeps each e-process' cumulative log-likelihood ratios and the cumulative
 * counts it has consumed, so repeated looks with the same counts add nothing, looks with no
 * new data add nothing, and counts that go down are treated as a reset (re-anchored, no
 * evidence taken from that look, reported in the reason). Pure.
 *
 * Real traffic is not independent requests: every count e-process is tempered by a
 * predictable dispersion estimate and clipped per look (`stats/tempered-e-process.ts`, prior
 * from `LookData.history` or `canary.dispersion`), and with per-pod counts the margins allow
 * the pods' own spread (`pod-margin.ts`). See docs/judge.md, "Real traffic".
 *
 * Files: `sequential-state.ts` (state schema, fresh state, validation), `sequential-evidence.ts`
 * (how a look advances the e-processes), `sequential-report.ts` (check results: status,
 * reason, evidence).
 */
import type { CheckResult } from "../domain/verdict.ts";
import { cleanArm } from "./arm-data.ts";
import { advance } from "./sequential-evidence.ts";
import { binomialCheck, distributionCheck, relativeCheck, type CheckContext } from "./sequential-report.ts";
import { initialState, isState, type SequentialState } from "./sequential-state.ts";
import type { Judge, JudgeInput, JudgeOutput } from "./types.ts";
import { decideVerdict, noDataOf } from "./verdict.ts";

export { relativeLogE } from "./sequential-evidence.ts";
export {
  SEQUENTIAL_GRID,
  type EProcessState,
  type SequentialState,
  type TailState,
} from "./sequential-state.ts";

/** Judges one look with the anytime-valid checks; see the module comment. */
export function judgeSequential(input: JudgeInput<SequentialState>): JudgeOutput<SequentialState> {
  const { slo, data } = input;
  const at = Number.isFinite(data.at) ? data.at : input.now;
  const prior = isState(input.state) ? input.state : initialState(input);
  const canary = cleanArm(data.canary, slo);
  const stable = cleanArm(data.stable, slo);
  const baseline = data.baseline == null ? undefined : cleanArm(data.baseline, slo);
  const { state: advanced, resetNote } = advance(
    slo,
    prior,
    canary,
    stable,
    at,
    data.history?.stable,
    Number.isFinite(data.since) ? data.since : undefined,
  );
  const ctx: CheckContext = { slo, final: input.final, state: advanced, canary, stable, baseline };
  const checks: CheckResult[] = [];
  let distributionFailedAt = advanced.distributionFailedAt;
  if (advanced.alpha.relative > 0) checks.push(relativeCheck(ctx));
  if (advanced.alpha.absolute > 0) checks.push(binomialCheck(ctx, "absolute"));
  if (advanced.alpha.baseline > 0) checks.push(binomialCheck(ctx, "baseline"));
  if (advanced.alpha.distribution > 0) {
    const d = distributionCheck(ctx, distributionFailedAt, at);
    distributionFailedAt = d.failedAt;
    checks.push(d.result);
  }
  const state: SequentialState = { ...advanced, distributionFailedAt };
  const verdict = decideVerdict({
    slo,
    judge: "sequential",
    final: input.final,
    checks,
    canaryEvents: canary?.total ?? 0,
    note: resetNote ?? undefined,
    noData: noDataOf(data, advanced.alpha.relative > 0 ? ["canary", "stable"] : ["canary"]),
  });
  return { verdict, state };
}

/** The sequential judge behind the common interface. */
export const sequentialJudge: Judge<SequentialState> = {
  name: "sequential",
  look: judgeSequential,
};
