import { describe, expect, it } from "vitest";
import { countsAbove, tailBoundaries } from "./tail-boundaries.ts";
import { BUCKETS_30 } from "./testdata/slo-fixtures.ts";

describe("tail boundaries", () => {
  it.each([
    [
      "a 200 ms threshold on the 30-bucket layout",
      BUCKETS_30,
      0.2,
      [0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.25, 0.3],
    ],
    ["a threshold between boundaries", [0.1, 0.25, 0.5, 1, Infinity], 0.3, [0.25]],
    ["a layout without boundaries near the threshold", [0.01, 10, Infinity], 0.2, []],
    ["a zero threshold", BUCKETS_30, 0, []],
    ["a non-finite threshold", BUCKETS_30, Number.NaN, []],
  ])("picks the boundaries in [T/2, 1.5T] for %s", (_n, bounds, t, want) => {
    expect(tailBoundaries(bounds, t)).toEqual(want);
  });

  it("counts requests above each boundary from de-cumulated buckets", () => {
    const hist = { bounds: [0.1, 0.2, 0.5, Infinity], counts: [5, 4, 3, 2] };
    expect(countsAbove(hist, [0.1, 0.2, 0.5])).toEqual({ above: [9, 5, 2], total: 14 });
  });

  it("refuses a boundary the histogram does not have (another bucket layout)", () => {
    expect(countsAbove({ bounds: [0.1, Infinity], counts: [1, 1] }, [0.2])).toBeNull();
  });
});
