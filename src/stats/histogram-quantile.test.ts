import { describe, expect, it } from "vitest";
import ref from "./testdata/prometheus-histogram-quantile.json" with { type: "json" };
import { expectClose } from "./testdata/close.ts";
import { countAbove, histogramQuantile, histogramQuantileCumulative } from "./histogram-quantile.ts";

/** Parses Prometheus' float spelling (`+Inf`, `-Inf`, `NaN`, `1E-01`). */
function promFloat(s: string): number {
  if (s === "+Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  return Number(s);
}

describe("histogram quantiles against Prometheus 2.42's histogram_quantile", () => {
  it.each(ref.cases.map((c) => [c.case, c.q, c.value, c] as const))(
    "%s at q = %d gives %s",
    (_name, q, value, c) => {
      const buckets = c.buckets.map(([le, count]) => ({
        upperBound: promFloat(String(le)),
        count: Number(count),
      }));
      const expected = value === "none" ? Number.NaN : promFloat(value);
      expectClose(histogramQuantileCumulative(q, buckets), expected, 1e-15, 0);
    },
  );

  it("de-cumulated counts give the same quantile as the cumulative form", () => {
    const h = { bounds: [0.1, 0.5, Infinity], counts: [10, 45, 5] };
    expectClose(histogramQuantile(0.95, h), 0.5);
    expectClose(histogramQuantile(0.5, h), 0.1 + 0.4 * (20 / 45));
  });

  it("counts requests above the bucket at the threshold", () => {
    const h = { bounds: [0.1, 0.25, 0.5, Infinity], counts: [10, 20, 30, 5] };
    expect(countAbove(h, 0.25)).toEqual({ above: 35, total: 65, bound: 0.25 });
    expect(countAbove(h, 0.3)).toEqual({ above: 35, total: 65, bound: 0.25 });
    expect(countAbove(h, 0.05)).toEqual({ above: 65, total: 65, bound: -Infinity });
  });
});

describe("histogramQuantile on a baseline's de-cumulated histogram (the /metrics baseline quantiles)", () => {
  const h = { bounds: [0.1, 0.5, 1, Infinity], counts: [50, 30, 15, 5] };
  it.each([
    [0.5, 0.1],
    [0.65, 0.3],
    [0.9, 0.8333333333],
    [0.99, 1],
  ])("the %s quantile interpolates inside its bucket like histogram_quantile (%s s)", (q, want) => {
    expect(histogramQuantile(q, h)).toBeCloseTo(want, 6);
  });
  it("is NaN (no value published) for an empty histogram", () => {
    expect(histogramQuantile(0.5, { bounds: [1, Infinity], counts: [0, 0] })).toBeNaN();
  });
});
