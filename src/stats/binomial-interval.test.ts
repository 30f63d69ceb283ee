import { describe, expect, it } from "vitest";
import ref from "./testdata/scipy.json" with { type: "json" };
import { expectClose } from "./testdata/close.ts";
import { clopperPearsonInterval, wilsonInterval } from "./binomial-interval.ts";

describe("binomial proportion intervals against scipy binomtest().proportion_ci", () => {
  it.each(ref.binomial_intervals.map((c) => [c.k, c.n, c.confLevel, c] as const))(
    "%d of %d at %d confidence: Wilson and Clopper-Pearson match",
    (k, n, cl, c) => {
      const w = wilsonInterval(k, n, cl);
      expectClose(w.lower, c.wilson[0] ?? NaN, 1e-10, 1e-14);
      expectClose(w.upper, c.wilson[1] ?? NaN, 1e-10, 1e-14);
      const e = clopperPearsonInterval(k, n, cl);
      expectClose(e.lower, c.clopperPearson[0] ?? NaN, 1e-9, 1e-14);
      expectClose(e.upper, c.clopperPearson[1] ?? NaN, 1e-9, 1e-14);
    },
  );

  it.each([
    [0, 0],
    [1, Number.NaN],
    [Number.NaN, 10],
  ])("k = %d, n = %d gives the uninformative [0, 1] interval", (k, n) => {
    expect(wilsonInterval(k, n)).toMatchObject({ lower: 0, upper: 1 });
    expect(clopperPearsonInterval(k, n)).toMatchObject({ lower: 0, upper: 1 });
  });
});
