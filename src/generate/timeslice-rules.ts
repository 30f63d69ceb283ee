/**
 * @module generate/timeslice-rules
 * Prometheus rules for SLOs budgeted by time slices (OpenSLO `budgetingMethod: Timeslices` or
 * `RatioTimeslices`, `slo.budgeting`):
 * - a group evaluated once per slice (`interval` = `timeSliceWindow`) records each slice's
 *   bad-event ratio `slo:sli_slice_error:ratio` over exactly that slice — events as bad/total
 *   over the slice, threshold SLIs as the share of bad points recorded in it, ratio SLIs as
 *   their bad ratio over it; a slice without events records nothing and counts neither way;
 * - Timeslices: `slo:sli_bad_slice:bool` is 1 when the slice's bad ratio exceeds
 *   `1 − timeSliceTarget` (exact decimal), else 0;
 * - every window `slo:sli_error:ratio_rate<window>` (Sloth's names, so burn-rate alerts, meta
 *   recordings and dashboards work unchanged) is the share of bad slices in the window
 *   (`avg_over_time` of the 0/1 slices) — for RatioTimeslices the mean of the slices' bad
 *   ratios, over ranges a millisecond short (`halfOpenRange`) so each window holds exactly its
 *   slices. Windows shorter than a slice read the last slice. Windows of a day and more are
 *   recorded in a group evaluated every 4 minutes (`LONG_WINDOW_INTERVAL`).
 * The objective (`target`) is then the share of good slices, and the error budget its
 * complement, as OpenSLO defines them. Pure.
 */
import { errorBudgetRatio, formatPromqlNumber } from "../slo/decimal.ts";
import type { Slo, TimesliceBudgeting } from "../slo/model.ts";
import { BASE_WINDOW_SECONDS, recordedWindowsFor } from "./alert-windows.ts";
import { formatPromDuration } from "./prometheus-duration.ts";
import type { RecordingRule, RuleGroup } from "./rule-group.ts";
import { buildSliExpression } from "./sli-expressions.ts";
import {
  BAD_POINTS,
  errorRatioSeries,
  LONG_WINDOW_INTERVAL,
  LONG_WINDOW_SECONDS,
  POINTS,
  slothIdLabels,
  sloSelector,
} from "./slo-rule-names.ts";

/** Each slice's bad-event ratio, recorded once per slice. */
export const SLICE_ERROR = "slo:sli_slice_error:ratio";
/** Timeslices: 1 for a bad slice, 0 for a good one. */
export const BAD_SLICE = "slo:sli_bad_slice:bool";

function recording(record: string, expr: string, labels: Record<string, string>): RecordingRule {
  return { kind: "record", record, expr, labels };
}

/**
 * `seconds` less a millisecond as a PromQL duration (`4m59s999ms` for 5m): Prometheus 2 range
 * selections are closed at both ends, so a window of w holds exactly w / slice slices in
 * Prometheus 2 and 3 alike.
 */
export function halfOpenRange(seconds: number): string {
  let ms = seconds * 1000 - 1;
  let out = "";
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
    ["ms", 1],
  ] as const) {
    const n = Math.floor(ms / size);
    if (n > 0) out += `${n}${unit}`;
    ms -= n * size;
  }
  return out;
}

/** The bad-event ratio of one slice of `slo` (its SLI over the slice; nothing when it had no events). */
function sliceErrorExpr(slo: Slo, sliceSeconds: number): string {
  const slice = formatPromDuration(sliceSeconds);
  if (slo.sli.type === "threshold") {
    // The bad points and points recorded at every evaluation, summed over the slice.
    const sel = sloSelector(slo);
    return `sum_over_time(${BAD_POINTS}${sel}[${slice}])\n/\n(sum_over_time(${POINTS}${sel}[${slice}]) > 0)`;
  }
  const e = buildSliExpression(slo.sli, slice);
  if (e.type === "events") return `(${e.bad})\n/\n(${e.total} > 0)`;
  return e.badRatio;
}

/** The time-slice rule groups of an SLO budgeted by slices. */
export function generateTimesliceGroups(slo: Slo, budgeting: TimesliceBudgeting): RuleGroup[] {
  const base = { ...slo.labels, ...slothIdLabels(slo) };
  const sel = sloSelector(slo);
  const slice = formatPromDuration(budgeting.sliceSeconds);
  const sliceLabels = { ...base, sloth_window: slice };
  const sliceRules: RecordingRule[] = [
    recording(SLICE_ERROR, sliceErrorExpr(slo, budgeting.sliceSeconds), sliceLabels),
  ];
  let perSlice = SLICE_ERROR;
  if (budgeting.method === "Timeslices") {
    const allowed = formatPromqlNumber(errorBudgetRatio(budgeting.sliceTargetPercent ?? 0));
    sliceRules.push(recording(BAD_SLICE, `${SLICE_ERROR}${sel} > bool ${allowed}`, sliceLabels));
    perSlice = BAD_SLICE;
  }
  const windowRule = (w: number): RecordingRule => {
    const range = halfOpenRange(Math.max(w, budgeting.sliceSeconds));
    return recording(errorRatioSeries(w), `avg_over_time(${perSlice}${sel}[${range}])`, {
      ...base,
      sloth_window: formatPromDuration(w),
    });
  };
  const windows = recordedWindowsFor(slo.periodSeconds);
  const short = windows.filter((w) => w < LONG_WINDOW_SECONDS || w === BASE_WINDOW_SECONDS);
  const long = windows.filter((w) => w >= LONG_WINDOW_SECONDS && w !== BASE_WINDOW_SECONDS);
  return [
    { name: `slogate-slo-sli-timeslices-${slo.id}`, interval: slice, rules: sliceRules },
    { name: `slogate-slo-sli-slice-windows-${slo.id}`, rules: short.map(windowRule) },
    ...(long.length === 0
      ? []
      : [
          {
            name: `slogate-slo-sli-long-recordings-${slo.id}`,
            interval: LONG_WINDOW_INTERVAL,
            rules: long.map(windowRule),
          },
        ]),
  ];
}
