/**
 * @module prometheus/read-arm
 * Reads what the judge needs from Prometheus, per arm, since a start time: total and bad
 * event counts, histogram bucket counts for latency SLIs, and per-step series. Implements the
 * `ReadArmCounts` / `ReadArmSeries` ports over a Prometheus client.
 *
 * How counts are obtained (exact wherever the data allows it):
 * - `latency`: the raw samples of `<metric>_bucket{sli matchers, arm}` over the range are
 *   fetched (one range selection evaluated at the end time, reaching `baseLookbackSeconds`
 *   before the start for each series' base) and turned into exact per-bucket increments by
 *   `raw-counters` (resets, series born mid-range, `le="1"` = `le="1.0"`, buckets missing in
 *   some series dropped, a missing `+Inf` replaced by `_count`). bad = requests above the
 *   largest bound ≤ `thresholdSeconds` (exact when the threshold is a bucket bound).
 * - `events`: each template is rendered for the arm (`renderQuery`). When the result is a
 *   sum of `rate`/`increase` over plain range selections (`sum(rate(x{…}[{{.window}}]))`, the
 *   usual form) the raw samples of those selectors are fetched and counted exactly as above.
 *   Otherwise the rendered query is evaluated with the window set to the range and its value
 *   taken as the count — multiplied by the window when it uses `rate`/`irate` (per-second);
 *   this fallback carries Prometheus' extrapolation and is approximate. bad = total − good
 *   when only `good` is given.
 * - `probe`: the raw samples of the gauge; total = samples in the range, bad = samples < 1.
 * - `threshold`: the query is evaluated as a range query every `stepSeconds` from start + step
 *   to the end; total = evaluation points (per series), bad = points where `query op value`
 *   does not hold (NaN points compare false, as `> bool` does in the generated rules). Each
 *   per-step window counts the points that fall in it.
 * - `ratio`: carries no counts: `ReadArmCounts` throws SLO_UNSUPPORTED; `ReadArmSeries`
 *   returns per-step ratio points as `{ total: 1, bad: ratio }` (kayenta/threshold judges);
 *   `analyze-look` derives a look's data from those points.
 * The range is (start, end]; per-step windows end at start + k·step ≤ end.
 * `null` means the arm has no series at all (for events: the total query has none).
 * Backend failures propagate as PROMETHEUS_* errors — never a made-up zero: a NaN/±Inf
 * count (raw counter sample or fallback query value) is PROMETHEUS_BAD_RESPONSE; a query the
 * backend refuses as invalid is SLO_QUERY_INVALID naming the SLO.
 */
import { SlogateError, isSlogateError } from "../errors.ts";
import type { HistogramCounts, StepCounts } from "../domain/counts.ts";
import { CounterFormCache } from "../promql/counter-form-cache.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import { buildVectorSelector, formatDurationMs } from "../promql/selector.ts";
import { renderQuery } from "../promql/template.ts";
import type { PrometheusClient } from "./http-client.ts";
import {
  countAboveThreshold,
  histogramIncreases,
  nonFiniteCounter,
  probeWindows,
  sumIncreases,
  type RawSeries,
} from "./raw-counters.ts";
import type { QueryTemplate } from "../promql/query-template.ts";
import type { Slo, ThresholdOp } from "../slo/model.ts";
import type { ReadArmCounts, ReadArmSeries, TimeRange } from "../app/ports.ts";

/**
 * The raw samples of `selector` over the `seconds` before `to` (a range selection evaluated at
 * `to`); an answer that is not a matrix is PROMETHEUS_BAD_RESPONSE.
 */
export async function fetchRawSelection(
  client: Pick<PrometheusClient, "rawSamples">,
  selector: string,
  seconds: number,
  to: number,
  signal?: AbortSignal,
): Promise<readonly RawSeries[]> {
  const q = `${selector}[${formatDurationMs(seconds * 1000)}]`;
  const r = await client.rawSamples(q, to, signal);
  if (r.type !== "matrix") {
    throw new SlogateError("PROMETHEUS_BAD_RESPONSE", `expected a matrix for ${q}, got ${r.type}`, {
      hint: "the backend does not answer range selections like Prometheus does",
      details: { query: q },
    });
  }
  return r.series;
}

export interface ReadArmOptions {
  readonly client: Pick<PrometheusClient, "query" | "queryRange" | "rawSamples">;
  /**
   * How far before the start to look for each series' base sample (seconds). Default 300
   * (Prometheus' staleness window); must exceed the scrape interval.
   */
  readonly baseLookbackSeconds?: number;
}

/** Windows of one read: edges (unix seconds) and, for series, the step end times. */
interface Windows {
  readonly edges: readonly number[];
  /** Whether per-step series (rather than one cumulative count) were asked for. */
  readonly series: boolean;
}

function checkRange(range: TimeRange): void {
  if (!(Number.isFinite(range.start) && Number.isFinite(range.end) && range.start < range.end)) {
    throw new SlogateError("BAD_REQUEST", `invalid time range ${range.start}..${range.end}`, {
      hint: "the start of the analysis must be before the evaluation time",
    });
  }
}

function stepEdges(range: TimeRange & { readonly step: number }): number[] {
  checkRange(range);
  if (!(range.step > 0)) {
    throw new SlogateError("BAD_REQUEST", `invalid step ${range.step}`, {
      hint: "the step must be positive seconds",
    });
  }
  const n = Math.floor((range.end - range.start) / range.step + 1e-9);
  if (n > 11_000) {
    throw new SlogateError("BAD_REQUEST", `${n} steps requested`, {
      hint: "use a larger step (at most 11,000 steps)",
    });
  }
  return Array.from({ length: n + 1 }, (_, k) => range.start + k * range.step);
}

/** Creates the reader of one arm's data over a Prometheus client. */
function createReader(opts: ReadArmOptions) {
  const lookback = opts.baseLookbackSeconds ?? 300;
  const client = opts.client;
  // What each SLO template renders to for an arm, parsed once (bounded memo).
  const forms = new CounterFormCache();

  /** Raw samples of `selector` over [first edge − lookback, last edge]. */
  const raw = async (selector: string, w: Windows, signal?: AbortSignal): Promise<readonly RawSeries[]> => {
    const from = w.edges[0] ?? 0;
    const to = w.edges[w.edges.length - 1] ?? 0;
    return fetchRawSelection(client, selector, to - from + lookback, to, signal);
  };

  const rawSelection = (
    metric: string,
    matchers: readonly LabelMatcher[],
    w: Windows,
    signal?: AbortSignal,
  ) => {
    return raw(buildVectorSelector(metric, matchers), w, signal);
  };

  /** Event counts of one template per window; null when it selects no series. */
  const templateCounts = async (
    t: QueryTemplate,
    arm: readonly LabelMatcher[],
    w: Windows,
    signal?: AbortSignal,
  ): Promise<number[] | null> => {
    const first = w.edges[0] ?? 0;
    const last = w.edges[w.edges.length - 1] ?? 0;
    const windows = w.edges.length - 1;
    const width = windows > 0 ? (last - first) / windows : 0;
    const windowText = formatDurationMs(width * 1000);
    const form = forms.formOf(t, arm, windowText);
    if (form.kind === "counters") {
      const all = await Promise.all(form.selectors.map((s) => raw(s, w, signal)));
      const series = all.flat();
      return series.length === 0 ? null : sumIncreases(series, w.edges);
    }
    const query = form.query;
    const scale = form.perSecond ? width : 1;
    if (windows === 1) {
      const r = await client.query(query, last, signal);
      const v = valueOf(r, query);
      return v === null ? null : [v * scale];
    }
    const r = await client.queryRange(query, { start: w.edges[1] ?? first, end: last, step: width }, signal);
    if (r.type !== "matrix") throw badShape(query, r.type);
    if (r.series.length === 0) return null;
    const out = new Array<number>(windows).fill(0);
    for (const s of r.series) {
      for (const p of s.points) {
        if (!Number.isFinite(p.v)) throw nonFiniteCounter({ __name__: query, ...s.labels }, p.t, p.v);
        const i = Math.round((p.t - first) / width) - 1;
        if (i >= 0 && i < windows) out[i] = (out[i] ?? 0) + p.v * scale;
      }
    }
    return out;
  };

  /** total/bad (and histogram) per window, or null when the arm has no data. */
  const readSlo = async (
    slo: Slo,
    arm: readonly LabelMatcher[],
    w: Windows,
    signal?: AbortSignal,
  ): Promise<{ total: number; bad: number; histogram?: HistogramCounts }[] | null> => {
    const sli = slo.sli;
    switch (sli.type) {
      case "resource":
        // Per-pod gauges are read by `read-resource.ts` (the resource port), never as counts.
        throw new SlogateError("SLO_UNSUPPORTED", `SLO ${slo.id} is a resource SLI: it has no event counts`, {
          hint: "resource SLIs are read per pod and step by the resource reader",
          details: { slo: slo.id },
        });
      case "latency": {
        const matchers = [...sli.matchers.filter((m) => !arm.some((a) => a.name === m.name)), ...arm];
        const buckets = await rawSelection(`${sli.metric}_bucket`, matchers, w, signal);
        if (buckets.length === 0) return null;
        let hs = histogramIncreases(buckets, w.edges);
        if (hs === null) {
          const counts = await rawSelection(`${sli.metric}_count`, matchers, w, signal);
          hs = histogramIncreases(buckets, w.edges, counts);
        }
        if (hs === null) {
          throw new SlogateError("PROMETHEUS_BAD_RESPONSE", `histogram ${sli.metric} has no usable buckets`, {
            hint: "the _bucket series need numeric le labels and a +Inf bucket (or a _count series)",
            details: { slo: slo.id },
          });
        }
        return hs.map((h) => {
          const total = h.counts.reduce((a, b) => a + b, 0);
          return { total, bad: countAboveThreshold(h, sli.thresholdSeconds), histogram: h };
        });
      }
      case "probe": {
        const matchers = [...sli.matchers.filter((m) => !arm.some((a) => a.name === m.name)), ...arm];
        const series = await rawSelection(sli.metric, matchers, w, signal);
        if (series.length === 0) return null;
        return probeWindows(series, w.edges);
      }
      case "events": {
        const badT = sli.bad ?? sli.good;
        if (!badT) {
          throw new SlogateError("SLO_INVALID", `SLO ${slo.id} has neither a bad nor a good query`, {
            hint: "give the events SLI a bad (or good) query",
          });
        }
        const [total, other] = await Promise.all([
          templateCounts(sli.total, arm, w, signal),
          templateCounts(badT, arm, w, signal),
        ]);
        if (total === null) return null;
        return total.map((t, i) => {
          const o = other?.[i] ?? 0;
          return { total: t, bad: sli.bad ? o : Math.max(0, t - o) };
        });
      }
      case "threshold": {
        const first = w.edges[0] ?? 0;
        const last = w.edges[w.edges.length - 1] ?? 0;
        const step = sli.stepSeconds;
        const n = Math.floor((last - first) / step + 1e-9);
        const windows = w.edges.length - 1;
        if (n < 1) return w.edges.slice(1).map(() => ({ total: 0, bad: 0 }));
        if (n > MAX_POINTS) {
          throw new SlogateError("BAD_REQUEST", `${n} evaluation points of SLO ${slo.id} requested`, {
            hint: `the threshold SLI is evaluated every ${step}s: analyse at most ${MAX_POINTS} points (a shorter range or a larger step)`,
            details: { slo: slo.id },
          });
        }
        const query = renderQuery(sli.query, { window: formatDurationMs(step * 1000), selector: arm });
        const r = await client.queryRange(
          query,
          { start: first + step, end: first + n * step, step },
          signal,
        );
        if (r.type !== "matrix") throw badShape(query, r.type);
        if (r.series.length === 0) return null;
        const out = Array.from({ length: windows }, () => ({ total: 0, bad: 0 }));
        const breaks = BREAKS[sli.op];
        for (const s of r.series) {
          for (const p of s.points) {
            // Window i holds the points in (edges[i], edges[i + 1]]; the edges are evenly spaced.
            const i = Math.ceil(((p.t - first) * windows) / (last - first) - 1e-6) - 1;
            const o = out[i];
            if (o === undefined || p.t <= first + 1e-6 || p.t > last + 1e-6) continue;
            o.total += 1;
            if (breaks(p.v, sli.value)) o.bad += 1;
          }
        }
        return out;
      }
      case "ratio": {
        const first = w.edges[0] ?? 0;
        const last = w.edges[w.edges.length - 1] ?? 0;
        const windows = w.edges.length - 1;
        if (!w.series) {
          throw new SlogateError(
            "SLO_UNSUPPORTED",
            `SLO ${slo.id} is a ratio SLI: it carries no event counts`,
            {
              hint: "canary statistics need counts: use an events SLI (bad/total queries) or a latency histogram; ratio SLIs work with per-step series (kayenta/threshold judges)",
              details: { slo: slo.id },
            },
          );
        }
        const width = (last - first) / windows;
        const query = renderQuery(sli.badRatio, { window: formatDurationMs(width * 1000), selector: arm });
        const r = await client.queryRange(
          query,
          { start: w.edges[1] ?? first, end: last, step: width },
          signal,
        );
        if (r.type !== "matrix") throw badShape(query, r.type);
        if (r.series.length === 0) return null;
        const pts = r.series[0]?.points ?? [];
        return w.edges.slice(1).map((t) => {
          const p = pts.find((x) => Math.abs(x.t - t) < 1e-6);
          return { total: p && Number.isFinite(p.v) ? 1 : 0, bad: p && Number.isFinite(p.v) ? p.v : 0 };
        });
      }
    }
  };
  return async (
    slo: Slo,
    arm: readonly LabelMatcher[],
    w: Windows,
    signal?: AbortSignal,
  ): Promise<{ total: number; bad: number; histogram?: HistogramCounts }[] | null> => {
    try {
      return await readSlo(slo, arm, w, signal);
    } catch (e) {
      throw withSlo(e, slo);
    }
  };
}

/** A query the backend refused as invalid, told as the SLO's configuration error. */
export function withSlo(e: unknown, slo: Slo): unknown {
  if (!isSlogateError(e, "SLO_QUERY_INVALID")) return e;
  return new SlogateError("SLO_QUERY_INVALID", `SLO ${slo.id}: ${e.message}`, {
    hint: `fix the PromQL of SLO ${slo.id} in its file (check it with \`slogate validate\`); retrying will not help`,
    cause: e,
    details: { ...e.details, slo: slo.id },
  });
}

/** Whether a point breaks `op value` (the comparisons are false for NaN, like PromQL's). */
const BREAKS: Readonly<Record<ThresholdOp, (v: number, limit: number) => boolean>> = {
  lt: (v, limit) => v >= limit,
  lte: (v, limit) => v > limit,
  gt: (v, limit) => v <= limit,
  gte: (v, limit) => v < limit,
};

/** Most points Prometheus returns per series of one range query. */
const MAX_POINTS = 11_000;

function badShape(query: string, type: string): SlogateError {
  return new SlogateError("PROMETHEUS_BAD_RESPONSE", `unexpected ${type} result for ${query}`, {
    hint: "the backend does not answer like Prometheus",
    details: { query },
  });
}

function valueOf(r: Awaited<ReturnType<PrometheusClient["query"]>>, query: string): number | null {
  if (r.type === "scalar") {
    if (!Number.isFinite(r.v)) throw nonFiniteCounter({ __name__: query }, r.t, r.v);
    return r.v;
  }
  if (r.type !== "vector") throw badShape(query, r.type);
  if (r.samples.length === 0) return null;
  let sum = 0;
  for (const s of r.samples) {
    if (!Number.isFinite(s.v)) throw nonFiniteCounter({ __name__: query, ...s.labels }, s.t, s.v);
    sum += s.v;
  }
  return sum;
}

/** `ReadArmCounts` over a Prometheus client: counts over (range.start, range.end]. */
export function createReadArmCounts(opts: ReadArmOptions): ReadArmCounts {
  const read = createReader(opts);
  return async (slo, arm, range, signal) => {
    checkRange(range);
    const r = await read(slo, arm, { edges: [range.start, range.end], series: false }, signal);
    return r?.[0] ?? null;
  };
}

/** `ReadArmSeries` over a Prometheus client: per-step increments ending at start + k·step. */
export function createReadArmSeries(opts: ReadArmOptions): ReadArmSeries {
  const read = createReader(opts);
  return async (slo, arm, range, signal) => {
    const edges = stepEdges(range);
    if (edges.length < 2) return [];
    const r = await read(slo, arm, { edges, series: true }, signal);
    if (r === null) return [];
    return r.map((c, i): StepCounts => ({ ...c, t: edges[i + 1] ?? range.end }));
  };
}
