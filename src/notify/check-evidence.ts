/**
 * @module notify/check-evidence
 * Which checks of a verdict to tell people about and how their numbers read in a message:
 * shared by the Alertmanager annotations and the Slack blocks. Pure.
 */
import type { CheckResult, SloVerdict } from "../domain/verdict.ts";

/** Checks that failed, critical ones first (stable order otherwise). */
export function failingChecks(verdict: SloVerdict): CheckResult[] {
  return verdict.checks
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.status === "fail")
    .sort((a, b) => Number(b.c.critical) - Number(a.c.critical) || a.i - b.i)
    .map(({ c }) => c);
}

/** Checks that took part in the score (not `nodata`). */
export function countedChecks(verdict: SloVerdict): CheckResult[] {
  return verdict.checks.filter((c) => c.status !== "nodata");
}

/** A number for humans: integers as they are, others with 4 significant digits, no float noise. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return n.toExponential(3);
  return String(Number(n.toPrecision(4)));
}

/** `key=value` pairs of a check's evidence (null values left out), in the judge's order. */
export function formatEvidence(evidence: CheckResult["evidence"], maxPairs = 12): string {
  const pairs: string[] = [];
  for (const [k, v] of Object.entries(evidence)) {
    if (v === null) continue;
    pairs.push(`${k}=${typeof v === "number" ? formatNumber(v) : String(v)}`);
    if (pairs.length >= maxPairs) break;
  }
  return pairs.join(", ");
}

/** One line per check: `id (critical): reason [numbers]`. */
export function describeCheck(c: CheckResult): string {
  const ev = formatEvidence(c.evidence);
  return `${c.id}${c.critical ? " (critical)" : ""}: ${c.reason}${ev === "" ? "" : ` [${ev}]`}`;
}

function percent(x: number): string {
  return `${formatNumber(x * 100)}%`;
}

function num(evidence: CheckResult["evidence"], key: string): number | undefined {
  const v = evidence[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/**
 * A check's numbers as people compare them: `canary 6.88% (344/5000) vs stable 0.51% (…) vs
 * limit 1%` for bad-event ratios (the arms present in the evidence, then the baseline and the
 * limit), the CDF gap and its bucket for latency distributions, else the evidence pairs.
 */
export function checkNumbers(c: CheckResult): string {
  const e = c.evidence;
  const arm = (name: string, label: string): string | undefined => {
    const ratio = num(e, `${name}BadRatio`);
    if (ratio === undefined) return undefined;
    const bad = num(e, `${name}Bad`);
    const total = num(e, `${name}Total`);
    return `${label} ${percent(ratio)}${bad !== undefined && total !== undefined ? ` (${formatNumber(bad)}/${formatNumber(total)})` : ""}`;
  };
  const limit = num(e, "limit");
  const parts = [
    arm("canary", "canary"),
    arm("stable", "stable"),
    arm("baseline", "baseline"),
    limit === undefined ? undefined : `limit ${percent(limit)}`,
  ].filter((p): p is string => p !== undefined);
  if (parts.length > 0) return parts.join(" vs ");
  const gap = num(e, "gap");
  const bound = num(e, "atBoundSeconds");
  if (gap !== undefined && bound !== undefined) {
    return `canary vs stable latency CDF gap ${formatNumber(gap)} at the ${formatNumber(bound)} s bucket`;
  }
  return formatEvidence(e);
}
