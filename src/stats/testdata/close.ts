/**
 * @module stats/testdata/close
 * Tolerance comparison for reference tests: relative to the reference's magnitude, with an
 * absolute floor for values near 0.
 */
import { expect } from "vitest";

/** Asserts |actual − expected| ≤ rel·|expected| + abs. */
export function expectClose(actual: number, expected: number, rel = 1e-9, abs = 1e-12): void {
  if (Number.isNaN(expected)) {
    expect(actual).toBeNaN();
    return;
  }
  if (!Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  const tol = rel * Math.abs(expected) + abs;
  if (!(Math.abs(actual - expected) <= tol)) {
    expect.fail(`expected ${actual} to be within ${tol} of ${expected}`);
  }
}
