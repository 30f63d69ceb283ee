/**
 * @module judge/kayenta-score
 * slogate's verdict on Kayenta's 0–100 score scale, for the Kayenta-compatible API
 * (docs/service.md). Argo Rollouts' `kayenta` provider truncates the score to an integer and
 * compares it with the thresholds it sent: `≥ pass` Successful, `≥ marginal` Inconclusive,
 * else Failed (argo-rollouts `metricproviders/kayenta/kayenta.go` `evaluateResult`). So each
 * verdict gets a score on the right side of the caller's own thresholds:
 *
 * | verdict                  | score        | Argo         |
 * | ------------------------ | ------------ | ------------ |
 * | pass                     | 100          | Successful   |
 * | inconclusive, nodata     | `marginal`   | Inconclusive |
 * | fail                     | 0            | Failed       |
 *
 * That needs `0 < marginal < pass ≤ 100` (integers): with `marginal` 0 a fail would read as
 * Inconclusive, with `marginal = pass` an inconclusive as a pass — such thresholds are refused.
 * Pure.
 */
import type { Verdict } from "../domain/verdict.ts";

/** The thresholds of a canary execution request (`thresholds: {pass, marginal}`). */
export interface KayentaThresholds {
  readonly pass: number;
  readonly marginal: number;
}

/** Kayenta's defaults when a request sends no thresholds. */
export const DEFAULT_KAYENTA_THRESHOLDS: KayentaThresholds = { pass: 95, marginal: 75 };

/** Why thresholds cannot carry slogate's three outcomes, or undefined when they can. */
export function kayentaThresholdsProblem(t: KayentaThresholds): string | undefined {
  if (!Number.isInteger(t.pass) || !Number.isInteger(t.marginal)) {
    return `thresholds must be integers (pass ${t.pass}, marginal ${t.marginal})`;
  }
  if (!(t.marginal > 0 && t.marginal < t.pass && t.pass <= 100)) {
    return `thresholds must satisfy 0 < marginal < pass ≤ 100 (pass ${t.pass}, marginal ${t.marginal}): otherwise a fail or an inconclusive verdict cannot be told apart from the next outcome up`;
  }
  return undefined;
}

/** The score reported for a verdict under valid thresholds (see the table above). */
export function kayentaScore(verdict: Verdict, t: KayentaThresholds): number {
  if (verdict === "pass") return 100;
  if (verdict === "fail") return 0;
  return t.marginal;
}

/** What Argo makes of a score (for tests and docs): its `evaluateResult`. */
export function argoKayentaPhase(
  score: number,
  t: KayentaThresholds,
): "Successful" | "Inconclusive" | "Failed" {
  const s = Math.trunc(score);
  return s >= t.pass ? "Successful" : s >= t.marginal ? "Inconclusive" : "Failed";
}
