/**
 * @module generate/dashboards/self-dashboard
 * slogate's own dashboard, from its metrics (`docs/metrics.md`): verdicts and looks, verdict
 * and Prometheus query latency, query errors, baselines, SLO configuration and notifications.
 * Pure.
 */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { layOutPanels, statPanel, timeseriesPanel, type DashboardOptions } from "./prometheus-panels.ts";

/** uid of slogate's own dashboard. */
export const SELF_DASHBOARD_UID = "slogate-self";

const RATE = "$__rate_interval";

/** Builds slogate's own dashboard. */
export function generateSelfDashboard(options: DashboardOptions): dashboard.Dashboard {
  const quantile = (q: string, metric: string, by: string): string =>
    `histogram_quantile(${q}, sum by (le${by === "" ? "" : `, ${by}`}) (rate(${metric}_bucket[${RATE}])))`;
  const d = new DashboardBuilder("slogate / service")
    .uid(SELF_DASHBOARD_UID)
    .tags(["slogate"])
    .description(
      "slogate itself: verdicts, looks, latency, Prometheus errors, baselines, configuration, notifications.",
    )
    .time({ from: "now-6h", to: "now" })
    .refresh("30s")
    .withRow(new RowBuilder("Configuration"))
    .withPanel(
      statPanel(
        { title: "SLO configuration valid", unit: "bool_yes_no", width: 6, height: 4 },
        [{ expr: "max(slogate_slo_config_valid)", legend: "valid" }],
        options,
      ),
    )
    .withPanel(
      statPanel(
        { title: "SLOs loaded", unit: "short", width: 6, height: 4 },
        [{ expr: "max(slogate_slos_loaded)", legend: "SLOs" }],
        options,
      ),
    )
    .withPanel(
      statPanel(
        { title: "SLO load errors (24h)", unit: "short", width: 6, height: 4 },
        [{ expr: "sum(increase(slogate_slo_load_errors_total[24h]))", legend: "errors" }],
        options,
      ),
    )
    .withPanel(
      statPanel(
        { title: "Open analyses", unit: "short", width: 6, height: 4 },
        [{ expr: "count(slogate_analysis_status == 1) or vector(0)", legend: "open" }],
        options,
      ),
    )
    .withRow(new RowBuilder("Verdicts"))
    .withPanel(
      timeseriesPanel(
        { title: "Verdicts per second", unit: "reqps", width: 12, height: 8 },
        [{ expr: `sum by (verdict) (rate(slogate_verdicts_total[${RATE}]))`, legend: "{{verdict}}" }],
        options,
      ),
    )
    .withPanel(
      timeseriesPanel(
        { title: "Looks per second by controller", unit: "reqps", width: 12, height: 8 },
        [{ expr: `sum by (controller) (rate(slogate_looks_total[${RATE}]))`, legend: "{{controller}}" }],
        options,
      ),
    )
    .withPanel(
      timeseriesPanel(
        { title: "Time to answer a look", unit: "s", width: 12, height: 8 },
        [
          { expr: quantile("0.5", "slogate_verdict_duration_seconds", ""), legend: "p50" },
          { expr: quantile("0.95", "slogate_verdict_duration_seconds", ""), legend: "p95" },
        ],
        options,
      ),
    )
    .withPanel(
      timeseriesPanel(
        { title: "Analysis duration (p95) by outcome", unit: "s", width: 12, height: 8 },
        [{ expr: quantile("0.95", "slogate_analysis_duration_seconds", "outcome"), legend: "{{outcome}}" }],
        options,
      ),
    )
    .withRow(new RowBuilder("Prometheus"))
    .withPanel(
      timeseriesPanel(
        { title: "Prometheus query latency (p95) by kind", unit: "s", width: 12, height: 8 },
        [{ expr: quantile("0.95", "slogate_prometheus_query_duration_seconds", "kind"), legend: "{{kind}}" }],
        options,
      ),
    )
    .withPanel(
      timeseriesPanel(
        { title: "Prometheus query errors by code", unit: "reqps", width: 12, height: 8 },
        [
          {
            expr: `sum by (code) (rate(slogate_prometheus_query_errors_total[${RATE}]))`,
            legend: "{{code}}",
          },
        ],
        options,
      ),
    )
    .withRow(new RowBuilder("Baselines"))
    .withPanel(
      timeseriesPanel(
        { title: "Baseline age", unit: "s", width: 12, height: 8 },
        [{ expr: "max by (service, slo) (slogate_baseline_age_seconds)", legend: "{{service}}/{{slo}}" }],
        options,
      ),
    )
    .withPanel(
      timeseriesPanel(
        { title: "Baseline bad-event ratio", unit: "percentunit", width: 12, height: 8 },
        [{ expr: "max by (service, slo) (slogate_baseline_bad_ratio)", legend: "{{service}}/{{slo}}" }],
        options,
      ),
    )
    .withRow(new RowBuilder("Notifications"))
    .withPanel(
      timeseriesPanel(
        { title: "Notifications by target and outcome", unit: "reqps", width: 12, height: 8 },
        [
          {
            expr: `sum by (target, outcome) (rate(slogate_notifications_total[${RATE}]))`,
            legend: "{{target}} {{outcome}}",
          },
        ],
        options,
      ),
    )
    .withPanel(
      timeseriesPanel(
        { title: "Notification queue length", unit: "short", width: 12, height: 8 },
        [{ expr: "max by (target) (slogate_notification_queue_length)", legend: "{{target}}" }],
        options,
      ),
    );
  return layOutPanels(d.build());
}
