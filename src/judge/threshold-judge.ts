/**
 * @module judge/threshold-judge
 * The hand-written Argo/Flagger style: at each look, the canary's current bad ratio against
 * a fixed limit (`maxBadRatio`, else 1 − objective) — what `successCondition: result[0] <=
 * 0.01` on a rate query does. "Current" is the latest step of the per-step series when given,
 * else the increment since the previous look (kept in the state), else the cumulative ratio.
 * No statistics: every look is a fresh chance to fail on noise (see bench/results/judge.md).
 * Pure.
 */
import { checkPrefix, badRatioLimit, cleanArm, cleanSeries, isList, num, pct } from "./arm-data.ts";
import type { Slo } from "../slo/model.ts";
import type { CleanArm } from "./arm-data.ts";
import type { CheckResult } from "../domain/verdict.ts";
import type { Judge, JudgeInput, JudgeOutput } from "./types.ts";
import type { StepCounts } from "../domain/counts.ts";
import { decideVerdict, noDataOf } from "./verdict.ts";

export interface ThresholdState {
  readonly version: 1;
  /** Canary cumulative counts at the previous look. */
  readonly prev: { readonly total: number; readonly bad: number } | null;
  readonly failedAt: number | null;
  /** The last current value judged, reused when a look brings no new canary data. */
  readonly current?: { readonly total: number; readonly bad: number; readonly source: string } | null;
}

function isState(s: unknown): s is ThresholdState {
  return typeof s === "object" && s !== null && (s as ThresholdState).version === 1;
}

/** The canary's latest usable step (by time), without cleaning the whole series. */
function latestStep(
  list: readonly StepCounts[] | undefined,
  slo: Slo,
): (CleanArm & { t: number }) | undefined {
  if (!list || !isList(list)) return undefined;
  let best: StepCounts | undefined;
  for (const s of list) {
    if (typeof s === "object" && s !== null && Number.isFinite(s.t) && (!best || s.t > best.t)) best = s;
  }
  return best ? cleanSeries([best], slo)[0] : undefined;
}

/** Judges one look by comparing the canary's current bad ratio with the limit. */
export function judgeThreshold(input: JudgeInput<ThresholdState>): JudgeOutput<ThresholdState> {
  const { slo, data } = input;
  const prior: ThresholdState = isState(input.state)
    ? input.state
    : { version: 1, prev: null, failedAt: null };
  const at = Number.isFinite(data.at) ? data.at : input.now;
  const canary = cleanArm(data.canary, slo);
  const limit = badRatioLimit(slo);
  const last = data.series ? latestStep(data.series.canary, slo) : undefined;
  let current: { total: number; bad: number; source: string } | null = null;
  if (last && last.total > 0) current = { total: last.total, bad: last.bad, source: "latest step" };
  else if (canary && prior.prev && canary.total > prior.prev.total && canary.bad >= prior.prev.bad) {
    current = {
      total: canary.total - prior.prev.total,
      bad: canary.bad - prior.prev.bad,
      source: "since the previous look",
    };
  } else if (canary && canary.total > 0 && !prior.prev) {
    current = { total: canary.total, bad: canary.bad, source: "since the analysis start" };
  } else if (canary && prior.prev && canary.total === prior.prev.total && prior.current) {
    // A repeated look (same counts): the current value has not changed.
    current = prior.current;
  }
  const settings = slo.canary.checks.absolute;
  const base = {
    id: `${checkPrefix(slo)}-absolute`,
    kind: "absolute" as const,
    critical: true,
    weight: settings.weight,
  };
  let check: CheckResult;
  let failedAt = prior.failedAt;
  if (!current) {
    check = {
      ...base,
      status: failedAt !== null ? "fail" : "nodata",
      reason: canary ? "no canary requests in the current interval" : "no series for the canary arm",
      evidence: { limit },
    };
  } else {
    const value = current.bad / current.total;
    if (value > limit && failedAt === null) failedAt = at;
    const status =
      failedAt !== null ? "fail" : (canary?.total ?? 0) < slo.canary.minRequests ? "inconclusive" : "pass";
    check = {
      ...base,
      status,
      reason:
        status === "fail"
          ? `canary bad ratio ${pct(value)} (${current.source}) is above the limit ${pct(limit)}${failedAt !== at ? ` (first at ${failedAt})` : ""}`
          : status === "inconclusive"
            ? `collecting data: ${canary?.total ?? 0} of ${slo.canary.minRequests} canary events; current ${pct(value)} ≤ ${pct(limit)}`
            : `canary bad ratio ${pct(value)} (${current.source}) is within the limit ${pct(limit)}`,
      evidence: { value: num(value), limit, bad: current.bad, total: current.total, failedAt },
    };
  }
  const verdict = decideVerdict({
    slo,
    judge: "threshold",
    final: input.final,
    checks: [check],
    canaryEvents: canary?.total ?? 0,
    noData: canary === null && last === undefined ? noDataOf(data, ["canary"]) : undefined,
  });
  return {
    verdict,
    state: {
      version: 1,
      prev: canary ? { total: canary.total, bad: canary.bad } : prior.prev,
      failedAt,
      current: current ?? null,
    },
  };
}

/** The threshold judge behind the common interface. */
export const thresholdJudge: Judge<ThresholdState> = { name: "threshold", look: judgeThreshold };
