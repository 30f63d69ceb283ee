/**
 * @module prometheus/read-arm-incremental
 * The incremental arm reader (`ReadArmCountsFrom`): a look hands in the state the previous
 * look of the same analysis and arm left (`arm-read-state`) and gets the counts since the
 * analysis start plus the new state, after reading only the raw samples since that previous
 * look — plus an overlap (default 60 s) for scrapes Prometheus ingested after it answered.
 * Counts are those of the full read (`read-arm`) to the sample; see `arm-read-state` for how.
 *
 * - Read this way: `latency` (`_bucket`, and `_count` where a group lacks `+Inf`), `probe`,
 *   and `events` SLIs whose queries are sums of `rate`/`increase` over plain selections.
 *   Their counts carry per-pod counts (`ArmCounts.pods`) when every series has the pod label
 *   (default `pod`).
 * - Read in full at every look (no state): `threshold` and `ratio` SLIs and `events` queries
 *   of another shape (they are evaluated by Prometheus, not counted from samples).
 * - A missing, malformed, stale (other SLI, arm, start or settings) or newer-than-the-look
 *   state means a full read from the start — once: its result is the new state.
 * - A state of more than `maxSeries` rows (default 50,000 series) is not returned: those
 *   looks read in full (say so in the logs with the series count).
 * Backend failures propagate as for the full read; a failed read returns no state, so the
 * stored one stays (it is still exact for its own time).
 */
import { createHash } from "node:crypto";
import { SlogateError } from "../errors.ts";
import type { ArmCounts } from "../domain/counts.ts";
import { CounterFormCache } from "../promql/counter-form-cache.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import { buildVectorSelector, formatDurationMs } from "../promql/selector.ts";
import type { Slo } from "../slo/model.ts";
import type { ArmRead, ReadArmCountsFrom, TimeRange } from "../app/ports.ts";
import { countAboveThreshold, type RawSeries } from "./raw-counters.ts";
import {
  READ_STATE_VERSION,
  SelectionFold,
  counterTotal,
  decodeArmReadState,
  encodeArmReadState,
  histogramOf,
  probeTotals,
  rowCount,
  withPods,
  type ArmReadState,
  type SelectionState,
} from "./arm-read-state.ts";
import { createReadArmCounts, fetchRawSelection, withSlo, type ReadArmOptions } from "./read-arm.ts";

export interface ReadArmIncrementalOptions extends ReadArmOptions {
  /** Label naming the pod of a series (per-pod counts). Default `pod`. */
  readonly podLabel?: string;
  /**
   * Seconds before the previous look's time that are read again, for scrapes ingested after
   * that look read (late remote writes, slow scrapes). Default 60; at most the lookback.
   */
  readonly overlapSeconds?: number;
  /** Largest state kept, in series rows per arm. Default 50,000. */
  readonly maxSeries?: number;
}

/** One range selection the reader folds: its name in the state, selector and sample kind. */
interface Selection {
  readonly name: string;
  readonly selector: string;
  readonly kind: "counter" | "probe";
}

/** What to read for an SLI, or null when it is read in full (no state). */
type Plan =
  | {
      readonly type: "latency";
      readonly metric: string;
      readonly bucket: Selection;
      readonly count: Selection;
      readonly threshold: number;
    }
  | { readonly type: "probe"; readonly probe: Selection }
  | {
      readonly type: "events";
      readonly total: readonly Selection[];
      readonly other: readonly Selection[];
      readonly good: boolean;
    };

/** Creates the incremental reader over a Prometheus client. */
export function createReadArmCountsIncremental(opts: ReadArmIncrementalOptions): ReadArmCountsFrom {
  const lookback = opts.baseLookbackSeconds ?? 300;
  const overlap = Math.min(lookback, Math.max(0, opts.overlapSeconds ?? 60));
  const podLabel = opts.podLabel ?? "pod";
  const maxSeries = opts.maxSeries ?? 50_000;
  const client = opts.client;
  const full = createReadArmCounts(opts);
  const forms = new CounterFormCache();

  const planOf = (slo: Slo, arm: readonly LabelMatcher[], range: TimeRange): Plan | null => {
    const sli = slo.sli;
    switch (sli.type) {
      case "latency": {
        const matchers = [...sli.matchers.filter((m) => !arm.some((a) => a.name === m.name)), ...arm];
        return {
          type: "latency",
          metric: sli.metric,
          bucket: {
            name: "bucket",
            selector: buildVectorSelector(`${sli.metric}_bucket`, matchers),
            kind: "counter",
          },
          count: {
            name: "count",
            selector: buildVectorSelector(`${sli.metric}_count`, matchers),
            kind: "counter",
          },
          threshold: sli.thresholdSeconds,
        };
      }
      case "probe": {
        const matchers = [...sli.matchers.filter((m) => !arm.some((a) => a.name === m.name)), ...arm];
        return {
          type: "probe",
          probe: { name: "probe", selector: buildVectorSelector(sli.metric, matchers), kind: "probe" },
        };
      }
      case "events": {
        const badT = sli.bad ?? sli.good;
        if (!badT) return null;
        const window = formatDurationMs((range.end - range.start) * 1000);
        const t = forms.formOf(sli.total, arm, window);
        const o = forms.formOf(badT, arm, window);
        if (t.kind !== "counters" || o.kind !== "counters") return null;
        const sel = (prefix: string, s: string): Selection => ({
          name: `${prefix}:${s}`,
          selector: s,
          kind: "counter",
        });
        return {
          type: "events",
          total: t.selectors.map((s) => sel("total", s)),
          other: o.selectors.map((s) => sel(sli.bad ? "bad" : "good", s)),
          good: sli.bad === undefined,
        };
      }
      default:
        return null;
    }
  };

  /** Raw samples of `selector` in (from, to] (a range selection evaluated at `to`). */
  const fetch = async (
    selector: string,
    from: number,
    to: number,
    signal?: AbortSignal,
  ): Promise<readonly RawSeries[]> => fetchRawSelection(client, selector, to - from, to, signal);

  return async (slo, arm, range, prior, signal): Promise<ArmRead> => {
    if (!(Number.isFinite(range.start) && Number.isFinite(range.end) && range.start < range.end)) {
      throw new SlogateError("BAD_REQUEST", `invalid time range ${range.start}..${range.end}`, {
        hint: "the start of the analysis must be before the evaluation time",
      });
    }
    const plan = planOf(slo, arm, range);
    if (plan === null) return { counts: await full(slo, arm, range, signal), state: null, mode: "full" };
    const key = fingerprint(slo, arm, lookback, podLabel);
    const old = prior === undefined ? null : decodeArmReadState(prior, key, range.start, range.end);
    const fullFrom = range.start - lookback;
    const from = old === null || old.end - overlap <= range.start ? fullFrom : old.end - overlap;
    const folds = new Map<string, SelectionFold>();
    /** Folds one selection: from the state when it has it, else from the start. */
    const fold = async (s: Selection): Promise<SelectionState> => {
      const had = old?.selections[s.name];
      const f = new SelectionFold(had);
      const series = await fetch(s.selector, had === undefined ? fullFrom : from, range.end, signal);
      if (s.kind === "counter") f.foldCounters(series, range.start, range.end);
      else f.foldProbes(series, range.start, range.end);
      folds.set(s.name, f);
      return f.toState();
    };
    let counts: ArmCounts | null;
    try {
      counts = await countsOf(plan, fold, old, podLabel, slo);
    } catch (e) {
      throw withSlo(e, slo);
    }
    const selections: Record<string, SelectionState> = {};
    for (const [name, f] of folds) selections[name] = f.toState();
    const state: ArmReadState = {
      v: READ_STATE_VERSION,
      key,
      start: range.start,
      end: range.end,
      selections,
    };
    const mode = old === null ? "full" : "incremental";
    const rows = rowCount(state);
    if (rows > maxSeries) return { counts, state: null, mode, rows };
    return { counts, state: encodeArmReadState(state), mode, rows };
  };
}

/** Counts of one arm from its folded selections. */
async function countsOf(
  plan: Plan,
  fold: (s: Selection) => Promise<SelectionState>,
  old: ArmReadState | null,
  podLabel: string,
  slo: Slo,
): Promise<ArmCounts | null> {
  switch (plan.type) {
    case "latency": {
      const buckets = await fold(plan.bucket);
      if (buckets.rows.length === 0) return null;
      // `_count` is read (and kept up to date) once some group needed it for its `+Inf`.
      let counts = old?.selections[plan.count.name] === undefined ? undefined : await fold(plan.count);
      let used: SelectionState | undefined;
      let h = histogramOf(buckets, undefined);
      if (h === null) {
        counts ??= await fold(plan.count);
        used = counts;
        h = histogramOf(buckets, counts);
      }
      if (h === null) {
        throw new SlogateError("PROMETHEUS_BAD_RESPONSE", `histogram ${plan.metric} has no usable buckets`, {
          hint: "the _bucket series need numeric le labels and a +Inf bucket (or a _count series)",
          details: { slo: slo.id },
        });
      }
      const hist = h;
      const total = hist.counts.reduce((a, b) => a + b, 0);
      const arm: ArmCounts = { total, bad: countAboveThreshold(hist, plan.threshold), histogram: hist };
      return withPods(
        arm,
        [buckets],
        podLabel,
        (of) => {
          const ph = histogramOf(of(buckets) ?? buckets, of(used), undefined, hist.bounds) ?? {
            bounds: hist.bounds,
            counts: hist.bounds.map(() => 0),
          };
          const t = ph.counts.reduce((a, b) => a + b, 0);
          return { total: t, bad: countAboveThreshold(ph, plan.threshold), histogram: ph };
        },
        [used],
      );
    }
    case "probe": {
      const sel = await fold(plan.probe);
      if (sel.rows.length === 0) return null;
      return withPods(probeTotals(sel), [sel], podLabel, (of) => probeTotals(of(sel)));
    }
    case "events": {
      const [total, other] = await Promise.all([
        Promise.all(plan.total.map(fold)),
        Promise.all(plan.other.map(fold)),
      ]);
      if (total.every((s) => s.rows.length === 0)) return null;
      const pair = (t: number, o: number) => ({ total: t, bad: plan.good ? Math.max(0, t - o) : o });
      return withPods(pair(counterTotal(total), counterTotal(other)), [...total, ...other], podLabel, (of) =>
        pair(counterTotal(total.map(of)), counterTotal(other.map(of))),
      );
    }
  }
}

/** Fingerprint of what a state was read for: a state of another is stale. */
function fingerprint(slo: Slo, arm: readonly LabelMatcher[], lookback: number, podLabel: string): string {
  const text = JSON.stringify({ sli: slo.sli, arm, lookback, podLabel });
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}
