/**
 * @module domain/verdict
 * The outcome of a look: per-check results and the SLO verdict. Pure data shared by every
 * layer (judges produce it; store, notifications and HTTP carry it).
 */
import type { CheckKind, JudgeName } from "../slo/model.ts";

export type CheckStatus = "pass" | "fail" | "inconclusive" | "nodata";
export type Verdict = "pass" | "fail" | "inconclusive";

/** One check's outcome, with the numbers behind it. */
export interface CheckResult {
  /** e.g. `errors-relative`, `latency-absolute`. Unique within one SLO verdict. */
  readonly id: string;
  readonly kind: CheckKind;
  readonly status: CheckStatus;
  readonly critical: boolean;
  readonly weight: number;
  /** One sentence a human can act on. */
  readonly reason: string;
  /** Estimates per arm, intervals, e-value / p-value, sample sizes. Numbers or null. */
  readonly evidence: Readonly<Record<string, number | string | boolean | null>>;
}

/**
 * The verdict of one look for one SLO.
 * Semantics for rollout controllers (a template with `successCondition: verdict == "pass"`
 * and `failureCondition: verdict == "fail"` must behave well at every look):
 * - `fail`: the evidence of a regression crossed its anytime-valid bound (may happen at any look);
 * - `pass` with `final: false`: no evidence of harm so far, keep going (not a claim of safety);
 * - `pass` with `final: true`: enough traffic was seen and every check passed;
 * - `inconclusive`: only at the final look, when there was not enough data to decide.
 */
export interface SloVerdict {
  readonly slo: string;
  readonly judge: JudgeName;
  readonly verdict: Verdict;
  /** True when this look is the analysis' last one (the judge was told so). */
  readonly final: boolean;
  /** 0..100, weighted share of passing checks among those that counted. */
  readonly score: number;
  readonly reason: string;
  readonly checks: readonly CheckResult[];
}
