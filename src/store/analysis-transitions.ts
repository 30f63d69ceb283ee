/**
 * @module store/analysis-transitions
 * How a stored analysis changes, shared by both stores so they cannot drift apart: the
 * record after a look (refused when the analysis is closed or the look out of sequence),
 * after closing, and the errors both stores raise for missing and duplicate records.
 */
import { SlogateError } from "../errors.ts";
import type { AnalysisOutcome, AnalysisRecord, LookRecord, LookUpdate } from "../app/store-port.ts";

/** The NOT_FOUND error for an analysis id. */
export function analysisNotFound(id: string, hint = "check the analysis id"): SlogateError {
  return new SlogateError("NOT_FOUND", `analysis ${JSON.stringify(id)} not found`, { hint });
}

/** The CONFLICT error for a record whose id is taken. */
export function alreadyExists(what: "analysis" | "baseline", id: string): SlogateError {
  return new SlogateError("CONFLICT", `${what} ${JSON.stringify(id)} already exists`, {
    hint: what === "analysis" ? "use a new analysis id" : "use a new id",
  });
}

/**
 * The analysis after `look` is recorded with `update`. Throws CONFLICT when the analysis is
 * closed or the look is not the next in sequence (another look was recorded concurrently).
 */
export function analysisAfterLook(
  current: AnalysisRecord,
  look: LookRecord,
  update: LookUpdate,
): AnalysisRecord {
  if (current.status !== "open") {
    throw new SlogateError("CONFLICT", `analysis ${JSON.stringify(look.analysisId)} is closed`, {
      hint: "start a new analysis for a new rollout",
    });
  }
  if (look.seq !== current.looks + 1) {
    throw new SlogateError(
      "CONFLICT",
      `look ${look.seq} of ${JSON.stringify(look.analysisId)} is out of sequence (has ${current.looks})`,
      { hint: "another look was recorded concurrently; ask again" },
    );
  }
  return {
    ...current,
    looks: look.seq,
    lastVerdict: look.verdict.verdict,
    lastLookAt: look.at,
    judgeState: update.judgeState,
    updatedAt: update.updatedAt,
    ...(update.close === undefined
      ? {}
      : { status: "closed" as const, outcome: update.close.outcome, closedAt: update.close.at }),
  };
}

/** The analysis closed with `outcome` at `at` (Unix seconds). */
export function closedAnalysis(
  current: AnalysisRecord,
  outcome: AnalysisOutcome,
  at: number,
): AnalysisRecord {
  return { ...current, status: "closed", outcome, closedAt: at, updatedAt: at };
}

/**
 * Whether `look` may be recorded although a look at the same time is stored: only a final
 * look over a non-final one (a controller's final step asked at the time of its last
 * measurement). Anything else at a stored time is that look again (a retry), not a new one.
 */
export function finalOver(look: LookRecord, stored: LookRecord): boolean {
  return look.verdict.final && !stored.verdict.final;
}
