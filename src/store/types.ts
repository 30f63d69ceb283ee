/**
 * @module store/types
 * What the gate service remembers: analyses (their start, selectors, looks with verdicts and
 * the judge's sequential state), baselines captured before deploys, and controller events.
 * One contract, two adapters (`SqliteStore`, `MemoryStore`), one contract test suite.
 * Every method is synchronous: both adapters are in-process.
 */
import type { LabelMatcher } from "../promql/matchers.ts";
import type { ArmCounts, HistogramCounts } from "../domain/counts.ts";
import type { SloVerdict, Verdict } from "../domain/verdict.ts";

export type Controller = "argo" | "flagger" | "cli";
export type AnalysisOutcome = "promoted" | "rolled-back" | "aborted" | "expired";

/** One analysis of one canary against one SLO. Times are Unix seconds. */
export interface AnalysisRecord {
  readonly id: string;
  readonly sloId: string;
  readonly controller: Controller;
  /** `namespace/name` of the rollout or canary, when known. */
  readonly rollout?: string;
  readonly selectors: {
    readonly canary: readonly LabelMatcher[];
    readonly stable: readonly LabelMatcher[];
  };
  /** Start of the data window: looks count events since then. */
  readonly start: number;
  /** The look count after which the analysis ends (Argo's `count`), if known. */
  readonly expectedLooks?: number;
  /** The time at or after which a look is the final one, if known. */
  readonly end?: number;
  /** The baseline this analysis compares against, pinned at creation (or by Flagger). */
  readonly baselineId?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly status: "open" | "closed";
  readonly outcome?: AnalysisOutcome;
  readonly closedAt?: number;
  /** Number of looks judged so far. */
  readonly looks: number;
  readonly lastVerdict?: Verdict;
  /** Evaluation time of the last look. */
  readonly lastLookAt?: number;
  /** The judge's JSON state after the last look; `undefined` before the first. */
  readonly judgeState?: unknown;
}

/** One judged look of an analysis. `seq` counts from 1. */
export interface LookRecord {
  readonly analysisId: string;
  readonly seq: number;
  /** Evaluation time of the look. */
  readonly at: number;
  readonly verdict: SloVerdict;
  /** The counts the look was judged on (since the analysis start), for humans and the API. */
  readonly arms?: {
    readonly canary: ArmTotals | null;
    readonly stable: ArmTotals | null;
    readonly baseline: ArmTotals | null;
  };
  /** Wall-clock time the look was recorded. */
  readonly recordedAt: number;
}

/** Total and bad events of one arm (and, for latency SLIs, its histogram, for the analysis page). */
export interface ArmTotals {
  readonly total: number;
  readonly bad: number;
  readonly histogram?: HistogramCounts;
}

export type BaselineSource = "schedule" | "api" | "cli" | "flagger";

/** An SLO's counts (and histogram buckets) over `[from, to]`, captured at `capturedAt`. */
export interface BaselineRecord {
  readonly id: string;
  readonly sloId: string;
  readonly from: number;
  readonly to: number;
  readonly capturedAt: number;
  readonly counts: ArmCounts;
  readonly selector: readonly LabelMatcher[];
  readonly source: BaselineSource;
  readonly analysisId?: string;
}

/** Something a controller told us (Flagger `event` webhooks, closes, …). */
export interface EventRecord {
  readonly id: number;
  readonly at: number;
  readonly kind: string;
  readonly analysisId?: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface AnalysisQuery {
  readonly status?: "open" | "closed";
  readonly sloId?: string;
  readonly limit?: number;
}

/** The update written atomically with a look. */
export interface LookUpdate {
  readonly judgeState: unknown;
  readonly updatedAt: number;
  /** Closes the analysis in the same transaction (a deciding look). */
  readonly close?: { readonly outcome: AnalysisOutcome; readonly at: number };
}

/**
 * The store contract. Writes are atomic: a failed write (bad input, a value that cannot be
 * serialized, a conflicting sequence number) changes nothing already stored.
 */
export interface Store {
  /** Creates an analysis; CONFLICT when the id exists. */
  createAnalysis(
    record: Omit<AnalysisRecord, "looks" | "lastVerdict" | "judgeState" | "status">,
  ): AnalysisRecord;
  getAnalysis(id: string): AnalysisRecord | undefined;
  /** Newest first. */
  listAnalyses(query?: AnalysisQuery): AnalysisRecord[];
  /**
   * Appends a look and the judge state it produced. `look.seq` must be the analysis' look
   * count + 1 (CONFLICT otherwise: another look was recorded in between); NOT_FOUND for an
   * unknown analysis, CONFLICT for a closed one.
   */
  appendLook(look: LookRecord, update: LookUpdate): AnalysisRecord;
  /** Looks in sequence order. */
  listLooks(analysisId: string): LookRecord[];
  /** Closes an open analysis (idempotent for a closed one: returns it unchanged). */
  closeAnalysis(id: string, outcome: AnalysisOutcome, at: number): AnalysisRecord;
  /** Pins a baseline to an analysis. */
  setAnalysisBaseline(id: string, baselineId: string, at: number): AnalysisRecord;
  /** Deletes analyses (with their looks and events) last updated before `before`; returns how many. */
  deleteAnalysesBefore(before: number): number;
  /** Deletes baselines captured before `before`, keeping each SLO's newest; returns how many. */
  deleteBaselinesBefore(before: number): number;

  putBaseline(record: BaselineRecord): BaselineRecord;
  getBaseline(id: string): BaselineRecord | undefined;
  /** The newest baseline of an SLO captured at or before `at` (any time when omitted). */
  latestBaseline(sloId: string, at?: number): BaselineRecord | undefined;
  /** Newest first. */
  listBaselines(query?: { readonly sloId?: string; readonly limit?: number }): BaselineRecord[];

  appendEvent(event: Omit<EventRecord, "id">): EventRecord;
  /** Oldest first. */
  listEvents(query?: { readonly analysisId?: string; readonly limit?: number }): EventRecord[];

  /** Throws STORE_ERROR unless a write round-trips (for `/readyz`). */
  checkWritable(at: number): void;
  close(): void;
}
