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
 * Pure: no I/O.
 */
import type { HistogramCounts } from "../judge/types.ts";
import type { Point } from "./wire.ts";

/** A raw series: labels and its samples in ascending time. */
export interface RawSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly points: readonly Point[];
}

/**
 * Increments of one series over consecutive windows (edges[0], edges[1]], (edges[1],
 * edges[2]], … — `edges` ascending. One pass over the samples.
 */
export function windowIncreases(points: readonly Point[], edges: readonly number[]): number[] {
  const out = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
  let prev = 0;
  let w = -1; // index of the window the previous sample fell in (-1: before edges[0])
  for (const p of points) {
    if (!Number.isFinite(p.v)) continue;
    while (w + 1 < edges.length && p.t > (edges[w + 1] ?? Infinity)) w++;
    if (w < 0) {
      prev = p.v;
      continue;
    }
    if (w >= out.length) break;
    out[w] = (out[w] ?? 0) + (p.v >= prev ? p.v - prev : p.v);
    prev = p.v;
  }
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

function groupKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => k !== "le" && k !== "__name__")
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** Sum of increments over all series, per window. */
export function sumIncreases(series: readonly RawSeries[], edges: readonly number[]): number[] {
  const out = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
  for (const s of series) {
    windowIncreases(s.points, edges).forEach((v, i) => (out[i] = (out[i] ?? 0) + v));
  }
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
    const g = groups.get(key) ?? new Map<number, RawSeries[]>();
    g.set(le, [...(g.get(le) ?? []), s]);
    groups.set(key, g);
  }
  if (groups.size === 0) return null;
  const countByGroup = new Map<string, RawSeries[]>();
  for (const s of counts)
    countByGroup.set(groupKey(s.labels), [...(countByGroup.get(groupKey(s.labels)) ?? []), s]);
  for (const [key, g] of groups) {
    if (!g.has(Infinity)) {
      const c = countByGroup.get(key);
      if (c) g.set(Infinity, c);
    }
  }
  let common: number[] | null = null;
  for (const g of groups.values()) {
    const bs = [...g.keys()];
    common = common === null ? bs : common.filter((b) => g.has(b));
  }
  const bounds = (common ?? []).sort((a, b) => a - b);
  if (bounds[bounds.length - 1] !== Infinity) return null;
  const nWin = Math.max(0, edges.length - 1);
  const cum = bounds.map(() => new Array<number>(nWin).fill(0));
  for (const g of groups.values()) {
    bounds.forEach((b, i) => {
      const row = cum[i];
      if (!row) return;
      sumIncreases(g.get(b) ?? [], edges).forEach((v, w) => (row[w] = (row[w] ?? 0) + v));
    });
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
    for (const p of s.points) {
      if (p.t <= (edges[0] ?? Infinity)) continue;
      while (w < out.length && p.t > (edges[w + 1] ?? -Infinity)) w++;
      const slot = out[w];
      if (!slot) break;
      slot.total++;
      if (!(p.v >= 1)) slot.bad++;
    }
  }
  return out;
}
