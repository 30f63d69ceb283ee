/**
 * @module testbed/openmetrics
 * Renders simulated series as an OpenMetrics text file for `promtool tsdb
 * create-blocks-from openmetrics` (history backfill). Pure; no vitest.
 */
import type { SimSeries } from "../sim/scrapes.ts";

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/**
 * The series as OpenMetrics text, grouped by metric name, samples ascending, ending with
 * `# EOF`. Timestamps are unix seconds. No `# TYPE` lines: every family is `unknown`, which
 * keeps the `_total`/`_bucket` names exactly as given.
 */
export function toOpenMetrics(series: readonly SimSeries[]): string {
  const byMetric = new Map<string, SimSeries[]>();
  for (const s of series) {
    const list = byMetric.get(s.metric) ?? [];
    list.push(s);
    byMetric.set(s.metric, list);
  }
  const lines: string[] = [];
  for (const [metric, list] of [...byMetric.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const s of list) {
      const labels = Object.entries(s.labels)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
        .join(",");
      const head = labels === "" ? metric : `${metric}{${labels}}`;
      for (const smp of s.samples) lines.push(`${head} ${formatValue(smp.v)} ${smp.t}`);
    }
  }
  lines.push("# EOF");
  return lines.join("\n") + "\n";
}
