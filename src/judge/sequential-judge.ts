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
 */
import { binnedMannWhitney } from "../stats/binned-mann-whitney.ts";
import { wilsonInterval } from "../stats/binomial-interval.ts";
import { cdfBandWidth, empiricalCdf } from "../stats/cdf-band.ts";
import { fisherExact } from "../stats/fisher-exact.ts";
import { histogramQuantile } from "../stats/histogram-quantile.ts";
import {
  addInterval,
  canaryEventProbability,
  defaultMixtureGrid,
  initialLogRatios,
  logEValue,
  logMeanEValue,
  shiftOdds,
} from "../stats/mixture-e-process.ts";
import { betaQuantile } from "../stats/special.ts";
import type { Slo } from "../slo/model.ts";
import { badRatioLimit, checkPrefix, cleanArm, num, pct, type CleanArm } from "./arm-data.ts";
import { baselineLimit, nullRatio, planAlpha, type AlphaPlan, type SequentialCheck } from "./margins.ts";
import type { CheckResult, CheckStatus } from "../domain/verdict.ts";
import type { Judge, JudgeInput, JudgeOutput } from "./types.ts";
import { countsAbove, tailBoundaries } from "./tail-boundaries.ts";
import { eValueOf, formatEValue, log10EValueOf } from "./e-value.ts";
import { decideVerdict, noDataOf } from "./verdict.ts";

/** The mixture over alternatives shared by all count e-processes (fixed; part of state version 1). */
export const SEQUENTIAL_GRID = defaultMixtureGrid(24);

/** Cumulative counts an e-process has already consumed. */
interface Consumed {
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
  readonly relative: EProcessState & { canary: Consumed; stable: Consumed; tail?: TailState };
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
  /** Looks whose counts went down (counter reset / inconsistent data). */
  readonly resets: number;
  readonly looks: number;
  readonly lastAt: number | null;
}

function freshProcess(): EProcessState {
  return { logRatios: initialLogRatios(SEQUENTIAL_GRID), failedAt: null, maxLogE: 0 };
}

function baselineRatio(b: CleanArm | null): number | null {
  return b && b.total > 0 ? b.bad / b.total : null;
}

function initialState(input: JudgeInput<SequentialState>): SequentialState {
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

function isState(s: unknown): s is SequentialState {
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
    typeof o.alpha === "object"
  );
}

/** Increment of cumulative counts since `prev`; `null` when counts went down. */
function increment(cur: CleanArm, prev: Consumed): { total: number; bad: number } | null {
  const dt = cur.total - prev.total;
  const db = cur.bad - prev.bad;
  if (dt < 0 || db < 0) return null;
  return { total: dt, bad: Math.min(db, dt) };
}

/**
 * The relative check's log e-value: with a tail test, the e-value when it took over times the
 * average of the boundaries' e-processes since (a stopped e-process continued by another is
 * still one); otherwise the slow-count e-process at the threshold.
 */
export function relativeLogE(relative: SequentialState["relative"]): number {
  const t = relative.tail;
  if (!t) return logEValue(SEQUENTIAL_GRID, relative.logRatios);
  return t.logBase + logMeanEValue(SEQUENTIAL_GRID, t.logRatios);
}

/**
 * Plans or advances the latency tail test with the look's histograms. Returns the relative
 * state unchanged when there is nothing to add; `reset` when counts went down (re-anchored).
 */
function advanceTail(
  slo: Slo,
  relative: SequentialState["relative"],
  canary: CleanArm | null,
  stable: CleanArm | null,
  r0: number,
  fresh: boolean,
): { relative: SequentialState["relative"]; reset: boolean } {
  if (slo.sli.type !== "latency" || slo.canary.direction === "lower-is-worse")
    return { relative, reset: false };
  const hc = canary?.histogram;
  const hs = stable?.histogram;
  if (!hc || !hs || hc.bounds.length !== hs.bounds.length) return { relative, reset: false };
  for (let i = 0; i < hc.bounds.length; i++)
    if (hc.bounds[i] !== hs.bounds[i]) return { relative, reset: false };
  let tail = relative.tail;
  if (!tail) {
    const bounds = tailBoundaries(hc.bounds, slo.sli.thresholdSeconds);
    if (bounds.length === 0) return { relative, reset: false };
    const ca = countsAbove(hc, bounds);
    const sa = countsAbove(hs, bounds);
    if (!ca || !sa) return { relative, reset: false };
    const zero = bounds.map(() => 0);
    tail = {
      bounds,
      // Planned at the first look: the tail test is the relative check from the start.
      // Planned later: the threshold's e-process so far, continued by the tail test.
      logBase: fresh ? 0 : logEValue(SEQUENTIAL_GRID, relative.logRatios),
      logRatios: bounds.map(() => initialLogRatios(SEQUENTIAL_GRID)),
      canary: fresh ? { total: 0, above: zero } : { total: ca.total, above: ca.above },
      stable: fresh ? { total: 0, above: [...zero] } : { total: sa.total, above: sa.above },
    };
  }
  const ca = countsAbove(hc, tail.bounds);
  const sa = countsAbove(hs, tail.bounds);
  if (!ca || !sa) return { relative: { ...relative, tail }, reset: false };
  const dct = ca.total - tail.canary.total;
  const dst = sa.total - tail.stable.total;
  const dca = ca.above.map((v, i) => v - (tail.canary.above[i] ?? 0));
  const dsa = sa.above.map((v, i) => v - (tail.stable.above[i] ?? 0));
  const consumed = {
    canary: { total: ca.total, above: ca.above },
    stable: { total: sa.total, above: sa.above },
  };
  if (dct < 0 || dst < 0 || dca.some((d) => d < 0) || dsa.some((d) => d < 0)) {
    return { relative: { ...relative, tail: { ...tail, ...consumed } }, reset: true };
  }
  // One arm without new requests: keep the anchor, its events count with the next interval.
  if (!(dct > 0 && dst > 0)) return { relative: { ...relative, tail }, reset: false };
  const rho = dct / (dct + dst);
  const theta0 = canaryEventProbability(rho, r0);
  const logRatios = tail.logRatios.map((lr, i) =>
    addInterval(lr, dca[i] ?? 0, (dca[i] ?? 0) + (dsa[i] ?? 0), theta0, (g) =>
      canaryEventProbability(rho, r0 * Math.exp(SEQUENTIAL_GRID.offsets[g] ?? 0)),
    ),
  );
  return { relative: { ...relative, tail: { ...tail, ...consumed, logRatios } }, reset: false };
}

function crossed<P extends EProcessState>(p: P, logE: number, alpha: number, at: number): P {
  const failedAt = p.failedAt ?? (alpha > 0 && logE >= Math.log(1 / alpha) ? at : null);
  return { ...p, failedAt, maxLogE: Math.max(p.maxLogE, logE) };
}

/** Advances every e-process by the look's new counts. */
function advance(
  slo: Slo,
  s: SequentialState,
  canary: CleanArm | null,
  stable: CleanArm | null,
  at: number,
): { state: SequentialState; resetNote: string | null } {
  let resets = s.resets;
  const notes: string[] = [];
  const grid = SEQUENTIAL_GRID;

  // Relative: split of the new bad events between arms given the arms' new requests.
  let relative = s.relative;
  if (canary && stable && s.alpha.relative > 0) {
    const dc = increment(canary, relative.canary);
    const ds = increment(stable, relative.stable);
    const consumed = {
      canary: { total: canary.total, bad: canary.bad },
      stable: { total: stable.total, bad: stable.bad },
    };
    if (!dc || !ds) {
      resets++;
      notes.push(
        "counts went down since the previous look (counter reset or inconsistent data): re-anchored",
      );
      relative = { ...relative, ...consumed };
    } else if (dc.total > 0 && ds.total > 0) {
      const rho = dc.total / (dc.total + ds.total);
      const r0 = s.nullRatio;
      const theta0 = canaryEventProbability(rho, r0);
      const logRatios = addInterval(relative.logRatios, dc.bad, dc.bad + ds.bad, theta0, (g) =>
        canaryEventProbability(rho, r0 * Math.exp(grid.offsets[g] ?? 0)),
      );
      relative = { ...relative, ...consumed, logRatios };
    }
    // One arm without new requests: keep the anchor, its events are counted with the next interval.
    const t = advanceTail(
      slo,
      relative,
      canary,
      stable,
      s.nullRatio,
      s.relative.canary.total === 0 && s.relative.stable.total === 0,
    );
    relative = t.relative;
    if (t.reset && notes.length === 0) {
      resets++;
      notes.push(
        "histogram counts went down since the previous look (counter reset or inconsistent data): re-anchored",
      );
    }
    relative = crossed(relative, relativeLogE(relative), s.alpha.relative, at);
  }

  const binomialStep = <P extends EProcessState & { canary: Consumed }>(
    p: P,
    limit: number | null,
    alpha: number,
  ): P => {
    if (!canary || alpha <= 0 || limit === null || !(limit > 0 && limit < 1)) return p;
    const d = increment(canary, p.canary);
    const consumed = { canary: { total: canary.total, bad: canary.bad } };
    if (!d) {
      if (notes.length === 0) {
        resets++;
        notes.push(
          "canary counts went down since the previous look (counter reset or inconsistent data): re-anchored",
        );
      }
      return { ...p, ...consumed };
    }
    if (d.total === 0) return p;
    const logRatios = addInterval(p.logRatios, d.bad, d.total, limit, (g) =>
      shiftOdds(limit, grid.offsets[g] ?? 0),
    );
    return crossed({ ...p, ...consumed, logRatios }, logEValue(grid, logRatios), alpha, at);
  };
  const absolute = binomialStep(s.absolute, s.absoluteLimit, s.alpha.absolute);
  const baseline = binomialStep(s.baseline, s.baselineLimit, s.alpha.baseline / 2);
  return {
    state: {
      ...s,
      relative,
      absolute,
      baseline,
      stableProfile: profileStep(s.stableProfile, canary, stable),
      resets,
      looks: s.looks + 1,
      lastAt: at,
    },
    resetNote: notes.length > 0 ? notes.join("; ") + "." : null,
  };
}

/** Advances `stableProfile` by the look's increments (see `SequentialState.stableProfile`). */
function profileStep(
  p: SequentialState["stableProfile"],
  canary: CleanArm | null,
  stable: CleanArm | null,
): SequentialState["stableProfile"] {
  const prev = p ?? { canary: { total: 0, bad: 0 }, stable: { total: 0, bad: 0 }, weight: 0, bad: 0 };
  if (!canary || !stable) return prev;
  const consumed = {
    canary: { total: canary.total, bad: canary.bad },
    stable: { total: stable.total, bad: stable.bad },
  };
  const dc = increment(canary, prev.canary);
  const ds = increment(stable, prev.stable);
  if (!dc || !ds) return { ...prev, ...consumed };
  // Canary requests without stable ones in this look: weighed with stable's next look.
  if (dc.total > 0 && ds.total === 0) return prev;
  if (dc.total === 0) return { ...prev, ...consumed };
  return { ...consumed, weight: prev.weight + dc.total, bad: prev.bad + (dc.total * ds.bad) / ds.total };
}

interface CheckContext {
  readonly slo: Slo;
  readonly final: boolean;
  readonly state: SequentialState;
  readonly canary: CleanArm | null;
  readonly stable: CleanArm | null;
  readonly baseline: CleanArm | null | undefined;
}

function statusFor(failedAt: number | null, canaryTotal: number, minRequests: number): CheckStatus {
  if (failedAt !== null) return "fail";
  return canaryTotal < minRequests ? "inconclusive" : "pass";
}

function rate(a: CleanArm | null | undefined): number {
  return a && a.total > 0 ? a.bad / a.total : Number.NaN;
}

function histogramEvidence(
  slo: Slo,
  canary: CleanArm | null,
  stable: CleanArm | null,
): Record<string, number | null> {
  if (slo.sli.type !== "latency") return {};
  const q = slo.sli.quantile ?? 0.95;
  const ev: Record<string, number | null> = { quantile: q };
  if (canary?.histogram) ev.canaryQuantileSeconds = num(histogramQuantile(q, canary.histogram));
  if (stable?.histogram) ev.stableQuantileSeconds = num(histogramQuantile(q, stable.histogram));
  if (
    canary?.histogram &&
    stable?.histogram &&
    canary.histogram.counts.length === stable.histogram.counts.length
  ) {
    const mw = binnedMannWhitney(canary.histogram.counts, stable.histogram.counts, {
      alternative: "greater",
    });
    ev.probabilityCanarySlower = num(mw.effect);
    ev.mannWhitneyP = num(mw.p);
  }
  return ev;
}

/**
 * Fisher's exact one-sided p-value (canary worse) on the whole analysis' 2×2 table: a
 * fixed-horizon number for the report, computed at the final look only (it does not take
 * part in the decision and is not valid under peeking).
 */
function finalFisherP(canary: CleanArm | null, stable: CleanArm | null): number | null {
  if (!canary || !stable || canary.total <= 0 || stable.total <= 0) return null;
  if (canary.bad + stable.bad > 1e5) return null; // O(bad events) terms; skip when huge
  return num(
    fisherExact(
      [
        [canary.bad, canary.total - canary.bad],
        [stable.bad, stable.total - stable.bad],
      ],
      "greater",
    ).p,
  );
}

function relativeCheck(c: CheckContext): CheckResult {
  const { slo, state, canary, stable } = c;
  const settings = slo.canary.checks.relative;
  const id = `${checkPrefix(slo)}-relative`;
  const base = { id, kind: "relative" as const, critical: settings.critical, weight: settings.weight };
  const alpha = state.alpha.relative;
  if ((!canary || !stable) && state.relative.failedAt === null) {
    return {
      ...base,
      status: "nodata",
      reason: `no series for the ${!canary ? "canary" : "stable"} arm`,
      evidence: { canaryTotal: canary?.total ?? null, stableTotal: stable?.total ?? null },
    };
  }
  const logE = relativeLogE(state.relative);
  const tail = state.relative.tail;
  const rc = rate(canary);
  const rs = rate(stable);
  const status = statusFor(state.relative.failedAt, canary?.total ?? 0, slo.canary.minRequests);
  const eText = formatEValue(logE);
  const r0 = state.nullRatio;
  const ratio = rc / rs;
  const strongest = tail ? strongestBoundary(tail) : null;
  const tailNote = tail
    ? `; tested at ${tail.bounds.length} bucket boundaries ${tail.bounds[0]}–${tail.bounds[tail.bounds.length - 1]} s, strongest at ${strongest} s`
    : "";
  const reason =
    status === "fail" && tail
      ? `canary's share of requests slower than the boundaries near the threshold is credibly above ${r0.toFixed(2)} × stable's (above the threshold: canary ${pct(rc)}, stable ${pct(rs)}; e-value ${eText} ≥ 1/α = ${(1 / alpha).toFixed(0)}${tailNote})`
      : status === "fail"
        ? `canary bad ratio ${pct(rc)} is credibly above ${r0.toFixed(2)} × stable's ${pct(rs)} (e-value ${eText} ≥ 1/α = ${(1 / alpha).toFixed(0)})`
        : status === "inconclusive"
          ? `collecting data: ${canary?.total ?? 0} of ${slo.canary.minRequests} canary events; no evidence of a regression (e-value ${eText})`
          : `no evidence that canary (${pct(rc)}) is worse than ${r0.toFixed(2)} × stable (${pct(rs)}) (e-value ${eText} < ${(1 / alpha).toFixed(0)}${tailNote})`;
  const wc = wilsonInterval(canary?.bad ?? 0, canary?.total ?? 0);
  const ws = wilsonInterval(stable?.bad ?? 0, stable?.total ?? 0);
  return {
    ...base,
    status,
    reason,
    evidence: {
      canaryBad: canary?.bad ?? null,
      canaryTotal: canary?.total ?? null,
      stableBad: stable?.bad ?? null,
      stableTotal: stable?.total ?? null,
      canaryBadRatio: num(rc),
      stableBadRatio: num(rs),
      canaryBadRatioWilson95Lower: num(wc.lower),
      canaryBadRatioWilson95Upper: num(wc.upper),
      stableBadRatioWilson95Lower: num(ws.lower),
      stableBadRatioWilson95Upper: num(ws.upper),
      ratio: num(ratio),
      nullRatio: r0,
      eValue: eValueOf(logE),
      log10EValue: log10EValueOf(logE),
      eThreshold: alpha > 0 ? 1 / alpha : null,
      alpha,
      failedAt: state.relative.failedAt,
      ...(tail
        ? {
            eValueAtThreshold: eValueOf(logEValue(SEQUENTIAL_GRID, state.relative.logRatios)),
            tailBoundaries: tail.bounds.length,
            tailFromSeconds: tail.bounds[0] ?? null,
            tailToSeconds: tail.bounds[tail.bounds.length - 1] ?? null,
            strongestBoundSeconds: strongest,
          }
        : {}),
      ...(c.final ? { fisherExactPFinal: finalFisherP(canary, stable) } : {}),
      ...histogramEvidence(slo, canary, stable),
    },
  };
}

/** The boundary whose e-process is largest (for the report). */
function strongestBoundary(tail: TailState): number | null {
  let best = -Infinity;
  let at: number | null = null;
  tail.logRatios.forEach((lr, i) => {
    const l = logEValue(SEQUENTIAL_GRID, lr);
    if (l > best) {
      best = l;
      at = tail.bounds[i] ?? null;
    }
  });
  return at;
}

function binomialCheck(c: CheckContext, kind: "absolute" | "baseline"): CheckResult {
  const { slo, state, canary } = c;
  const settings = slo.canary.checks[kind];
  const id = `${checkPrefix(slo)}-${kind}`;
  const base = { id, kind, critical: settings.critical, weight: settings.weight };
  const p = kind === "absolute" ? state.absolute : state.baseline;
  const alpha = kind === "absolute" ? state.alpha.absolute : state.alpha.baseline / 2;
  const limit = kind === "absolute" ? state.absoluteLimit : state.baselineLimit;
  const baselineArm = kind === "baseline" ? c.baseline : undefined;
  // The baseline's limit was fixed at the first look; later looks need not repeat the baseline.
  if (p.failedAt === null && (!canary || (kind === "baseline" && limit === null))) {
    return {
      ...base,
      status: "nodata",
      reason: !canary ? "no series for the canary arm" : "the captured baseline has no usable data",
      evidence: { canaryTotal: canary?.total ?? null, baselineTotal: baselineArm?.total ?? null },
    };
  }
  const logE = logEValue(SEQUENTIAL_GRID, p.logRatios);
  const eText = formatEValue(logE);
  const rc = rate(canary);
  let status = statusFor(p.failedAt, canary?.total ?? 0, slo.canary.minRequests);
  const what =
    kind === "absolute"
      ? "the objective's limit"
      : `the baseline's limit (baseline ${baselineArm ? pct(rate(baselineArm)) : "captured earlier"})`;
  let reason: string;
  if (limit === null || !(limit > 0 && limit < 1)) {
    status = p.failedAt !== null ? "fail" : status;
    reason = `the limit ${limit === null ? "is unknown" : pct(limit)} cannot be exceeded; nothing to test`;
  } else if (status === "fail") {
    reason = `canary bad ratio ${pct(rc)} is credibly above ${what} ${pct(limit)} (e-value ${eText} ≥ ${(1 / alpha).toFixed(0)})`;
  } else if (status === "inconclusive") {
    reason = `collecting data: ${canary?.total ?? 0} of ${slo.canary.minRequests} canary events; canary ${pct(rc)} vs ${what} ${pct(limit)}`;
  } else {
    reason = `no evidence that canary (${pct(rc)}) exceeds ${what} ${pct(limit)} (e-value ${eText})`;
  }
  const wi = wilsonInterval(canary?.bad ?? 0, canary?.total ?? 0);
  return {
    ...base,
    status,
    reason,
    evidence: {
      canaryBad: canary?.bad ?? null,
      canaryTotal: canary?.total ?? null,
      canaryBadRatio: num(rc),
      canaryBadRatioWilson95Lower: num(wi.lower),
      canaryBadRatioWilson95Upper: num(wi.upper),
      limit: limit === null ? null : num(limit),
      ...(kind === "baseline"
        ? {
            baselineBad: baselineArm?.bad ?? null,
            baselineTotal: baselineArm?.total ?? null,
            baselineBadRatio: num(rate(baselineArm)),
            baselineBadRatioUpper: state.baselineUpper,
          }
        : {
            stableBadRatio: num(rate(c.stable)),
            stableProfiledBadRatio: profiledRatio(state),
            // Stable's bad ratio weighted by the canary's traffic is at the limit too: an
            // absolute failure is the environment's (scale-free: more data never changes it).
            environmentShared: limit !== null && (profiledRatio(state) ?? -1) >= limit,
          }),
      eValue: eValueOf(logE),
      log10EValue: log10EValueOf(logE),
      eThreshold: alpha > 0 ? 1 / alpha : null,
      alpha,
      failedAt: p.failedAt,
    },
  };
}

function profiledRatio(state: SequentialState): number | null {
  const p = state.stableProfile;
  return p && p.weight > 0 ? num(p.bad / p.weight) : null;
}

/** Largest gap F̂_stable(b') − F̂_canary(b) − (band widths) over boundaries, b' ≤ b/(1 + margin). */
function distributionGap(
  slo: Slo,
  canary: CleanArm,
  stable: CleanArm,
  alpha: number,
): { gap: number; bound: number; widthCanary: number; widthStable: number } | null {
  const hc = canary.histogram;
  const hs = stable.histogram;
  if (!hc || !hs || hc.bounds.length !== hs.bounds.length) return null;
  for (let i = 0; i < hc.bounds.length; i++) if (hc.bounds[i] !== hs.bounds[i]) return null;
  const ec = empiricalCdf(hc.counts);
  const es = empiricalCdf(hs.counts);
  const wc = cdfBandWidth(ec.total, alpha / 2);
  const ws = cdfBandWidth(es.total, alpha / 2);
  if (!Number.isFinite(wc) || !Number.isFinite(ws))
    return { gap: -Infinity, bound: Number.NaN, widthCanary: wc, widthStable: ws };
  const m = slo.canary.maxRegression.relative ?? 0;
  let best = -Infinity;
  let bound = Number.NaN;
  let j = -1;
  for (let i = 0; i < hc.bounds.length - 1; i++) {
    const b = hc.bounds[i] ?? 0;
    while (j + 1 < hs.bounds.length - 1 && (hs.bounds[j + 1] ?? Infinity) <= b / (1 + Math.max(0, m))) j++;
    const fs = j >= 0 ? (es.cdf[j] ?? 0) : 0;
    const gap = fs - (ec.cdf[i] ?? 0) - wc - ws;
    if (gap > best) {
      best = gap;
      bound = b;
    }
  }
  return { gap: best, bound, widthCanary: wc, widthStable: ws };
}

function distributionCheck(
  c: CheckContext,
  failedAt: number | null,
  at: number,
): { result: CheckResult; failedAt: number | null } {
  const { slo, state, canary, stable } = c;
  const settings = slo.canary.checks.relative;
  const base = {
    id: "latency-distribution",
    kind: "relative" as const,
    critical: settings.critical,
    weight: settings.weight,
  };
  const alpha = state.alpha.distribution;
  const g = canary && stable ? distributionGap(slo, canary, stable, alpha) : null;
  if (!g && failedAt === null) {
    return {
      result: { ...base, status: "nodata", reason: "no comparable histograms for both arms", evidence: {} },
      failedAt,
    };
  }
  const nowFailed = failedAt ?? (g && g.gap > 0 ? at : null);
  const status = statusFor(nowFailed, canary?.total ?? 0, slo.canary.minRequests);
  const m = slo.canary.maxRegression.relative ?? 0;
  const reason =
    status === "fail"
      ? `canary latency is credibly more than ${(m * 100).toFixed(0)} % slower than stable at the ${g ? g.bound : "?"} s bucket (time-uniform CDF bands do not overlap)`
      : `the arms' time-uniform CDF bands overlap at every bucket (largest gap ${g ? g.gap.toFixed(4) : "n/a"})`;
  return {
    result: {
      ...base,
      status,
      reason,
      evidence: {
        gap: g ? num(g.gap) : null,
        atBoundSeconds: g ? num(g.bound) : null,
        bandWidthCanary: g ? num(g.widthCanary) : null,
        bandWidthStable: g ? num(g.widthStable) : null,
        alpha,
        failedAt: nowFailed,
      },
    },
    failedAt: nowFailed,
  };
}

/** Judges one look with the anytime-valid checks; see the module comment. */
export function judgeSequential(input: JudgeInput<SequentialState>): JudgeOutput<SequentialState> {
  const { slo, data } = input;
  const at = Number.isFinite(data.at) ? data.at : input.now;
  const prior = isState(input.state) ? input.state : initialState(input);
  const canary = cleanArm(data.canary, slo);
  const stable = cleanArm(data.stable, slo);
  const baseline = data.baseline == null ? undefined : cleanArm(data.baseline, slo);
  const { state: advanced, resetNote } = advance(slo, prior, canary, stable, at);
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
