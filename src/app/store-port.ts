/**
 * @module app/store-port
 * What the gate service remembers: analyses (their start, selectors, looks with verdicts and
 * the judge's sequential state), baselines captured before deploys, and controller events.
 * One contract, three adapters (`MemoryStore`, `SqliteStore` in-process, `PostgresStore`
 * shared by several replicas), one contract test suite (`store-contract.ts`). Every method
 * returns a promise: the PostgreSQL adapter talks to a server; the in-process ones answer
 * at once. Besides records, the store coordinates replicas: per-analysis locks, schedule
 * ticks claimed once, leases for background work, and the notification outbox.
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

/** Total and bad events of one arm. */
export interface ArmTotals {
  readonly total: number;
  readonly bad: number;
  /** For latency SLIs: the arm's histogram (for the analysis page). */
  readonly histogram?: HistogramCounts;
}

export type BaselineSource = "schedule" | "api" | "cli" | "flagger";

/** Which series a baseline covers (`app/baseline-scope.ts`), in words and by kind. */
export interface BaselineScope {
  /**
   * `service`: every series of the SLO (no rollout in progress); `service-without-canaries`:
   * the whole service with the canaries of `excluded` negated out; `stable`: a stable arm's
   * selector.
   */
  readonly kind: "service" | "service-without-canaries" | "stable";
  /** The analyses whose canaries were left out. */
  readonly excluded?: readonly string[];
  /** One sentence with the selector, for the API and the analysis page. */
  readonly note: string;
}

/** An SLO's counts (and histogram buckets) over `[from, to]`, captured at `capturedAt`. */
export interface BaselineRecord {
  readonly id: string;
  readonly sloId: string;
  readonly from: number;
  readonly to: number;
  readonly capturedAt: number;
  readonly counts: ArmCounts;
  readonly selector: readonly LabelMatcher[];
  /** How `selector` was chosen; absent on baselines stored before it was recorded. */
  readonly scope?: BaselineScope;
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
  /** Notifications written to the outbox in the same transaction (not when the look is replayed). */
  readonly notifications?: readonly OutboxInput[];
}

/** What `appendLook` did. */
export interface AppendedLook {
  readonly analysis: AnalysisRecord;
  /** The look as stored: the given one, or the one already stored for the same time. */
  readonly look: LookRecord;
  /** True when a look of the same analysis and time was already stored (nothing was written). */
  readonly replayed: boolean;
}

/** A notification to deliver once, e.g. one Slack message for one verdict change. */
export interface OutboxInput {
  /** Destination kind, e.g. `slack` or `alertmanager`. */
  readonly target: string;
  /**
   * Deduplication key: enqueueing a key that is already in the outbox (delivered or not)
   * changes nothing, so a replayed look or a second replica cannot queue the same message twice.
   */
  readonly key: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /** Unix seconds; the item is not handed out before then. */
  readonly notBefore: number;
}

/** An outbox item handed out by `claimNotifications`. */
export interface OutboxItem extends OutboxInput {
  readonly id: number;
  /** Delivery attempts so far, including the current claim. */
  readonly attempts: number;
  readonly createdAt: number;
}

/** A named piece of state kept across restarts and replicas (firing alerts, reader state). */
export interface StateRecord {
  readonly namespace: string;
  readonly key: string;
  readonly value: Readonly<Record<string, unknown>>;
  readonly updatedAt: number;
}

/**
 * The incremental arm reader's state for one arm of one analysis (`ReadArmCountsFrom`): what
 * the next look needs to read only the samples since this one. Deleted with its analysis.
 */
export interface ReadStateRecord {
  readonly analysisId: string;
  readonly arm: "canary" | "stable";
  /** The look time whose read left this state. */
  readonly at: number;
  /** The reader's JSON document (opaque to the store). */
  readonly state: Readonly<Record<string, unknown>>;
  readonly updatedAt: number;
}

/** Which baselines to list (newest first). */
export interface BaselineQuery {
  readonly sloId?: string;
  /** Only the baseline pinned to this analysis (e.g. captured at Flagger's pre-rollout). */
  readonly analysisId?: string;
  /** Default 100. */
  readonly limit?: number;
}

/**
 * The store contract. Writes are atomic: a failed write (bad input, a value that cannot be
 * serialized, a conflicting sequence number) changes nothing already stored. A store that
 * cannot be reached rejects with STORE_ERROR (HTTP 503), never with a made-up answer.
 */
export interface Store {
  /** Creates an analysis; CONFLICT when the id exists. */
  createAnalysis(
    record: Omit<AnalysisRecord, "looks" | "lastVerdict" | "judgeState" | "status">,
  ): Promise<AnalysisRecord>;
  getAnalysis(id: string): Promise<AnalysisRecord | undefined>;
  /** Newest first. */
  listAnalyses(query?: AnalysisQuery): Promise<AnalysisRecord[]>;
  /**
   * Appends a look and the judge state it produced. When a look of the same analysis with the
   * same `at` is already stored, that look is returned (`replayed`) and nothing changes —
   * whatever the sequence number, even when the analysis has closed since. Otherwise
   * `look.seq` must be the analysis' look count + 1 (CONFLICT otherwise: another look was
   * recorded in between); NOT_FOUND for an unknown analysis, CONFLICT for a closed one.
   */
  appendLook(look: LookRecord, update: LookUpdate): Promise<AppendedLook>;
  /** Looks in sequence order. */
  listLooks(analysisId: string): Promise<LookRecord[]>;
  /** Closes an open analysis (idempotent for a closed one: returns it unchanged). */
  closeAnalysis(id: string, outcome: AnalysisOutcome, at: number): Promise<AnalysisRecord>;
  /** Pins a baseline to an analysis. */
  setAnalysisBaseline(id: string, baselineId: string, at: number): Promise<AnalysisRecord>;
  /**
   * Deletes analyses (with their looks and events) last updated before `before`; returns how
   * many. Also forgets schedule ticks claimed and notifications settled before `before`.
   */
  deleteAnalysesBefore(before: number): Promise<number>;
  /** Deletes baselines captured before `before`, keeping each SLO's newest; returns how many. */
  deleteBaselinesBefore(before: number): Promise<number>;

  putBaseline(record: BaselineRecord): Promise<BaselineRecord>;
  getBaseline(id: string): Promise<BaselineRecord | undefined>;
  /** The newest baseline of an SLO captured at or before `at` (any time when omitted). */
  latestBaseline(sloId: string, at?: number): Promise<BaselineRecord | undefined>;
  /** Newest first. */
  listBaselines(query?: BaselineQuery): Promise<BaselineRecord[]>;

  appendEvent(event: Omit<EventRecord, "id">): Promise<EventRecord>;
  /** Oldest first. */
  listEvents(query?: { readonly analysisId?: string; readonly limit?: number }): Promise<EventRecord[]>;

  /**
   * Runs `fn` while holding the lock of one analysis: two calls with the same id never
   * overlap, in this process or (PostgreSQL) in any replica on the same database. Hold it
   * across read-judge-record so a look is judged on the state the previous look left.
   */
  withAnalysisLock<T>(analysisId: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Claims the run of a scheduled job at one tick (`key`, e.g. `baseline:<cron>:<tick time>`):
   * true for exactly one caller across all replicas, false for every other.
   */
  claimTick(key: string, owner: string, at: number): Promise<boolean>;
  /**
   * Takes or renews the lease `name` for `owner` until `at + ttlSeconds`: true when `owner`
   * holds it now (it was free, expired, or already `owner`'s), false when another owner does.
   */
  acquireLease(name: string, owner: string, at: number, ttlSeconds: number): Promise<boolean>;
  /** Gives the lease up if `owner` holds it. */
  releaseLease(name: string, owner: string): Promise<void>;

  /** Adds notifications to the outbox; keys already present are skipped. Returns how many were added. */
  enqueueNotifications(items: readonly OutboxInput[], at: number): Promise<number>;
  /**
   * Hands out up to `limit` undelivered items of `target` due at `at` and not claimed by a
   * live lease, oldest first, leasing them to `owner` for `leaseSeconds`. An item whose lease
   * expired (its claimer died) is handed out again.
   */
  claimNotifications(
    target: string,
    owner: string,
    at: number,
    leaseSeconds: number,
    limit: number,
  ): Promise<OutboxItem[]>;
  /**
   * Settles a claimed item: `delivered` removes it from delivery for good; `retryAt` frees it
   * for another claim at that time; `dropped` (given up) removes it too. Ignored unless
   * `owner` is still the item's claimer (nobody claimed it again after its lease expired);
   * returns whether it applied.
   */
  settleNotification(
    id: number,
    owner: string,
    outcome: { readonly delivered: true } | { readonly retryAt: number } | { readonly dropped: string },
    at: number,
  ): Promise<boolean>;
  /** Undelivered items of `target` (claimed or not). */
  pendingNotifications(target: string): Promise<number>;

  /** Writes (replaces) a state record. */
  putState(record: StateRecord): Promise<void>;
  /** All state records of a namespace, by key. */
  listState(namespace: string): Promise<StateRecord[]>;
  /** One state record by namespace and key (issue 14: Kayenta executions are read by id). */
  getState(namespace: string, key: string): Promise<StateRecord | undefined>;
  deleteState(namespace: string, key: string): Promise<void>;

  // --- incremental read state (issue #13) ---
  /** The read state of one arm of an analysis, if any. */
  getReadState(analysisId: string, arm: ReadStateRecord["arm"]): Promise<ReadStateRecord | undefined>;
  /** Writes (replaces) the read state of one arm; NOT_FOUND for an unknown analysis. */
  putReadState(record: ReadStateRecord): Promise<void>;
  // --- end incremental read state ---

  /** Rejects with STORE_ERROR unless a write round-trips (for `/readyz`). */
  checkWritable(at: number): Promise<void>;
  close(): Promise<void>;
}
