/**
 * @module generate/prometheus-duration
 * Seconds ↔ Prometheus duration text as rule names and range selectors spell it (`5m`, `1h`,
 * `1d`, `30d`): the largest of d/h/m/s that divides the duration exactly, as Sloth names its
 * `slo:sli_error:ratio_rate<window>` series. Pure.
 */
import { SlogateError } from "../errors.ts";

const UNITS: readonly (readonly [string, number])[] = [
  ["d", 86_400],
  ["h", 3_600],
  ["m", 60],
  ["s", 1],
];

/** Formats a positive whole number of seconds: 300 → `5m`, 86400 → `1d`, 90 → `90s`. */
export function formatPromDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new SlogateError("SLO_INVALID", `not a positive whole number of seconds: ${seconds}`, {
      hint: "SLO periods and windows must be whole seconds, e.g. 30d or 28d",
    });
  }
  for (const [unit, size] of UNITS) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
