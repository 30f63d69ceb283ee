import { describe, expect, it } from "vitest";
import { parseConfigDuration } from "./config-duration.ts";

describe("parseConfigDuration", () => {
  it.each<[unknown, number | undefined]>([
    ["500ms", 0.5],
    ["30s", 30],
    ["1m30s", 90],
    [" 2h ", 7200],
    ["14d", 14 * 86400],
    ["2w", 14 * 86400],
    ["1y", 365 * 86400],
    ["0", 0],
    ["0s", 0],
    ["0h0m", 0],
    [90, 90],
    [0.5, 0.5],
    [0, 0],
    // Refused: fractions in strings, numeric strings, spaces inside, unknown units, negatives.
    ["1.5s", undefined],
    ["30", undefined],
    ["1 m", undefined],
    ["5M", undefined],
    ["soon", undefined],
    ["", undefined],
    [-1, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [true, undefined],
    [null, undefined],
  ])("reads %j as %s seconds", (value, seconds) => {
    expect(parseConfigDuration(value)).toBe(seconds);
  });
});
