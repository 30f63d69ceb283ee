/**
 * @module judge/verdict
 * From check results to one `SloVerdict`, the same way for every judge:
 * - score = 100 · Σ weight(pass) / Σ weight(pass or fail) (inconclusive and nodata checks do
 *   not count; 0 when nothing counted);
 * - `fail` when a critical check fails, or when the score is below `failBelow` (75, Kayenta's
 *   marginal threshold) — both need at least one failing check, so a verdict fails only if
 *   some check's own bound was crossed;
 * - otherwise, before the final look: `pass` with `final: false` (no evidence of harm yet);
 * - at the final look: `pass` only if the canary saw at least `minRequests` events, no check
 *   is inconclusive, less than half the weight is nodata, at least one check passed and the
 *   score is ≥ `passAtLeast`; otherwise `inconclusive` — too little data is never a pass.
 * Pure.
 */
import type { JudgeName } from "../slo/model.ts";
import type { Slo } from "../slo/model.ts";
import type { CheckResult, SloVerdict, Verdict } from "../domain/verdict.ts";

export interface VerdictOptions {
  readonly slo: Slo;
  readonly judge: JudgeName;
  readonly final: boolean;
  readonly checks: readonly CheckResult[];
  /** Canary events seen so far (total requests since the analysis start). */
  readonly canaryEvents: number;
  /** Below this score the verdict fails. Default 75. */
  readonly failBelow?: number;
  /** At the final look a pass needs at least this score. Default 100 (every counted check passed). */
  readonly passAtLeast?: number;
  /** Extra sentence prepended to the reason (e.g. "counts went down: ..."). */
  readonly note?: string;
}

/** Weighted share of passing checks among those that counted. */
export function scoreChecks(checks: readonly CheckResult[]): number {
  let passed = 0;
  let counted = 0;
  for (const c of checks) {
    const w = Number.isFinite(c.weight) && c.weight > 0 ? c.weight : 0;
    if (c.status === "pass") passed += w;
    if (c.status === "pass" || c.status === "fail") counted += w;
  }
  return counted > 0 ? (100 * passed) / counted : 0;
}

/** Combines checks into the look's verdict. */
export function decideVerdict(o: VerdictOptions): SloVerdict {
  const score = scoreChecks(o.checks);
  const failing = o.checks.filter((c) => c.status === "fail");
  const criticalFail = failing.find((c) => c.critical);
  const failBelow = o.failBelow ?? 75;
  const passAtLeast = o.passAtLeast ?? 100;
  let verdict: Verdict;
  let reason: string;
  if (criticalFail) {
    verdict = "fail";
    reason = `critical check ${criticalFail.id} failed: ${criticalFail.reason}`;
  } else if (failing.length > 0 && score < failBelow) {
    verdict = "fail";
    reason = `score ${score.toFixed(0)} < ${failBelow}: ${failing.map((c) => `${c.id}: ${c.reason}`).join("; ")}`;
  } else if (!o.final) {
    verdict = "pass";
    reason =
      failing.length > 0
        ? `no critical regression so far (score ${score.toFixed(0)}); keep going`
        : "no evidence of a regression so far; keep going (not yet a claim of safety)";
  } else {
    const minRequests = o.slo.canary.minRequests;
    const weightOf = (c: CheckResult): number => (Number.isFinite(c.weight) && c.weight > 0 ? c.weight : 0);
    const totalWeight = o.checks.reduce((s, c) => s + weightOf(c), 0);
    const nodataWeight = o.checks.filter((c) => c.status === "nodata").reduce((s, c) => s + weightOf(c), 0);
    const open = o.checks.filter((c) => c.status === "inconclusive");
    if (o.canaryEvents < minRequests) {
      verdict = "inconclusive";
      reason = `not enough canary traffic to decide: ${o.canaryEvents} of ${minRequests} events`;
    } else if (!o.checks.some((c) => c.status === "pass")) {
      verdict = "inconclusive";
      reason = "no check could be evaluated";
    } else if (totalWeight > 0 && nodataWeight >= totalWeight / 2) {
      verdict = "inconclusive";
      reason = "half or more of the checks (by weight) had no data";
    } else if (open.length > 0 || score < passAtLeast) {
      verdict = "inconclusive";
      const list = open.map((c) => `${c.id}: ${c.reason}`).join("; ");
      reason = `not enough evidence to pass (score ${score.toFixed(0)})${list ? `: ${list}` : ""}`;
    } else {
      verdict = "pass";
      reason = `every check passed on ${o.canaryEvents} canary events (score ${score.toFixed(0)})`;
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
  };
}
