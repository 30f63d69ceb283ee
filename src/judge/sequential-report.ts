/**
 * @module judge/sequential-report
 * The sequential judge's check results: status, the one-sentence reason and the evidence in
 * numbers for the relative, absolute and baseline checks (from the advanced state), and the
 * latency distribution check (time-uniform CDF bands, decided here from the look's
 * histograms). Pure.
 */
import { binnedMannWhitney } from "../stats/binned-mann-whitney.ts";
import { wilsonInterval } from "../stats/binomial-interval.ts";
import { cdfBandWidth, empiricalCdf } from "../stats/cdf-band.ts";
import { fisherExact } from "../stats/fisher-exact.ts";
import { histogramQuantile } from "../stats/histogram-quantile.ts";
import { logEValue } from "../stats/mixture-e-process.ts";
import type { Slo } from "../slo/model.ts";
import { checkPrefix, num, pct, type CleanArm } from "./arm-data.ts";
import type { CheckResult, CheckStatus } from "../domain/verdict.ts";
import { eValueOf, formatEValue, log10EValueOf } from "./e-value.ts";
import { podMarginFactor, podSplit } from "./pod-margin.ts";
import { relativeLogE } from "./sequential-evidence.ts";
import { SEQUENTIAL_GRID, type SequentialState, type TailState } from "./sequential-state.ts";

export interface CheckContext {
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

export function relativeCheck(c: CheckContext): CheckResult {
  const { slo, state, canary, stable } = c;
  const settings = slo.canary.checks.relative;
  const id = `${checkPrefix(slo)}-relative`;
  const base = { id, kind: "relative" as const, critical: settings.critical, weight: settings.weight };
  // Once per-pod counts are read, part of the check's α is the pod margin's (pod-margin.ts).
  const alpha = podSplit(state.alpha.relative, state.podsRead === true).test;
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

export function binomialCheck(c: CheckContext, kind: "absolute" | "baseline"): CheckResult {
  const { slo, state, canary } = c;
  const settings = slo.canary.checks[kind];
  const id = `${checkPrefix(slo)}-${kind}`;
  const base = { id, kind, critical: settings.critical, weight: settings.weight };
  const p = kind === "absolute" ? state.absolute : state.baseline;
  const alpha = podSplit(
    kind === "absolute" ? state.alpha.absolute : state.alpha.baseline / 2,
    state.podsRead === true,
  ).test;
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
  podLatency: number | null | undefined,
  pods: { canary: number; stable: number },
  podLevel: number,
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
  // Pods of identical code differ in latency: widen the margin by their spread (pod-margin.ts).
  const m0 = slo.canary.maxRegression.relative ?? 0;
  const m = (1 + Math.max(0, m0)) * podMarginFactor(podLatency, pods.canary, pods.stable, podLevel) - 1;
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

export function distributionCheck(
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
  const split = podSplit(state.alpha.distribution, state.podsRead === true);
  const alpha = split.test;
  const ps = state.relative.pods;
  const g =
    canary && stable
      ? distributionGap(
          slo,
          canary,
          stable,
          alpha,
          ps?.latencyLogVariance,
          { canary: ps?.canaryPods ?? 0, stable: ps?.stablePods ?? 0 },
          split.level,
        )
      : null;
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
