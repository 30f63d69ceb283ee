/**
 * @module app/close-analysis
 * Ends analyses: on a controller's word (Flagger `post-rollout`, the API) or by retention
 * (`expireAnalyses`), emitting the closing event and the duration metric.
 */
import { SlogateError } from "../errors.ts";
import type { AnalysisOutcome, AnalysisRecord } from "./store-port.ts";
import { emitVerdictEvent, type CloseAnalysisDeps } from "./deps.ts";

/** Closes one analysis with `outcome` at `at` (idempotent for a closed one). */
export async function closeAnalysis(
  deps: CloseAnalysisDeps,
  analysisId: string,
  outcome: AnalysisOutcome,
  at: number,
): Promise<AnalysisRecord> {
  return deps.store.withAnalysisLock(analysisId, async () => {
    const before = await deps.store.getAnalysis(analysisId);
    if (before === undefined) {
      throw new SlogateError("NOT_FOUND", `analysis ${JSON.stringify(analysisId)} not found`, {
        hint: "list analyses with GET /api/v1/analyses",
      });
    }
    if (before.status === "closed") return before;
    const closed = await deps.store.closeAnalysis(analysisId, outcome, deps.wallClock());
    let slo;
    try {
      slo = deps.catalog.get(before.sloId);
    } catch {
      slo = undefined; // the SLO was removed since; the analysis still closes
    }
    if (slo !== undefined) {
      deps.metrics?.recordClosed(slo, analysisId, outcome, at - before.start);
      const last = (await deps.store.listLooks(analysisId)).at(-1);
      if (last !== undefined) {
        emitVerdictEvent(deps, {
          analysisId,
          slo,
          verdict: last.verdict,
          phase: "closed",
          outcome,
          ...(before.rollout === undefined ? {} : { rollout: before.rollout }),
          controller: before.controller,
          link: deps.link(analysisId),
          at,
        });
      }
    }
    deps.logger.info("analysis closed", { analysis: analysisId, outcome });
    return closed;
  });
}

/**
 * Applies retention at `now`: open analyses idle for longer than the retention are closed as
 * `expired`, then analyses and baselines older than the retention are deleted.
 */
export async function expireAnalyses(
  deps: CloseAnalysisDeps,
  now: number,
  retention: { readonly analysesSeconds: number; readonly baselinesSeconds: number },
): Promise<{ expired: number; deleted: number; baselinesDeleted: number }> {
  const cutoff = now - retention.analysesSeconds;
  let expired = 0;
  for (const a of await deps.store.listAnalyses({ status: "open", limit: 10_000 })) {
    if (a.updatedAt < cutoff) {
      await closeAnalysis(deps, a.id, "expired", now);
      expired++;
    }
  }
  const deleted = await deps.store.deleteAnalysesBefore(cutoff);
  const baselinesDeleted = await deps.store.deleteBaselinesBefore(now - retention.baselinesSeconds);
  if (expired + deleted + baselinesDeleted > 0) {
    deps.logger.info("retention applied", { expired, deleted, baselinesDeleted });
  }
  return { expired, deleted, baselinesDeleted };
}
