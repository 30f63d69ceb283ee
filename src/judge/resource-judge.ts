/**
 * @module judge/resource-judge
 * The judge of resource SLIs (per-pod gauges: CPU cores, memory bytes, saturation). Pods are
 * the unit: at every step the canary's **mean per pod** is compared with stable's, so a canary
 * with fewer pods (a smaller sum) is not better and one with more pods is not worse. Two checks:
 *
 * - `<measure>-relative`: null "a canary pod uses at most r₀ × what a stable pod uses",
 *   r₀ = (1 + maxRegression.relative) × the pod-offset factor. Each new step t where both arms
 *   have pods gives d_t = log(c̄_t / s̄_t) − log r₀ (c̄, s̄ the arms' means over their pods) and
 *   the bounded score Y_t = tanh(d_t / 2s) ∈ (−1, 1); a betting e-process
 *   (`stats/betting-e-process.ts`) on Y fails the check once it reaches 1/α_bet. The pod-offset
 *   factor exp(t_{1−α_pod, df} · σ̂ · √(1/k_c + 1/k_s)) allows the persistent differences between
 *   pods of identical code: σ̂² is the variance of the pods' mean log values pooled within arms
 *   (df = (k_c − 1) + (k_s − 1)), so with α_pod = α_bet = α_relative / 2 (`podSplit`, as the
 *   sequential judge's pod margins split their checks' α) the realized pods of
 *   identical code differ by more than the factor with probability ≤ α_pod (Student's t), and
 *   otherwise the steps' scores have conditional mean ≤ 0 (see docs/judge.md, "Resource SLIs").
 * - `<measure>-absolute` (when the SLI has a `limit`): null "the canary's largest pod is at most
 *   the limit": the same betting test on tanh(log(max_p v_{p,t} / L) / 2s) at α_absolute. Stable
 *   breaching the same limit in at least half of the steps marks the failure as the
 *   environment's (`environmentShared`).
 *
 * `direction: lower-is-worse` (CPU idle, free memory) flips both: the canary is worse when its
 * pods have less, and the absolute check looks at its smallest pod. Steps are consumed once,
 * in time order, across looks (the state keeps the last one); a failed check stays failed. α is
 * split relative 2 : absolute 1. Pure.
 */
import type { LookData, PodGauge } from "../domain/counts.ts";
import type { CheckResult } from "../domain/verdict.ts";
import type { ResourceSli, Slo } from "../slo/model.ts";
import { formatResourceValue } from "../slo/resource-quantity.ts";
import { addBet, initialLogWealth, logMixtureWealth, logRatioScore } from "../stats/betting-e-process.ts";
import { tQuantile } from "../stats/special.ts";
import { formatEValue } from "./e-value.ts";
import { podSplit } from "./pod-margin.ts";
import type { Judge, JudgeInput, JudgeOutput } from "./types.ts";
import { decideVerdict, noDataOf } from "./verdict.ts";

/** The judge's state between looks (plain JSON). */
export interface ResourceState {
  readonly version: 1;
  readonly kind: "resource";
  /** α of each check, fixed at the first look (0 = not planned). */
  readonly alpha: { readonly relative: number; readonly absolute: number };
  /** Scale s of the scores (log units), fixed at the first look. */
  readonly scale: number;
  /** End time of the last step consumed (null before any). */
  readonly lastT: number | null;
  readonly relative: CheckState;
  readonly absolute: CheckState;
}

interface CheckState {
  /** Log-wealth per betting stake. */
  readonly logWealth: readonly number[];
  /** Steps consumed by this check. */
  readonly steps: number;
  /** Σ over consumed steps of the canary's statistic (mean per pod, or worst pod). */
  readonly canarySum: number;
  /** Σ of stable's statistic over the same steps. */
  readonly stableSum: number;
  /** Steps where stable's own statistic was beyond the limit (absolute only). */
  readonly stableBeyond: number;
  readonly failedAt: number | null;
  /** The last null ratio (relative) or limit (absolute) applied, and the pod-offset factor. */
  readonly bound: number | null;
  readonly podFactor: number;
  readonly podLogSd: number | null;
}

/** Largest pod-offset factor: beyond it nothing can be told anyway. */
export const MAX_RESOURCE_POD_FACTOR = 10;
/** The smallest score scale (log units): differences well below 2.5 % are not "clearly worse". */
export const MIN_RESOURCE_SCALE = 0.025;

const emptyCheck = (): CheckState => ({
  logWealth: initialLogWealth(),
  steps: 0,
  canarySum: 0,
  stableSum: 0,
  stableBeyond: 0,
  failedAt: null,
  bound: null,
  podFactor: 1,
  podLogSd: null,
});

function isState(s: unknown): s is ResourceState {
  return (
    typeof s === "object" &&
    s !== null &&
    (s as ResourceState).version === 1 &&
    (s as ResourceState).kind === "resource" &&
    Array.isArray((s as ResourceState).relative?.logWealth)
  );
}

function usableAlpha(slo: Slo): number {
  const a = slo.canary.alpha;
  return Number.isFinite(a) && a > 0 && a < 1 ? a : 0.05;
}

/** α per check: relative 2 : absolute 1 over the planned ones. */
export function planResourceAlpha(slo: Slo): { relative: number; absolute: number } {
  const sli = slo.sli as ResourceSli;
  const rel = slo.canary.checks.relative.enabled;
  const abs = slo.canary.checks.absolute.enabled && sli.limit !== undefined;
  const total = (rel ? 2 : 0) + (abs ? 1 : 0);
  const alpha = usableAlpha(slo);
  return total === 0
    ? { relative: 0, absolute: 0 }
    : { relative: rel ? (2 * alpha) / total : 0, absolute: abs ? alpha / total : 0 };
}

/** Values per step end time, for one arm: finite, non-negative values only. */
function byStep(pods: readonly PodGauge[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const p of pods) {
    for (const pt of p.points ?? []) {
      if (!Number.isFinite(pt.t) || !Number.isFinite(pt.v) || pt.v < 0) continue;
      const list = out.get(pt.t);
      if (list === undefined) out.set(pt.t, [pt.v]);
      else list.push(pt.v);
    }
  }
  return out;
}

/**
 * The between-pod standard deviation of log values, pooled within arms: each pod contributes
 * the mean of its log values over the analysis (pods with no positive value are left out).
 * Also the number of pods used per arm. σ̂ is null when no arm has two pods.
 */
export function podLogSpread(arms: readonly (readonly PodGauge[])[]): {
  sd: number | null;
  df: number;
  pods: number[];
} {
  let ss = 0;
  let df = 0;
  const pods: number[] = [];
  for (const list of arms) {
    const means: number[] = [];
    for (const p of list) {
      const logs = (p.points ?? []).filter((x) => Number.isFinite(x.v) && x.v > 0).map((x) => Math.log(x.v));
      if (logs.length > 0) means.push(logs.reduce((a, b) => a + b, 0) / logs.length);
    }
    pods.push(means.length);
    if (means.length < 2) continue;
    const m = means.reduce((a, b) => a + b, 0) / means.length;
    for (const x of means) ss += (x - m) * (x - m);
    df += means.length - 1;
  }
  return { sd: df === 0 ? null : Math.sqrt(ss / df), df, pods };
}

/**
 * The factor on r₀ for pod offsets: exp(t_{1−αPod, df} · σ̂ · √(1/k_c + 1/k_s)), capped at
 * MAX_RESOURCE_POD_FACTOR; 1 without an estimate (one pod per arm).
 */
export function resourcePodFactor(
  sd: number | null,
  df: number,
  kc: number,
  ks: number,
  alphaPod: number,
): number {
  if (sd === null || !(sd > 0) || !(df > 0) || !(kc > 0 && ks > 0) || !(alphaPod > 0 && alphaPod < 1))
    return 1;
  const f = Math.exp(tQuantile(1 - alphaPod, df) * sd * Math.sqrt(1 / kc + 1 / ks));
  return Number.isFinite(f) ? Math.min(MAX_RESOURCE_POD_FACTOR, f) : MAX_RESOURCE_POD_FACTOR;
}

/** "CPU", "memory", "saturation", or the SLO's name for a plain gauge. */
export function measureName(slo: Slo): string {
  const sli = slo.sli as ResourceSli;
  return sli.measure === "cpu" ? "CPU" : sli.measure === "gauge" ? slo.name : sli.measure;
}

/** A step's end time for reasons (UTC, seconds). */
function stepTime(t: number | null): string {
  return t === null || !Number.isFinite(t) ? "?" : new Date(t * 1000).toISOString().replace(".000Z", "Z");
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function pctChange(ratio: number): string {
  if (!Number.isFinite(ratio)) return "∞ %";
  const p = (ratio - 1) * 100;
  return `${Math.abs(p) < 10 ? Math.abs(p).toFixed(1) : Math.abs(p).toFixed(0)} %`;
}

/** Judges one look of a resource SLI; see the module comment. */
export function judgeResource(input: JudgeInput<ResourceState>): JudgeOutput<ResourceState> {
  const { slo, data } = input;
  const sli = slo.sli as ResourceSli;
  const worseHigh = slo.canary.direction !== "lower-is-worse";
  const prior: ResourceState = isState(input.state)
    ? input.state
    : {
        version: 1,
        kind: "resource",
        alpha: planResourceAlpha(slo),
        scale: Math.max(
          MIN_RESOURCE_SCALE,
          Math.log1p(Math.max(0, slo.canary.maxRegression.relative ?? 0)) / 2,
        ),
        lastT: null,
        relative: emptyCheck(),
        absolute: emptyCheck(),
      };
  const at = Number.isFinite(data.at) ? data.at : input.now;
  const canaryPods = data.gauges?.canary ?? null;
  const stablePods = data.gauges?.stable ?? null;
  const canarySteps = byStep(canaryPods ?? []);
  const stableSteps = byStep(stablePods ?? []);
  const times = [...new Set([...canarySteps.keys(), ...stableSteps.keys()])]
    .filter((t) => (prior.lastT === null || t > prior.lastT) && t <= at)
    .sort((a, b) => a - b);

  // Pod offsets: from every pod's values so far (both arms), fixed for this look's steps.
  const spread = podLogSpread([canaryPods ?? [], stablePods ?? []]);
  const alphaRel = prior.alpha.relative;
  // Pods are always the unit here: the relative α is always split (pod-margin.ts).
  const split = podSplit(alphaRel, true);
  const podFactor = resourcePodFactor(
    spread.sd,
    spread.df,
    spread.pods[0] ?? 0,
    spread.pods[1] ?? 0,
    1 - split.level,
  );
  const r0 = (1 + Math.max(0, slo.canary.maxRegression.relative ?? 0)) * podFactor;

  let rel = prior.relative;
  let abs = prior.absolute;
  let relW = [...rel.logWealth];
  let absW = [...abs.logWealth];
  let lastT = prior.lastT;
  const relThreshold = alphaRel > 0 ? Math.log(1 / split.test) : Infinity;
  const absThreshold = prior.alpha.absolute > 0 ? Math.log(1 / prior.alpha.absolute) : Infinity;
  const limit = sli.limit?.value;
  let relUpd = { ...rel };
  let absUpd = { ...abs };
  for (const t of times) {
    const c = canarySteps.get(t);
    const s = stableSteps.get(t);
    lastT = t;
    if (alphaRel > 0 && c !== undefined && s !== undefined && c.length > 0 && s.length > 0) {
      const cm = mean(c);
      const sm = mean(s);
      if (cm > 0 || sm > 0) {
        const d = (worseHigh ? Math.log(cm / sm) : Math.log(sm / cm)) - Math.log(r0);
        relW = addBet(relW, logRatioScore(d, prior.scale));
        relUpd = {
          ...relUpd,
          steps: relUpd.steps + 1,
          canarySum: relUpd.canarySum + cm,
          stableSum: relUpd.stableSum + sm,
        };
        if (relUpd.failedAt === null && logMixtureWealth(relW) >= relThreshold)
          relUpd = { ...relUpd, failedAt: t };
      }
    }
    if (prior.alpha.absolute > 0 && limit !== undefined && c !== undefined && c.length > 0) {
      const worst = worseHigh ? Math.max(...c) : Math.min(...c);
      const d = worseHigh ? Math.log(worst / limit) : Math.log(limit / worst);
      absW = addBet(absW, logRatioScore(d, prior.scale));
      const sw = s !== undefined && s.length > 0 ? (worseHigh ? Math.max(...s) : Math.min(...s)) : null;
      absUpd = {
        ...absUpd,
        steps: absUpd.steps + 1,
        canarySum: absUpd.canarySum + worst,
        stableSum: absUpd.stableSum + (sw ?? 0),
        stableBeyond: absUpd.stableBeyond + (sw !== null && (worseHigh ? sw > limit : sw < limit) ? 1 : 0),
      };
      if (absUpd.failedAt === null && logMixtureWealth(absW) >= absThreshold)
        absUpd = { ...absUpd, failedAt: t };
    }
  }
  rel = { ...relUpd, logWealth: relW, bound: r0, podFactor, podLogSd: spread.sd };
  abs = { ...absUpd, logWealth: absW, bound: limit ?? null };

  const name = measureName(slo);
  const checks: CheckResult[] = [];
  const minSteps = slo.canary.minRequests;
  const noArm = canaryPods === null ? "canary" : stablePods === null ? "stable" : null;
  if (alphaRel > 0) {
    const settings = slo.canary.checks.relative;
    const logE = logMixtureWealth(rel.logWealth);
    const ratio = rel.stableSum > 0 ? rel.canarySum / rel.stableSum : rel.canarySum > 0 ? Infinity : 1;
    const perPod = (sum: number): string =>
      rel.steps > 0 ? formatResourceValue(sum / rel.steps, sli.measure) : "n/a";
    const cmp = `${perPod(rel.canarySum)} vs ${perPod(rel.stableSum)} per pod over ${rel.steps} steps`;
    const allowed = `allowed ${pctChange(1 + (slo.canary.maxRegression.relative ?? 0))}${podFactor > 1.0005 ? ` × ${podFactor.toFixed(3)} for pod offsets` : ""}`;
    const direction =
      ratio >= 1 === worseHigh ? (worseHigh ? "above" : "below") : worseHigh ? "below" : "above";
    const status =
      rel.failedAt !== null
        ? "fail"
        : noArm !== null
          ? "nodata"
          : rel.steps < minSteps
            ? "inconclusive"
            : "pass";
    const e = formatEValue(logE);
    checks.push({
      id: `${sli.measure}-relative`,
      kind: "relative",
      status,
      critical: settings.critical,
      weight: settings.weight,
      reason:
        status === "fail"
          ? `per-pod ${name} ${pctChange(ratio)} ${direction} stable (${cmp}; ${allowed}); e-value ${e} ≥ ${formatEValue(relThreshold)}, first at ${stepTime(rel.failedAt)}`
          : status === "nodata"
            ? `no ${name} series for the ${noArm} arm`
            : status === "inconclusive"
              ? `collecting data: ${rel.steps} of ${minSteps} steps with pods in both arms; per-pod ${name} ${pctChange(ratio)} ${direction} stable so far (${cmp})`
              : `per-pod ${name} ${pctChange(ratio)} ${direction} stable (${cmp}; ${allowed}); no evidence beyond the margin (e-value ${e} < ${formatEValue(relThreshold)})`,
      evidence: {
        canaryPerPod: rel.steps > 0 ? rel.canarySum / rel.steps : null,
        stablePerPod: rel.steps > 0 ? rel.stableSum / rel.steps : null,
        ratio: Number.isFinite(ratio) ? ratio : null,
        nullRatio: r0,
        podFactor,
        podLogSd: spread.sd,
        canaryPods: spread.pods[0] ?? 0,
        stablePods: spread.pods[1] ?? 0,
        steps: rel.steps,
        eValue: Math.min(1e300, Math.exp(logE)),
        log10EValue: logE / Math.LN10,
        threshold: Math.exp(relThreshold),
        alpha: alphaRel,
        failedAt: rel.failedAt,
      },
    });
  }
  if (prior.alpha.absolute > 0 && limit !== undefined) {
    const settings = slo.canary.checks.absolute;
    const logE = logMixtureWealth(abs.logWealth);
    const worst = abs.steps > 0 ? abs.canarySum / abs.steps : null;
    const shared = abs.steps > 0 && abs.stableBeyond * 2 >= abs.steps;
    const pod = worseHigh ? "largest" : "smallest";
    const side = worseHigh ? "above" : "below";
    const limitText = `${sli.limit?.text ?? limit} (${formatResourceValue(limit, sli.measure)})`;
    const status =
      abs.failedAt !== null
        ? "fail"
        : canaryPods === null
          ? "nodata"
          : abs.steps < minSteps
            ? "inconclusive"
            : "pass";
    const e = formatEValue(logE);
    const w = worst === null ? "n/a" : formatResourceValue(worst, sli.measure);
    checks.push({
      id: `${sli.measure}-absolute`,
      kind: "absolute",
      status,
      critical: settings.critical,
      weight: settings.weight,
      reason:
        status === "fail"
          ? `the ${pod} canary pod's ${name} is ${side} the limit ${limitText} per pod (${w} on average over ${abs.steps} steps; e-value ${e} ≥ ${formatEValue(absThreshold)}, first at ${stepTime(abs.failedAt)})${shared ? "; stable's pods breach it too" : ""}`
          : status === "nodata"
            ? `no ${name} series for the canary arm`
            : status === "inconclusive"
              ? `collecting data: ${abs.steps} of ${minSteps} steps; the ${pod} canary pod's ${name} averages ${w} against the limit ${limitText}`
              : `the ${pod} canary pod's ${name} (${w} on average over ${abs.steps} steps) is within the limit ${limitText} per pod (e-value ${e})`,
      evidence: {
        worstCanaryPod: worst,
        worstStablePod: abs.steps > 0 ? abs.stableSum / abs.steps : null,
        limit,
        steps: abs.steps,
        stableStepsBeyond: abs.stableBeyond,
        environmentShared: shared,
        eValue: Math.min(1e300, Math.exp(logE)),
        log10EValue: logE / Math.LN10,
        threshold: Math.exp(absThreshold),
        alpha: prior.alpha.absolute,
        failedAt: abs.failedAt,
      },
    });
  }
  const armsData: LookData = {
    ...data,
    canary: canaryPods === null ? null : (data.canary ?? { total: 0, bad: 0 }),
    stable: stablePods === null ? null : (data.stable ?? { total: 0, bad: 0 }),
  };
  const needed: ("canary" | "stable")[] = alphaRel > 0 ? ["canary", "stable"] : ["canary"];
  const verdict = decideVerdict({
    slo,
    judge: "sequential",
    final: input.final,
    checks,
    canaryEvents: Math.max(rel.steps, abs.steps),
    eventsName: alphaRel > 0 ? "steps with pods in both arms" : "steps with canary pods",
    noData: noDataOf(armsData, needed),
  });
  // No baseline is ever captured for a resource SLI: say what the environment is judged by.
  const env = verdict.environment;
  const told =
    env !== undefined && env.status === "unknown" && env.checks.length === 0
      ? {
          ...verdict,
          environment: {
            ...env,
            reason:
              "resource SLIs are compared with stable's pods, not with a baseline; stable breaching the limit would mark the environment",
          },
        }
      : verdict;
  return {
    verdict: told,
    state: { ...prior, lastT, relative: rel, absolute: abs },
  };
}

/** The resource judge behind the common interface (picked for every resource SLI). */
export const resourceJudge: Judge<ResourceState> = { name: "sequential", look: judgeResource };
