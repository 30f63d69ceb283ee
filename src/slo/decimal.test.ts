import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  add,
  compare,
  div,
  errorBudgetRatio,
  formatDecimal,
  formatPromqlNumber,
  mul,
  objectiveRatio,
  parseDecimal,
  rational,
  sub,
  toNumber,
} from "./decimal.ts";

describe("exact decimals", () => {
  it.each([
    [99.9, "0.001"],
    [99.95, "0.0005"],
    [99, "0.01"],
    [99.99, "0.0001"],
    [99.999, "0.00001"],
    [95, "0.05"],
    [50, "0.5"],
    [99.5, "0.005"],
    [1e-7, "0.999999999"],
  ])("the error budget of %s is exactly %s", (objective, budget) => {
    expect(formatDecimal(errorBudgetRatio(objective))).toBe(budget);
  });

  it.each([
    [99.9, "0.999"],
    [99.95, "0.9995"],
    [100, "1"],
  ])("the objective ratio of %s is exactly %s", (objective, ratio) => {
    expect(formatDecimal(objectiveRatio(objective))).toBe(ratio);
  });

  it.each([
    ["14.4 × 0.001 is 0.0144", mul(parseDecimal("14.4"), parseDecimal("0.001")), "0.0144"],
    ["2 × 720 / 100 / 1 is 14.4", div(mul(rational(2n), rational(720n)), rational(100n)), "14.4"],
    ["1 − 0.999 is 0.001", sub(rational(1n), parseDecimal(0.999)), "0.001"],
    ["0.1 + 0.2 is 0.3", add(parseDecimal(0.1), parseDecimal(0.2)), "0.3"],
    ["−0.25 prints with its sign", parseDecimal("-0.25"), "-0.25"],
    ["1.5e3 is 1500", parseDecimal("1.5e3"), "1500"],
    [".5 is 0.5", parseDecimal(".5"), "0.5"],
  ])("%s", (_name, r, text) => {
    expect(formatDecimal(r)).toBe(text);
  });

  it("a non-terminating ratio has no decimal spelling and prints as an exact PromQL division", () => {
    const factor = div(mul(rational(10n), rational(672n)), mul(rational(100n), rational(72n)));
    expect(formatDecimal(factor)).toBeUndefined();
    expect(formatPromqlNumber(factor)).toBe("(14 / 15)");
  });

  it.each([["abc"], ["1.2.3"], [""], [Number.NaN], [Number.POSITIVE_INFINITY]])(
    "%s is rejected with SLO_INVALID",
    (value) => {
      expect(() => parseDecimal(value)).toThrow(expect.objectContaining({ code: "SLO_INVALID" }));
    },
  );

  it("division by zero is an error, not Infinity", () => {
    expect(() => div(rational(1n), rational(0n))).toThrow(expect.objectContaining({ code: "INTERNAL" }));
  });

  it("every finite float round-trips through parseDecimal and formatDecimal", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const r = parseDecimal(x);
        expect(toNumber(r)).toBe(x === 0 ? 0 : x);
        expect(Number(formatDecimal(r))).toBe(x === 0 ? 0 : x);
      }),
    );
  });

  it("compare orders fractions exactly", () => {
    expect(compare(parseDecimal("0.1"), parseDecimal("0.10000000000000001"))).toBe(-1);
    expect(compare(rational(1n, 3n), rational(2n, 6n))).toBe(0);
    expect(compare(rational(1n), rational(1n, 2n))).toBe(1);
  });
});
