/**
 * Every Sloth, OpenSLO, Pyrra and Keptn sample under `<repo>/../shared/specs` either converts
 * (objectives and queries checked) or fails with a precise message (position, path, text).
 * The tables must name every sample file: a new sample without an expectation fails the suite.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { renderQuery } from "../../src/promql/template.ts";
import type { Slo } from "../../src/slo/model.ts";
import { parseSloDocuments } from "../../src/slo/parse-slo-documents.ts";

const SPECS = resolve(import.meta.dirname, "../../../shared/specs");
const DIRS = [
  "sloth-examples",
  "openslo/examples-v1",
  "openslo/examples-budgeting",
  "pyrra-examples",
  "keptn",
];

function read(rel: string): { file: string; text: string } {
  return { file: rel, text: readFileSync(join(SPECS, rel), "utf8") };
}

/** id, kind, objective %, period days, SLI type, and the SLI's query texts (bad/good/total or ratio). */
type Expected = [string, Slo["kind"], number, number, string, Record<string, string>];

function summary(slo: Slo): Expected {
  const q: Record<string, string> = {};
  if (slo.sli.type === "events") {
    if (slo.sli.bad) q["bad"] = slo.sli.bad.text;
    if (slo.sli.good) q["good"] = slo.sli.good.text;
    q["total"] = slo.sli.total.text;
  } else if (slo.sli.type === "ratio") q["badRatio"] = slo.sli.badRatio.text;
  return [slo.id, slo.kind, slo.objectivePercent, slo.periodSeconds / 86400, slo.sli.type, q];
}

const MYSERVICE_ERRORS =
  'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))';
const MYSERVICE_TOTAL = 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))';
const WIFI_TOTAL = "sum_over_time((count(unifipoller_client_satisfaction_ratio))[{{.window}}:])";

const CONVERTS: Record<string, Expected[]> = {
  "sloth-examples/getting-started.yml": [
    [
      "myservice-requests-availability",
      "availability",
      99.9,
      30,
      "events",
      { bad: MYSERVICE_ERRORS, total: MYSERVICE_TOTAL },
    ],
  ],
  "sloth-examples/k8s-getting-started.yml": [
    [
      "myservice-requests-availability",
      "availability",
      99.9,
      30,
      "events",
      { bad: MYSERVICE_ERRORS, total: MYSERVICE_TOTAL },
    ],
  ],
  "sloth-examples/multifile.yml": [
    [
      "myservice-requests-availability",
      "availability",
      99.9,
      30,
      "events",
      { bad: MYSERVICE_ERRORS, total: MYSERVICE_TOTAL },
    ],
    [
      "myservice2-requests-availability",
      "availability",
      99.99,
      30,
      "events",
      { bad: MYSERVICE_ERRORS, total: MYSERVICE_TOTAL },
    ],
  ],
  "sloth-examples/home-wifi.yml": [
    [
      "home-wifi-good-wifi-client-satisfaction",
      "error-rate",
      95,
      30,
      "events",
      {
        bad: "sum_over_time((count(unifipoller_client_satisfaction_ratio < 0.75))[{{.window}}:]) OR on() vector(0)",
        total: WIFI_TOTAL,
      },
    ],
    [
      "home-wifi-risk-wifi-client-satisfaction",
      "error-rate",
      99.9,
      30,
      "events",
      {
        bad: "sum_over_time((count(unifipoller_client_satisfaction_ratio < 0.5))[{{.window}}:]) OR on() vector(0)",
        total: WIFI_TOTAL,
      },
    ],
  ],
  "sloth-examples/kubernetes-apiserver.yml": [
    [
      "k8s-apiserver-requests-availability",
      "availability",
      99.9,
      30,
      "events",
      {
        bad: 'sum(rate(apiserver_request_total{code=~"(5..|429)"}[{{.window}}]))',
        total: "sum(rate(apiserver_request_total[{{.window}}]))",
      },
    ],
    [
      "k8s-apiserver-requests-latency",
      "latency",
      99,
      30,
      "events",
      {
        bad: '(\n  sum(rate(apiserver_request_duration_seconds_count{verb!="WATCH"}[{{.window}}]))\n  -\n  sum(rate(apiserver_request_duration_seconds_bucket{le="0.4",verb!="WATCH"}[{{.window}}]))\n)\n',
        total: 'sum(rate(apiserver_request_duration_seconds_count{verb!="WATCH"}[{{.window}}]))',
      },
    ],
  ],
  "sloth-examples/no-alerts.yml": [
    [
      "myapp-http-availability",
      "availability",
      99.99,
      30,
      "events",
      {
        bad: 'sum(\n  rate(http_request_duration_seconds_count{job="myapp", code=~"(5..|429)"}[{{.window}}])\n)\n',
        total: 'sum(\n  rate(http_request_duration_seconds_count{job="myapp"}[{{.window}}])\n)\n',
      },
    ],
  ],
  "sloth-examples/raw-home-wifi.yml": [
    [
      "home-wifi-wifi-client-satisfaction",
      "error-rate",
      95,
      30,
      "ratio",
      {
        badRatio:
          "1 - (\n  sum(sum_over_time(unifipoller_client_satisfaction_ratio[{{.window}}]))\n  /\n  sum(count_over_time(unifipoller_client_satisfaction_ratio[{{.window}}]))\n)\n",
      },
    ],
  ],
  // OpenSLO v1alpha, as Sloth reads it: one SLO per objective, named <name>-<index>.
  "sloth-examples/openslo-getting-started.yml": [
    [
      "my-service-sloth-slo-my-service-0",
      "availability",
      99.9,
      30,
      "events",
      {
        good: 'sum(rate(http_request_duration_seconds_count{job="myservice",code!~"(5..|429)"}[{{.window}}]))',
        total: MYSERVICE_TOTAL,
      },
    ],
  ],
  "sloth-examples/openslo-kubernetes-apiserver.yml": [
    [
      "k8s-apiserver-requests-availability-openslo-0",
      "availability",
      99.9,
      30,
      "events",
      {
        good: 'sum(rate(apiserver_request_total{code!~"(5..|429)"}[{{.window}}]))',
        total: "sum(rate(apiserver_request_total[{{.window}}]))",
      },
    ],
    [
      "k8s-apiserver-requests-latency-openslo-0",
      "latency",
      99,
      30,
      "events",
      {
        good: 'sum(rate(apiserver_request_duration_seconds_bucket{le="0.4",verb!="WATCH"}[{{.window}}]))',
        total: 'sum(rate(apiserver_request_duration_seconds_count{verb!="WATCH"}[{{.window}}]))',
      },
    ],
    [
      "k8s-apiserver-requests-latency-openslo-1",
      "latency",
      99.9,
      30,
      "events",
      {
        good: 'sum(rate(apiserver_request_duration_seconds_bucket{le="5",verb!="WATCH"}[{{.window}}]))',
        total: 'sum(rate(apiserver_request_duration_seconds_count{verb!="WATCH"}[{{.window}}]))',
      },
    ],
  ],
  // Service, DataSource and alerting kinds are accepted and not used.
  "openslo/examples-v1/alert_conditions.yaml": [],
  "openslo/examples-v1/alert_notification_targets.yaml": [],
  "openslo/examples-v1/alert_policies.yaml": [],
  "openslo/examples-v1/data_sources.yaml": [],
  "openslo/examples-v1/services.yaml": [],
};

type ExpectedProblem = [
  line: number,
  col: number,
  severity: "error" | "warning",
  path: string,
  message: string,
];

const ANY_SOURCE = (
  type: string,
  part: string,
  line: number,
  col: number,
  prefix = "spec.indicator.spec",
): ExpectedProblem => [
  line,
  col,
  "error",
  `${prefix}.ratioMetric.${part}.metricSource.type`,
  `metricSource type "${type}" is not supported: slogate reads Prometheus only`,
];
const NO_DATASOURCE = (name: string, line: number, col: number, path: string): ExpectedProblem => [
  line,
  col,
  "error",
  path,
  `metricSourceRef ${JSON.stringify(name)} names no DataSource in the files read`,
];
const CALENDAR = (line: number, col: number, path = "spec.timeWindow[0]"): ExpectedProblem => [
  line,
  col,
  "warning",
  path,
  "calendar time windows are evaluated as rolling windows of the same duration",
];
const ALERT_WINDOWS = (line: number): ExpectedProblem => [
  line,
  7,
  "error",
  "kind",
  "Sloth AlertWindows configures alert windows, not SLOs",
];
const PYRRA: ExpectedProblem = [
  1,
  13,
  "error",
  "apiVersion",
  "Pyrra ServiceLevelObjective files are not supported",
];
const RULES: ExpectedProblem = [
  6,
  1,
  "error",
  "groups",
  "this is a Prometheus rules file (generated by Sloth?), not an SLO file",
];
const UNUSED = (sli: string, rest: ExpectedProblem): ExpectedProblem => [
  rest[0],
  rest[1],
  "warning",
  rest[3],
  `SLI ${JSON.stringify(sli)} (used by no SLO): ${rest[4]}`,
];

const FAILS: Record<string, ExpectedProblem[]> = {
  "sloth-examples/_gen__getting-started.yml": [RULES],
  "sloth-examples/_gen__kubernetes-apiserver.yml": [RULES],
  "sloth-examples/_gen__k8s-getting-started.yml": [
    [7, 7, "error", "kind", "this is a Prometheus Operator resource (generated rules?), not an SLO file"],
  ],
  "sloth-examples/internal__alert__windows__google-28d.yaml": [ALERT_WINDOWS(5)],
  "sloth-examples/internal__alert__windows__google-30d.yaml": [ALERT_WINDOWS(5)],
  "sloth-examples/windows__7d.yaml": [ALERT_WINDOWS(2)],
  // Converts (see openslo-examples.test.ts); the calendar window is warned.
  "openslo/examples-v1/slos.yaml": [CALENDAR(32, 9, "[0].spec.timeWindow[0]")],
  "openslo/examples-v1/slis.yaml": [
    UNUSED("search-availability", ANY_SOURCE("Datadog", "good", 19, 17, "[0].spec")),
    UNUSED("search-availability", ANY_SOURCE("Datadog", "total", 25, 17, "[0].spec")),
    UNUSED("end-user-response", ANY_SOURCE("AppDynamics", "bad", 45, 17, "[1].spec")),
    UNUSED("end-user-response", ANY_SOURCE("AppDynamics", "total", 52, 17, "[1].spec")),
    // Read alone, the DataSources these name (data_sources.yaml) are missing.
    UNUSED(
      "wifi-client-satisfaction",
      NO_DATASOURCE("prometheus", 73, 28, "[2].spec.ratioMetric.raw.metricSource.metricSourceRef"),
    ),
    UNUSED(
      "annotator-throughput",
      NO_DATASOURCE("my-prometheus", 99, 26, "[3].spec.thresholdMetric.metricSource.metricSourceRef"),
    ),
  ],
  // A thresholdMetric SLO: converted but for its `type: Any` source.
  "openslo/examples-budgeting/budgeting-method__occurences-slo.yaml": [
    [
      17,
      17,
      "error",
      "spec.indicator.spec.thresholdMetric.metricSource.type",
      'metricSource type "Any" is not supported: slogate reads Prometheus only',
    ],
  ],
  "openslo/examples-budgeting/budgeting-method__ratio-timeslices.yaml": [
    ANY_SOURCE("Any", "good", 18, 19),
    ANY_SOURCE("Any", "total", 23, 19),
  ],
  "openslo/examples-budgeting/budgeting-method__timeslices-slo.yaml": [
    ANY_SOURCE("Any", "good", 18, 19),
    ANY_SOURCE("Any", "total", 23, 19),
    CALENDAR(27, 7),
    [27, 17, "error", "spec.timeWindow[0].duration", "time window 1m is out of range"],
  ],
  "openslo/examples-budgeting/treat-low-traffic-as-equally-important__timeslices-slo.yaml": [
    ANY_SOURCE("Any", "good", 16, 19),
    ANY_SOURCE("Any", "total", 21, 19),
    CALENDAR(25, 7),
  ],
  "pyrra-examples/caddy-response-latency.yaml": [PYRRA],
  "pyrra-examples/prometheus-probe-success.yaml": [PYRRA],
  "pyrra-examples/pyrra-connect-errors.yaml": [PYRRA],
  "pyrra-examples/slo-apiserver-read-resource-latency.yaml": [PYRRA],
  "keptn/slo-example.yaml": [[2, 1, "error", "spec_version", "Keptn SLO files are not supported"]],
};

describe("shared spec samples", () => {
  it("the tables name every sample file", () => {
    const files = DIRS.flatMap((d) =>
      readdirSync(join(SPECS, d))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => `${d}/${f}`),
    ).sort();
    expect(files.length).toBeGreaterThan(25);
    expect([...Object.keys(CONVERTS), ...Object.keys(FAILS)].sort()).toEqual(files);
  });

  it.each(Object.entries(CONVERTS))("%s converts", (rel, expected) => {
    const r = parseSloDocuments([read(rel)]);
    expect(r.problems).toEqual([]);
    expect(r.slos.map(summary)).toEqual(expected);
  });

  it.each(Object.entries(FAILS))("%s is reported with precise messages", (rel, expected) => {
    const r = parseSloDocuments([read(rel)]);
    expect(r.problems.map((p) => [p.line, p.col, p.severity, p.path, p.message])).toEqual(expected);
    for (const p of r.problems) {
      expect(p.file).toBe(rel);
      expect(p.hint.length).toBeGreaterThan(10);
    }
  });
});

describe("converted samples keep their meaning", () => {
  it("Sloth alerting, labels and canary defaults come through", () => {
    const [slo] = parseSloDocuments([read("sloth-examples/getting-started.yml")]).slos;
    expect(slo?.labels).toEqual({ owner: "myteam", repo: "myorg/myservice", tier: "2" });
    expect(slo?.alerting).toEqual({
      name: "MyServiceHighErrorRate",
      labels: { category: "availability" },
      annotations: { summary: "High error rate on 'myservice' requests responses" },
      page: { enabled: true, labels: { severity: "pageteam", routing_key: "myteam" }, annotations: {} },
      ticket: {
        enabled: true,
        labels: { severity: "slack", slack_channel: "#alerts-myteam" },
        annotations: {},
      },
    });
    expect(slo?.canary.selection).toEqual({ mode: "label", label: "rollouts_pod_template_hash" });
    expect(slo?.source.format).toBe("sloth/prometheus-v1");
  });

  it("Sloth's Kubernetes form reads camelCase alerting", () => {
    const [slo] = parseSloDocuments([read("sloth-examples/k8s-getting-started.yml")]).slos;
    expect(slo?.alerting.page.labels).toEqual({ severity: "pageteam", routing_key: "myteam" });
    expect(slo?.source.format).toBe("sloth/k8s-v1");
  });

  it("disabled Sloth alerts stay disabled", () => {
    const [slo] = parseSloDocuments([read("sloth-examples/no-alerts.yml")]).slos;
    expect(slo?.alerting.page.enabled).toBe(false);
    expect(slo?.alerting.ticket.enabled).toBe(false);
  });

  it("an imported query gates a canary without edits: the arm is added to every selector", () => {
    const slo = parseSloDocuments([read("sloth-examples/kubernetes-apiserver.yml")]).slos[1];
    if (slo?.sli.type !== "events" || slo.sli.bad === undefined) throw new Error("expected an events SLI");
    const q = renderQuery(slo.sli.bad, {
      window: "5m",
      selector: [{ name: "rollouts_pod_template_hash", op: "=", value: "6d4f8b" }],
    });
    expect(q).toBe(
      '(\n  sum(rate(apiserver_request_duration_seconds_count{verb!="WATCH",rollouts_pod_template_hash="6d4f8b"}[5m]))\n  -\n  sum(rate(apiserver_request_duration_seconds_bucket{le="0.4",verb!="WATCH",rollouts_pod_template_hash="6d4f8b"}[5m]))\n)\n',
    );
  });

  it("an OpenSLO SLO can use an SLI from the shared samples by reference across files", () => {
    const slo = {
      file: "wifi-slo.yaml",
      text: "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: wifi\nspec:\n  service: home-wifi\n  indicatorRef: wifi-client-satisfaction\n  timeWindow:\n    - duration: 28d\n      isRolling: true\n  objectives:\n    - target: 0.95\n",
    };
    const r = parseSloDocuments([
      slo,
      read("openslo/examples-v1/slis.yaml"),
      read("openslo/examples-v1/data_sources.yaml"),
    ]);
    expect(r.slos.map(summary)).toEqual([
      [
        "home-wifi-wifi",
        "error-rate",
        95,
        28,
        "ratio",
        {
          badRatio:
            "1 - (1 - (\n  sum(sum_over_time(poller_client_satisfaction_ratio[{{.window}}]))\n  /\n  sum(count_over_time(poller_client_satisfaction_ratio[{{.window}}]))\n)\n)",
        },
      ],
    ]);
    // The other SLIs of that file are unused and unconvertible: warnings, not errors.
    expect(r.problems.every((p) => p.severity === "warning")).toBe(true);
    // A gauge average is no count of events: it stays a ratio, judged on per-step points.
    expect(r.slos[0]?.canary.judge).toBe("kayenta");
    expect(r.slos[0]?.canary.minRequests).toBe(10);
    expect(r.slos[0]?.notes).toEqual([
      'DataSource "prometheus" (http://prometheus.example.com): slogate serve reads this SLO from that backend (backends.prometheus in the service config sets its URL, auth and TLS)',
    ]);
    expect(r.slos[0]?.dataSource).toEqual({
      name: "prometheus",
      type: "Prometheus",
      url: "http://prometheus.example.com",
      headers: {},
    });
  });

  it("the thresholdMetric SLI of the shared samples converts with its SLO's op and value", () => {
    const slo = {
      file: "lag-slo.yaml",
      text: "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: annotator-lag\nspec:\n  service: annotator\n  indicatorRef: annotator-throughput\n  budgetingMethod: Occurrences\n  objectives:\n    - displayName: no delay\n      op: lte\n      value: 1000\n      target: 0.995\n",
    };
    const dataSource = {
      file: "my-prometheus.yaml",
      text: "apiVersion: openslo/v1\nkind: DataSource\nmetadata:\n  name: my-prometheus\nspec:\n  type: Prometheus\n  connectionDetails:\n    url: http://prometheus:9090\n",
    };
    // Without the DataSource it names, the SLI is refused where it names it.
    const alone = parseSloDocuments([slo, read("openslo/examples-v1/slis.yaml")]);
    expect(alone.slos).toEqual([]);
    expect(
      alone.problems.filter((p) => p.severity === "error").map((p) => [p.line, p.col, p.message]),
    ).toEqual([[99, 26, 'metricSourceRef "my-prometheus" names no DataSource in the files read']]);
    const r = parseSloDocuments([slo, read("openslo/examples-v1/slis.yaml"), dataSource]);
    expect(r.problems.every((p) => p.severity === "warning")).toBe(true);
    expect(r.slos).toHaveLength(1);
    const got = r.slos[0]!;
    expect([got.id, got.kind, got.objectivePercent]).toEqual([
      "annotator-annotator-lag",
      "availability",
      99.5,
    ]);
    expect(got.sli).toEqual({
      type: "threshold",
      query: {
        text: 'sum(min_over_time(kafka_consumergroup_lag{k8s_cluster="prod", consumergroup="annotator", topic="annotator-in"}[2m]))',
        hasWindow: false,
        hasSelector: false,
      },
      op: "lte",
      value: 1000,
      stepSeconds: 60,
    });
    expect(got.canary.minRequests).toBe(10);
  });

  it("the budgeting thresholdMetric sample converts once its source is Prometheus", () => {
    const sample = read("openslo/examples-budgeting/budgeting-method__occurences-slo.yaml");
    const r = parseSloDocuments([{ ...sample, text: sample.text.replace("type: Any", "type: Prometheus") }]);
    expect(r.problems).toEqual([]);
    expect(r.slos.map((s) => [s.id, s.objectivePercent, s.periodSeconds / 86400, s.sli])).toEqual([
      [
        "web-shop-search-slo",
        99,
        14,
        {
          type: "threshold",
          query: { text: "Any", hasWindow: false, hasSelector: false },
          op: "lt",
          value: 500,
          stepSeconds: 60,
        },
      ],
    ]);
  });

  it("a thresholdMetric objective without op or value is refused", () => {
    const sample = read("openslo/examples-budgeting/budgeting-method__occurences-slo.yaml");
    const text = sample.text
      .replace("type: Any", "type: Prometheus")
      .replace("      op: lt\n", "      op: below\n");
    const r = parseSloDocuments([{ ...sample, text }]);
    expect(r.slos).toEqual([]);
    expect(r.problems.map((p) => [p.path, p.message])).toEqual([
      ["spec.objectives[0].op", 'op "below" is not one of lt, lte, gt, gte'],
    ]);
    const noValue = parseSloDocuments([
      { ...sample, text: text.replace("op: below", "op: lt").replace("      value: 500\n", "") },
    ]);
    expect(noValue.problems.map((p) => p.path)).toEqual(["spec.objectives[0].value"]);
  });

  it("a Sloth raw ratio of two event sums is split into exact event queries", () => {
    const text = `version: prometheus/v1\nservice: api\nslos:\n  - name: errors\n    objective: 99.9\n    sli:\n      raw:\n        error_ratio_query: |\n          sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))\n          /\n          sum(rate(http_requests_total[{{.window}}]))\n    alerting:\n      page_alert: { disable: true }\n      ticket_alert: { disable: true }\n`;
    const r = parseSloDocuments([{ file: "raw.yaml", text }]);
    expect(r.problems).toEqual([]);
    const got = r.slos[0]!;
    expect(got.sli).toEqual({
      type: "events",
      bad: {
        text: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
        hasWindow: true,
        hasSelector: false,
      },
      total: { text: "sum(rate(http_requests_total[{{.window}}]))", hasWindow: true, hasSelector: false },
    });
    expect(got.canary.judge).toBe("sequential");
    expect(got.notes).toEqual([
      'the bad-ratio query A / B was split into bad events "sum(rate(http_requests_total{code=~\\"5..\\"}[{{.window}}]))" and total events "sum(rate(http_requests_total[{{.window}}]))", so canaries are judged on exact event counts',
    ]);
  });
});
