/**
 * @module generate/dashboards/prometheus-panels
 * The few panel shapes the generated dashboards use, built with
 * `@grafana/grafana-foundation-sdk` on a Prometheus datasource, every target with an explicit
 * `refId` (A, B, C… in order) so Grafana never renumbers them. Pure.
 */
import { ReduceDataOptionsBuilder } from "@grafana/grafana-foundation-sdk/common";
import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";

/** Settings shared by all generated dashboards. */
export interface DashboardOptions {
  /** uid of the Prometheus datasource (the provisioned one by default: `prometheus`). */
  readonly datasourceUid: string;
}

/** One PromQL query of a panel, with its legend. */
export interface PanelQuery {
  readonly expr: string;
  readonly legend: string;
  /** Instant query (stat panels) instead of a range query. */
  readonly instant?: boolean;
}

/** Layout and unit of a panel. */
export interface PanelShape {
  readonly title: string;
  readonly description?: string;
  readonly unit: string;
  readonly width: number;
  readonly height: number;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
}

function datasource(options: DashboardOptions): dashboard.DataSourceRef {
  return { type: "prometheus", uid: options.datasourceUid };
}

function refId(i: number): string {
  return String.fromCharCode(65 + i);
}

function target(q: PanelQuery, i: number, options: DashboardOptions): DataqueryBuilder {
  const t = new DataqueryBuilder()
    .refId(refId(i))
    .expr(q.expr)
    .legendFormat(q.legend)
    .datasource(datasource(options));
  return q.instant === true ? t.instant() : t.range();
}

/** A time-series panel. */
export function timeseriesPanel(
  shape: PanelShape,
  queries: readonly PanelQuery[],
  options: DashboardOptions,
): TimeseriesPanelBuilder {
  let p = new TimeseriesPanelBuilder()
    .title(shape.title)
    .datasource(datasource(options))
    .unit(shape.unit)
    .gridPos({ x: 0, y: 0, w: shape.width, h: shape.height });
  if (shape.description !== undefined) p = p.description(shape.description);
  if (shape.min !== undefined) p = p.min(shape.min);
  if (shape.max !== undefined) p = p.max(shape.max);
  if (shape.decimals !== undefined) p = p.decimals(shape.decimals);
  queries.forEach((q, i) => {
    p = p.withTarget(target(q, i, options));
  });
  return p;
}

/** A single-value panel showing the last value of each query. */
export function statPanel(
  shape: PanelShape,
  queries: readonly PanelQuery[],
  options: DashboardOptions,
): StatPanelBuilder {
  let p = new StatPanelBuilder()
    .title(shape.title)
    .datasource(datasource(options))
    .unit(shape.unit)
    .gridPos({ x: 0, y: 0, w: shape.width, h: shape.height })
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false));
  if (shape.description !== undefined) p = p.description(shape.description);
  if (shape.decimals !== undefined) p = p.decimals(shape.decimals);
  queries.forEach((q, i) => {
    p = p.withTarget(target({ instant: true, ...q }, i, options));
  });
  return p;
}

/** A short stable hash (FNV-1a, base36) for uids longer than Grafana's 40 characters. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/** A Grafana uid (≤ 40 characters of `[a-zA-Z0-9-_]`) from a readable name. */
export function dashboardUid(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_-]+/g, "-");
  return clean.length <= 40 ? clean : `${clean.slice(0, 32)}-${shortHash(name).slice(0, 7)}`;
}

/**
 * Lays panels out left to right in rows of 24 columns, a row panel starting a new line
 * (the builders leave every panel at x=0, y=0). Returns a new dashboard.
 */
export function layOutPanels(d: dashboard.Dashboard): dashboard.Dashboard {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = (d.panels ?? []).map((p: dashboard.Panel | dashboard.RowPanel) => {
    const w = p.gridPos?.w ?? 24;
    const h = p.gridPos?.h ?? 8;
    if (p.type === "row" || x + w > 24) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const placed = { ...p, gridPos: { ...p.gridPos, x, y, w, h } };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    if (p.type === "row") {
      y += h;
      x = 0;
      rowHeight = 0;
    }
    return placed;
  });
  return { ...d, panels };
}
