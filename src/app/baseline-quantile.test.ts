import { describe, expect, it } from "vitest";
import { baselineQuantile } from "./baseline-quantile.ts";

describe("baselineQuantile", () => {
  const h = { bounds: [0.1, 0.5, 1, Infinity], counts: [50, 30, 15, 5] };
  it.each([
    [0.5, 0.1],
    [0.65, 0.3],
    [0.9, 0.8333333333],
    [0.99, 1],
  ])("the %s quantile interpolates inside its bucket like histogram_quantile (%s s)", (q, want) => {
    expect(baselineQuantile(h, q)).toBeCloseTo(want, 6);
  });
  it("is undefined for an empty histogram", () => {
    expect(baselineQuantile({ bounds: [1, Infinity], counts: [0, 0] }, 0.5)).toBeUndefined();
  });
});
