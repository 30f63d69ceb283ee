/**
 * Generated Grafana dashboards: every one validates against the vendored Grafana JSON schemas
 * (`../shared/specs/grafana-jsonschema/`, draft-07, with ajv) — the dashboard, each panel's
 * options and field config, each Prometheus target — and every panel's PromQL, run against a
 * real Prometheus test bed holding synthetic canary traffic (`src/sim`), slogate's own
 * metrics and the generated recording rules, returns data.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateArtifacts, defaultGenerateOptions } from "../../src/generate/generate-artifacts.ts";
import { parseQueryTemplate } from "../../src/promql/placeholders.ts";
import { SCENARIOS } from "../../src/sim/scenarios.ts";
import { simulateScrapes, type SimSeries } from "../../src/sim/scrapes.ts";
import type { Slo } from "../../src/slo/model.ts";
import { startPrometheus, type PrometheusBed } from "../../src/testbed/prometheus.ts";
import { loadValidators, panelsOf, validateDashboard } from "./grafana-schema.ts";
import { buildSlo, handBuiltSlos } from "../../src/generate/testdata/hand-built-slos.ts";
import { instantQuery, LIFECYCLE_FLAG, loadRuleFiles } from "./load-rules.ts";

/** SLOs over the simulator's series (service="checkout"), one per SLI type that has data. */
const bedSlos: Slo[] = [
  buildSlo("checkout", "availability", {
    sli: {
      type: "events",
      bad: parseQueryTemplate('sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{.window}}]))'),
      total: parseQueryTemplate('sum(rate(http_requests_total{service="checkout"}[{{.window}}]))'),
    },
  }),
  buildSlo("checkout", "latency", {
    kind: "latency",
    objectivePercent: 99,
    sli: {
      type: "latency",
      metric: "http_request_duration_seconds",
      matchers: [{ name: "service", op: "=", value: "checkout" }],
      thresholdSeconds: 1,
    },
    periodSeconds: 28 * 86_400,
  }),
];

describe("dashboards validate against the Grafana JSON schema", () => {
  const v = loadValidators();
  const dashboards = generateArtifacts([...handBuiltSlos, ...bedSlos]).filter((f) =>
    f.path.endsWith(".json"),
  );

  it.each(dashboards.map((f) => [f.path, f.content]))("%s", (_path, content) => {
    expect(validateDashboard(v, content)).toEqual([]);
  });

  it("the validator rejects a dashboard with an unknown field (the check can fail)", () => {
    expect(v.dashboard({ title: "x", schemaVersion: 42, bogus: 1 })).toBe(false);
  });
});

/** Gauges, counters and histograms of slogate's own metrics, every 15 s over the last 30 min. */
function selfMetricSeries(now: number): SimSeries[] {
  const times = Array.from({ length: 121 }, (_, i) => now - 1800 + i * 15);
  const series: SimSeries[] = [];
  const gauge = (metric: string, labels: Record<string, string>, v: number): void => {
    series.push({ metric, labels, arm: "stable", samples: times.map((t) => ({ t, v })) });
  };
  const counter = (metric: string, labels: Record<string, string>, perStep: number): void => {
    series.push({ metric, labels, arm: "stable", samples: times.map((t, i) => ({ t, v: i * perStep })) });
  };
  const histogram = (metric: string, labels: Record<string, string>): void => {
    for (const [le, share] of [
      ["0.1", 0.5],
      ["1", 0.9],
      ["+Inf", 1],
    ] as const) {
      counter(`${metric}_bucket`, { ...labels, le }, 10 * share);
    }
    counter(`${metric}_count`, labels, 10);
    counter(`${metric}_sum`, labels, 3);
  };
  const slo = { service: "checkout", slo: "availability" };
  for (const verdict of ["pass", "fail", "inconclusive"])
    counter("slogate_verdicts_total", { ...slo, verdict, final: "false" }, 1);
  counter("slogate_looks_total", { ...slo, controller: "argo" }, 2);
  gauge("slogate_analysis_status", { ...slo, analysis: "a1", rollout: "checkout", verdict: "fail" }, 1);
  histogram("slogate_analysis_duration_seconds", { ...slo, outcome: "pass" });
  histogram("slogate_verdict_duration_seconds", slo);
  histogram("slogate_prometheus_query_duration_seconds", { kind: "instant" });
  counter("slogate_prometheus_query_errors_total", { code: "PROMETHEUS_TIMEOUT" }, 1);
  gauge("slogate_baseline_age_seconds", slo, 3600);
  gauge("slogate_baseline_bad_ratio", slo, 0.005);
  gauge("slogate_baseline_bad_ratio", { service: "checkout", slo: "latency" }, 0.01);
  counter("slogate_slo_load_errors_total", {}, 0.1);
  gauge("slogate_slo_config_valid", {}, 1);
  gauge("slogate_slos_loaded", {}, 2);
  counter("slogate_notifications_total", { target: "slack", outcome: "sent" }, 1);
  gauge("slogate_notification_queue_length", { target: "slack" }, 0);
  return series;
}

describe("every panel's PromQL returns data from a real Prometheus", () => {
  let bed: PrometheusBed | undefined;
  const now = Math.floor(Date.now() / 1000);
  const sim = simulateScrapes(SCENARIOS.healthy, { seed: 11, start: now - 1800 - 30, leStyle: "mixed" });
  const files = generateArtifacts(bedSlos, defaultGenerateOptions);
  const panels = files
    .filter((f) => f.path.startsWith("grafana/dashboards/"))
    .flatMap((f) => panelsOf(f.content).map((p) => ({ file: f.path, panel: p })))
    .filter((x) => x.panel.type !== "row")
    .flatMap((x) =>
      (x.panel.targets ?? []).map(
        (t) => [`${x.file} "${x.panel.title ?? ""}" ${t.refId ?? ""}`, t.expr ?? ""] as const,
      ),
    );

  beforeAll(async () => {
    bed = await startPrometheus({
      history: [...sim.series, ...selfMetricSeries(now)],
      args: [LIFECYCLE_FLAG],
    });
    await loadRuleFiles(
      bed,
      files
        .filter((f) => /^rules\/[^/]+\.yml$/.test(f.path))
        // The long-window groups run every 4m; here every 15 s, so the test need not wait minutes.
        .map((f) => ({
          name: f.path.slice(6),
          content: f.content.replaceAll("    interval: 4m\n", "    interval: 15s\n"),
        })),
    );
    // Wait for two evaluations of every group (15 s interval): recordings exist from then on.
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const r = await instantQuery(bed, "count(slo:period_error_budget_remaining:ratio)");
      if (Number(r[0]?.value[1] ?? 0) === bedSlos.length) break;
      await new Promise((res) => setTimeout(res, 1000));
    }
  }, 150_000);
  afterAll(async () => {
    await bed?.stop();
  });

  it.each(panels)("%s", async (_name, expr) => {
    const query = expr
      .replaceAll("$__rate_interval", "5m")
      .replaceAll("$canary", SCENARIOS.healthy.canary.hash)
      .replaceAll("$stable", SCENARIOS.healthy.stable.hash);
    const result = await instantQuery(bed!, query);
    expect(result.length, `no data for: ${query}`).toBeGreaterThan(0);
  });

  it("a query on a series that does not exist returns nothing (the check can fail)", async () => {
    expect(await instantQuery(bed!, 'slo:sli_error:ratio_rate5m{sloth_id="nope"}')).toEqual([]);
  });
});
