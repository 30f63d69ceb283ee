/**
 * @module judge/verdict
 * From check results to one `SloVerdict`, the same way for every judge:
 * - environment: a failing `baseline` check (canary worse than before the deploy), or a
 *   failing `absolute` check whose evidence says stable breaches the same limit
 *   (`environmentShared: true`), is attributed to the environment when no `relative` check fails (the
 *   canary is not worse than stable): reported as `environment.status: "degraded"` with the
 *   arms' bad ratios, and not counted against the canary — such a failure never fails the
 *   canary on its own, at any look interval;
 * - score = 100 · (1 − Σ weight(fail) / Σ weight(pass, fail or inconclusive)) over the other
 *   checks (nodata checks and environment failures do not count; 0 when nothing counted). An
 *   inconclusive check counts as "not failed", so whether a look fails depends only on which
 *   checks crossed their bounds, never on how many others are still collecting data (the old
 *   Σ weight(pass) / Σ weight(pass or fail) made one failure among inconclusive checks a
 *   score of 0 — a fail at 1-minute looks that 5-minute looks did not give);
 * - `fail` when a critical check fails, or when the score is below `failBelow` (75, Kayenta's
 *   marginal threshold) — both need at least one failing check, so a verdict fails only if
 *   some check's own bound was crossed;
 * - `nodata` when an arm has no series at all (`noData`) once the grace from the analysis
 *   start has passed, or at the final look: the reason names the selector;
 * - otherwise, before the final look: `pass` with `final: false` (no evidence of harm yet;
 *   "n of minRequests events so far" while traffic is low);
 * - at the final look: `pass` only if the canary saw at least `minRequests` events, no check
 *   is inconclusive, less than half the weight is nodata, at least one check passed, the
 *   score is ≥ `passAtLeast` and the environment is not degraded; otherwise `inconclusive` —
 *   too little data is never a pass.
 * Pure.
 */
import type { LookData } from "../domain/counts.ts";
import type { JudgeName } from "../slo/model.ts";
import type { Slo } from "../slo/model.ts";
import { DEFAULT_NO_DATA_GRACE_SECONDS } from "../slo/canary-defaults.ts";
import type { CheckResult, EnvironmentReport, SloVerdict, Verdict } from "../domain/verdict.ts";

/** Arms without any series at this look, and how long the analysis has run. */
export interface NoDataInfo {
  readonly arms: readonly ("canary" | "stable")[];
  /** Seconds since the analysis start. */
  readonly elapsedSeconds: number;
  readonly selectors?: LookData["selectors"];
}

export interface VerdictOptions {
  readonly slo: Slo;
  readonly judge: JudgeName;
  readonly final: boolean;
  readonly checks: readonly CheckResult[];
  /** Canary events seen so far (total requests since the analysis start). */
  readonly canaryEvents: number;
  /**
   * What `canaryEvents` counts, for reasons: default "canary events" (requests); the resource
   * judge says "steps with pods in both arms".
   */
  readonly eventsName?: string;
  /** Below this score the verdict fails. Default 75. */
  readonly failBelow?: number;
  /** At the final look a pass needs at least this score. Default 100 (every counted check passed). */
  readonly passAtLeast?: number;
  /** Extra sentence prepended to the reason (e.g. "counts went down: ..."). */
  readonly note?: string;
  /** Arms with no series (see `noDataOf`); absent when every arm has series. */
  readonly noData?: NoDataInfo;
}

/**
 * The arms among `needed` that returned no series at all at this look (`null` in the data),
 * or undefined when all have series.
 */
export function noDataOf(data: LookData, needed: readonly ("canary" | "stable")[]): NoDataInfo | undefined {
  const arms = needed.filter((a) => data[a] === null || data[a] === undefined);
  if (arms.length === 0) return undefined;
  const elapsed = data.at - data.since;
  return {
    arms,
    elapsedSeconds: Number.isFinite(elapsed) ? Math.max(0, elapsed) : 0,
    ...(data.selectors === undefined ? {} : { selectors: data.selectors }),
  };
}

const weightOf = (c: CheckResult): number => (Number.isFinite(c.weight) && c.weight > 0 ? c.weight : 0);

/**
 * 100 · (1 − Σ weight(fail) / Σ weight(pass, fail or inconclusive)); 0 when nothing counted.
 * An inconclusive check counts as not failed; nodata checks do not count.
 */
export function scoreChecks(checks: readonly CheckResult[]): number {
  let failed = 0;
  let counted = 0;
  for (const c of checks) {
    const w = weightOf(c);
    if (c.status === "fail") failed += w;
    if (c.status === "pass" || c.status === "fail" || c.status === "inconclusive") counted += w;
  }
  return counted > 0 ? 100 * (1 - failed / counted) : 0;
}

function ratioOf(c: CheckResult | undefined, key: string): number | null {
  const v = c?.evidence[key];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

const pctOf = (x: number | null): string => (x === null ? "n/a" : `${(x * 100).toFixed(2)} %`);

/** The environment's state and the failing checks attributed to it. */
export function environmentOf(checks: readonly CheckResult[]): EnvironmentReport {
  const relative = checks.filter((c) => c.kind === "relative");
  const relativeFailed = relative.some((c) => c.status === "fail");
  const baselineCheck = checks.find((c) => c.kind === "baseline");
  const relativeMain = relative.find((c) => "stableBadRatio" in c.evidence) ?? relative[0];
  const numbers = {
    baselineBadRatio: ratioOf(baselineCheck, "baselineBadRatio"),
    stableBadRatio: ratioOf(relativeMain, "stableBadRatio"),
    canaryBadRatio: ratioOf(baselineCheck, "canaryBadRatio") ?? ratioOf(relativeMain, "canaryBadRatio"),
  };
  const shared = checks.filter(
    (c) =>
      c.status === "fail" &&
      (c.kind === "baseline" || (c.kind === "absolute" && c.evidence.environmentShared === true)),
  );
  const said = `baseline ${pctOf(numbers.baselineBadRatio)}, stable ${pctOf(numbers.stableBadRatio)}, canary ${pctOf(numbers.canaryBadRatio)}`;
  if (shared.length > 0 && !relativeFailed) {
    const stableKnown = relative.some((c) => c.status !== "nodata");
    return {
      status: stableKnown ? "degraded" : "unknown",
      reason: stableKnown
        ? `the environment got worse, not the canary: ${shared.map((c) => c.id).join(", ")} failed while the canary is not worse than stable (${said}); not counted against the canary`
        : `${shared.map((c) => c.id).join(", ")} failed but stable has no data, so the canary cannot be told apart from the environment (${said}); not counted against the canary on its own`,
      ...numbers,
      checks: shared.map((c) => c.id),
    };
  }
  if (!baselineCheck || baselineCheck.status === "nodata") {
    return {
      status: "unknown",
      reason: "no baseline captured before the deploy to compare the environment with",
      ...numbers,
      checks: [],
    };
  }
  // Stable (the code that did not change) credibly worse than the baseline captured before the
  // deploy: the environment got worse, whether or not the canary's own checks crossed a bound
  // yet (a descriptive reading at 95 %, it fails nothing; a final look then leaves it to a human).
  const stableLower = ratioOf(relativeMain, "stableBadRatioWilson95Lower");
  const baselineUpper = ratioOf(baselineCheck, "baselineBadRatioUpper");
  if (!relativeFailed && stableLower !== null && baselineUpper !== null && stableLower > baselineUpper) {
    return {
      status: "degraded",
      reason: `the environment got worse, not the canary: stable's bad ratio (${pctOf(numbers.stableBadRatio)}, 95 % lower bound ${pctOf(stableLower)}) is above the baseline's upper bound ${pctOf(baselineUpper)} while the canary is not worse than stable (${said})`,
      ...numbers,
      checks: [],
    };
  }
  return {
    status: "ok",
    reason: relativeFailed
      ? `the canary is worse than stable (${said})`
      : `no sign that the environment got worse since the baseline (${said})`,
    ...numbers,
    checks: [],
  };
}

function armText(info: NoDataInfo, arm: "canary" | "stable"): string {
  const sel = info.selectors?.[arm];
  return sel === undefined || sel === "" ? `the ${arm} arm` : `the ${arm} selector ${sel}`;
}

/** Combines checks into the look's verdict. */
export function decideVerdict(o: VerdictOptions): SloVerdict {
  const environment = environmentOf(o.checks);
  const attributed = new Set(environment.checks);
  // Environment failures are neutral for the canary: counted as "not failed".
  const judged = o.checks.map((c) => (attributed.has(c.id) ? { ...c, status: "inconclusive" as const } : c));
  const score = scoreChecks(judged);
  const failing = judged.filter((c) => c.status === "fail");
  const criticalFail = failing.find((c) => c.critical);
  const failBelow = o.failBelow ?? 75;
  const passAtLeast = o.passAtLeast ?? 100;
  const minRequests = o.slo.canary.minRequests;
  const grace = o.slo.canary.noDataGraceSeconds ?? DEFAULT_NO_DATA_GRACE_SECONDS;
  const envNote = environment.status === "degraded" || attributed.size > 0 ? ` (${environment.reason})` : "";
  let verdict: Verdict;
  let reason: string;
  if (criticalFail) {
    verdict = "fail";
    reason = `critical check ${criticalFail.id} failed: ${criticalFail.reason}`;
  } else if (failing.length > 0 && score < failBelow) {
    verdict = "fail";
    reason = `score ${score.toFixed(0)} < ${failBelow}: ${failing.map((c) => `${c.id}: ${c.reason}`).join("; ")}`;
  } else if (o.noData && (o.final || o.noData.elapsedSeconds >= grace)) {
    const info = o.noData;
    verdict = "nodata";
    reason = `no series at all for ${info.arms.map((a) => armText(info, a)).join(" and ")} after ${Math.round(info.elapsedSeconds)} s: check the label values the rollout passes (pod-template hash, workload name), that the pods are scraped with those labels (relabelling) and that the ${info.arms.join(" and ")} gets traffic`;
  } else if (!o.final) {
    verdict = "pass";
    if (o.noData) {
      const info = o.noData;
      reason = `waiting for the first series of ${info.arms.map((a) => armText(info, a)).join(" and ")} (${Math.round(info.elapsedSeconds)} of ${grace} s grace); keep going`;
    } else if (failing.length > 0) {
      reason = `no critical regression so far (score ${score.toFixed(0)}); keep going`;
    } else if (o.canaryEvents < minRequests) {
      reason = `keep going: ${o.canaryEvents} of ${minRequests} ${o.eventsName ?? "canary events"} so far; no evidence of a regression (not yet a claim of safety)`;
    } else {
      reason = "no evidence of a regression so far; keep going (not yet a claim of safety)";
    }
    reason += envNote;
  } else {
    const totalWeight = o.checks.reduce((s, c) => s + weightOf(c), 0);
    const nodataWeight = o.checks.filter((c) => c.status === "nodata").reduce((s, c) => s + weightOf(c), 0);
    const open = judged.filter((c) => c.status === "inconclusive" && !attributed.has(c.id));
    if (o.canaryEvents < minRequests) {
      verdict = "inconclusive";
      reason =
        o.eventsName === undefined
          ? `not enough canary traffic to decide: ${o.canaryEvents} of ${minRequests} events`
          : `not enough data to decide: ${o.canaryEvents} of ${minRequests} ${o.eventsName}`;
    } else if (!judged.some((c) => c.status === "pass")) {
      verdict = "inconclusive";
      reason = "no check could be evaluated";
    } else if (totalWeight > 0 && nodataWeight >= totalWeight / 2) {
      verdict = "inconclusive";
      reason = "half or more of the checks (by weight) had no data";
    } else if (attributed.size > 0 || environment.status === "degraded") {
      verdict = "inconclusive";
      reason = `the canary is not worse than stable, but ${environment.reason}: not promoting automatically, a human decides`;
    } else if (open.length > 0 || score < passAtLeast) {
      verdict = "inconclusive";
      const list = open.map((c) => `${c.id}: ${c.reason}`).join("; ");
      reason = `not enough evidence to pass (score ${score.toFixed(0)})${list ? `: ${list}` : ""}`;
    } else {
      verdict = "pass";
      reason = `every check passed on ${o.canaryEvents} ${o.eventsName ?? "canary events"} (score ${score.toFixed(0)})`;
    }
  }
  return {
    slo: o.slo.id,
    judge: o.judge,
    verdict,
    final: o.final,
    score: Math.round(score * 100) / 100,
    reason: o.note ? `${o.note} ${reason}` : reason,
    checks: o.checks,
    environment,
  };
}
