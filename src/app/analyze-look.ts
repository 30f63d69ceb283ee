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
 *
 * Resource SLIs (per-pod gauges) are read through the `ReadArmGauges` port only: each arm's
 * gauge per pod and step since the start goes to the judge as `LookData.gauges` (the arms'
 * totals count pod-steps, "bad" the pod-steps beyond the SLI's limit); no baseline is used.
 *
 * Looks are idempotent per (analysis, time): a look whose time equals a stored look's returns
 * that look unchanged (a controller retrying after a lost answer, or two replicas asked at
 * once), and a look arriving while one of the same analysis is in flight waits for it. The
 * look deadline (`lookTimeoutSeconds`) covers the whole look — waiting for the analysis,
 * reading, judging, storing: past it the look fails with LOOK_DEADLINE_EXCEEDED (503) and
 * nothing is recorded.
 *
 * With an incremental reader (`readArmCountsFrom`) each arm's reader state is loaded from the
 * store before the read and written after the look is recorded (not after a deciding look: the
 * analysis is closed): the next look — in this process, after a restart, or on another
 * replica — reads only the samples since this one. A state that cannot be written costs the
 * next look a full read, never a wrong count (the look stands; a warning is logged).
 */
import { SlogateError } from "../errors.ts";
import { formatMatchers, type LabelMatcher } from "../promql/matchers.ts";
import type { ArmCounts, LookData, PodGauge, StepCounts } from "../domain/counts.ts";
import type { SloVerdict } from "../domain/verdict.ts";
import type { Slo } from "../slo/model.ts";
import type {
  AnalysisOutcome,
  AnalysisRecord,
  ArmTotals,
  Controller,
  LookRecord,
  ReadStateRecord,
} from "./store-port.ts";
import { emitVerdictEvent, type AnalyzeLookDeps } from "./deps.ts";
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
  /**
   * Takes a look only when one is due by time: when the previous look is less than this many
   * seconds old, its stored look answers instead (a final request upgrades a non-final one, at
   * that look's time). For controllers that ask several times per iteration (Flagger's
   * `rollout`, `confirm-traffic-increase` and repeated `confirm-promotion` hooks), so the number
   * of looks follows time, not the number of hooks.
   */
  readonly minIntervalSeconds?: number;
}

export interface LookResult {
  readonly analysis: AnalysisRecord;
  readonly look: LookRecord;
  /**
   * True when no new look was judged: the analysis had already ended, the same look was asked
   * again (a retry), or a look was not yet due (`minIntervalSeconds`); the stored look answers.
   */
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

type NewAnalysis = Parameters<AnalyzeLookDeps["store"]["createAnalysis"]>[0];

/**
 * The analysis a look belongs to: the stored one, or (`create` set) the one it would create —
 * stored only once a look of it is judged, so a refused look (backend down) leaves the store
 * unchanged.
 */
async function planAnalysis(
  deps: AnalyzeLookDeps,
  req: LookRequest,
): Promise<{ record: AnalysisRecord; create?: NewAnalysis }> {
  const existing = await deps.store.getAnalysis(req.analysisId);
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
    return { record: existing };
  }
  const start = req.start ?? req.at;
  if (start > req.at) {
    throw new SlogateError("BAD_REQUEST", `start ${start} is after the evaluation time ${req.at}`, {
      hint: "start must be at or before time (Unix seconds or RFC 3339)",
    });
  }
  const cap = deps.maxOpenAnalysesPerSlo;
  if (
    cap !== undefined &&
    (await deps.store.listAnalyses({ status: "open", sloId: req.slo.id, limit: cap })).length >= cap
  ) {
    throw new SlogateError(
      "TOO_MANY_ANALYSES",
      `SLO ${req.slo.id} already has ${cap} open analyses; analysis ${JSON.stringify(req.analysisId)} was not opened`,
      {
        hint: "close finished analyses (Flagger post-rollout, POST /api/v1/analyses/close) or let retention expire them, or raise limits.maxOpenAnalysesPerSlo",
        details: { slo: req.slo.id, maxOpenAnalysesPerSlo: cap },
      },
    );
  }
  const baseline = await deps.store.latestBaseline(req.slo.id, start);
  const create: NewAnalysis = {
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
  };
  return { record: { ...create, looks: 0, status: "open" }, create };
}

async function ensureAnalysis(deps: AnalyzeLookDeps, req: LookRequest): Promise<AnalysisRecord> {
  const plan = await planAnalysis(deps, req);
  return plan.create === undefined ? plan.record : deps.store.createAnalysis(plan.create);
}

/** An arm's counts and, from an incremental reader, the state to keep for the next look. */
interface ArmReadResult {
  readonly counts: ArmCounts | null;
  readonly state?: Readonly<Record<string, unknown>> | null;
  readonly mode?: "full" | "incremental";
}

async function readArm(
  deps: AnalyzeLookDeps,
  slo: Slo,
  analysis: AnalysisRecord,
  name: ReadStateRecord["arm"],
  range: TimeRange,
  signal: AbortSignal | undefined,
): Promise<ArmReadResult> {
  if (range.end - range.start < 1) return { counts: { total: 0, bad: 0 } };
  const arm = analysis.selectors[name];
  const from = deps.readArmCountsFrom;
  if (from === undefined) return { counts: await deps.readArmCounts(slo, arm, range, signal) };
  const prior = await deps.store.getReadState(analysis.id, name);
  const r = await from(slo, arm, range, prior?.state, signal);
  return { counts: r.counts, state: r.state, mode: r.mode };
}

async function readSeries(
  deps: AnalyzeLookDeps,
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

/** Steps of stable history read before the analysis start (`LookData.history`). */
export const HISTORY_STEPS = 60;

/**
 * The stable arm's per-step increments over the `HISTORY_STEPS` steps before the analysis
 * start, for the sequential judge's dispersion prior — read only at the analysis' first
 * judged look (the prior is fixed then and kept in the judge state), and only when per-step
 * series are on. A stable arm without history (a new service) gives none: the SLO's
 * `canary.dispersion` or the default prior applies.
 */
async function readHistory(
  deps: AnalyzeLookDeps,
  slo: Slo,
  analysis: AnalysisRecord,
  signal: AbortSignal | undefined,
): Promise<StepCounts[] | undefined> {
  const step = deps.seriesStepSeconds;
  const read = deps.readArmSeries;
  if (slo.canary.judge !== "sequential" || analysis.looks > 0) return undefined;
  if (read === undefined || !(step > 0)) return undefined;
  const range = { start: analysis.start - HISTORY_STEPS * step, end: analysis.start, step };
  const steps = await read(slo, analysis.selectors.stable, range, signal);
  return steps.length === 0 ? undefined : steps;
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
  deps: AnalyzeLookDeps,
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

/** A look's data and the arms' reader states to keep (incremental reads). */
interface LookRead {
  readonly data: LookData;
  readonly arms?: { readonly canary: ArmReadResult; readonly stable: ArmReadResult };
}

async function readLookData(
  deps: AnalyzeLookDeps,
  slo: Slo,
  analysis: AnalysisRecord,
  at: number,
  signal: AbortSignal | undefined,
): Promise<LookRead> {
  const range = { start: analysis.start, end: at };
  // Named in a `nodata` verdict's reason when an arm matches nothing.
  const selectors = {
    canary: `{${formatMatchers(analysis.selectors.canary)}}`,
    stable: `{${formatMatchers(analysis.selectors.stable)}}`,
  };
  if (range.end - range.start < 1) await deps.probePrometheus?.(signal, [slo]);
  if (slo.sli.type === "resource")
    return { data: await readResourceLook(deps, slo, analysis, at, selectors, signal) };
  if (slo.sli.type === "ratio") {
    // No query is made before the first full step: still never judge with Prometheus down.
    const span = range.end - range.start;
    if (span >= 1 && span < deps.seriesStepSeconds) await deps.probePrometheus?.(signal, [slo]);
    const [canary, stable] = await Promise.all([
      readPoints(deps, slo, analysis.selectors.canary, range, signal),
      readPoints(deps, slo, analysis.selectors.stable, range, signal),
    ]);
    // Baselines are event counts, which a ratio SLI has not: none is used.
    const data: LookData = {
      since: analysis.start,
      at,
      canary: fromPoints(canary),
      stable: fromPoints(stable),
      baseline: null,
      series: { canary: canary ?? [], stable: stable ?? [] },
      selectors,
    };
    return { data };
  }
  const [canaryRead, stableRead, canarySeries, stableSeries, history] = await Promise.all([
    readArm(deps, slo, analysis, "canary", range, signal),
    readArm(deps, slo, analysis, "stable", range, signal),
    readSeries(deps, slo, analysis.selectors.canary, range, signal),
    readSeries(deps, slo, analysis.selectors.stable, range, signal),
    readHistory(deps, slo, analysis, signal),
  ]);
  const b = analysis.baselineId === undefined ? undefined : await deps.store.getBaseline(analysis.baselineId);
  const data: LookData = {
    since: analysis.start,
    at,
    canary: canaryRead.counts,
    stable: stableRead.counts,
    baseline: b === undefined ? null : { ...b.counts, capturedAt: b.capturedAt, from: b.from },
    ...(canarySeries !== undefined && stableSeries !== undefined
      ? { series: { canary: canarySeries, stable: stableSeries } }
      : {}),
    selectors,
    ...(history === undefined ? {} : { history: { stable: history } }),
  };
  return { data, arms: { canary: canaryRead, stable: stableRead } };
}

/** Keeps the arms' reader states for the next look; a failed write only costs that look a full read. */
async function keepReadStates(
  deps: AnalyzeLookDeps,
  analysisId: string,
  at: number,
  arms: LookRead["arms"],
): Promise<void> {
  if (arms === undefined) return;
  for (const name of ["canary", "stable"] as const) {
    const state = arms[name].state;
    if (state === undefined || state === null) continue;
    try {
      await deps.store.putReadState({ analysisId, arm: name, at, state, updatedAt: deps.wallClock() });
    } catch (e) {
      deps.logger.warn("read state not kept: the next look reads in full", {
        analysis: analysisId,
        arm: name,
        error: e as Error,
      });
    }
  }
}

// ---- resource SLIs (issue 17, item 2): per-pod gauges, no counts, no baseline -------------

/** An arm's totals for the store: pod-steps, and pod-steps beyond the SLI's limit as "bad". */
function gaugeTotals(slo: Slo, pods: readonly PodGauge[] | null): ArmCounts | null {
  if (pods === null) return null;
  const sli = slo.sli;
  const limit = sli.type === "resource" ? sli.limit?.value : undefined;
  const lower = slo.canary.direction === "lower-is-worse";
  let total = 0;
  let bad = 0;
  for (const p of pods) {
    for (const x of p.points) {
      total++;
      if (limit !== undefined && (lower ? x.v < limit : x.v > limit)) bad++;
    }
  }
  return { total, bad };
}

/** Both arms' per-pod gauges since the analysis start, read through the resource port. */
async function readResourceLook(
  deps: AnalyzeLookDeps,
  slo: Slo,
  analysis: AnalysisRecord,
  at: number,
  selectors: LookData["selectors"],
  signal: AbortSignal | undefined,
): Promise<LookData> {
  const read = deps.readArmGauges;
  if (read === undefined || slo.sli.type !== "resource") {
    throw new SlogateError(
      "SLO_UNSUPPORTED",
      `SLO ${slo.id} is a resource SLI and this service reads no per-pod gauges`,
      {
        hint: "serve resource SLOs with slogate serve/analyze (which read them from Prometheus)",
        details: { slo: slo.id },
      },
    );
  }
  const range = { start: analysis.start, end: at };
  const span = range.end - range.start;
  // Before the first full step no query is made: still never judge with Prometheus down.
  if (span >= 1 && span < slo.sli.stepSeconds) await deps.probePrometheus?.(signal, [slo]);
  const [canary, stable] =
    span < 1
      ? [[], []]
      : await Promise.all([
          read(slo, analysis.selectors.canary, range, signal),
          read(slo, analysis.selectors.stable, range, signal),
        ]);
  return {
    since: analysis.start,
    at,
    canary: gaugeTotals(slo, canary),
    stable: gaugeTotals(slo, stable),
    baseline: null,
    gauges: { canary, stable },
    ...(selectors === undefined ? {} : { selectors }),
  };
}

// ---- end of resource SLIs ------------------------------------------------------------------

/** The stored look of `analysis` at time `at`, if any (the newest looks are searched first). */
async function storedLookAt(
  deps: AnalyzeLookDeps,
  analysis: AnalysisRecord,
  at: number,
): Promise<LookRecord | undefined> {
  const looks = await deps.store.listLooks(analysis.id);
  for (let i = looks.length - 1; i >= 0; i--) {
    const l = looks[i];
    if (l !== undefined && l.at === at) return l;
    if (l !== undefined && l.at < at) break;
  }
  return undefined;
}

/** The deadline of one look, from the moment it arrived. */
function lookDeadline(
  timeoutSeconds: number | undefined,
  startedMs: number,
): { signal(): AbortSignal | undefined; check(req: LookRequest, step: string): void } {
  const endMs = timeoutSeconds === undefined ? Infinity : startedMs + timeoutSeconds * 1000;
  return {
    signal: () =>
      endMs === Infinity ? undefined : AbortSignal.timeout(Math.max(1, Math.ceil(endMs - performance.now()))),
    check: (req, step) => {
      if (performance.now() < endMs) return;
      throw new SlogateError(
        "LOOK_DEADLINE_EXCEEDED",
        `look of analysis ${JSON.stringify(req.analysisId)} at ${req.at} ran past its deadline of ${timeoutSeconds}s while ${step}; nothing was recorded`,
        {
          hint: "retry the look; if it keeps happening, Prometheus is too slow for limits.lookTimeout (raise it below the controller's own timeout) or too many looks queue for one analysis",
          details: { analysis: req.analysisId, lookTimeoutSeconds: timeoutSeconds, step },
        },
      );
    },
  };
}

/** Opens the analysis (if new) without judging a look, e.g. at Flagger's pre-rollout. */
export async function openAnalysis(deps: AnalyzeLookDeps, req: LookRequest): Promise<AnalysisRecord> {
  return deps.store.withAnalysisLock(req.analysisId, () => ensureAnalysis(deps, req));
}

/** Judges one look; see the module comment. */
export async function analyzeLook(deps: AnalyzeLookDeps, req: LookRequest): Promise<LookResult> {
  const began = performance.now();
  const deadline = lookDeadline(deps.lookTimeoutSeconds, began);
  return deps.store.withAnalysisLock(req.analysisId, async () => {
    deadline.check(req, "waiting for the previous look of this analysis");
    const plan = await planAnalysis(deps, req);
    const analysis = plan.record;
    const link = deps.link(analysis.id);
    if (analysis.status === "closed") {
      const last = (await deps.store.listLooks(analysis.id)).at(-1);
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
    const notDue =
      req.minIntervalSeconds !== undefined &&
      analysis.lastLookAt !== undefined &&
      req.at > analysis.lastLookAt &&
      req.at - analysis.lastLookAt < req.minIntervalSeconds;
    if (notDue && analysis.lastLookAt !== undefined) {
      const last = await storedLookAt(deps, analysis, analysis.lastLookAt);
      if (last !== undefined && (req.final !== true || last.verdict.final)) {
        return { analysis, look: last, replayed: true, link };
      }
      if (last !== undefined) {
        return judgeLook(deps, { ...req, at: analysis.lastLookAt }, plan, deadline, began, link);
      }
    }
    if (analysis.lastLookAt !== undefined && req.at <= analysis.lastLookAt) {
      const same = await storedLookAt(deps, analysis, req.at);
      // The same look again (a retry) gets the stored one; a final look asked at the time of a
      // non-final one (Argo's final step right after a background measurement) is judged anew.
      const upgrade =
        same !== undefined && req.final === true && !same.verdict.final && req.at === analysis.lastLookAt;
      if (same !== undefined && !upgrade) return { analysis, look: same, replayed: true, link };
      if (upgrade) return judgeLook(deps, req, plan, deadline, began, link);
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
    return judgeLook(deps, req, plan, deadline, began, link);
  });
}

/** Reads, judges and stores one look (under the analysis' lock). */
async function judgeLook(
  deps: AnalyzeLookDeps,
  req: LookRequest,
  plan: { record: AnalysisRecord; create?: NewAnalysis },
  deadline: ReturnType<typeof lookDeadline>,
  began: number,
  link: string,
): Promise<LookResult> {
  const analysis = plan.record;
  const seq = analysis.looks + 1;
  const final =
    req.final ??
    ((analysis.expectedLooks !== undefined && seq >= analysis.expectedLooks) ||
      (analysis.end !== undefined && req.at >= analysis.end));
  const { data, arms } = await readLookData(deps, req.slo, analysis, req.at, deadline.signal());
  deadline.check(req, "reading Prometheus");
  const read = performance.now();
  const out = deps.judge({ slo: req.slo, data, now: req.at, final, state: analysis.judgeState });
  const judged = performance.now();
  deadline.check(req, "judging");
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
  const event = {
    analysisId: analysis.id,
    slo: req.slo,
    verdict: out.verdict,
    ...(analysis.lastVerdict === undefined ? {} : { previous: analysis.lastVerdict }),
    ...(analysis.rollout === undefined ? {} : { rollout: analysis.rollout }),
    controller: req.controller,
    link,
    at: req.at,
  };
  const opened = { ...event, phase: "open" as const };
  const closedEvent = { ...event, phase: "closed" as const, outcome };
  // Notifications that must not be lost with the process are written with the look.
  const planNotes = deps.planNotifications;
  const notifications =
    planNotes === undefined ? [] : [...planNotes(opened), ...(decided ? planNotes(closedEvent) : [])];
  if (plan.create !== undefined) await deps.store.createAnalysis(plan.create);
  const appended = await deps.store.appendLook(look, {
    judgeState: out.state,
    updatedAt: deps.wallClock(),
    ...(decided ? { close: { outcome, at: deps.wallClock() } } : {}),
    ...(notifications.length === 0 ? {} : { notifications }),
  });
  // Recorded meanwhile by another replica (the store's same-time rule): its look stands.
  if (appended.replayed) return { analysis: appended.analysis, look: appended.look, replayed: true, link };
  const updated = appended.analysis;
  if (!decided) await keepReadStates(deps, analysis.id, req.at, arms);
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
    ...(arms?.canary.mode === undefined && arms?.stable.mode === undefined
      ? {}
      : { readMode: { canary: arms.canary.mode ?? "none", stable: arms.stable.mode ?? "none" } }),
  });
  emitVerdictEvent(deps, opened);
  if (decided) {
    deps.metrics?.recordClosed(req.slo, analysis.id, outcome, req.at - analysis.start);
    emitVerdictEvent(deps, closedEvent);
  }
  return { analysis: updated, look, replayed: false, link };
}
