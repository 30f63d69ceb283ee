/**
 * @module config/config-duration
 * The one duration grammar of the service configuration: a Prometheus duration string
 * (`500ms`, `30s`, `1m30s`, `2h`, `14d`, `2w`, `1y`; whole numbers only, as in SLO files, see
 * `slo/duration.ts`), `0` or a zero duration such as `0s`, or a plain YAML number of seconds
 * (`90`, `0.5`). Numeric strings (`"30"`, an environment variable) are not durations: write
 * `30s`. Pure.
 */
import { parsePrometheusDuration } from "../slo/duration.ts";

/** A Prometheus duration whose every part is zero (`0s`, `0ms`, `0h0m`). */
const ZERO_DURATION = /^(?:0+(?:ms|s|m|h|d|w|y))+$/;

/** How the grammar is explained in hints and in `slogate.example.yaml`. */
export const DURATION_GRAMMAR =
  "a Prometheus duration like 500ms, 30s, 1m30s, 2h, 14d or 2w (whole numbers, no fractions), or a plain number of seconds";

/** Seconds of `value` (a duration string or a number of seconds); undefined when it is neither or negative. */
export function parseConfigDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text === "0" || ZERO_DURATION.test(text)) return 0;
  return parsePrometheusDuration(text);
}
