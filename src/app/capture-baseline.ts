/**
 * @module app/capture-baseline
 * Captures an SLO's baseline: the stable arm's counts (and histogram buckets) over the
 * window before `at`, stored and published as metrics. Prometheus errors propagate; an arm
 * without any series captures nothing (a baseline of made-up zeros would mislead the judge).
 * A whole-service capture (empty selector) leaves out the canaries of rollouts in progress
 * (`app/baseline-scope.ts`); the stored baseline says which selector it used and why.
 */
import { randomUUID } from "node:crypto";
import type { LabelMatcher } from "../promql/matchers.ts";
import type { Slo } from "../slo/model.ts";
import type { BaselineRecord, BaselineSource } from "./store-port.ts";
import { armScope, serviceScope } from "./baseline-scope.ts";
import type { CaptureBaselineDeps } from "./deps.ts";

export interface BaselineRequest {
  readonly slo: Slo;
  /**
   * The stable arm's matchers; empty for the whole service (scheduled captures), which is then
   * narrowed to leave out the canaries of the SLO's rollouts in progress.
   */
  readonly selector: readonly LabelMatcher[];
  /** End of the captured window, Unix seconds. */
  readonly at: number;
  readonly windowSeconds: number;
  readonly source: BaselineSource;
  /** Pins the baseline to this analysis (created by Flagger's pre-rollout, for example). */
  readonly analysisId?: string;
}

export type BaselineResult =
  | { readonly captured: true; readonly baseline: BaselineRecord }
  | { readonly captured: false; readonly reason: string };

/** Captures and stores one baseline. */
export async function captureBaseline(
  deps: CaptureBaselineDeps,
  req: BaselineRequest,
): Promise<BaselineResult> {
  // Resource SLIs (per-pod gauges) are compared with stable's pods, never with a baseline.
  if (req.slo.sli.type === "resource")
    return {
      captured: false,
      reason: `SLO ${req.slo.id} is a resource SLI: it is judged against stable's pods, without a baseline`,
    };
  const range = { start: req.at - req.windowSeconds, end: req.at };
  const choice =
    req.selector.length > 0
      ? { ok: true as const, selector: req.selector, scope: armScope(req.selector) }
      : await serviceScope(deps.store, req.slo.id, range.start);
  if (!choice.ok) {
    deps.logger.warn("baseline not captured", { slo: req.slo.id, reason: choice.reason });
    return { captured: false, reason: choice.reason };
  }
  const counts = await deps.readArmCounts(req.slo, choice.selector, range);
  if (counts === null) {
    const reason = `no series for SLO ${req.slo.id} (${choice.scope.note}) in the ${req.windowSeconds}s before ${new Date(req.at * 1000).toISOString()}`;
    deps.logger.warn("baseline not captured", { slo: req.slo.id, reason });
    return { captured: false, reason };
  }
  const baseline = await deps.store.putBaseline({
    id: randomUUID(),
    sloId: req.slo.id,
    from: range.start,
    to: range.end,
    capturedAt: req.at,
    counts,
    selector: choice.selector,
    scope: choice.scope,
    source: req.source,
    ...(req.analysisId === undefined ? {} : { analysisId: req.analysisId }),
  });
  if (req.analysisId !== undefined && (await deps.store.getAnalysis(req.analysisId)) !== undefined) {
    await deps.store.setAnalysisBaseline(req.analysisId, baseline.id, deps.wallClock());
  }
  deps.metrics?.recordBaseline(req.slo, baseline);
  deps.logger.info("baseline captured", {
    slo: req.slo.id,
    baseline: baseline.id,
    source: req.source,
    scope: choice.scope.note,
    total: counts.total,
    bad: counts.bad,
  });
  return { captured: true, baseline };
}
