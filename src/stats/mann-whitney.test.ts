import { describe, expect, it } from "vitest";
import ref from "./testdata/scipy.json" with { type: "json" };
import { expectClose } from "./testdata/close.ts";
import { exactUDistribution, mannWhitneyU, type Alternative } from "./mann-whitney.ts";

describe("Mann-Whitney U against scipy.stats.mannwhitneyu", () => {
  it.each(ref.mann_whitney.map((c, i) => [i, c.method, c.alternative, c.x.length, c.y.length, c] as const))(
    "case %d (%s, %s, n = %d vs %d) matches U and p",
    (_i, method, alternative, _n1, _n2, c) => {
      const r = mannWhitneyU(c.x, c.y, {
        alternative: alternative as Alternative,
        method: method as "exact" | "asymptotic",
        continuity: c.continuity,
      });
      expect(r.method).toBe(method);
      expectClose(r.u, c.u, 1e-12);
      expectClose(r.p, c.p, 1e-9, 1e-15);
    },
  );

  it.each([
    [3, 4],
    [5, 5],
    [1, 7],
  ])("the exact distribution for sizes %d and %d sums to 1 and is symmetric", (m, n) => {
    const d = exactUDistribution(m, n);
    expectClose(
      d.reduce((a, b) => a + b, 0),
      1,
    );
    for (let u = 0; u <= m * n; u++) expectClose(d[u] ?? 0, d[m * n - u] ?? 0, 1e-12);
  });

  it("an empty sample gives p = 1, not NaN", () => {
    expect(mannWhitneyU([], [1, 2]).p).toBe(1);
  });

  it("identical constant samples give p = 1", () => {
    expect(mannWhitneyU([2, 2, 2], [2, 2]).p).toBe(1);
  });
});
