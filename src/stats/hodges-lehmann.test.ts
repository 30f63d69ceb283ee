import { describe, expect, it } from "vitest";
import ref from "./testdata/r-hodges-lehmann.json" with { type: "json" };
import exactRef from "./testdata/r-hodges-lehmann-exact.json" with { type: "json" };
import { expectClose } from "./testdata/close.ts";
import { hodgesLehmann, hodgesLehmannEstimate, solveShift } from "./hodges-lehmann.ts";

describe("Hodges-Lehmann against R's wilcox.test(conf.int = TRUE)", () => {
  it.each(ref.cases.map((c, i) => [i, c.method, c.confLevel, c] as const))(
    "case %d (%s, %d confidence) matches the interval",
    (_i, method, confLevel, c) => {
      const r = hodgesLehmann(c.x, c.y, { confLevel, method: method as "exact" | "asymptotic" });
      expect(r.method).toBe(method);
      // R's uniroot stops at tol 1e-4 in the asymptotic method; exact is order statistics.
      const tol = method === "exact" ? 1e-12 : 2e-4;
      const scale = Math.max(...c.x, ...c.y) - Math.min(...c.x, ...c.y);
      expectClose(r.lower, c.lower, 0, tol * Math.max(1, scale));
      expectClose(r.upper, c.upper, 0, tol * Math.max(1, scale));
      expectClose(r.estimate, c.medianDiff, 1e-12, 1e-12);
      if (method === "exact") expectClose(r.estimate, c.estimate, 1e-12, 1e-12);
    },
  );

  it("the estimate is the median of pairwise differences", () => {
    expect(hodgesLehmannEstimate([1, 2, 3], [0])).toBe(2);
    expect(hodgesLehmannEstimate([1, 2], [0, 1])).toBe(1);
  });

  it("empty samples give NaN bounds rather than throwing", () => {
    expect(hodgesLehmann([], [1]).lower).toBeNaN();
  });
});

describe("the asymptotic interval's exact crossings against R (Kayenta-sized samples with ties)", () => {
  it.each(exactRef.cases.map((c) => [c.name, c.confLevel, c] as const))(
    "%s at %d confidence: root and bounds are R's exact crossings, and within uniroot's tolerance",
    (_name, confLevel, c) => {
      const xs = Float64Array.from(c.x).sort();
      const ys = Float64Array.from(c.y).sort();
      // The exact crossing is a pairwise difference: R and slogate compute the same double
      // up to the rounding of x_i − d against y_j (R compares ranks of x − d).
      expectClose(solveShift(xs, ys, 0), c.root, 1e-12, 1e-15);
      expectClose(solveShift(xs, ys, c.z), c.lower, 1e-12, 1e-15);
      expectClose(solveShift(xs, ys, -c.z), c.upper, 1e-12, 1e-15);
      const r = hodgesLehmann(c.x, c.y, { confLevel, method: "asymptotic", estimate: "root" });
      expect(r.lower).toBe(solveShift(xs, ys, c.z));
      const scale = Math.max(...c.x, ...c.y) - Math.min(...c.x, ...c.y);
      expectClose(r.lower, c.unirootLower, 0, 2e-4 * Math.max(1, scale));
      expectClose(r.upper, c.unirootUpper, 0, 2e-4 * Math.max(1, scale));
    },
  );
});
