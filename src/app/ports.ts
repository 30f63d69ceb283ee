/**
 * @module app/ports
 * Small function types the use cases depend on; adapters (Prometheus client, store,
 * notifiers) implement them. Declared by their user, per the house style.
 */
import type { LabelMatcher } from "../promql/matchers.ts";
import type { Slo } from "../slo/model.ts";
import type { ArmCounts, SloVerdict, StepCounts, Verdict } from "../judge/types.ts";

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

/** Reads an arm's per-step increments over `range` with the given step (seconds). */
export type ReadArmSeries = (
  slo: Slo,
  arm: readonly LabelMatcher[],
  range: TimeRange & { readonly step: number },
  signal?: AbortSignal,
) => Promise<StepCounts[]>;

/** Structured logger (JSON lines in production). Fields must be JSON-serializable. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Emitted by the service after every look of an analysis, and when an analysis closes
 * (promoted, rolled back, expired). Listeners (notifications) must not block or throw:
 * the verdict returned to the rollout controller never waits for them.
 */
export interface VerdictEvent {
  readonly analysisId: string;
  readonly slo: Slo;
  readonly verdict: SloVerdict;
  /** The previous look's verdict of the same analysis, if any. */
  readonly previous?: Verdict;
  /** `open` while looks continue; `closed` once the analysis ended (with its outcome). */
  readonly phase: "open" | "closed";
  readonly outcome?: "promoted" | "rolled-back" | "aborted" | "expired";
  /** Who asked: e.g. the Argo rollout or Flagger canary, `namespace/name`, if known. */
  readonly rollout?: string;
  readonly controller?: "argo" | "flagger" | "cli";
  /** Absolute URL of the analysis in slogate's API. */
  readonly link: string;
  /** Unix seconds. */
  readonly at: number;
}

export type VerdictListener = (event: VerdictEvent) => void;
