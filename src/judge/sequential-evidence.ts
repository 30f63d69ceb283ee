/**
 * @module judge/sequential-evidence
 * How each look's new counts advance the sequential judge's e-processes: the relative check's
 * count e-process on the split of new bad events (and its latency tail test at the bucket
 * boundaries near the threshold), the absolute and baseline checks' binomial e-processes,
 * re-anchoring when counts go down, and the sticky crossing of 1/α. Pure.
 */
import {
  addInterval,
  canaryEventProbability,
  initialLogRatios,
  logEValue,
  logMeanEValue,
  shiftOdds,
} from "../stats/mixture-e-process.ts";
import type { Slo } from "../slo/model.ts";
import type { CleanArm } from "./arm-data.ts";
import {
  SEQUENTIAL_GRID,
  type Consumed,
  type EProcessState,
  type SequentialState,
} from "./sequential-state.ts";
import { countsAbove, tailBoundaries } from "./tail-boundaries.ts";

/** Increment of cumulative counts since `prev`; `null` when counts went down. */
function increment(cur: CleanArm, prev: Consumed): { total: number; bad: number } | null {
  const dt = cur.total - prev.total;
  const db = cur.bad - prev.bad;
  if (dt < 0 || db < 0) return null;
  return { total: dt, bad: Math.min(db, dt) };
}

/**
 * The relative check's log e-value: with a tail test, the e-value when it took over times the
 * average of the boundaries' e-processes since (a stopped e-process continued by another is
 * still one); otherwise the slow-count e-process at the threshold.
 */
export function relativeLogE(relative: SequentialState["relative"]): number {
  const t = relative.tail;
  if (!t) return logEValue(SEQUENTIAL_GRID, relative.logRatios);
  return t.logBase + logMeanEValue(SEQUENTIAL_GRID, t.logRatios);
}

/**
 * Plans or advances the latency tail test with the look's histograms. Returns the relative
 * state unchanged when there is nothing to add; `reset` when counts went down (re-anchored).
 */
function advanceTail(
  slo: Slo,
  relative: SequentialState["relative"],
  canary: CleanArm | null,
  stable: CleanArm | null,
  r0: number,
  fresh: boolean,
): { relative: SequentialState["relative"]; reset: boolean } {
  if (slo.sli.type !== "latency" || slo.canary.direction === "lower-is-worse")
    return { relative, reset: false };
  const hc = canary?.histogram;
  const hs = stable?.histogram;
  if (!hc || !hs || hc.bounds.length !== hs.bounds.length) return { relative, reset: false };
  for (let i = 0; i < hc.bounds.length; i++)
    if (hc.bounds[i] !== hs.bounds[i]) return { relative, reset: false };
  let tail = relative.tail;
  if (!tail) {
    const bounds = tailBoundaries(hc.bounds, slo.sli.thresholdSeconds);
    if (bounds.length === 0) return { relative, reset: false };
    const ca = countsAbove(hc, bounds);
    const sa = countsAbove(hs, bounds);
    if (!ca || !sa) return { relative, reset: false };
    const zero = bounds.map(() => 0);
    tail = {
      bounds,
      // Planned at the first look: the tail test is the relative check from the start.
      // Planned later: the threshold's e-process so far, continued by the tail test.
      logBase: fresh ? 0 : logEValue(SEQUENTIAL_GRID, relative.logRatios),
      logRatios: bounds.map(() => initialLogRatios(SEQUENTIAL_GRID)),
      canary: fresh ? { total: 0, above: zero } : { total: ca.total, above: ca.above },
      stable: fresh ? { total: 0, above: [...zero] } : { total: sa.total, above: sa.above },
    };
  }
  const ca = countsAbove(hc, tail.bounds);
  const sa = countsAbove(hs, tail.bounds);
  if (!ca || !sa) return { relative: { ...relative, tail }, reset: false };
  const dct = ca.total - tail.canary.total;
  const dst = sa.total - tail.stable.total;
  const dca = ca.above.map((v, i) => v - (tail.canary.above[i] ?? 0));
  const dsa = sa.above.map((v, i) => v - (tail.stable.above[i] ?? 0));
  const consumed = {
    canary: { total: ca.total, above: ca.above },
    stable: { total: sa.total, above: sa.above },
  };
  if (dct < 0 || dst < 0 || dca.some((d) => d < 0) || dsa.some((d) => d < 0)) {
    return { relative: { ...relative, tail: { ...tail, ...consumed } }, reset: true };
  }
  // One arm without new requests: keep the anchor, its events count with the next interval.
  if (!(dct > 0 && dst > 0)) return { relative: { ...relative, tail }, reset: false };
  const rho = dct / (dct + dst);
  const theta0 = canaryEventProbability(rho, r0);
  const logRatios = tail.logRatios.map((lr, i) =>
    addInterval(lr, dca[i] ?? 0, (dca[i] ?? 0) + (dsa[i] ?? 0), theta0, (g) =>
      canaryEventProbability(rho, r0 * Math.exp(SEQUENTIAL_GRID.offsets[g] ?? 0)),
    ),
  );
  return { relative: { ...relative, tail: { ...tail, ...consumed, logRatios } }, reset: false };
}

function crossed<P extends EProcessState>(p: P, logE: number, alpha: number, at: number): P {
  const failedAt = p.failedAt ?? (alpha > 0 && logE >= Math.log(1 / alpha) ? at : null);
  return { ...p, failedAt, maxLogE: Math.max(p.maxLogE, logE) };
}

/** Advances every e-process by the look's new counts. */
export function advance(
  slo: Slo,
  s: SequentialState,
  canary: CleanArm | null,
  stable: CleanArm | null,
  at: number,
): { state: SequentialState; resetNote: string | null } {
  let resets = s.resets;
  const notes: string[] = [];
  const grid = SEQUENTIAL_GRID;

  // Relative: split of the new bad events between arms given the arms' new requests.
  let relative = s.relative;
  if (canary && stable && s.alpha.relative > 0) {
    const dc = increment(canary, relative.canary);
    const ds = increment(stable, relative.stable);
    const consumed = {
      canary: { total: canary.total, bad: canary.bad },
      stable: { total: stable.total, bad: stable.bad },
    };
    if (!dc || !ds) {
      resets++;
      notes.push(
        "counts went down since the previous look (counter reset or inconsistent data): re-anchored",
      );
      relative = { ...relative, ...consumed };
    } else if (dc.total > 0 && ds.total > 0) {
      const rho = dc.total / (dc.total + ds.total);
      const r0 = s.nullRatio;
      const theta0 = canaryEventProbability(rho, r0);
      const logRatios = addInterval(relative.logRatios, dc.bad, dc.bad + ds.bad, theta0, (g) =>
        canaryEventProbability(rho, r0 * Math.exp(grid.offsets[g] ?? 0)),
      );
      relative = { ...relative, ...consumed, logRatios };
    }
    // One arm without new requests: keep the anchor, its events are counted with the next interval.
    const t = advanceTail(
      slo,
      relative,
      canary,
      stable,
      s.nullRatio,
      s.relative.canary.total === 0 && s.relative.stable.total === 0,
    );
    relative = t.relative;
    if (t.reset && notes.length === 0) {
      resets++;
      notes.push(
        "histogram counts went down since the previous look (counter reset or inconsistent data): re-anchored",
      );
    }
    relative = crossed(relative, relativeLogE(relative), s.alpha.relative, at);
  }

  const binomialStep = <P extends EProcessState & { canary: Consumed }>(
    p: P,
    limit: number | null,
    alpha: number,
  ): P => {
    if (!canary || alpha <= 0 || limit === null || !(limit > 0 && limit < 1)) return p;
    const d = increment(canary, p.canary);
    const consumed = { canary: { total: canary.total, bad: canary.bad } };
    if (!d) {
      if (notes.length === 0) {
        resets++;
        notes.push(
          "canary counts went down since the previous look (counter reset or inconsistent data): re-anchored",
        );
      }
      return { ...p, ...consumed };
    }
    if (d.total === 0) return p;
    const logRatios = addInterval(p.logRatios, d.bad, d.total, limit, (g) =>
      shiftOdds(limit, grid.offsets[g] ?? 0),
    );
    return crossed({ ...p, ...consumed, logRatios }, logEValue(grid, logRatios), alpha, at);
  };
  const absolute = binomialStep(s.absolute, s.absoluteLimit, s.alpha.absolute);
  const baseline = binomialStep(s.baseline, s.baselineLimit, s.alpha.baseline / 2);
  return {
    state: { ...s, relative, absolute, baseline, resets, looks: s.looks + 1, lastAt: at },
    resetNote: notes.length > 0 ? notes.join("; ") + "." : null,
  };
}
