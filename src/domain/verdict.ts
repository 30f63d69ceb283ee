/**
 * @module domain/verdict
 * The outcome of a look: per-check results and the SLO verdict. Pure data shared by every
 * layer (judges produce it; store, notifications and HTTP carry it).
 */
import type { CheckKind, JudgeName } from "../slo/model.ts";

export type CheckStatus = "pass" | "fail" | "inconclusive" | "nodata";
/**
 * The top-level verdict. `nodata`: an arm's selector matched no series at all after the grace
 * from the analysis start (or at the final look) — never a pass. Backend failures are errors,
 * never a verdict.
 */
export type Verdict = "pass" | "fail" | "inconclusive" | "nodata";

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
 * Whether the environment (what stable and canary share: dependencies, traffic) got worse
 * since the baseline was captured. `degraded`: a check failed that stable fails too — the
 * canary is worse than the pre-deploy baseline (or than the objective) but not worse than
 * stable; such a failure never fails the canary on its own. `unknown`: no baseline to compare
 * with, or not enough data to tell the canary from the environment.
 */
export interface EnvironmentReport {
  readonly status: "ok" | "degraded" | "unknown";
  readonly reason: string;
  /** Bad ratios per arm (null when unknown). */
  readonly baselineBadRatio: number | null;
  readonly stableBadRatio: number | null;
  readonly canaryBadRatio: number | null;
  /** Ids of the failing checks attributed to the environment (not counted against the canary). */
  readonly checks: readonly string[];
}

/**
 * The verdict of one look for one SLO.
 * Semantics for rollout controllers (a template with `successCondition: verdict == "pass"`
 * and `failureCondition: verdict == "fail"` must behave well at every look):
 * - `fail`: the evidence of a regression crossed its anytime-valid bound (may happen at any look);
 * - `pass` with `final: false`: no evidence of harm so far, keep going (not a claim of safety);
 * - `pass` with `final: true`: enough traffic was seen and every check passed;
 * - `inconclusive`: only at the final look, when there was not enough data to decide (or the
 *   environment is degraded: a human decides);
 * - `nodata`: an arm has no series at all after the grace (`canary.noDataGraceSeconds` from
 *   the analysis start) or at the final look; the reason names the selector.
 */
export interface SloVerdict {
  readonly slo: string;
  readonly judge: JudgeName;
  readonly verdict: Verdict;
  /** True when this look is the analysis' last one (the judge was told so). */
  readonly final: boolean;
  /**
   * 0..100: 100 · (1 − weight of failed checks / weight of checks with data), failures
   * attributed to the environment not counted (see docs/judge.md); 0 when no check has data.
   */
  readonly score: number;
  readonly reason: string;
  readonly checks: readonly CheckResult[];
  /** The environment's state (set by every built-in judge; absent in verdicts stored before it). */
  readonly environment?: EnvironmentReport;
}
