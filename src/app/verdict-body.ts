/**
 * @module app/verdict-body
 * The JSON body of a verdict, the same for Argo's `web` provider, Flagger's webhooks and
 * `slogate analyze --json`: `verdict` at the top (what templates test), the score, the
 * checks with their numbers and reasons, the counts per arm, the analysis and its link.
 */
import type { LookResult } from "./analyze-look.ts";

function ratio(a: { total: number; bad: number } | null | undefined): number | null {
  return a === null || a === undefined || !(a.total > 0) ? null : a.bad / a.total;
}

function armsOf(r: LookResult): Record<string, unknown> | null {
  const a = r.look.arms;
  if (a === undefined) return null;
  const one = (x: { total: number; bad: number } | null) =>
    x === null ? null : { ...x, badRatio: ratio(x) };
  return { canary: one(a.canary), stable: one(a.stable), baseline: one(a.baseline) };
}

/** The verdict body of one look. */
export function verdictBody(r: LookResult): Record<string, unknown> {
  const v = r.look.verdict;
  return {
    verdict: v.verdict,
    final: v.final,
    score: v.score,
    reason: v.reason,
    slo: r.analysis.sloId,
    judge: v.judge,
    analysis: {
      id: r.analysis.id,
      look: r.look.seq,
      ...(r.analysis.expectedLooks === undefined ? {} : { count: r.analysis.expectedLooks }),
      status: r.analysis.status,
      ...(r.analysis.outcome === undefined ? {} : { outcome: r.analysis.outcome }),
      start: r.analysis.start,
      at: r.look.at,
      replayed: r.replayed,
    },
    checks: v.checks,
    // ok | degraded | unknown, with the arms' bad ratios (null in verdicts stored before it).
    environment: v.environment ?? null,
    arms: armsOf(r),
    link: r.link,
  };
}
