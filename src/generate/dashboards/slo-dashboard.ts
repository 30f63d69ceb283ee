/**
 * @module generate/dashboards/slo-dashboard
 * One dashboard per SLO, reading the generated recording rules: SLI against the objective,
 * error budget remaining over the period, and the burn rate of every alert window with the
 * page and ticket thresholds. Pure.
 */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { formatDecimal, parseDecimal } from "../../slo/decimal.ts";
import type { Slo } from "../../slo/model.ts";
import { BASE_WINDOW_SECONDS, recordedWindowsFor } from "../alert-windows.ts";
import { formatPromDuration } from "../prometheus-duration.ts";
import { errorRatioSeries, sloSelector } from "../slo-rule-names.ts";
import {
  dashboardUid,
  layOutPanels,
  statPanel,
  timeseriesPanel,
  type DashboardOptions,
} from "./prometheus-panels.ts";

/** The dashboard uid of an SLO. */
export function sloDashboardUid(slo: Slo): string {
  return dashboardUid(`slo-${slo.id}`);
}

/** Builds the dashboard of one SLO. */
export function generateSloDashboard(slo: Slo, options: DashboardOptions): dashboard.Dashboard {
  const sel = sloSelector(slo);
  const period = formatPromDuration(slo.periodSeconds);
  const objective = formatDecimal(parseDecimal(slo.objectivePercent)) ?? String(slo.objectivePercent);
  const budget = `slo:error_budget:ratio${sel}`;
  const burn = (w: number): string => `${errorRatioSeries(w)}${sel}\n/ on (sloth_id) group_left\n${budget}`;
  const windows = recordedWindowsFor(slo.periodSeconds);
  const d = new DashboardBuilder(`SLO / ${slo.service} / ${slo.name}`)
    .uid(sloDashboardUid(slo))
    .tags(["slogate", "slo", slo.service])
    .description(slo.description ?? `${objective}% over ${period} (${slo.kind})`)
    .time({ from: "now-7d", to: "now" })
    .refresh("1m")
    .withRow(new RowBuilder("Overview"))
    .withPanel(
      statPanel(
        { title: `SLI over ${period}`, unit: "percentunit", width: 6, height: 5, decimals: 3 },
        [{ expr: `1 - ${errorRatioSeries(slo.periodSeconds)}${sel}`, legend: "SLI" }],
        options,
      ),
    )
    .withPanel(
      statPanel(
        { title: "Objective", unit: "percentunit", width: 6, height: 5, decimals: 3 },
        [{ expr: `slo:objective:ratio${sel}`, legend: "objective" }],
        options,
      ),
    )
    .withPanel(
      statPanel(
        { title: "Error budget remaining", unit: "percentunit", width: 6, height: 5, decimals: 1 },
        [{ expr: `slo:period_error_budget_remaining:ratio${sel}`, legend: "remaining" }],
        options,
      ),
    )
    .withPanel(
      statPanel(
        { title: "Current burn rate (5m)", unit: "none", width: 6, height: 5, decimals: 2 },
        [{ expr: `slo:current_burn_rate:ratio${sel}`, legend: "burn rate" }],
        options,
      ),
    )
    .withRow(new RowBuilder("SLI and error budget"))
    .withPanel(
      timeseriesPanel(
        { title: "SLI vs objective", unit: "percentunit", width: 12, height: 8, max: 1 },
        [
          { expr: `1 - ${errorRatioSeries(BASE_WINDOW_SECONDS)}${sel}`, legend: "SLI (5m)" },
          { expr: `1 - ${errorRatioSeries(3_600)}${sel}`, legend: "SLI (1h)" },
          { expr: `slo:objective:ratio${sel}`, legend: `objective (${objective}%)` },
        ],
        options,
      ),
    )
    .withPanel(
      timeseriesPanel(
        {
          title: `Error budget remaining (${period})`,
          description: "1 = the whole budget is left; below 0 the SLO is breached over the period.",
          unit: "percentunit",
          width: 12,
          height: 8,
        },
        [{ expr: `slo:period_error_budget_remaining:ratio${sel}`, legend: "remaining" }],
        options,
      ),
    )
    .withRow(new RowBuilder("Burn rates"))
    .withPanel(
      timeseriesPanel(
        {
          title: "Burn rate per window",
          description:
            "1 = spending the budget exactly over the period. Page and ticket alerts compare pairs of these.",
          unit: "none",
          width: 24,
          height: 9,
        },
        windows.map((w) => ({ expr: burn(w), legend: formatPromDuration(w) })),
        options,
      ),
    );
  return layOutPanels(d.build());
}
