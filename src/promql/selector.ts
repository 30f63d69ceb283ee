/**
 * @module promql/selector
 * Builds vector and range selectors from a metric name and label matchers. The metric name
 * is checked against Prometheus' grammar and every matcher goes through `formatMatcher`
 * (names checked, values escaped), so no user-supplied text is ever pasted. Pure.
 */
import { SlogateError } from "../errors.ts";
import { formatMatchers, type LabelMatcher } from "./matchers.ts";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** True when `name` is a valid (legacy-charset) Prometheus metric name. */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** Throws PROMQL_INVALID unless `name` is a valid metric name. */
export function assertMetricName(name: string): void {
  if (!isValidMetricName(name)) {
    throw new SlogateError("PROMQL_INVALID", `invalid metric name ${JSON.stringify(name)}`, {
      hint: "metric names must match [a-zA-Z_:][a-zA-Z0-9_:]*",
    });
  }
}

/** `metric{m1,m2}` (or `{m1}` without a metric name). */
export function buildVectorSelector(metric: string | undefined, matchers: readonly LabelMatcher[]): string {
  if (metric !== undefined) assertMetricName(metric);
  if (metric === undefined && matchers.length === 0) {
    throw new SlogateError("PROMQL_INVALID", "a selector needs a metric name or at least one matcher", {
      hint: "give the metric name of the SLI",
    });
  }
  return `${metric ?? ""}{${formatMatchers(matchers)}}`;
}

/** A PromQL duration for a number of milliseconds, e.g. `3600000ms` (exact, no rounding to s). */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new SlogateError("PROMQL_INVALID", `invalid duration of ${ms} ms`, {
      hint: "a range must be positive",
    });
  }
  const whole = Math.ceil(ms);
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

/** `selector[range]`: a range-vector selection of raw samples. */
export function buildRangeSelector(
  metric: string | undefined,
  matchers: readonly LabelMatcher[],
  rangeMs: number,
): string {
  return `${buildVectorSelector(metric, matchers)}[${formatDurationMs(rangeMs)}]`;
}
