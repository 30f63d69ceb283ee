/**
 * @module app/deps
 * Everything the gate's use cases may depend on, as ports (function types and interfaces),
 * wired once by the composition root (`src/main/`). Each use case takes only the part it
 * needs (`AnalyzeLookDeps`, `CaptureBaselineDeps`, `CloseAnalysisDeps`, …), so a test builds
 * just those.
 */
import type { JudgeInput, JudgeOutput } from "../judge/types.ts";
import type { OutboxInput, Store } from "./store-port.ts";
import type { Logger, VerdictEvent, VerdictListener } from "../domain/verdict-event.ts";
import type { ReadArmCounts, ReadArmCountsFrom, ReadArmGauges, ReadArmSeries, SloLookup } from "./ports.ts";
import type { SloVerdict } from "../domain/verdict.ts";
import type { Slo } from "../slo/model.ts";
import type { AnalysisOutcome, BaselineRecord, Controller } from "./store-port.ts";

/** Judges one look (the judge registry's top-level pure function). */
export type JudgeLook = (input: JudgeInput<unknown>) => JudgeOutput<unknown>;

/** What use cases record about their work (implemented by `metrics/service-metrics`). */
export interface UseCaseMetrics {
  recordLook(
    slo: Slo,
    verdict: SloVerdict,
    controller: Controller,
    analysis: { id: string; rollout?: string },
    seconds: number,
  ): void;
  recordClosed(slo: Slo, analysisId: string, outcome: AnalysisOutcome, durationSeconds: number): void;
  recordBaseline(slo: Slo, b: BaselineRecord): void;
}

export interface GateDeps {
  readonly store: Store;
  readonly catalog: SloLookup;
  /** Reads of every SLO go to its own backend (`main/backend-router` dispatches by SLO). */
  readonly readArmCounts: ReadArmCounts;
  /**
   * When given, looks read their cumulative counts through it: each arm's reader state is kept
   * in the store (`getReadState`/`putReadState`) so a look reads only the samples since the
   * previous one; a missing or unusable state is a full read.
   */
  readonly readArmCountsFrom?: ReadArmCountsFrom;
  /** When given (and `seriesStepSeconds > 0`), per-step series are read at each look too. */
  readonly readArmSeries?: ReadArmSeries;
  readonly seriesStepSeconds: number;
  /** Per-pod gauges of resource SLIs; without it a resource SLO's look is refused (SLO_UNSUPPORTED). */
  readonly readArmGauges?: ReadArmGauges;
  /**
   * Rejects when Prometheus cannot answer: the backends of `slos` (each SLO's own, from its
   * OpenSLO DataSource), or the service's when none is given. Used for looks whose data window
   * is still empty (the first look of an analysis that starts now), so even those are never a
   * pass while the backend is down.
   */
  readonly probePrometheus?: (signal?: AbortSignal, slos?: readonly Slo[]) => Promise<void>;
  /**
   * Deadline of all Prometheus reads of one look, in seconds: past it the look fails with
   * PROMETHEUS_ABORTED (503) instead of outliving the controller's own timeout.
   */
  readonly lookTimeoutSeconds?: number;
  /** Open analyses allowed per SLO: a look that would open one more fails with TOO_MANY_ANALYSES. */
  readonly maxOpenAnalysesPerSlo?: number;
  readonly judge: JudgeLook;
  readonly logger: Logger;
  readonly metrics?: UseCaseMetrics;
  readonly listeners: readonly VerdictListener[];
  /**
   * The outbox notifications of a verdict event, written in the same transaction as the look
   * (so a crash right after the look cannot lose them); the listeners still see the event.
   */
  readonly planNotifications?: (event: VerdictEvent) => readonly OutboxInput[];
  /** Absolute URL of an analysis in the API. */
  readonly link: (analysisId: string) => string;
  /** Wall clock in Unix seconds, for `recordedAt` and durations only (look times are parameters). */
  readonly wallClock: () => number;
}

/** What capturing a baseline needs. */
export type CaptureBaselineDeps = Pick<
  GateDeps,
  "store" | "readArmCounts" | "logger" | "metrics" | "wallClock"
>;

/** What closing an analysis (and retention) needs. */
export type CloseAnalysisDeps = Pick<
  GateDeps,
  "store" | "catalog" | "logger" | "metrics" | "listeners" | "link" | "wallClock"
>;

/** What taking a look needs. */
export type AnalyzeLookDeps = Pick<
  GateDeps,
  | "store"
  | "readArmCounts"
  | "readArmCountsFrom"
  | "readArmSeries"
  | "seriesStepSeconds"
  | "readArmGauges"
  | "probePrometheus"
  | "lookTimeoutSeconds"
  | "maxOpenAnalysesPerSlo"
  | "judge"
  | "logger"
  | "metrics"
  | "listeners"
  | "link"
  | "planNotifications"
  | "wallClock"
>;

/** Hands an event to every listener without waiting for them or letting them throw. */
export function emitVerdictEvent(deps: Pick<GateDeps, "listeners" | "logger">, event: VerdictEvent): void {
  for (const listener of deps.listeners) {
    setImmediate(() => {
      try {
        listener(event);
      } catch (e) {
        deps.logger.warn("verdict listener failed", { analysis: event.analysisId, error: e as Error });
      }
    });
  }
}
