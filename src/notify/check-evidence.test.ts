import { describe, expect, it } from "vitest";
import { formatEvidence, formatNumber } from "./check-evidence.ts";

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
