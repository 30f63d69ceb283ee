/**
 * @module judge/sequential-state
 * The sequential judge's persisted state: its schema (JSON-serializable), the state of a
 * fresh analysis (hypotheses, α plan and limits fixed at the first look), and the check that
 * a stored state is ours (a corrupt or foreign one restarts the test). Pure.
 */
import { defaultMixtureGrid, initialLogRatios } from "../stats/mixture-e-process.ts";
import { betaQuantile } from "../stats/special.ts";
import { badRatioLimit, cleanArm, type CleanArm } from "./arm-data.ts";
import { baselineLimit, nullRatio, planAlpha, type AlphaPlan, type SequentialCheck } from "./margins.ts";
import type { JudgeInput } from "./types.ts";
import { historyPrior } from "./dispersion-prior.ts";
import type { DispersionPrior, DispersionSums } from "../stats/tempered-e-process.ts";

/** The mixture over alternatives shared by all count e-processes (fixed; part of state version 1). */
export const SEQUENTIAL_GRID = defaultMixtureGrid(24);

/** Cumulative counts an e-process has already consumed. */
export interface Consumed {
  total: number;
  bad: number;
}

/** One e-process' persisted state. */
export interface EProcessState {
  logRatios: number[];
  /** `at` of the look where it crossed 1/α; sticky. */
  failedAt: number | null;
  /** Largest log e-value seen (for the report). */
  maxLogE: number;
  /** Dispersion learned from this e-process' past looks (absent in states stored before it: none yet). */
  dispersion?: DispersionSums;
}

/**
 * The latency relative check's e-processes at several boundaries near the SLO threshold (see
 * `tail-boundaries.ts`): one count e-process per boundary on "requests above it", averaged.
 * Planned at the first look where both arms have histograms with the same bucket layout.
 */
export interface TailState {
  /** The boundaries (seconds), fixed when planned. */
  readonly bounds: number[];
  /** log E of the relative check when the tail test took over (0 when planned at the first look). */
  readonly logBase: number;
  /** Cumulative log-likelihood ratios per boundary (grid points each). */
  readonly logRatios: number[][];
  /** Histogram totals and counts above each boundary already consumed, per arm. */
  readonly canary: { total: number; above: number[] };
  readonly stable: { total: number; above: number[] };
  /** Dispersion learned per boundary (absent in older states: none yet). */
  readonly dispersion?: DispersionSums[];
  /** Prior c² per boundary (from the history before the deploy; absent: the state's prior). */
  readonly priorC2?: number[];
  /** The history's stable requests above each boundary and in all (for the rate estimate). */
  readonly priorCounts?: { readonly above: number[]; readonly total: number };
}

/** Between-pod variance of log bad rates (threshold count and each tail boundary) and pod counts. */
export interface PodSpread {
  readonly logVariance: number | null;
  readonly tailLogVariance?: (number | null)[];
  /** Between-pod variance of log median latency (latency SLIs with per-pod histograms). */
  readonly latencyLogVariance?: number | null;
  readonly canaryPods: number;
  readonly stablePods: number;
}

/** The sequential judge's state between looks (JSON-serializable). */
export interface SequentialState {
  readonly version: 1;
  /** `at` of the first look. */
  readonly startedAt: number;
  readonly alpha: AlphaPlan;
  /** Relative null ratio r₀. */
  readonly nullRatio: number;
  readonly absoluteLimit: number;
  /** Baseline check's limit on the canary bad ratio (null when not planned or unusable). */
  readonly baselineLimit: number | null;
  readonly baselineUpper: number | null;
  readonly relative: EProcessState & {
    canary: Consumed;
    stable: Consumed;
    tail?: TailState;
    /** Between-pod spread after the last look with per-pod counts (`pod-margin.ts`); used from the next look. */
    pods?: PodSpread;
  };
  readonly absolute: EProcessState & { canary: Consumed };
  readonly baseline: EProcessState & { canary: Consumed };
  /**
   * Stable's bad ratio weighted by the canary's traffic per look (what the canary would have
   * seen behaving like stable, however the split moved): Σ canary requests · stable's bad ratio
   * of the look, over Σ canary requests. Attributes an absolute failure to the environment
   * when it is at the limit too. Absent in states stored before it.
   */
  readonly stableProfile?: { canary: Consumed; stable: Consumed; weight: number; bad: number };
  readonly distributionFailedAt: number | null;
  /**
   * True from the first look whose arms carried per-pod counts: from then on each check's α is
   * split between its pod margin and its test (`podSplit` in pod-margin.ts). Absent before.
   */
  readonly podsRead?: boolean;
  /** Looks whose counts went down (counter reset / inconsistent data). */
  readonly resets: number;
  readonly looks: number;
  readonly lastAt: number | null;
  /**
   * Prior on the per-step CV² of the bad rate (`stats/tempered-e-process.ts`), fixed at the
   * first look: from the stable steps before the deploy (`data.history`), the SLO's
   * `canary.dispersion`, or none (c² = 0 with a weight of a few looks). Absent in states stored
   * before dispersion tempering: treated as the default.
   */
  readonly dispersionPrior?: DispersionPrior & {
    readonly source: "history" | "slo" | "default";
    /** The history's stable bad and total counts (source `history`), for the rate estimate. */
    readonly bad?: number;
    readonly total?: number;
  };
}

export function freshProcess(): EProcessState {
  return { logRatios: initialLogRatios(SEQUENTIAL_GRID), failedAt: null, maxLogE: 0 };
}

function baselineRatio(b: CleanArm | null): number | null {
  return b && b.total > 0 ? b.bad / b.total : null;
}

export function initialState(input: JudgeInput<SequentialState>): SequentialState {
  const { slo, data } = input;
  const checks = slo.canary.checks;
  // `null` and absent both mean "no baseline captured" (the service sends null).
  const baseline = data.baseline == null ? null : cleanArm(data.baseline, slo);
  const planned: Record<SequentialCheck, boolean> = {
    relative: checks.relative.enabled,
    absolute: checks.absolute.enabled,
    baseline: checks.baseline.enabled && data.baseline != null,
    distribution: checks.relative.enabled && slo.sli.type === "latency",
  };
  const alpha = planAlpha(slo, planned);
  let upper: number | null = null;
  let bLimit: number | null = null;
  if (planned.baseline && baseline && baseline.total > 0) {
    const a = alpha.baseline / 2;
    upper =
      baseline.bad >= baseline.total
        ? 1
        : betaQuantile(1 - a, baseline.bad + 1, baseline.total - baseline.bad);
    bLimit = baselineLimit(slo, upper);
  }
  const zero = (): Consumed => ({ total: 0, bad: 0 });
  return {
    version: 1,
    startedAt: data.at,
    alpha,
    nullRatio: nullRatio(slo, baselineRatio(baseline)),
    absoluteLimit: badRatioLimit(slo),
    baselineLimit: bLimit,
    baselineUpper: upper,
    relative: { ...freshProcess(), canary: zero(), stable: zero() },
    absolute: { ...freshProcess(), canary: zero() },
    baseline: { ...freshProcess(), canary: zero() },
    distributionFailedAt: null,
    dispersionPrior: historyPrior(input.slo, data.history?.stable),
    resets: 0,
    looks: 0,
    lastAt: null,
  };
}

/** True when a state object looks like ours (a corrupt or foreign state restarts the test). */
function isTail(t: unknown): t is TailState {
  if (typeof t !== "object" || t === null) return false;
  const o = t as Partial<TailState>;
  const n = Array.isArray(o.bounds) ? o.bounds.length : -1;
  return (
    n > 0 &&
    typeof o.logBase === "number" &&
    Array.isArray(o.logRatios) &&
    o.logRatios.length === n &&
    o.logRatios.every((lr) => Array.isArray(lr) && lr.length === SEQUENTIAL_GRID.offsets.length) &&
    Array.isArray(o.canary?.above) &&
    o.canary.above.length === n &&
    Array.isArray(o.stable?.above) &&
    o.stable.above.length === n
  );
}

export function isState(s: unknown): s is SequentialState {
  if (typeof s !== "object" || s === null) return false;
  const o = s as Partial<SequentialState>;
  return (
    (o.relative?.tail === undefined || isTail(o.relative.tail)) &&
    o.version === 1 &&
    Array.isArray(o.relative?.logRatios) &&
    o.relative.logRatios.length === SEQUENTIAL_GRID.offsets.length &&
    Array.isArray(o.absolute?.logRatios) &&
    Array.isArray(o.baseline?.logRatios) &&
    typeof o.nullRatio === "number" &&
    typeof o.alpha === "object" &&
    // Added with dispersion tempering; absent in older states (which still load).
    (o.dispersionPrior === undefined ||
      (Number.isFinite(o.dispersionPrior.c2) && Number.isFinite(o.dispersionPrior.looks)))
  );
}
