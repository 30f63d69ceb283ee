import { describe, expect, it } from "vitest";
import {
  SelectionFold,
  counterTotal,
  decodeArmReadState,
  encodeArmReadState,
  histogramOf,
  probeTotals,
  type ArmReadState,
} from "./arm-read-state.ts";
import { histogramIncreases, probeWindows, sumIncreases, type RawSeries } from "./raw-counters.ts";

const START = 1000;

/** A counter series sampled every 15 s from START − 60, with resets at the given sample indices. */
function counter(
  labels: Record<string, string>,
  n: number,
  resets: number[] = [],
  from = START - 60,
): RawSeries {
  const times: number[] = [];
  const values: number[] = [];
  let v = 5;
  for (let k = 0; k < n; k++) {
    v = resets.includes(k) ? 1 : v + ((k * 7 + labels.le!.length) % 5);
    times.push(from + 15 * k);
    values.push(v);
  }
  return { labels, times, values };
}

/** The samples of `s` with times in (from, to] (what a range selection at `to` returns). */
function slice(s: RawSeries, from: number, to: number): RawSeries {
  const idx = Array.from(s.times, (t, i) => [t, i] as const).filter(([t]) => t > from && t <= to);
  return {
    labels: s.labels,
    times: idx.map(([t]) => t),
    values: idx.map(([, i]) => s.values[i] ?? NaN),
  };
}

const pod = (p: string, le: string): Record<string, string> => ({ __name__: "h_bucket", pod: p, le });
const SERIES: RawSeries[] = [
  counter(pod("a", "0.1"), 80, [30]),
  counter(pod("a", "1"), 80, [30]),
  counter(pod("a", "+Inf"), 80, [30]),
  // Pod b spells `le` as Prometheus 3 does and is born inside the window.
  counter(pod("b", "0.1"), 60, [], START + 100),
  counter(pod("b", "1.0"), 60, [], START + 100),
  counter(pod("b", "+Inf"), 60, [], START + 100),
];
// A gap in pod b: samples 20..29 missing.
const GAPPED = SERIES.map((s) =>
  s.labels.pod === "b"
    ? {
        ...s,
        times: Array.from(s.times).filter((_t, i) => i < 20 || i >= 30),
        values: Array.from(s.values).filter((_v, i) => i < 20 || i >= 30),
      }
    : s,
);

describe("folding samples look by look", () => {
  it.each([[1], [7], [15], [61], [300]])(
    "gives the full read's histogram and counts with looks every %i s",
    (every) => {
      const end = START + 1100;
      const bucket = new SelectionFold();
      const probe = new SelectionFold();
      let prev = START - 300;
      for (let at = START + every; ; at += every) {
        const to = Math.min(at, end);
        // Each look reads from 30 s before the previous one (the overlap).
        const from = Math.max(START - 300, prev - 30);
        bucket.foldCounters(
          GAPPED.map((s) => slice(s, from, to)),
          START,
          to,
        );
        probe.foldProbes(
          GAPPED.map((s) => slice(s, from, to)),
          START,
          to,
        );
        prev = to;
        if (to === end) break;
      }
      const edges = [START, end];
      const want = histogramIncreases(GAPPED, edges)?.[0];
      expect(histogramOf(bucket.toState(), undefined)).toEqual(want);
      expect(counterTotal([bucket.toState()])).toBe(sumIncreases(GAPPED, edges)[0]);
      expect(probeTotals(probe.toState())).toEqual(probeWindows(GAPPED, edges)[0]);
    },
  );

  it("keeps a pod's rows apart: its histogram on the arm's bounds", () => {
    const f = new SelectionFold();
    f.foldCounters(SERIES, START, START + 1100);
    const arm = histogramOf(f.toState(), undefined)!;
    const a = histogramOf(f.toState(), undefined, (g) => g.pod === "a", arm.bounds)!;
    const b = histogramOf(f.toState(), undefined, (g) => g.pod === "b", arm.bounds)!;
    expect(a.counts.map((c, i) => c + (b.counts[i] ?? 0))).toEqual(arm.counts);
    expect(histogramIncreases(SERIES.slice(0, 3), [START, START + 1100])?.[0]).toEqual(a);
  });

  it("throws on a NaN counter sample instead of counting it", () => {
    const f = new SelectionFold();
    expect(() =>
      f.foldCounters([{ labels: { le: "1" }, times: [START + 1], values: [NaN] }], START, START + 9),
    ).toThrow(/not a finite number/);
  });
});

describe("decoding a stored state", () => {
  const f = new SelectionFold();
  f.foldCounters(
    [counter(pod("a", "1"), 3), { labels: pod("c", "1"), times: [], values: [] }],
    START,
    START + 60,
  );
  const state: ArmReadState = {
    v: 1,
    key: "k",
    start: START,
    end: START + 60,
    selections: { bucket: f.toState() },
  };
  const json = JSON.parse(JSON.stringify(encodeArmReadState(state))) as unknown;

  it("round-trips through JSON, rows without a sample included", () => {
    expect(decodeArmReadState(json, "k", START, START + 120)).toEqual(state);
  });

  it.each([
    ["another fingerprint", json, "other", START, START + 120],
    ["another start", json, "k", START + 1, START + 120],
    ["a look before its time", json, "k", START, START + 59],
    ["another version", { ...(json as object), v: 2 }, "k", START, START + 120],
    [
      "a row pointing at no group",
      { ...(json as object), selections: { x: { groups: [], rows: [[0, null, 1, 1, 1]] } } },
      "k",
      START,
      START + 120,
    ],
    [
      "a non-numeric total",
      { ...(json as object), selections: { x: { groups: [{}], rows: [[0, null, 1, "1", 1]] } } },
      "k",
      START,
      START + 120,
    ],
    ["not an object", "state", "k", START, START + 120],
  ])("refuses %s (the look reads in full)", (_n, x, key, start, end) => {
    expect(decodeArmReadState(x, key, start, end)).toBeNull();
  });
});
