import { describe, it } from "vitest";
import ref from "./testdata/scipy.json" with { type: "json" };
import large from "./testdata/scipy-fisher-large.json" with { type: "json" };
import { expectClose } from "./testdata/close.ts";
import { fisherExact } from "./fisher-exact.ts";
import type { Alternative } from "./mann-whitney.ts";

describe("Fisher's exact test against scipy.stats.fisher_exact", () => {
  it.each(ref.fisher_exact.map((c) => [JSON.stringify(c.table), c.alternative, c] as const))(
    "table %s (%s) matches p and the odds ratio",
    (_t, alternative, c) => {
      const [[a, b], [cc, d]] = c.table as [[number, number], [number, number]];
      const r = fisherExact(
        [
          [a, b],
          [cc, d],
        ],
        alternative as Alternative,
      );
      expectClose(r.p, c.p, 1e-9, 1e-15);
      expectClose(
        r.oddsRatio,
        typeof c.oddsRatio === "string" ? (c.oddsRatio === "inf" ? Infinity : Number.NaN) : c.oddsRatio,
        1e-12,
      );
    },
  );
});

describe("Fisher's exact test on the large tables an analysis ends with (scipy)", () => {
  it.each(large.cases.map((c) => [JSON.stringify(c.table), c.alternative, c] as const))(
    "table %s (%s): the truncated tail sum matches scipy",
    (_t, alternative, c) => {
      const [[a, b], [cc, d]] = c.table as [[number, number], [number, number]];
      const r = fisherExact(
        [
          [a, b],
          [cc, d],
        ],
        alternative as Alternative,
      );
      // log-binomials of counts near 2·10⁶ carry ~1e-9 relative error (so did the full sum).
      expectClose(r.p, c.p, 1e-8, 1e-15);
    },
  );
});
