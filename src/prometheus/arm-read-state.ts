/**
 * @module prometheus/arm-read-state
 * What the raw-counter reader remembers about one arm of one analysis between looks, so a
 * look reads only the samples since the previous one and still counts exactly what a full
 * read from the analysis start would (`raw-counters`' rules, sample by sample):
 * - per series (one row per label set of each range selection): the time and value of the
 *   last sample folded in, and the running total of its increments since the start (for a
 *   probe gauge: samples and failed samples since the start). A sample at or before that time
 *   is skipped, so re-reading an overlap (late scrapes) never counts twice; a later one adds
 *   `v − prev`, or `v` after a drop (a counter reset) — the same additions in the same order
 *   as the full read, so the totals are the same doubles;
 * - a series not seen before starts from 0 (born inside the analysis) unless its samples
 *   reach back to the start, whose last one is then its base — as in the full read;
 * - a series that vanished keeps its row (its increments stay counted, and if it comes back
 *   its next sample continues from its last value, as the full read would);
 * - counts are recomputed from the rows at every look: per `le` bound summed over the series
 *   (`"1"` = `"1.0"`), only bounds common to every series group, the `_count` series where a
 *   group has no `+Inf`, de-cumulated with the same clamp; per pod the same over its rows.
 * Size: one row per series the arm ever had (≈ 40 bytes of JSON, plus the labels once per
 * series group, e.g. per pod); a state of more than `maxSeries` rows is not kept (the reader
 * then reads in full). Pure: no I/O, no clock.
 */
import type { ArmCounts, HistogramCounts, PodCounts } from "../domain/counts.ts";
import { groupKey, nonFiniteCounter, parseLe, type RawSeries } from "./raw-counters.ts";

/** Format version of the persisted state; another version is read as no state. */
export const READ_STATE_VERSION = 1;

/**
 * One series' row: `[group, le, t, a, b]` — its labels without `le` (index into `groups`),
 * its raw `le` (null when none), the time of the last sample folded in, and for counters
 * `a` = that sample's value, `b` = increments since the start; for probes `a` = samples and
 * `b` = failed samples since the start.
 */
export type SeriesRow = [group: number, le: string | null, t: number, a: number, b: number];

/** The rows of one range selection. */
export interface SelectionState {
  readonly groups: Record<string, string>[];
  readonly rows: SeriesRow[];
}

/** The persisted reader state of one arm (JSON). */
export interface ArmReadState {
  readonly v: typeof READ_STATE_VERSION;
  /** Fingerprint of what is read (SLI, arm matchers, lookback, pod label): another is stale. */
  readonly key: string;
  /** Analysis start: the window is (start, end]. */
  readonly start: number;
  /** Time of the read this state is the result of. */
  readonly end: number;
  /** Per selection name (`bucket`, `count`, `probe`, `total:<selector>`, …). */
  readonly selections: Readonly<Record<string, SelectionState>>;
}

/** A selection's rows with their lookup index (working form). */
export class SelectionFold {
  readonly groups: Record<string, string>[];
  readonly rows: SeriesRow[];
  readonly #groupIndex = new Map<string, number>();
  readonly #rowIndex = new Map<string, number>();

  constructor(state?: SelectionState) {
    this.groups = state ? state.groups.map((g) => ({ ...g })) : [];
    this.rows = state ? state.rows.map((r): SeriesRow => [r[0], r[1], r[2], r[3], r[4]]) : [];
    this.groups.forEach((g, i) => this.#groupIndex.set(identity(g), i));
    this.rows.forEach((r, i) =>
      this.#rowIndex.set(`${r[0]}\u0000${r[1] ?? ""}\u0001${r[1] === null ? 0 : 1}`, i),
    );
  }

  /** The row of a series, created (at the end, zeroed) when new. */
  #row(labels: Readonly<Record<string, string>>): SeriesRow {
    const { le, ...rest } = labels;
    const gk = identity(rest);
    let g = this.#groupIndex.get(gk);
    if (g === undefined) {
      g = this.groups.length;
      this.groups.push({ ...rest });
      this.#groupIndex.set(gk, g);
    }
    const rk = `${g}\u0000${le ?? ""}\u0001${le === undefined ? 0 : 1}`;
    const i = this.#rowIndex.get(rk);
    if (i !== undefined) return this.rows[i] as SeriesRow;
    const row: SeriesRow = [g, le ?? null, -Infinity, 0, 0];
    this.#rowIndex.set(rk, this.rows.length);
    this.rows.push(row);
    return row;
  }

  /**
   * Folds counter samples in: per series, samples after its row's time; those at or before
   * `start` only set the base. Throws PROMETHEUS_BAD_RESPONSE for a NaN/±Inf sample.
   */
  foldCounters(series: readonly RawSeries[], start: number, end: number): void {
    for (const s of series) {
      const row = this.#row(s.labels);
      let [, , lastT, prev, inc] = row;
      const { times, values } = s;
      for (let j = 0; j < times.length; j++) {
        const t = times[j] ?? NaN;
        const v = values[j] ?? NaN;
        if (!Number.isFinite(v)) throw nonFiniteCounter(s.labels, t, v);
        if (t <= lastT) continue;
        if (t > end) break;
        if (t > start) inc += v >= prev ? v - prev : v;
        prev = v;
        lastT = t;
      }
      row[2] = lastT;
      row[3] = prev;
      row[4] = inc;
    }
  }

  /** Folds probe samples in: per series, samples after its row's time and after `start`. */
  foldProbes(series: readonly RawSeries[], start: number, end: number): void {
    for (const s of series) {
      const row = this.#row(s.labels);
      let [, , lastT, n, bad] = row;
      const { times, values } = s;
      for (let j = 0; j < times.length; j++) {
        const t = times[j] ?? NaN;
        if (t <= lastT || t <= start) continue;
        if (t > end) break;
        n++;
        if (!((values[j] ?? NaN) >= 1)) bad++;
        lastT = t;
      }
      row[2] = lastT;
      row[3] = n;
      row[4] = bad;
    }
  }

  /** The persisted form. */
  toState(): SelectionState {
    return { groups: this.groups, rows: this.rows };
  }
}

/** Canonical identity of a label set: its JSON with the names in order (Prometheus' order already). */
function identity(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels);
  let sorted = true;
  for (let i = 1; i < names.length && sorted; i++) sorted = (names[i - 1] ?? "") < (names[i] ?? "");
  if (sorted) return JSON.stringify(labels);
  const ordered: Record<string, string> = {};
  for (const k of names.sort()) ordered[k] = labels[k] ?? "";
  return JSON.stringify(ordered);
}

/**
 * The histogram group key (`raw-counters`' `groupKey`) of each group of a selection, computed
 * once per groups array (a pod's selection shares its arm's, see `withPods`).
 */
const groupKeysOf = new WeakMap<object, string[]>();
function groupKeys(sel: SelectionState): string[] {
  let keys = groupKeysOf.get(sel.groups);
  if (keys === undefined || keys.length !== sel.groups.length) {
    keys = sel.groups.map((g) => groupKey(g));
    groupKeysOf.set(sel.groups, keys);
  }
  return keys;
}

/** Rows of a selection restricted to one pod (`pod` undefined: all rows). */
type RowFilter = (group: Readonly<Record<string, string>>) => boolean;

const ALL: RowFilter = () => true;

/** Sum of `b` (increments, or failed probes) and `a` (probe samples) over the rows kept. */
function sumRows(sel: SelectionState | undefined, keep: RowFilter, col: 3 | 4): number {
  let sum = 0;
  if (sel === undefined) return 0;
  for (const r of sel.rows) if (keep(sel.groups[r[0]] ?? {})) sum += r[col];
  return sum;
}

/** Event count of several selections (their increments summed, selection by selection). */
export function counterTotal(sels: readonly (SelectionState | undefined)[], keep: RowFilter = ALL): number {
  let sum = 0;
  for (const s of sels) {
    // Mirrors the full read: per selection, one pass adding each series' increment.
    if (s === undefined) continue;
    for (const r of s.rows) if (keep(s.groups[r[0]] ?? {})) sum += r[4];
  }
  return sum;
}

/** Probe samples and failed samples. */
export function probeTotals(
  sel: SelectionState | undefined,
  keep: RowFilter = ALL,
): { total: number; bad: number } {
  return { total: sumRows(sel, keep, 3), bad: sumRows(sel, keep, 4) };
}

/**
 * The histogram of the bucket rows (and `_count` rows standing in for a group's missing
 * `+Inf`), as `histogramIncreases` computes it for one window; null without usable buckets.
 * `bounds` given: those bounds are used (a pod's histogram on its arm's bounds).
 */
export function histogramOf(
  buckets: SelectionState,
  counts: SelectionState | undefined,
  keep: RowFilter = ALL,
  forcedBounds?: readonly number[],
): HistogramCounts | null {
  const groups = new Map<string, Map<number, number[]>>();
  const bucketKeys = groupKeys(buckets);
  const kept = keep === ALL ? null : buckets.groups.map((g) => keep(g));
  for (const r of buckets.rows) {
    if (kept !== null && !kept[r[0]]) continue;
    const le = parseLe(r[1] ?? undefined);
    if (Number.isNaN(le)) continue;
    const key = bucketKeys[r[0]] ?? "";
    let g = groups.get(key);
    if (g === undefined) {
      g = new Map<number, number[]>();
      groups.set(key, g);
    }
    const same = g.get(le);
    if (same === undefined) g.set(le, [r[4]]);
    else same.push(r[4]);
  }
  if (groups.size === 0) return null;
  if (counts !== undefined && counts.rows.length > 0) {
    const byGroup = new Map<string, number[]>();
    const countKeys = groupKeys(counts);
    for (const r of counts.rows) {
      if (!keep(counts.groups[r[0]] ?? {})) continue;
      const key = countKeys[r[0]] ?? "";
      const same = byGroup.get(key);
      if (same === undefined) byGroup.set(key, [r[4]]);
      else same.push(r[4]);
    }
    for (const [key, g] of groups) {
      if (!g.has(Infinity)) {
        const c = byGroup.get(key);
        if (c) g.set(Infinity, c);
      }
    }
  }
  let bounds: number[];
  if (forcedBounds !== undefined) {
    bounds = [...forcedBounds];
  } else {
    let common: number[] | null = null;
    for (const g of groups.values()) {
      common = common === null ? [...g.keys()] : common.filter((b) => g.has(b));
    }
    bounds = (common ?? []).sort((a, b) => a - b);
    if (bounds[bounds.length - 1] !== Infinity) return null;
  }
  const cum = bounds.map(() => 0);
  for (const g of groups.values()) {
    for (let i = 0; i < bounds.length; i++) {
      const incs = g.get(bounds[i] ?? NaN);
      if (!incs) continue;
      if (incs.length === 1) cum[i] = (cum[i] ?? 0) + (incs[0] ?? 0);
      else {
        let s = 0;
        for (const x of incs) s += x;
        cum[i] = (cum[i] ?? 0) + s;
      }
    }
  }
  let prev = 0;
  const cs = bounds.map((_b, i) => {
    const c = cum[i] ?? 0;
    // An invisible reset in one bucket series can make a difference negative: clamp.
    const d = Math.max(0, c - prev);
    prev = Math.max(prev, c);
    return d;
  });
  return { bounds, counts: cs };
}

/**
 * The pods of the selections' rows, sorted by name (backends return series in different
 * orders: VictoriaMetrics in none); null when some series has no `podLabel` (the arm's
 * series are not per pod, e.g. a recording rule summed them).
 */
export function podsOf(sels: readonly (SelectionState | undefined)[], podLabel: string): string[] | null {
  const seen = new Set<string>();
  for (const s of sels) {
    if (s === undefined) continue;
    for (const r of s.rows) {
      const pod = s.groups[r[0]]?.[podLabel];
      if (pod === undefined || pod === "") return null;
      seen.add(pod);
    }
  }
  return seen.size === 0 ? null : [...seen].sort();
}

/** A filter keeping one pod's rows. */
export function podFilter(podLabel: string, pod: string): RowFilter {
  return (g) => g[podLabel] === pod;
}

/** Total rows of a state (its size bound). */
export function rowCount(state: ArmReadState): number {
  let n = 0;
  for (const s of Object.values(state.selections)) n += s.rows.length;
  return n;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function isNum(x: unknown): x is number {
  return typeof x === "number";
}

/** A selection state from JSON, or null when it is not one (then the look reads in full). */
function decodeSelection(x: unknown): SelectionState | null {
  if (!isRecord(x) || !Array.isArray(x.groups) || !Array.isArray(x.rows)) return null;
  const groups: Record<string, string>[] = [];
  for (const g of x.groups) {
    if (!isRecord(g)) return null;
    for (const v of Object.values(g)) if (typeof v !== "string") return null;
    groups.push(g as Record<string, string>);
  }
  const rows: SeriesRow[] = [];
  for (const r of x.rows as unknown[]) {
    if (!Array.isArray(r) || r.length !== 5) return null;
    const [g, le, t, a, b] = r as unknown[];
    if (!isNum(g) || !Number.isInteger(g) || g < 0 || g >= groups.length) return null;
    if (le !== null && typeof le !== "string") return null;
    // JSON has no -Infinity: a row without a sample yet is stored with t = null.
    const time = t === null ? -Infinity : t;
    if (
      !isNum(time) ||
      Number.isNaN(time) ||
      !isNum(a) ||
      !Number.isFinite(a) ||
      !isNum(b) ||
      !Number.isFinite(b)
    )
      return null;
    rows.push([g, le, time, a, b]);
  }
  return { groups, rows };
}

/**
 * The state as stored, checked; null when it is missing, of another version or fingerprint,
 * for another start, newer than `end`, or malformed — the look then reads in full once.
 */
export function decodeArmReadState(x: unknown, key: string, start: number, end: number): ArmReadState | null {
  if (!isRecord(x) || x.v !== READ_STATE_VERSION || x.key !== key) return null;
  if (x.start !== start || !isNum(x.end) || !(x.end >= start) || x.end > end) return null;
  if (!isRecord(x.selections)) return null;
  const selections: Record<string, SelectionState> = {};
  for (const [name, s] of Object.entries(x.selections)) {
    const d = decodeSelection(s);
    if (d === null) return null;
    selections[name] = d;
  }
  return { v: READ_STATE_VERSION, key, start, end: x.end, selections };
}

/** The JSON form of a state (rows without a sample keep `t` as null). */
export function encodeArmReadState(state: ArmReadState): Record<string, unknown> {
  const selections: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(state.selections)) {
    selections[name] = {
      groups: s.groups,
      rows: s.rows.map((r) => [r[0], r[1], Number.isFinite(r[2]) ? r[2] : null, r[3], r[4]]),
    };
  }
  return { v: state.v, key: state.key, start: state.start, end: state.end, selections };
}

/**
 * One pod's part of a selection: the same groups, only that pod's rows, in their order (so its
 * sums are the same additions in the same order as a row filter keeping that pod would make).
 */
export type PodSelection = (sel: SelectionState | undefined) => SelectionState | undefined;

/** Per-pod counts of an arm (total, bad, histogram on the arm's bounds) from its pod's selections. */
export type PodCountsOf = (of: PodSelection) => Omit<PodCounts, "pod">;

/**
 * Adds `pods` to an arm's counts when its series are per pod (every row of `sels` has the pod
 * label; `also`: further selections split by pod, whose rows without the label belong to no
 * pod). The rows are split by pod in one pass, so the per-pod counts cost the arm's rows once,
 * not once per pod (1,000 pods × 31,000 rows would otherwise be 31 M row visits per look).
 */
export function withPods(
  counts: ArmCounts,
  sels: readonly (SelectionState | undefined)[],
  podLabel: string,
  countsOf: PodCountsOf,
  also: readonly (SelectionState | undefined)[] = [],
): ArmCounts {
  const byPod = new Map<string, Map<SelectionState, SeriesRow[]>>();
  const split = (s: SelectionState, strict: boolean): boolean => {
    const podOf = s.groups.map((g) => g[podLabel]);
    for (const r of s.rows) {
      const pod = podOf[r[0]];
      if (pod === undefined || pod === "") {
        if (strict) return false;
        continue;
      }
      let mine = byPod.get(pod);
      if (mine === undefined) {
        if (!strict) continue; // a pod the arm's own selections do not have
        mine = new Map();
        byPod.set(pod, mine);
      }
      let rows = mine.get(s);
      if (rows === undefined) {
        rows = [];
        mine.set(s, rows);
      }
      rows.push(r);
    }
    return true;
  };
  for (const s of sels) if (s !== undefined && !split(s, true)) return counts;
  if (byPod.size === 0) return counts;
  for (const s of also) if (s !== undefined && !sels.includes(s)) split(s, false);
  const pods = [...byPod.keys()].sort();
  return {
    ...counts,
    pods: pods.map((pod): PodCounts => {
      const mine = byPod.get(pod) ?? new Map<SelectionState, SeriesRow[]>();
      const of: PodSelection = (sel) =>
        sel === undefined ? undefined : { groups: sel.groups, rows: mine.get(sel) ?? [] };
      return { pod, ...countsOf(of) };
    }),
  };
}
