/**
 * @module prometheus/raw-counters
 * Exact event counts from raw counter samples (what a range selection `x[W]` returns),
 * without the extrapolation of `increase()`:
 * - per series, the base is the last sample at or before the window start (0 when the series
 *   has none: it was born inside the window, like a new canary pod or a `code="500"` series
 *   created by its first error); every later sample inside the window adds its delta, and a
 *   drop is a counter reset that adds the new value whole (Prometheus' rule);
 * - classic histograms: `le` parsed as a number (`"1"` and `"1.0"` are the same bucket,
 *   `"+Inf"` is Infinity), increments summed per bound over all series, only bounds present
 *   in every series group kept (so each kept bound is exact), then de-cumulated.
 * - a NaN or ±Inf counter sample is not a count slogate can read: it throws
 *   `PROMETHEUS_BAD_RESPONSE` naming the series (never read as zero traffic).
 * Pure: no I/O.
 */
import type { HistogramCounts } from "../domain/counts.ts";
import { SlogateError } from "../errors.ts";

/** The error for a counter sample that is NaN or ±Inf. */
export function nonFiniteCounter(
  labels: Readonly<Record<string, string>>,
  t: number,
  v: number,
): SlogateError {
  const name = labels.__name__ ?? "";
  const rest = Object.entries(labels)
    .filter(([k]) => k !== "__name__")
    .map(([k, x]) => `${k}=${JSON.stringify(x)}`)
    .join(",");
  const series = `${name}{${rest}}`.slice(0, 300);
  return new SlogateError(
    "PROMETHEUS_BAD_RESPONSE",
    `counter sample ${String(v)} at ${t} of ${series} is not a finite number: slogate cannot count events from it`,
    {
      hint: "a counter is never NaN or infinite; check the exporter or the recording rule that writes this series (the look was not judged)",
      details: { series, time: t, value: String(v) },
    },
  );
}

/** A raw series: labels and its samples in ascending time (times and values side by side). */
export interface RawSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Unix seconds, ascending. */
  readonly times: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/**
 * Adds the increments of one series over consecutive windows (edges[0], edges[1]],
 * (edges[1], edges[2]], … — `edges` ascending — into `out` (one slot per window). One pass
 * over the samples.
 */
function addWindowIncreases(s: RawSeries, edges: readonly number[], out: number[]): void {
  const { times, values } = s;
  const nWin = out.length;
  let prev = 0;
  let w = -1; // index of the window the previous sample fell in (-1: before edges[0])
  let next = edges[0] ?? Infinity; // the end of window w (edges[w + 1])
  let acc = 0; // this series' increments in window w so far
  for (let j = 0; j < times.length; j++) {
    const v = values[j] ?? NaN;
    const t = times[j] ?? NaN;
    if (!Number.isFinite(v)) throw nonFiniteCounter(s.labels, t, v);
    if (t > next) {
      if (w >= 0 && w < nWin) out[w] = (out[w] ?? 0) + acc;
      acc = 0;
      while (w + 1 < edges.length && t > next) {
        w++;
        next = edges[w + 1] ?? Infinity;
      }
    }
    if (w < 0) {
      prev = v;
      continue;
    }
    if (w >= nWin) break;
    acc += v >= prev ? v - prev : v;
    prev = v;
  }
  if (w >= 0 && w < nWin) out[w] = (out[w] ?? 0) + acc;
}

/**
 * Increments of one series over consecutive windows (edges[0], edges[1]], (edges[1],
 * edges[2]], … — `edges` ascending. One pass over the samples.
 */
export function windowIncreases(s: RawSeries, edges: readonly number[]): number[] {
  const out = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
  addWindowIncreases(s, edges, out);
  return out;
}

/** Parses an `le` label value; NaN when it is not a number. */
export function parseLe(le: string | undefined): number {
  if (le === undefined) return NaN;
  const s = le.trim();
  if (s === "+Inf" || s === "Inf" || s === "inf" || s === "+inf") return Infinity;
  if (s === "") return NaN;
  return Number(s);
}

/** The identity of a series without `le` and `__name__`: its histogram group (JSON-quoted, unambiguous). */
export function groupKey(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels)
    .filter((k) => k !== "le" && k !== "__name__")
    .sort();
  let key = "";
  // Names and values JSON-quoted: the key is unambiguous.
  for (const k of names) key += `${JSON.stringify(k)}:${JSON.stringify(labels[k])},`;
  return key;
}

/** Sum of increments over all series, per window. */
export function sumIncreases(series: readonly RawSeries[], edges: readonly number[]): number[] {
  const out = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
  for (const s of series) addWindowIncreases(s, edges, out);
  return out;
}

/**
 * Histograms per window from raw `_bucket` series. `counts` (optional `_count` series)
 * stand in for a group's missing `+Inf` bucket. Returns null when there is no usable
 * bucket series; the histogram always ends with an `Infinity` bound.
 */
export function histogramIncreases(
  buckets: readonly RawSeries[],
  edges: readonly number[],
  counts: readonly RawSeries[] = [],
): HistogramCounts[] | null {
  const groups = new Map<string, Map<number, RawSeries[]>>();
  for (const s of buckets) {
    const le = parseLe(s.labels.le);
    if (Number.isNaN(le)) continue;
    const key = groupKey(s.labels);
    let g = groups.get(key);
    if (g === undefined) {
      g = new Map<number, RawSeries[]>();
      groups.set(key, g);
    }
    const same = g.get(le);
    if (same === undefined) g.set(le, [s]);
    else same.push(s);
  }
  if (groups.size === 0) return null;
  if (counts.length > 0) {
    const countByGroup = new Map<string, RawSeries[]>();
    for (const s of counts) {
      const key = groupKey(s.labels);
      const same = countByGroup.get(key);
      if (same === undefined) countByGroup.set(key, [s]);
      else same.push(s);
    }
    for (const [key, g] of groups) {
      if (!g.has(Infinity)) {
        const c = countByGroup.get(key);
        if (c) g.set(Infinity, c);
      }
    }
  }
  let common: number[] | null = null;
  for (const g of groups.values()) {
    common = common === null ? [...g.keys()] : common.filter((b) => g.has(b));
  }
  const bounds = (common ?? []).sort((a, b) => a - b);
  if (bounds[bounds.length - 1] !== Infinity) return null;
  const nWin = Math.max(0, edges.length - 1);
  const cum = bounds.map(() => new Array<number>(nWin).fill(0));
  for (const g of groups.values()) {
    for (let i = 0; i < bounds.length; i++) {
      const row = cum[i];
      const ss = g.get(bounds[i] ?? NaN);
      if (!row || !ss) continue;
      if (ss.length === 1 && ss[0]) addWindowIncreases(ss[0], edges, row);
      else sumIncreases(ss, edges).forEach((v, w) => (row[w] = (row[w] ?? 0) + v));
    }
  }
  const out: HistogramCounts[] = [];
  for (let w = 0; w < nWin; w++) {
    let prev = 0;
    const cs = bounds.map((_b, i) => {
      const c = cum[i]?.[w] ?? 0;
      // An invisible reset in one bucket series can make a difference negative: clamp.
      const d = Math.max(0, c - prev);
      prev = Math.max(prev, c);
      return d;
    });
    out.push({ bounds, counts: cs });
  }
  return out;
}

/** Requests above `threshold`: total minus those in buckets with bound ≤ threshold. */
export function countAboveThreshold(h: HistogramCounts, threshold: number): number {
  let total = 0;
  let below = 0;
  h.bounds.forEach((b, i) => {
    const c = h.counts[i] ?? 0;
    total += c;
    if (b <= threshold) below += c;
  });
  return total - below;
}

/** Samples per window: how many, and how many are below 1 (failed probes). */
export function probeWindows(
  series: readonly RawSeries[],
  edges: readonly number[],
): { total: number; bad: number }[] {
  const out = Array.from({ length: Math.max(0, edges.length - 1) }, () => ({ total: 0, bad: 0 }));
  for (const s of series) {
    let w = 0;
    for (let j = 0; j < s.times.length; j++) {
      const t = s.times[j] ?? NaN;
      if (t <= (edges[0] ?? Infinity)) continue;
      while (w < out.length && t > (edges[w + 1] ?? -Infinity)) w++;
      const slot = out[w];
      if (!slot) break;
      slot.total++;
      if (!((s.values[j] ?? NaN) >= 1)) slot.bad++;
    }
  }
  return out;
}
