/**
 * @module generate/grafana-provisioning
 * Grafana provisioning files: a file provider for the generated dashboards and the Prometheus
 * datasource with the uid the dashboards reference. Pure.
 */

/** Provisioning settings. */
export interface GrafanaProvisioningOptions {
  /** Where Grafana finds the dashboard JSON files (mounted copy of `grafana/dashboards/`). */
  readonly dashboardsPath: string;
  /** URL Grafana reaches Prometheus at. */
  readonly prometheusUrl: string;
  /** uid of the datasource (the dashboards reference it). */
  readonly datasourceUid: string;
}

/** `provisioning/dashboards/slogate.yaml`. */
export function generateDashboardProvider(options: GrafanaProvisioningOptions): Record<string, unknown> {
  return {
    apiVersion: 1,
    providers: [
      {
        name: "slogate",
        orgId: 1,
        folder: "SLOs (slogate)",
        type: "file",
        disableDeletion: false,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: options.dashboardsPath },
      },
    ],
  };
}

/** `provisioning/datasources/prometheus.yaml`. */
export function generateDatasource(options: GrafanaProvisioningOptions): Record<string, unknown> {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: "Prometheus",
        type: "prometheus",
        uid: options.datasourceUid,
        access: "proxy",
        url: options.prometheusUrl,
        isDefault: true,
        editable: false,
      },
    ],
  };
}
