/**
 * @module generate/sloth-form-rules
 * The rules Sloth (v0.16) generates for the same SLO, reproduced for comparison only (the
 * rules benchmark and the period-SLI bias test): every window re-reads the raw series, the
 * period SLI averages 5-minute ratios (`sum_over_time(ratio) / count_over_time(ratio)`), and
 * thresholds are float arithmetic (`1 - 0.999`). Shape copied from Sloth's generated example
 * `examples/_gen/getting-started.yml`. Pure.
 */
import type { Slo } from "../slo/model.ts";
import { burnWindowsFor, recordedWindowsFor } from "./alert-windows.ts";
import { formatPromDuration } from "./prometheus-duration.ts";
import type { AlertingRule, RecordingRule, RuleGroup } from "./rule-group.ts";
import { buildSliExpression } from "./sli-expressions.ts";
import { defaultAlertName } from "./slo-rules.ts";
import { errorRatioSeries, slothIdLabels } from "./slo-rule-names.ts";
import { formatMatchers } from "../promql/matchers.ts";

function slothSelector(slo: Slo): string {
  const ids = slothIdLabels(slo);
  return `{${formatMatchers(Object.entries(ids).map(([name, value]) => ({ name, op: "=" as const, value })))}}`;
}

/** Sloth's three rule groups for `slo`, with Sloth's float arithmetic. */
export function generateSlothFormRuleGroups(slo: Slo): RuleGroup[] {
  const base = { ...slo.labels, ...slothIdLabels(slo) };
  const sel = slothSelector(slo);
  const period = formatPromDuration(slo.periodSeconds);
  const sli: RecordingRule[] = [];
  for (const w of recordedWindowsFor(slo.periodSeconds)) {
    const window = formatPromDuration(w);
    const labels = { ...base, sloth_window: window };
    if (w === slo.periodSeconds) {
      const r5 = `${errorRatioSeries(300)}${sel}`;
      sli.push({
        kind: "record",
        record: errorRatioSeries(w),
        expr: `sum_over_time(${r5}[${window}])\n/ ignoring (sloth_window)\ncount_over_time(${r5}[${window}])`,
        labels,
      });
      continue;
    }
    const e = buildSliExpression(slo.sli, window);
    sli.push({
      kind: "record",
      record: errorRatioSeries(w),
      expr: e.type === "events" ? `(${e.bad})\n/\n(${e.total})` : `(${e.badRatio})`,
      labels,
    });
  }
  const objective = slo.objectivePercent / 100;
  const budget = (100 - slo.objectivePercent) / 100;
  const on = "/ on(sloth_id, sloth_slo, sloth_service) group_left";
  const meta: RecordingRule[] = [
    { kind: "record", record: "slo:objective:ratio", expr: `vector(${objective})`, labels: base },
    { kind: "record", record: "slo:error_budget:ratio", expr: `vector(1-${objective})`, labels: base },
    {
      kind: "record",
      record: "slo:time_period:days",
      expr: `vector(${slo.periodSeconds / 86_400})`,
      labels: base,
    },
    {
      kind: "record",
      record: "slo:current_burn_rate:ratio",
      expr: `${errorRatioSeries(300)}${sel}\n${on}\nslo:error_budget:ratio${sel}`,
      labels: base,
    },
    {
      kind: "record",
      record: "slo:period_burn_rate:ratio",
      expr: `slo:sli_error:ratio_rate${period}${sel}\n${on}\nslo:error_budget:ratio${sel}`,
      labels: base,
    },
    {
      kind: "record",
      record: "slo:period_error_budget_remaining:ratio",
      expr: `1 - slo:period_burn_rate:ratio${sel}`,
      labels: base,
    },
    {
      kind: "record",
      record: "sloth_slo_info",
      expr: "vector(1)",
      labels: { ...base, sloth_mode: "cli-gen-prom", sloth_objective: String(slo.objectivePercent) },
    },
  ];
  const alerts: AlertingRule[] = [];
  for (const tier of ["page", "ticket"] as const) {
    const ws = burnWindowsFor(slo.periodSeconds).filter((w) => w.tier === tier);
    const cond = ws.map((w) => {
      const factor = Number(w.burnFactor.num) / Number(w.burnFactor.den);
      const one = (s: number): string =>
        `max(${errorRatioSeries(s)}${sel} > (${factor} * ${budget})) without (sloth_window)`;
      return `(\n    ${one(w.shortWindowSeconds)}\n    and\n    ${one(w.longWindowSeconds)}\n)`;
    });
    alerts.push({
      kind: "alert",
      alert: slo.alerting.name ?? defaultAlertName(slo),
      expr: cond.join("\nor\n"),
      labels: { sloth_severity: tier },
      annotations: {
        title: `(${tier}) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
      },
    });
  }
  return [
    { name: `sloth-slo-sli-recordings-${slo.id}`, rules: sli },
    { name: `sloth-slo-meta-recordings-${slo.id}`, rules: meta },
    { name: `sloth-slo-alerts-${slo.id}`, rules: alerts },
  ];
}
