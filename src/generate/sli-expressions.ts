/**
 * @module generate/sli-expressions
 * PromQL for an SLI's bad and total events over one window, for one selection of series
 * (empty for the whole service in rules; an arm's matchers in canary dashboards).
 * - `events` templates are rendered by `renderQuery`; bad = total − good when only good exists;
 * - `latency` reads a classic histogram: total from `_count`, good from the `_bucket` whose `le`
 *   is the threshold, matched as `le=~"1(\.0)?"` for whole numbers so `le="1"` (Prometheus 2
 *   clients) and `le="1.0"` (Prometheus 3 normalisation) both match;
 * - `probe` counts 0/1 gauge samples: total = samples, bad = samples − sum of samples;
 * - `ratio` has no event counts: only a bad-ratio expression;
 * - `threshold` gives, per evaluation, bad = `sum((query) > bool value)` (the comparison that
 *   breaks `op value`, e.g. `>` for `lte`) and total = `count(query)`: 0/1 points a recording
 *   rule stores at every evaluation and windows sum, so a window's ratio is exactly the share
 *   of bad points. `badRatio` is the same over one window as a subquery at the SLI's step,
 *   for dashboards and one-shot queries. Pure.
 */
import { SlogateError } from "../errors.ts";
import { escapeRegex, formatMatchers, type LabelMatcher } from "../promql/matchers.ts";
import { renderQuery } from "../promql/template.ts";
import { formatDecimal, parseDecimal } from "../slo/decimal.ts";
import type { Sli, ThresholdOp } from "../slo/model.ts";
import { formatPromDuration } from "./prometheus-duration.ts";

/** The SLI over one window: bad and total event expressions, or only a bad ratio. */
export type SliExpression =
  | { readonly type: "events"; readonly bad: string; readonly total: string }
  | { readonly type: "ratio"; readonly badRatio: string }
  | { readonly type: "threshold"; readonly bad: string; readonly total: string; readonly badRatio: string };

/** The comparison a BAD point satisfies, for the operator a good point satisfies. */
export const BAD_COMPARISON: Readonly<Record<ThresholdOp, string>> = {
  lt: ">=",
  lte: ">",
  gt: "<=",
  gte: "<",
};

/** A number as PromQL spells it (`Inf`, `-Inf`, `NaN` included). */
function promqlNumber(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/** The `le` matcher of a latency threshold, robust to `1` vs `1.0` spellings. */
export function leMatcher(thresholdSeconds: number): LabelMatcher {
  const text = formatDecimal(parseDecimal(thresholdSeconds)) ?? String(thresholdSeconds);
  const isWhole = !text.includes(".");
  return { name: "le", op: "=~", value: isWhole ? `${text}(\\.0+)?` : `${escapeRegex(text)}0*` };
}

function selector(matchers: readonly LabelMatcher[]): string {
  return `{${formatMatchers(matchers)}}`;
}

/** Replaces matchers of `base` on the same label names by those of `arm`. */
function merge(base: readonly LabelMatcher[], arm: readonly LabelMatcher[]): LabelMatcher[] {
  const names = new Set(arm.map((m) => m.name));
  return [...base.filter((m) => !names.has(m.name)), ...arm];
}

/**
 * Builds the SLI expressions for `window` (a PromQL duration) over the series selected by
 * `arm` (added to, or replacing same-named, matchers of the SLI).
 */
export function buildSliExpression(
  sli: Sli,
  window: string,
  arm: readonly LabelMatcher[] = [],
): SliExpression {
  switch (sli.type) {
    case "events": {
      const total = renderQuery(sli.total, { window, selector: arm });
      if (sli.bad !== undefined) {
        return { type: "events", bad: renderQuery(sli.bad, { window, selector: arm }), total };
      }
      if (sli.good === undefined) {
        throw new SlogateError("SLO_INVALID", "an events SLI needs a bad or a good query", {
          hint: "add error_query (Sloth) or a bad/good query (OpenSLO ratioMetric) to the SLI",
        });
      }
      const good = renderQuery(sli.good, { window, selector: arm });
      return { type: "events", bad: `(${total}) - (${good})`, total };
    }
    case "latency": {
      const base = merge(sli.matchers, arm);
      const total = `sum(rate(${sli.metric}_count${selector(base)}[${window}]))`;
      const good = `sum(rate(${sli.metric}_bucket${selector([...base, leMatcher(sli.thresholdSeconds)])}[${window}]))`;
      return { type: "events", bad: `(${total} - ${good})`, total };
    }
    case "probe": {
      const sel = `${sli.metric}${selector(merge(sli.matchers, arm))}[${window}]`;
      const total = `sum(count_over_time(${sel}))`;
      return { type: "events", bad: `(${total} - sum(sum_over_time(${sel})))`, total };
    }
    case "ratio":
      return { type: "ratio", badRatio: renderQuery(sli.badRatio, { window, selector: arm }) };
    case "resource":
      // Per-pod gauges are compared canary vs stable by the judge; they have no bad/total
      // events to record (generate-artifacts skips them with a note).
      throw new SlogateError("SLO_UNSUPPORTED", "a resource SLI has no bad/total event expressions", {
        hint: "resource SLIs are judged per pod at canary time; slogate generate skips them",
      });
    case "threshold": {
      const step = formatPromDuration(sli.stepSeconds);
      const q = renderQuery(sli.query, { window: step, selector: arm });
      const badPoint = `(${q}) ${BAD_COMPARISON[sli.op]} bool ${promqlNumber(sli.value)}`;
      return {
        type: "threshold",
        bad: `sum(${badPoint})`,
        total: `count(${q})`,
        badRatio: `sum(sum_over_time((${badPoint})[${window}:${step}]))\n/\nsum(count_over_time((${q})[${window}:${step}]))`,
      };
    }
  }
}
