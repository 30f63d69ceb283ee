/**
 * @module generate/slo-rule-names
 * The names slogate's SLO rules share (Sloth's series and label names, slogate's own
 * recordings) and the selectors of one SLO's series, for `./slo-rules.ts` and
 * `./timeslice-rules.ts`. Pure.
 */
import { formatMatchers } from "../promql/matchers.ts";
import type { Slo } from "../slo/model.ts";
import { formatPromDuration } from "./prometheus-duration.ts";

/** Series names of the 5-minute event recordings every window is chained from. */
export const BAD_EVENTS_5M = "slo:sli_bad_events:rate5m";
export const TOTAL_EVENTS_5M = "slo:sli_total_events:rate5m";
/** The same as event counts, sampled every `LONG_WINDOW_INTERVAL` for the long windows. */
export const BAD_EVENTS_INCREASE_5M = "slo:sli_bad_events:increase5m";
export const TOTAL_EVENTS_INCREASE_5M = "slo:sli_total_events:increase5m";
/** Threshold SLIs: bad points and points at each rule evaluation. */
export const BAD_POINTS = "slo:sli_bad_points:sum";
export const POINTS = "slo:sli_points:count";
/** The same summed over the long-window group's interval, for the long windows. */
export const BAD_POINTS_4M = "slo:sli_bad_points:sum4m";
export const POINTS_4M = "slo:sli_points:count4m";

/** `LONG_WINDOW_INTERVAL` less one millisecond: a range that is half-open in effect. */
export const LONG_SUM_RANGE = "3m59s999ms";

/** Windows from this length on are computed in the slower long-window group. */
export const LONG_WINDOW_SECONDS = 86_400;
/** Evaluation interval of the long-window group (under the 5-minute lookback). */
export const LONG_WINDOW_INTERVAL = "4m";

/** `slo:sli_error:ratio_rate<window>`. */
export function errorRatioSeries(windowSeconds: number): string {
  return `slo:sli_error:ratio_rate${formatPromDuration(windowSeconds)}`;
}

/** The `sloth_*` identity labels of an SLO. */
export function slothIdLabels(slo: Slo): Record<string, string> {
  return { sloth_id: slo.id, sloth_service: slo.service, sloth_slo: slo.name };
}

/** `{sloth_id="..."}`: selects one SLO's recorded series. */
export function sloSelector(slo: Slo): string {
  return `{${formatMatchers([{ name: "sloth_id", op: "=", value: slo.id }])}}`;
}
