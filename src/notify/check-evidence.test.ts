import { describe, expect, it } from "vitest";
import type { CheckResult } from "../domain/verdict.ts";
import { checkNumbers, formatEvidence, formatNumber } from "./check-evidence.ts";

describe("formatNumber", () => {
  it.each([
    [3000, "3000"],
    [0.021, "0.021"],
    [0.1 + 0.2, "0.3"],
    [33.33333333333333, "33.33"],
    [48.213, "48.21"],
    [0.00001234, "1.234e-5"],
    [0, "0"],
    [-0.5, "-0.5"],
    [Infinity, "Infinity"],
    [NaN, "NaN"],
  ])("renders %s as %s", (n, s) => {
    expect(formatNumber(n)).toBe(s);
  });
});

describe("formatEvidence", () => {
  it("joins pairs in the judge's order, leaving out nulls", () => {
    expect(formatEvidence({ a: 1, b: null, c: "x", d: true })).toBe("a=1, c=x, d=true");
  });
  it("bounds the number of pairs", () => {
    expect(formatEvidence({ a: 1, b: 2, c: 3 }, 2)).toBe("a=1, b=2");
  });
});

describe("checkNumbers", () => {
  const check = (evidence: CheckResult["evidence"]): CheckResult => ({
    id: "x",
    kind: "relative",
    status: "fail",
    critical: false,
    weight: 1,
    reason: "r",
    evidence,
  });
  it.each([
    [
      "a relative check: canary vs stable",
      {
        canaryBad: 344,
        canaryTotal: 5000,
        stableBad: 230,
        stableTotal: 45000,
        canaryBadRatio: 0.0688,
        stableBadRatio: 0.005111,
        ratio: 13.5,
      },
      "canary 6.88% (344/5000) vs stable 0.5111% (230/45000)",
    ],
    [
      "an absolute check: canary vs the objective's limit",
      { canaryBad: 344, canaryTotal: 5000, canaryBadRatio: 0.0688, limit: 0.01 },
      "canary 6.88% (344/5000) vs limit 1%",
    ],
    [
      "a baseline check: canary vs baseline vs limit",
      { canaryBadRatio: 0.02, baselineBad: 50, baselineTotal: 10000, baselineBadRatio: 0.005, limit: 0.0075 },
      "canary 2% vs baseline 0.5% (50/10000) vs limit 0.75%",
    ],
    [
      "a latency distribution check: the CDF gap at its bucket",
      { gap: 0.05234, atBoundSeconds: 0.5, bandWidthCanary: 0.01 },
      "canary vs stable latency CDF gap 0.05234 at the 0.5 s bucket",
    ],
    ["anything else: the evidence pairs", { eValue: 48.2, canaryTotal: null }, "eValue=48.2"],
  ])("renders %s", (_what, evidence, text) => {
    expect(checkNumbers(check(evidence))).toBe(text);
  });
});
