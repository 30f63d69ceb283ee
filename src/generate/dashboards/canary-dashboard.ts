/**
 * @module generate/dashboards/canary-dashboard
 * The canary analysis dashboard: for every SLO, the bad-event ratio of the canary and stable
 * arms (the SLI queries with the arm's pod-template-hash matcher, from the `canary` and
 * `stable` variables) against the captured baseline and the error budget — the three checks
 * slogate judges — plus traffic per arm and verdicts over time from slogate's own metrics. Pure.
 */
import {
  DashboardBuilder,
  QueryVariableBuilder,
  RowBuilder,
} from "@grafana/grafana-foundation-sdk/dashboard";
import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { formatMatchers, type LabelMatcher } from "../../promql/matchers.ts";
import type { Slo } from "../../slo/model.ts";
import { buildSliExpression, type SliExpression } from "../sli-expressions.ts";
import { sloSelector } from "../slo-rule-names.ts";
import {
  layOutPanels,
  timeseriesPanel,
  type DashboardOptions,
  type PanelQuery,
} from "./prometheus-panels.ts";

/** uid of the canary analysis dashboard. */
export const CANARY_DASHBOARD_UID = "slogate-canary";

/** The label the canary/stable variables list values of (Argo Rollouts' pod-template hash). */
const ARM_LABEL = "rollouts_pod_template_hash";

function armMatcher(slo: Slo, variable: "canary" | "stable"): LabelMatcher {
  return { name: slo.canary.selection.label, op: "=", value: `$${variable}` };
}

function sloQueries(slo: Slo): { ratio: PanelQuery[]; traffic: PanelQuery[] } {
  const canary = buildSliExpression(slo.sli, "5m", [armMatcher(slo, "canary")]);
  const stable = buildSliExpression(slo.sli, "5m", [armMatcher(slo, "stable")]);
  const ids = formatMatchers([
    { name: "service", op: "=", value: slo.service },
    { name: "slo", op: "=", value: slo.name },
  ]);
  const badRatio = (e: SliExpression): string =>
    e.type === "events" ? `(${e.bad})\n/\n(${e.total})` : e.badRatio;
  const ratio: PanelQuery[] = [
    { expr: badRatio(canary), legend: "canary" },
    { expr: badRatio(stable), legend: "stable" },
    { expr: `max(slogate_baseline_bad_ratio{${ids}})`, legend: "baseline" },
    { expr: `slo:error_budget:ratio${sloSelector(slo)}`, legend: "error budget (objective)" },
  ];
  const traffic: PanelQuery[] = [];
  if (canary.type === "events") traffic.push({ expr: canary.total, legend: "canary" });
  if (stable.type === "events") traffic.push({ expr: stable.total, legend: "stable" });
  return { ratio, traffic };
}

/** Builds the canary analysis dashboard for `slos`. */
export function generateCanaryDashboard(
  slos: readonly Slo[],
  options: DashboardOptions,
): dashboard.Dashboard {
  const ds = { type: "prometheus", uid: options.datasourceUid };
  let d = new DashboardBuilder("slogate / canary analysis")
    .uid(CANARY_DASHBOARD_UID)
    .tags(["slogate", "canary"])
    .description("Canary vs stable vs baseline per SLO check, and slogate's verdicts over time.")
    .time({ from: "now-6h", to: "now" })
    .refresh("30s")
    .withVariable(
      new QueryVariableBuilder("canary")
        .label("canary hash")
        .datasource(ds)
        .query(`label_values(${ARM_LABEL})`)
        .refresh(2),
    )
    .withVariable(
      new QueryVariableBuilder("stable")
        .label("stable hash")
        .datasource(ds)
        .query(`label_values(${ARM_LABEL})`)
        .refresh(2),
    )
    .withRow(new RowBuilder("Verdicts"))
    .withPanel(
      timeseriesPanel(
        { title: "Verdicts over time", unit: "short", width: 12, height: 8 },
        [
          {
            expr: "sum by (service, slo, verdict) (increase(slogate_verdicts_total[$__rate_interval]))",
            legend: "{{service}}/{{slo}} {{verdict}}",
          },
        ],
        options,
      ),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: "Open analyses (current verdict)",
          description: "1 while an analysis is open, labelled with its current verdict.",
          unit: "short",
          width: 12,
          height: 8,
        },
        [
          {
            expr: "max by (service, slo, rollout, verdict) (slogate_analysis_status)",
            legend: "{{rollout}} {{service}}/{{slo}} {{verdict}}",
          },
        ],
        options,
      ),
    );
  for (const slo of slos) {
    const q = sloQueries(slo);
    d = d.withRow(new RowBuilder(`${slo.service} / ${slo.name}`)).withPanel(
      timeseriesPanel(
        {
          title: `${slo.id}: bad-event ratio, canary vs stable vs baseline`,
          description:
            "relative check: canary vs stable; baseline check: canary vs baseline; absolute check: vs the budget.",
          unit: "percentunit",
          width: q.traffic.length > 0 ? 16 : 24,
          height: 8,
        },
        q.ratio,
        options,
      ),
    );
    if (q.traffic.length > 0) {
      d = d.withPanel(
        timeseriesPanel(
          { title: `${slo.id}: traffic per arm`, unit: "reqps", width: 8, height: 8 },
          q.traffic,
          options,
        ),
      );
    }
  }
  return layOutPanels(d.build());
}
