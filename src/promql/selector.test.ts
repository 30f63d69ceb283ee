import { describe, expect, it } from "vitest";
import { buildRangeSelector, buildVectorSelector, formatDurationMs, isValidMetricName } from "./selector.ts";

describe("selectors", () => {
  it.each([
    ["http_requests_total", true],
    ["job:rate5m:sum", true],
    ["_x", true],
    ["1abc", false],
    ["a-b", false],
    ['x{a="b"}', false],
    ["", false],
  ])("metric name %j is valid: %s", (name, ok) => {
    expect(isValidMetricName(name)).toBe(ok);
  });

  it("builds vector and range selectors with escaped values", () => {
    expect(buildVectorSelector("up", [{ name: "job", op: "=", value: 'a"b' }])).toBe('up{job="a\\"b"}');
    expect(buildVectorSelector(undefined, [{ name: "__name__", op: "=", value: "up" }])).toBe(
      '{__name__="up"}',
    );
    expect(buildRangeSelector("up", [], 90_000)).toBe("up{}[90s]");
    expect(buildRangeSelector("up", [], 1500)).toBe("up{}[1500ms]");
  });

  it.each([[0], [-1], [NaN], [Infinity]])("refuses the duration %d ms", (ms) => {
    expect(() => formatDurationMs(ms)).toThrow(/invalid duration/);
  });

  it("refuses a bad metric name and an empty selector", () => {
    expect(() => buildVectorSelector("up or vector(1)", [])).toThrow(/invalid metric name/);
    expect(() => buildVectorSelector(undefined, [])).toThrow(/needs a metric name/);
  });
});
