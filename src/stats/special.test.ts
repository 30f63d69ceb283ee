import { describe, it } from "vitest";
import ref from "./testdata/scipy.json" with { type: "json" };
import { expectClose } from "./testdata/close.ts";
import { betaQuantile, incompleteBeta, logGamma, normalQuantile, normalSf, tQuantile } from "./special.ts";

describe("special functions against SciPy", () => {
  it.each(ref.normal_sf)("normal upper tail at z = %d matches scipy", (z, sf) => {
    expectClose(normalSf(z), sf, 1e-12, 1e-300);
  });

  it.each(ref.normal_quantile)("normal quantile at p = %d matches scipy", (p, q) => {
    expectClose(normalQuantile(p), q, 1e-12, 1e-12);
  });

  it.each(ref.beta_quantile)("beta quantile at p = %d, a = %d, b = %d matches scipy", (p, a, b, q) => {
    expectClose(betaQuantile(p, a, b), q, 1e-10, 1e-14);
  });

  it.each(ref.t_quantile)("Student t quantile at p = %d, df = %d matches scipy", (p, df, q) => {
    expectClose(tQuantile(p, df), q, 1e-9, 1e-12);
  });

  it.each([
    [1, 0],
    [0.5, Math.log(Math.sqrt(Math.PI))],
    [10, Math.log(362880)],
    [171.5, 709.1431630309283],
  ])("log-gamma of %d is %d", (x, v) => {
    expectClose(logGamma(x), v, 1e-13, 1e-14);
  });

  it("the incomplete beta is 0 and 1 at the ends and NaN for bad shapes", () => {
    expectClose(incompleteBeta(0, 2, 3), 0);
    expectClose(incompleteBeta(1, 2, 3), 1);
    expectClose(incompleteBeta(0.5, 0, 3), Number.NaN);
  });
});
