/**
 * @module app/ports
 * Small function types the use cases depend on; adapters (Prometheus client, store,
 * notifiers) implement them. Declared by their user, per the house style.
 */
import type { LabelMatcher } from "../promql/matchers.ts";
import type { Slo } from "../slo/model.ts";
import type { Problem } from "../slo/problem.ts";
import type { ArmCounts, PodGauge, StepCounts } from "../domain/counts.ts";

/** Unix-seconds time range, `start < end`. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Reads an arm's cumulative counts (and histogram buckets for latency SLIs) over `range`.
 * Resolves `null` when Prometheus has no series for the arm; rejects with a SlogateError
 * (PROMETHEUS_*) when the backend cannot answer — never resolves a made-up zero.
 */
export type ReadArmCounts = (
  slo: Slo,
  arm: readonly LabelMatcher[],
  range: TimeRange,
  signal?: AbortSignal,
) => Promise<ArmCounts | null>;

/**
 * What an incremental read of one arm gives: the counts since the analysis start (as
 * `ReadArmCounts` would read them) and the reader's state after it, to hand to the next look
 * of the same analysis and arm (JSON; null: nothing to keep, the next look reads in full).
 */
export interface ArmRead {
  readonly counts: ArmCounts | null;
  readonly state: Readonly<Record<string, unknown>> | null;
  /** `incremental`: only the samples since the state's time were read; `full`: all of them. */
  readonly mode: "full" | "incremental";
  /** Series rows in the state (its size), when the SLI keeps one. */
  readonly rows?: number;
}

/**
 * Reads an arm's cumulative counts over `range` given the state the previous look of the same
 * analysis and arm left (`undefined`, stale or malformed: a full read). Same answers and
 * errors as `ReadArmCounts`; a failed read leaves the caller's stored state as it was.
 */
export type ReadArmCountsFrom = (
  slo: Slo,
  arm: readonly LabelMatcher[],
  range: TimeRange,
  state: unknown,
  signal?: AbortSignal,
) => Promise<ArmRead>;

/** Reads an arm's per-step increments over `range` with the given step (seconds). */
export type ReadArmSeries = (
  slo: Slo,
  arm: readonly LabelMatcher[],
  range: TimeRange & { readonly step: number },
  signal?: AbortSignal,
) => Promise<StepCounts[]>;

/**
 * Resource SLIs: reads an arm's gauge per pod and step over `range` (every
 * `sli.stepSeconds`). Resolves `null` when the arm has no series at all, `[]` before the first
 * full step; rejects with PROMETHEUS_* when the backend cannot answer.
 */
export type ReadArmGauges = (
  slo: Slo,
  arm: readonly LabelMatcher[],
  range: TimeRange,
  signal?: AbortSignal,
) => Promise<PodGauge[] | null>;

/** An SLO gone from the files but still served for its open analyses. */
export interface RetiredSlo {
  readonly id: string;
  /** Unix seconds of the reload that dropped it. */
  readonly since: number;
}

/** The status of the served SLOs after the last (re)load. */
export interface SloCatalogStatus {
  readonly valid: boolean;
  /** False until some load was clean (the first load had errors and nothing good came since). */
  readonly everValid: boolean;
  /** Unix seconds of the last load attempt and of the last clean one. */
  readonly lastLoadAt: number;
  readonly lastGoodAt?: number;
  readonly served: number;
  readonly problems: readonly Problem[];
  readonly loadErrors: number;
  /** SLOs no longer in the files, served until their open analyses close. */
  readonly retired: readonly RetiredSlo[];
}

/** The SLOs served now (the catalog of loaded SLO files). */
export interface SloLookup {
  /** By id or unique name; NOT_FOUND / AMBIGUOUS otherwise. */
  get(ref: string): Slo;
  list(): readonly Slo[];
  status(): SloCatalogStatus;
}
