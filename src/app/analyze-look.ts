/**
 * @module app/analyze-look
 * The main use case: one look of one analysis. Load (or create) the analysis, read canary
 * and stable concurrently from Prometheus and the pinned baseline from the store, judge,
 * persist the look with the judge's new state, emit the event. If Prometheus cannot answer
 * the error propagates and nothing is recorded: the look is retried, never passed.
 *
 * SLIs without event counts (`ratio`: a ratio query that could not be split into event
 * queries) are read as per-step ratio points only; each arm's look data is derived from its
 * points (`total` = points, `bad` = sum of the per-step ratios, so bad/total is their mean)
 * and the judge (kayenta by default for such SLIs) compares the points. Without a per-step
 * reader the look is refused (SLO_UNSUPPORTED) rather than judged on nothing.
 */
import { SlogateError } from "../errors.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import type { ArmCounts, LookData, StepCounts } from "../domain/counts.ts";
import type { SloVerdict } from "../domain/verdict.ts";
import type { Slo } from "../slo/model.ts";
import type { AnalysisOutcome, AnalysisRecord, ArmTotals, Controller, LookRecord } from "../store/types.ts";
import { emitVerdictEvent, type GateDeps } from "./gate-deps.ts";
import type { TimeRange } from "./ports.ts";

export interface ArmSelectors {
  readonly canary: readonly LabelMatcher[];
  readonly stable: readonly LabelMatcher[];
}

/** One look asked by a controller (or the CLI). Times are Unix seconds. */
export interface LookRequest {
  readonly slo: Slo;
  readonly analysisId: string;
  readonly selectors: ArmSelectors;
  readonly controller: Controller;
  readonly rollout?: string;
  /** Evaluation time of this look. */
  readonly at: number;
  /** Start of the data window; defaults to the time of the first look. Used on creation only. */
  readonly start?: number;
  /** Total number of looks (Argo's `count`): the look with this sequence number is final. */
  readonly expectedLooks?: number;
  /** A look at or after `end` is final. */
  readonly end?: number;
  /** Forces this look to be (or not be) final. */
  readonly final?: boolean;
}

export interface LookResult {
  readonly analysis: AnalysisRecord;
  readonly look: LookRecord;
  /** True when the analysis had already ended and its last verdict is returned again. */
  readonly replayed: boolean;
  readonly link: string;
}

function sameMatchers(a: readonly LabelMatcher[], b: readonly LabelMatcher[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function totals(a: ArmCounts | null | undefined): ArmTotals | null {
  if (a === null || a === undefined) return null;
  return a.histogram === undefined
    ? { total: a.total, bad: a.bad }
    : { total: a.total, bad: a.bad, histogram: a.histogram };
}

/** The outcome an analysis closes with after a deciding look. */
export function outcomeOf(verdict: SloVerdict): AnalysisOutcome {
  return verdict.verdict === "pass" ? "promoted" : verdict.verdict === "fail" ? "rolled-back" : "aborted";
}

function ensureAnalysis(deps: GateDeps, req: LookRequest): AnalysisRecord {
  const existing = deps.store.getAnalysis(req.analysisId);
  if (existing !== undefined) {
    if (existing.sloId !== req.slo.id) {
      throw new SlogateError(
        "CONFLICT",
        `analysis ${JSON.stringify(req.analysisId)} belongs to SLO ${existing.sloId}`,
        {
          hint: "use a distinct analysis id per SLO",
        },
      );
    }
    if (
      !sameMatchers(existing.selectors.canary, req.selectors.canary) ||
      !sameMatchers(existing.selectors.stable, req.selectors.stable)
    ) {
      throw new SlogateError(
        "CONFLICT",
        `analysis ${JSON.stringify(req.analysisId)} was started with other canary/stable selectors`,
        {
          hint: "a new canary needs a new analysis id (omit it to derive one from the selectors)",
        },
      );
    }
    return existing;
  }
  const start = req.start ?? req.at;
  if (start > req.at) {
    throw new SlogateError("BAD_REQUEST", `start ${start} is after the evaluation time ${req.at}`, {
      hint: "start must be at or before time (Unix seconds or RFC 3339)",
    });
  }
  const baseline = deps.store.latestBaseline(req.slo.id, start);
  return deps.store.createAnalysis({
    id: req.analysisId,
    sloId: req.slo.id,
    controller: req.controller,
    ...(req.rollout === undefined ? {} : { rollout: req.rollout }),
    selectors: { canary: req.selectors.canary, stable: req.selectors.stable },
    start,
    ...(req.expectedLooks === undefined ? {} : { expectedLooks: req.expectedLooks }),
    ...(req.end === undefined ? {} : { end: req.end }),
    ...(baseline === undefined ? {} : { baselineId: baseline.id }),
    createdAt: deps.wallClock(),
    updatedAt: deps.wallClock(),
  });
}

async function readArm(
  deps: GateDeps,
  slo: Slo,
  arm: readonly LabelMatcher[],
  range: TimeRange,
  signal: AbortSignal | undefined,
): Promise<ArmCounts | null> {
  if (range.end - range.start < 1) return { total: 0, bad: 0 };
  return deps.readArmCounts(slo, arm, range, signal);
}

async function readSeries(
  deps: GateDeps,
  slo: Slo,
  arm: readonly LabelMatcher[],
  range: TimeRange,
  signal: AbortSignal | undefined,
): Promise<StepCounts[] | undefined> {
  const step = deps.seriesStepSeconds;
  const read = deps.readArmSeries;
  // The sequential judge works on cumulative counts only; per-step series feed the others.
  if (slo.canary.judge === "sequential") return undefined;
  if (read === undefined || step <= 0 || range.end - range.start < step) return undefined;
  return read(slo, arm, { ...range, step }, signal);
}

/** An arm's look data from its per-step ratio points: null when it has none at all. */
function fromPoints(points: readonly StepCounts[] | null): ArmCounts | null {
  if (points === null) return null;
  return {
    total: points.reduce((a, p) => a + p.total, 0),
    bad: points.reduce((a, p) => a + p.bad, 0),
  };
}

/** Per-step ratio points of an SLI without event counts; null when the arm has no series. */
async function readPoints(
  deps: GateDeps,
  slo: Slo,
  arm: readonly LabelMatcher[],
  range: TimeRange,
  signal: AbortSignal | undefined,
): Promise<StepCounts[] | null> {
  const step = deps.seriesStepSeconds;
  const read = deps.readArmSeries;
  if (read === undefined || !(step > 0)) {
    throw new SlogateError(
      "SLO_UNSUPPORTED",
      `SLO ${slo.id} has only a ratio query: it can be judged on per-step points only, and per-step series are off`,
      {
        hint: "set series.step in the service configuration (e.g. 1m), or give the SLO bad/total event queries",
        details: { slo: slo.id },
      },
    );
  }
  // Before the first full step there is no point yet: no data, which the judge reports.
  if (range.end - range.start < step) return [];
  const points = await read(slo, arm, { ...range, step }, signal);
  return points.length === 0 ? null : points;
}

async function readLookData(
  deps: GateDeps,
  slo: Slo,
  analysis: AnalysisRecord,
  at: number,
): Promise<LookData> {
  const range = { start: analysis.start, end: at };
  const signal =
    deps.lookTimeoutSeconds === undefined ? undefined : AbortSignal.timeout(deps.lookTimeoutSeconds * 1000);
  if (range.end - range.start < 1) await deps.probePrometheus?.(signal);
  if (slo.sli.type === "ratio") {
    // No query is made before the first full step: still never judge with Prometheus down.
    const span = range.end - range.start;
    if (span >= 1 && span < deps.seriesStepSeconds) await deps.probePrometheus?.(signal);
    const [canary, stable] = await Promise.all([
      readPoints(deps, slo, analysis.selectors.canary, range, signal),
      readPoints(deps, slo, analysis.selectors.stable, range, signal),
    ]);
    // Baselines are event counts, which a ratio SLI has not: none is used.
    return {
      since: analysis.start,
      at,
      canary: fromPoints(canary),
      stable: fromPoints(stable),
      baseline: null,
      series: { canary: canary ?? [], stable: stable ?? [] },
    };
  }
  const [canary, stable, canarySeries, stableSeries] = await Promise.all([
    readArm(deps, slo, analysis.selectors.canary, range, signal),
    readArm(deps, slo, analysis.selectors.stable, range, signal),
    readSeries(deps, slo, analysis.selectors.canary, range, signal),
    readSeries(deps, slo, analysis.selectors.stable, range, signal),
  ]);
  const b = analysis.baselineId === undefined ? undefined : deps.store.getBaseline(analysis.baselineId);
  return {
    since: analysis.start,
    at,
    canary,
    stable,
    baseline: b === undefined ? null : { ...b.counts, capturedAt: b.capturedAt, from: b.from },
    ...(canarySeries !== undefined && stableSeries !== undefined
      ? { series: { canary: canarySeries, stable: stableSeries } }
      : {}),
  };
}

/** Opens the analysis (if new) without judging a look, e.g. at Flagger's pre-rollout. */
export async function openAnalysis(deps: GateDeps, req: LookRequest): Promise<AnalysisRecord> {
  return deps.locks.run(req.analysisId, () => Promise.resolve(ensureAnalysis(deps, req)));
}

/** Judges one look; see the module comment. */
export async function analyzeLook(deps: GateDeps, req: LookRequest): Promise<LookResult> {
  return deps.locks.run(req.analysisId, async () => {
    const began = performance.now();
    const analysis = ensureAnalysis(deps, req);
    const link = deps.link(analysis.id);
    if (analysis.status === "closed") {
      const last = deps.store.listLooks(analysis.id).at(-1);
      if (last === undefined) {
        throw new SlogateError(
          "CONFLICT",
          `analysis ${JSON.stringify(analysis.id)} was closed before any look`,
          {
            hint: "start a new analysis with a new id",
          },
        );
      }
      return { analysis, look: last, replayed: true, link };
    }
    if (analysis.lastLookAt !== undefined && req.at < analysis.lastLookAt) {
      throw new SlogateError(
        "BAD_REQUEST",
        `look time ${req.at} is before the previous look (${analysis.lastLookAt})`,
        {
          hint: "looks of one analysis must move forward in time",
        },
      );
    }
    const seq = analysis.looks + 1;
    const final =
      req.final ??
      ((analysis.expectedLooks !== undefined && seq >= analysis.expectedLooks) ||
        (analysis.end !== undefined && req.at >= analysis.end));
    const data = await readLookData(deps, req.slo, analysis, req.at);
    const read = performance.now();
    const out = deps.judge({ slo: req.slo, data, now: req.at, final, state: analysis.judgeState });
    const judged = performance.now();
    const look: LookRecord = {
      analysisId: analysis.id,
      seq,
      at: req.at,
      verdict: out.verdict,
      arms: { canary: totals(data.canary), stable: totals(data.stable), baseline: totals(data.baseline) },
      recordedAt: deps.wallClock(),
    };
    // A fail ends the analysis (the evidence crossed an anytime-valid bound and stays crossed);
    // so does a final pass. A final inconclusive stays open: more data may still decide it.
    const decided = out.verdict.verdict === "fail" || (final && out.verdict.verdict === "pass");
    const outcome = outcomeOf(out.verdict);
    const updated = deps.store.appendLook(look, {
      judgeState: out.state,
      updatedAt: deps.wallClock(),
      ...(decided ? { close: { outcome, at: deps.wallClock() } } : {}),
    });
    const stored = performance.now();
    const seconds = (stored - began) / 1000;
    deps.metrics?.recordLook(
      req.slo,
      out.verdict,
      req.controller,
      { id: updated.id, ...(updated.rollout === undefined ? {} : { rollout: updated.rollout }) },
      seconds,
    );
    deps.logger.info("look judged", {
      analysis: analysis.id,
      slo: req.slo.id,
      look: seq,
      verdict: out.verdict.verdict,
      final: out.verdict.final,
      score: out.verdict.score,
      seconds: Math.round(seconds * 1e4) / 1e4,
      readMs: Math.round((read - began) * 100) / 100,
      judgeMs: Math.round((judged - read) * 100) / 100,
      storeMs: Math.round((stored - judged) * 100) / 100,
    });
    const event = {
      analysisId: analysis.id,
      slo: req.slo,
      verdict: out.verdict,
      ...(analysis.lastVerdict === undefined ? {} : { previous: analysis.lastVerdict }),
      ...(updated.rollout === undefined ? {} : { rollout: updated.rollout }),
      controller: req.controller,
      link,
      at: req.at,
    };
    emitVerdictEvent(deps, { ...event, phase: "open" });
    if (decided) {
      deps.metrics?.recordClosed(req.slo, analysis.id, outcome, req.at - analysis.start);
      emitVerdictEvent(deps, { ...event, phase: "closed", outcome });
    }
    return { analysis: updated, look, replayed: false, link };
  });
}
