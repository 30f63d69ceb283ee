import cron from "node-cron";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cronExpressionProblem } from "./cron-expression.ts";

/** Expressions and whether node-cron (which runs the schedule) takes them. */
const TABLE: readonly [string, boolean][] = [
  ["*/30 * * * *", true],
  ["0 * * * *", true],
  ["15 3 * * 1-5", true],
  ["0 0 1 1 *", true],
  ["*/10 * * * * *", true],
  ["0 0 12 * * mon-fri", true],
  ["0 9 * JAN,jul Sunday", true],
  ["0 0 ? * ?", true],
  ["0 22-2 * * *", true],
  ["0 0 * nov-feb *", true],
  ["0 0 L * *", true],
  ["0 0 L-3 * *", true],
  ["0 0 15W * *", true],
  ["0 0 LW * *", true],
  ["0 0 * * 5L", true],
  ["0 0 * * 1#2", true],
  ["0 0 * * fri#1", true],
  ["0 0 * * 7", true],
  ["0 0 31 * *", true],
  ["0 0 29 2 *", true],
  ["0-59/15 * * * *", true],
  ["*/60 * * * *", true],
  ["  0   *  * * *  ", true],
  ["@daily", true],
  ["@HOURLY", true],
  ["@weekly ", true],
  ["every day", false],
  ["", false],
  ["* * * *", false],
  ["* * * * * * *", false],
  ["60 * * * *", false],
  ["* 24 * * *", false],
  ["* * 0 * *", false],
  ["* * 32 * *", false],
  ["* * * 0 *", false],
  ["* * * 13 *", false],
  ["* * * * 8", false],
  ["*/0 * * * *", false],
  ["5/10 * * * *", false],
  ["1,,2 * * * *", false],
  ["1.5 * * * *", false],
  ["* * * * mon-xyz", false],
  ["* * * jan *", true],
  ["jan * * * *", false],
  ["? * * * *", false],
  ["0 0 30 2 *", false],
  ["0 0 31 4,6 *", false],
  ["0 0 L-31 * *", false],
  ["0 0 0W * *", false],
  ["0 0 W * *", false],
  ["0 0 * * L", false],
  ["0 0 * * 1#6", false],
  ["0 0 5L * *", false],
  ["*\t* * * *", false],
  ["0 * * * *\n", false],
  ["@often", false],
  ["5-* * * * *", false],
  ["** * * * *", false],
  ["-5 * * * *", false],
];

describe("cronExpressionProblem", () => {
  it.each(TABLE)("judges %j as node-cron does (valid: %s)", (expression, valid) => {
    expect(cron.validate(expression)).toBe(valid);
    expect(cronExpressionProblem(expression) === undefined).toBe(valid);
  });

  it("names the field and the reason of a refusal", () => {
    expect(cronExpressionProblem("* 24 * * *")).toBe('"24" is not a valid hour: 24 is outside 0-23');
    expect(cronExpressionProblem("every day")).toMatch(/5 fields .* not 2/);
    expect(cronExpressionProblem("0 0 30 2 *")).toBe("day of month 30 never occurs in month 2");
  });

  it("accepts only expressions node-cron also accepts, on generated expressions", () => {
    const item = fc.oneof(
      { arbitrary: fc.constant("*"), weight: 6 },
      fc.constantFrom("*", "?", "L", "LW", "W", "jan", "dec", "mon", "sunday", "friL", "l-2", "15w"),
      fc.integer({ min: 0, max: 13 }).map(String),
      fc
        .tuple(
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 5 }),
        )
        .map(([a, b, s]) => `${a}-${b}${s === 0 ? "" : `/${s}`}`),
      fc.integer({ min: 0, max: 9 }).map((n) => `*/${n}`),
      fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 7 })).map(([d, k]) => `${d}#${k}`),
      fc.integer({ min: 0, max: 9 }).map((d) => `${d}L`),
    );
    const field = fc.array(item, { minLength: 1, maxLength: 2 }).map((items) => items.join(","));
    const expression = fc.array(field, { minLength: 5, maxLength: 6 }).map((fields) => fields.join(" "));
    let accepted = 0;
    fc.assert(
      fc.property(expression, (e) => {
        const ours = cronExpressionProblem(e) === undefined;
        if (ours) accepted++;
        // Never accept what node-cron refuses (the service would fail to start on it).
        return !ours || cron.validate(e);
      }),
      { numRuns: 3000, seed: 42 },
    );
    // The generator reaches valid expressions too, so the property is not vacuous.
    expect(accepted).toBeGreaterThan(100);
  });

  it("agrees with node-cron on generated plain five-field expressions", () => {
    const part = fc.oneof(
      fc.constant("*"),
      fc.integer({ min: 0, max: 62 }).map(String),
      fc.tuple(fc.integer({ min: 0, max: 62 }), fc.integer({ min: 0, max: 62 })).map(([a, b]) => `${a}-${b}`),
      fc.integer({ min: 0, max: 12 }).map((n) => `*/${n}`),
    );
    const expression = fc.array(part, { minLength: 5, maxLength: 5 }).map((p) => p.join(" "));
    fc.assert(
      fc.property(expression, (e) => (cronExpressionProblem(e) === undefined) === cron.validate(e)),
      { numRuns: 3000, seed: 7 },
    );
  });
});
