import { describe, expect, it } from "vitest";
import { defaultCanarySettings } from "./canary-defaults.ts";
import type { Slo } from "./model.ts";
import { parseSloText } from "./parse-slo-documents.ts";

const HEAD = "apiVersion: slogate.dev/v1\nkind: ServiceLevels\nservice: api\n";

function parse(body: string): ReturnType<typeof parseSloText> {
  return parseSloText(HEAD + body, "api.yaml");
}

function only(body: string): Slo {
  const r = parse(body);
  expect(r.problems).toEqual([]);
  expect(r.slos).toHaveLength(1);
  return r.slos[0] as Slo;
}

const EVENTS = `
    sli:
      events:
        errors: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total: sum(rate(http_requests_total[{{.window}}]))`;

describe("slogate v1: objectives", () => {
  it.each([
    ["99.9", 99.9],
    ['"99.9%"', 99.9],
    ['">= 99.9%"', 99.9],
    ['"≥ 99.95 %"', 99.95],
    ['"< 1%"', 99],
    ['"<= 0.1%"', 99.9],
    ['"≤ 0.01%"', 99.99],
  ])("objective %s promises %s percent good events", (written, percent) => {
    const slo = only(`slos:\n  - name: e\n    objective: ${written}${EVENTS}`);
    expect(slo.objectivePercent).toBe(percent);
  });

  it.each([
    ["p95 < 500ms", 95, 0.95, 0.5],
    ["p99 < 1000ms", 99, 0.99, 1],
    ["p99.9 <= 1.5s", 99.9, 0.999, 1.5],
    ["p95 < 15ms", 95, 0.95, 0.015],
  ])(
    "latency objective %s promises %s percent of requests (quantile %s) within %s seconds",
    (written, percent, quantile, threshold) => {
      const slo = only(
        `slos:\n  - name: l\n    objective: ${written}\n    sli:\n      latency:\n        histogram: http_request_duration_seconds\n        selector: { service: api }`,
      );
      expect(slo.kind).toBe("latency");
      expect(slo.objectivePercent).toBe(percent);
      expect(slo.sli).toEqual({
        type: "latency",
        metric: "http_request_duration_seconds",
        matchers: [{ name: "service", op: "=", value: "api" }],
        thresholdSeconds: threshold,
        quantile,
      });
    },
  );

  it("reads '95 % faster than 500 ms' as the same promise as p95 < 500ms", () => {
    const slo = only(
      `slos:\n  - name: l\n    objective: ">= 95%"\n    sli:\n      latency:\n        histogram: h\n        threshold: 500ms\n        buckets: [0.1, 0.5, 1]`,
    );
    expect(slo.objectivePercent).toBe(95);
    expect(slo.sli).toEqual({ type: "latency", metric: "h", matchers: [], thresholdSeconds: 0.5 });
  });
});

describe("slogate v1: SLIs and kinds", () => {
  it.each(
    [
      [
        "errors and total",
        'events:\n        errors: sum(rate(x{c="5"}[{{.window}}]))\n        total: sum(rate(x[{{.window}}]))',
        "error-rate",
        "events",
      ],
      [
        "good and total",
        'events:\n        good: sum(rate(x{c="2"}[{{.window}}]))\n        total: sum(rate(x[{{.window}}]))',
        "availability",
        "events",
      ],
      [
        "an error ratio of two event sums (split into events)",
        'errorRatio: sum(rate(x{c="5"}[{{.window}}])) / sum(rate(x[{{.window}}]))',
        "error-rate",
        "events",
      ],
      [
        "an error ratio of a gauge average",
        "errorRatio: 1 - avg(avg_over_time(up[{{.window}}]))",
        "error-rate",
        "ratio",
      ],
      [
        "a threshold",
        "threshold:\n        query: max(kafka_lag)\n        op: lte\n        value: 100",
        "availability",
        "threshold",
      ],
      [
        "a probe",
        "probe:\n        metric: probe_success\n        selector: { job: blackbox }",
        "availability",
        "probe",
      ],
    ].map(([what, sli, kind, type]) => [what, kind, type, sli] as const),
  )("an SLI with %s makes a %s SLO of SLI type %s", (_what, kind, type, sli) => {
    const slo = only(`slos:\n  - name: s\n    objective: 99.9\n    sli:\n      ${sli}`);
    expect(slo.kind).toBe(kind);
    expect(slo.sli.type).toBe(type);
  });

  it("lets an explicit kind override the inferred one", () => {
    const slo = only(`slos:\n  - name: e\n    kind: availability\n    objective: 99.9${EVENTS}`);
    expect(slo.kind).toBe("availability");
  });

  it("keeps query templates with their placeholders", () => {
    const slo = only(`slos:\n  - name: e\n    objective: 99.9${EVENTS}`);
    expect(slo.sli).toEqual({
      type: "events",
      bad: {
        text: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
        hasWindow: true,
        hasSelector: false,
      },
      total: { text: "sum(rate(http_requests_total[{{.window}}]))", hasWindow: true, hasSelector: false },
    });
  });
});

describe("slogate v1: service fields, period, labels, alerting", () => {
  it("fills ids, labels, the period and defaults", () => {
    const r = parse(
      `labels: { team: core, tier: 1 }\nperiod: 28d\nslos:\n  - name: e\n    objective: 99.9\n    labels: { category: errors }${EVENTS}`,
    );
    expect(r.problems).toEqual([]);
    const slo = r.slos[0];
    expect(slo?.id).toBe("api-e");
    expect(slo?.periodSeconds).toBe(28 * 86400);
    expect(slo?.labels).toEqual({ team: "core", tier: "1", category: "errors" });
    expect(slo?.alerting.page.enabled).toBe(true);
    expect(slo?.source).toEqual({ file: "api.yaml", format: "slogate/v1", line: 7, col: 5 });
    expect(r.services[0]?.labels).toEqual({ team: "core", tier: "1" });
  });

  it("reads alerting settings", () => {
    const slo = only(
      `slos:\n  - name: e\n    objective: 99.9${EVENTS}\n    alerting:\n      name: ApiErrors\n      labels: { category: errors }\n      page: { enabled: false }\n      ticket: { labels: { severity: warning } }`,
    );
    expect(slo.alerting).toEqual({
      name: "ApiErrors",
      labels: { category: "errors" },
      annotations: {},
      page: { enabled: false, labels: {}, annotations: {} },
      ticket: { enabled: true, labels: { severity: "warning" }, annotations: {} },
    });
  });
});

describe("slogate v1: canary settings", () => {
  it.each(["latency", "error-rate", "availability"] as const)("defaults for %s SLOs are sensible", (kind) => {
    const d = defaultCanarySettings(kind);
    expect(d.judge).toBe("sequential");
    expect(d.selection).toEqual({ mode: "label", label: "rollouts_pod_template_hash" });
    expect(d.alpha).toBe(0.05);
    expect(d.minRequests).toBe(1000);
    expect(d.maxRegression).toEqual({ relative: 0.1 });
    expect(d.checks.absolute).toEqual({ enabled: true, critical: true, weight: 1 });
    expect(d.checks.relative.enabled && d.checks.baseline.enabled).toBe(true);
  });

  it("applies service-level canary settings, then the SLO's", () => {
    const r = parse(
      `canary:\n  alpha: 0.01\n  minRequests: 5000\n  selection: { mode: flagger }\nslos:\n  - name: e\n    objective: 99.9${EVENTS}\n    canary:\n      judge: kayenta\n      maxRegression: { relative: 0.2 }\n      checks:\n        baseline: { enabled: false }\n        relative: { critical: true, weight: 2 }\n      maxBadRatio: 0.01`,
    );
    expect(r.problems).toEqual([]);
    expect(r.slos[0]?.canary).toEqual({
      judge: "kayenta",
      selection: { mode: "flagger", label: "pod" },
      alpha: 0.01,
      minRequests: 5000,
      maxRegression: { relative: 0.2 },
      direction: "higher-is-worse",
      checks: {
        relative: { enabled: true, critical: true, weight: 2 },
        absolute: { enabled: true, critical: true, weight: 1 },
        baseline: { enabled: false, critical: false, weight: 1 },
      },
      maxBadRatio: 0.01,
    });
  });

  it("reads noDataGrace as seconds, and refuses a value that is not a duration", () => {
    const slo = only(`canary:\n  noDataGrace: 2m\nslos:\n  - name: e\n    objective: 99.9${EVENTS}`);
    expect(slo.canary.noDataGraceSeconds).toBe(120);
    const bad = parse(
      `slos:\n  - name: e\n    objective: 99.9${EVENTS}\n    canary:\n      noDataGrace: soon`,
    );
    expect(bad.problems.map((p) => p.message).join()).toMatch(/noDataGrace "soon" is not a duration/);
  });

  it("takes the SLO's expected dispersion of the bad rate", () => {
    const slo = only(`slos:\n  - name: e\n    objective: 99.9${EVENTS}\n    canary:\n      dispersion: 0.5`);
    expect(slo.canary.dispersion).toBe(0.5);
    expect(only(`slos:\n  - name: e\n    objective: 99.9${EVENTS}`).canary.dispersion).toBeUndefined();
  });

  it("takes a custom selection label", () => {
    const slo = only(
      `slos:\n  - name: e\n    objective: 99.9${EVENTS}\n    canary:\n      selection: { label: version }`,
    );
    expect(slo.canary.selection).toEqual({ mode: "label", label: "version" });
  });
});

describe("slogate v1: every problem at once, with position, path and hint", () => {
  it.each([
    [
      "an unknown field, with a suggestion",
      `slos:\n  - name: e\n    objectiv: 99.9${EVENTS}`,
      [
        [5, 5, "slos[0].objective", 'missing required field "objective"'],
        [6, 5, "slos[0].objectiv", 'unknown field "objectiv" in an SLO'],
      ],
    ],
    [
      "a wrong type",
      `labels: [a]\nslos:\n  - name: e\n    objective: 99.9${EVENTS}`,
      [[4, 9, "labels", "expected a mapping, got a list"]],
    ],
    [
      "an objective out of range",
      `slos:\n  - name: e\n    objective: 100.5${EVENTS}`,
      [
        [
          6,
          16,
          "slos[0].objective",
          "objective 100.5 is out of range: the percentage of good events must be above 0 and below 100",
        ],
      ],
    ],
    [
      "an objective not understood",
      `slos:\n  - name: e\n    objective: "about 99"${EVENTS}`,
      [[6, 16, "slos[0].objective", 'objective "about 99" is not understood']],
    ],
    [
      "a latency objective on an events SLI",
      `slos:\n  - name: e\n    objective: p95 < 500ms${EVENTS}`,
      [
        [
          6,
          16,
          "slos[0].objective",
          'objective "p95 < 500ms" is a latency quantile but the SLI is not latency',
        ],
      ],
    ],
    [
      "duplicate SLO names",
      `slos:\n  - name: e\n    objective: 99.9${EVENTS}\n  - name: e\n    objective: 99${EVENTS}`,
      [[11, 11, "slos[1].name", 'duplicate SLO name "e" (also slos[0])']],
    ],
    [
      "a PromQL error, placed inside the file",
      `slos:\n  - name: e\n    objective: 99.9\n    sli:\n      events:\n        errors: sum(rate(x[{{.window}}])) )\n        total: sum(rate(x[{{.window}}]))`,
      [[9, 43, "slos[0].sli.events.errors", 'query is not valid PromQL: syntax error at ")"']],
    ],
    [
      "a PromQL error inside a block scalar",
      `slos:\n  - name: e\n    objective: 99.9\n    sli:\n      events:\n        errors: sum(rate(x[{{.window}}]))\n        total: |\n          sum(\n            rate(x{job=}[{{.window}}])\n          )`,
      [[12, 24, "slos[0].sli.events.total", 'query is not valid PromQL: syntax error at "}"']],
    ],
    [
      "a missing window placeholder",
      `slos:\n  - name: e\n    objective: 99.9\n    sli:\n      events:\n        errors: sum(rate(x[5m]))\n        total: sum(rate(x[{{.window}}]))`,
      [[9, 17, "slos[0].sli.events.errors", "query has no {{.window}} placeholder"]],
    ],
    [
      "a latency threshold between buckets",
      `slos:\n  - name: l\n    objective: p95 < 300ms\n    sli:\n      latency:\n        histogram: h\n        buckets: [0.25, 0.5]`,
      [
        [
          6,
          16,
          "slos[0].objective",
          "latency threshold 0.3s is not a bucket boundary of h (buckets: 0.25, 0.5)",
        ],
      ],
    ],
    [
      "a latency SLI without threshold",
      `slos:\n  - name: l\n    objective: 95\n    sli:\n      latency:\n        histogram: h`,
      [[9, 9, "slos[0].sli.latency", "latency SLI has no threshold"]],
    ],
    [
      "an SLI with two types",
      `slos:\n  - name: e\n    objective: 99\n    sli:\n      errorRatio: x\n      probe: { metric: up }`,
      [[8, 7, "slos[0].sli", "sli has several types: errorRatio, probe"]],
    ],
    [
      "a bad label name in a selector",
      `slos:\n  - name: p\n    objective: 99\n    sli:\n      probe:\n        metric: probe_success\n        selector: { app-name: x }`,
      [[10, 21, "slos[0].sli.probe.selector.app-name", 'invalid label name "app-name"']],
    ],
    [
      "bad canary values",
      `slos:\n  - name: e\n    objective: 99.9${EVENTS}\n    canary:\n      alpha: 0.7\n      selection: { label: rollouts-pod-template-hash }\n      maxRegression: {}`,
      [
        [12, 14, "slos[0].canary.alpha", "alpha 0.7 is out of range"],
        [
          13,
          27,
          "slos[0].canary.selection.label",
          'invalid Prometheus label name "rollouts-pod-template-hash"',
        ],
        [14, 22, "slos[0].canary.maxRegression", "maxRegression sets neither relative nor absolutePoints"],
      ],
    ],
    [
      "a negative dispersion",
      `slos:\n  - name: e\n    objective: 99.9${EVENTS}\n    canary:\n      dispersion: -1`,
      [[12, 19, "slos[0].canary.dispersion", "dispersion -1 is out of range"]],
    ],
    [
      "a bad period",
      `period: 30 days\nslos:\n  - name: e\n    objective: 99.9${EVENTS}`,
      [[4, 9, "period", '"30 days" is not a duration']],
    ],
    ["an empty SLO list", "slos: []", [[4, 7, "slos", "slos is empty"]]],
    [
      "an invalid name",
      `slos:\n  - name: "my slo!"\n    objective: 99.9${EVENTS}`,
      [[5, 11, "slos[0].name", 'invalid SLO name "my slo!"']],
    ],
  ])("reports %s", (_what, body, expected) => {
    const r = parse(body);
    expect(r.problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual(expected);
    for (const p of r.problems) {
      expect(p.file).toBe("api.yaml");
      expect(p.hint).not.toBe("");
      expect(p.severity).toBe("error");
    }
  });

  it("refuses an SLO with a misspelt optional field instead of serving it with defaults", () => {
    const r = parse(`slos:\n  - name: e\n    objective: 99.9${EVENTS}\n    canray:\n      alpha: 0.01`);
    expect(r.slos).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual(['unknown field "canray" in an SLO']);
    expect(r.problems[0]?.hint).toMatch(/^did you mean "canary"\?/);
  });

  it("refuses every SLO of a service whose service-level settings have an error", () => {
    const r = parse(`canary:\n  alpha: 2\nslos:\n  - name: e\n    objective: 99.9${EVENTS}`);
    expect(r.services.map((s) => [s.service, s.slos.length])).toEqual([["api", 0]]);
    expect(r.problems.map((p) => p.path)).toEqual(["canary.alpha"]);
  });

  it("warns when {{.selector}} reaches only some of a query's selectors", () => {
    const r = parse(
      `slos:\n  - name: e\n    objective: 99.9\n    sli:\n      errorRatio: sum(rate(x{ {{.selector}} }[{{.window}}])) / sum(rate(y[{{.window}}]))`,
    );
    expect(r.slos).toHaveLength(1);
    expect(r.problems.map((p) => [p.severity, p.path, p.message])).toEqual([
      [
        "warning",
        "slos[0].sli.errorRatio",
        '{{.selector}} is missing from "y": those series are not restricted to the canary or stable arm',
      ],
    ]);
  });

  it("stops listing problems after 100 in a file", () => {
    const body = `slos:\n${"  - name: x\n    objective: 200\n".repeat(150)}`;
    const r = parse(body);
    expect(r.problems).toHaveLength(101);
    expect(r.problems[100]?.message).toBe("more than 100 problems in this file; the rest are not shown");
  });

  it("still converts the good SLOs of a file with a bad one", () => {
    const r = parse(
      `slos:\n  - name: good\n    objective: 99.9${EVENTS}\n  - name: bad\n    objective: 200${EVENTS}`,
    );
    expect(r.slos.map((s) => s.id)).toEqual(["api-good"]);
    expect(r.problems).toHaveLength(1);
  });
});

describe("slogate v1: ratio and threshold SLIs", () => {
  it("splits an error ratio of two event sums, notes it, and keeps the sequential judge", () => {
    const slo = only(
      `slos:\n  - name: s\n    objective: 99\n    sli:\n      errorRatio: sum(rate(x{c="5"}[{{.window}}])) / sum(rate(x[{{.window}}]))`,
    );
    expect(slo.sli).toMatchObject({ type: "events", bad: { text: 'sum(rate(x{c="5"}[{{.window}}]))' } });
    expect(slo.canary.judge).toBe("sequential");
    expect(slo.notes?.[0]).toContain("split into bad events");
  });

  it("judges an unsplittable error ratio with kayenta on at least 10 points by default", () => {
    const slo = only(
      "slos:\n  - name: s\n    objective: 99\n    sli:\n      errorRatio: 1 - avg(avg_over_time(up[{{.window}}]))",
    );
    expect(slo.sli.type).toBe("ratio");
    expect([slo.canary.judge, slo.canary.minRequests]).toEqual(["kayenta", 10]);
    expect(slo.notes).toBeUndefined();
  });

  it("refuses the sequential judge on an unsplittable error ratio", () => {
    const r = parseSloText(
      `${HEAD}slos:\n  - name: s\n    objective: 99\n    sli:\n      errorRatio: 1 - avg(avg_over_time(up[{{.window}}]))\n    canary:\n      judge: sequential\n`,
      "f.yaml",
    );
    expect(r.slos).toEqual([]);
    expect(r.problems.map((p) => [p.path, p.message])).toEqual([
      [
        "slos[0].canary.judge",
        "the sequential judge needs event counts, and this ratio query cannot be split into bad and total events",
      ],
    ]);
  });

  it("reads a threshold SLI with its step", () => {
    const slo = only(
      "slos:\n  - name: s\n    objective: 99\n    sli:\n      threshold:\n        query: max(lag)\n        op: gt\n        value: 0.5\n        step: 30s",
    );
    expect(slo.sli).toEqual({
      type: "threshold",
      query: { text: "max(lag)", hasWindow: false, hasSelector: false },
      op: "gt",
      value: 0.5,
      stepSeconds: 30,
    });
    expect(slo.canary.minRequests).toBe(10);
  });

  it.each([
    ["an unknown op", "op: above\n        value: 1", "slos[0].sli.threshold.op"],
    ["no op", "value: 1", "slos[0].sli.threshold.op"],
    ["no value", "op: lt", "slos[0].sli.threshold.value"],
    ["a step out of range", "op: lt\n        value: 1\n        step: 2h", "slos[0].sli.threshold.step"],
  ])("refuses a threshold SLI with %s", (_what, fields, path) => {
    const r = parseSloText(
      `${HEAD}slos:\n  - name: s\n    objective: 99\n    sli:\n      threshold:\n        query: max(lag)\n        ${fields}\n`,
      "f.yaml",
    );
    expect(r.slos).toEqual([]);
    expect(r.problems.map((p) => p.path)).toContain(path);
  });
});
