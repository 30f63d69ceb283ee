import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import {
  countAboveThreshold,
  histogramIncreases,
  parseLe,
  probeWindows,
  sumIncreases,
  windowIncreases,
  type RawSeries,
} from "./raw-counters.ts";

/** Samples `[t, v]…` as a series' times and values. */
const pts = (...xs: [number, number][]) => ({
  times: Float64Array.from(xs, ([t]) => t),
  values: Float64Array.from(xs, ([, v]) => v),
});
const bucket = (le: string, pod: string, ...xs: [number, number][]): RawSeries => ({
  labels: { le, pod },
  ...pts(...xs),
});

describe("raw counter increments", () => {
  it.each([
    ["a plain rise", pts([0, 5], [10, 8], [20, 12]), [0, 20], [7]],
    ["a reset that counts the new value whole", pts([0, 50], [10, 60], [20, 4]), [0, 20], [14]],
    ["a series born inside the range", pts([10, 3], [20, 9]), [0, 20], [9]],
    ["samples after the end", pts([0, 1], [10, 2], [30, 100]), [0, 20], [1]],
    ["consecutive windows", pts([0, 0], [5, 2], [10, 5], [15, 1], [20, 4]), [0, 10, 20], [5, 4]],
  ])("counts %s", (_n, points, edges, want) => {
    expect(windowIncreases({ labels: {}, ...points }, edges)).toEqual(want);
  });

  it.each([NaN, Infinity, -Infinity])(
    "refuses a counter sample of %d as an unreadable answer, never as zero traffic",
    (bad) => {
      const s = { labels: { __name__: "http_requests_total", pod: "a" }, ...pts([0, 1], [10, bad], [20, 3]) };
      let err: unknown;
      try {
        sumIncreases([s], [0, 20]);
      } catch (e) {
        err = e;
      }
      expect(isSlogateError(err, "PROMETHEUS_BAD_RESPONSE")).toBe(true);
      expect((err as Error).message).toContain('http_requests_total{pod="a"}');
      expect(() => histogramIncreases([{ ...s, labels: { le: "+Inf" } }], [0, 20])).toThrow(/not a finite/);
    },
  );

  it.each([
    ["1", 1],
    ["1.0", 1],
    ["+Inf", Infinity],
    ["0.25", 0.25],
    ["1e-3", 0.001],
    ["abc", NaN],
    ["", NaN],
  ])("parses le=%j as %d", (le, want) => {
    expect(parseLe(le)).toBe(want);
  });

  it("merges le spellings, de-cumulates and keeps +Inf", () => {
    const hs = histogramIncreases(
      [
        bucket("0.1", "a", [0, 0], [10, 3]),
        bucket("1", "a", [0, 0], [10, 5]),
        bucket("+Inf", "a", [0, 0], [10, 6]),
        bucket("0.1", "b", [0, 0], [10, 1]),
        bucket("1.0", "b", [0, 0], [10, 1]),
        bucket("+Inf", "b", [0, 0], [10, 4]),
      ],
      [0, 10],
    );
    expect(hs).toEqual([{ bounds: [0.1, 1, Infinity], counts: [4, 2, 4] }]);
    expect(countAboveThreshold(hs![0]!, 0.1)).toBe(6);
    expect(countAboveThreshold(hs![0]!, 1)).toBe(4);
  });

  it("drops a bound missing from some series so every kept bound is exact", () => {
    const hs = histogramIncreases(
      [
        bucket("0.1", "a", [10, 3]),
        bucket("0.5", "a", [10, 4]),
        bucket("+Inf", "a", [10, 6]),
        bucket("0.5", "b", [10, 2]),
        bucket("+Inf", "b", [10, 2]),
      ],
      [0, 10],
    );
    expect(hs).toEqual([{ bounds: [0.5, Infinity], counts: [6, 2] }]);
  });

  it("uses _count for a missing +Inf bucket, and gives up without either", () => {
    const b = [bucket("0.1", "a", [10, 3])];
    expect(histogramIncreases(b, [0, 10])).toBeNull();
    const counts: RawSeries[] = [{ labels: { pod: "a", __name__: "x_count" }, ...pts([10, 7]) }];
    expect(histogramIncreases(b, [0, 10], counts)).toEqual([{ bounds: [0.1, Infinity], counts: [3, 4] }]);
    expect(histogramIncreases([bucket("abc", "a", [10, 1])], [0, 10])).toBeNull();
  });

  it("clamps a negative bucket difference left by an invisible reset", () => {
    const hs = histogramIncreases(
      [bucket("0.1", "a", [0, 0], [10, 5], [20, 6]), bucket("+Inf", "a", [0, 0], [10, 9], [20, 1])],
      [10, 20],
    );
    expect(hs?.[0]?.counts.every((c) => c >= 0)).toBe(true);
  });

  it("counts probe samples and failures per window", () => {
    const s: RawSeries = { labels: {}, ...pts([0, 1], [10, 0], [20, 1], [30, 0], [40, NaN]) };
    expect(probeWindows([s], [0, 20, 40])).toEqual([
      { total: 2, bad: 1 },
      { total: 2, bad: 2 },
    ]);
  });
});
