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
