import { describe, expect, it } from "vitest";
import ref from "./testdata/scipy.json" with { type: "json" };
import { expectClose } from "./testdata/close.ts";
import { binnedMannWhitney } from "./binned-mann-whitney.ts";
import type { Alternative } from "./mann-whitney.ts";

describe("Mann-Whitney from bucket counts against scipy on the expanded sample", () => {
  it.each(ref.binned_mann_whitney.map((c, i) => [i, c.alternative, c] as const))(
    "case %d (%s) matches U, p and the effect size",
    (_i, alternative, c) => {
      const r = binnedMannWhitney(c.x, c.y, { alternative: alternative as Alternative });
      expectClose(r.u, c.u, 1e-12);
      expectClose(r.p, c.p, 1e-8, 1e-15);
      expectClose(r.effect, c.effect, 1e-12);
    },
  );

  it("an empty arm gives no evidence", () => {
    expect(binnedMannWhitney([0, 0], [1, 2])).toMatchObject({ p: 1, effect: 0.5 });
  });
});
