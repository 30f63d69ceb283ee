/**
 * @module judge/types
 * The contract between data reading (Prometheus adapter), the judges and the service.
 * Pure data; every field JSON-serializable (judge state is persisted in the store between
 * looks so a restart continues the same sequential test).
 */
import type { CheckKind, JudgeName, Slo } from "../slo/model.ts";

/** A classic histogram's per-bucket counts (de-cumulated). */
export interface HistogramCounts {
  /** Upper bounds, strictly ascending; the last one is `Infinity` (the `+Inf` bucket). */
  readonly bounds: readonly number[];
  /** Requests in (bounds[i-1], bounds[i]]; same length as `bounds`; non-negative. */
  readonly counts: readonly number[];
}

/** What one arm did over a time range: counts of total and bad events, optional histogram. */
export interface ArmCounts {
  /** Total events (requests, or probe samples). */
  readonly total: number;
  /** Bad events (errors, slow requests, failed probes). */
  readonly bad: number;
  /** For latency SLIs: the histogram over the same range. */
  readonly histogram?: HistogramCounts;
}

/** One step of an arm's per-step series (increments over [t - step, t]). */
export interface StepCounts extends ArmCounts {
  /** Unix seconds at the end of the step. */
  readonly t: number;
}

export type ArmName = "canary" | "stable" | "baseline";

/**
 * The data of one look. Cumulative counts are since the analysis start (`since`), read at
 * `at`. `null` means the arm returned no series at all (no data), which is different from
 * zero traffic. `series` are per-step increments for judges that use time-series points
 * (kayenta, threshold) and for the changing traffic split of the sequential judge.
 */
export interface LookData {
  readonly since: number;
  readonly at: number;
  readonly canary: ArmCounts | null;
  readonly stable: ArmCounts | null;
  /** The baseline captured before the deploy (its own range), if any. */
  readonly baseline?: (ArmCounts & { readonly capturedAt: number; readonly from: number }) | null;
  readonly series?: {
    readonly canary: readonly StepCounts[];
    readonly stable: readonly StepCounts[];
  };
}

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

/** Input of one look. `state` is what the previous look of the same analysis returned. */
export interface JudgeInput<S> {
  readonly slo: Slo;
  readonly data: LookData;
  /** Unix seconds; judges never read the clock. */
  readonly now: number;
  /** Whether this is the analysis' final look (no more data will come). */
  readonly final: boolean;
  readonly state: S | undefined;
}

export interface JudgeOutput<S> {
  readonly verdict: SloVerdict;
  /** JSON-serializable; stored and handed back at the next look. */
  readonly state: S;
}

/** A judge: pure, deterministic, no I/O. */
export interface Judge<S = unknown> {
  readonly name: JudgeName;
  look(input: JudgeInput<S>): JudgeOutput<S>;
}
