/**
 * OpenSLO v1 as users write it: counter and gauge ratios without {{.window}}, fixed ranges,
 * short time windows, names with '/', extra metricSource.spec keys, DataSource references and
 * Timeslices budgeting — each supported, or refused where the file says it.
 */
import { describe, expect, it } from "vitest";
import type { Slo } from "./model.ts";
import { parseSloDocuments, parseSloText } from "./parse-slo-documents.ts";

const SRC = (q: string, extra = ""): string =>
  `\n          metricSource:${extra}\n            type: Prometheus\n            spec:\n              query: '${q}'`;

function doc(o: {
  ratio: string;
  name?: string;
  service?: string;
  window?: string;
  budgeting?: string;
  objective?: string;
}): string {
  return [
    "apiVersion: openslo/v1",
    "kind: SLO",
    "metadata:",
    `  name: ${o.name ?? "web"}`,
    "spec:",
    `  service: ${o.service ?? "shop"}`,
    "  indicator:",
    "    metadata: { name: i }",
    "    spec:",
    "      ratioMetric:",
    o.ratio,
    ...(o.window === undefined
      ? []
      : ["  timeWindow:", `    - duration: ${o.window}`, "      isRolling: true"]),
    `  budgetingMethod: ${o.budgeting ?? "Occurrences"}`,
    "  objectives:",
    `    - ${o.objective ?? "target: 0.99"}`,
    "",
  ].join("\n");
}

const COUNTERS =
  "        counter: true\n" +
  `        good:${SRC('sum(http_requests{component="web",code=~"2.."})')}\n` +
  `        total:${SRC('sum(http_requests{component="web"})')}`;

function only(
  text: string,
  extra: { file: string; text: string }[] = [],
): { slo: Slo | undefined; problems: string[] } {
  const r = parseSloDocuments([{ file: "o.yaml", text }, ...extra]);
  return {
    slo: r.slos[0],
    problems: r.problems.map((p) => `${p.line}:${p.col} ${p.severity} ${p.path}: ${p.message}`),
  };
}

describe("counter and gauge ratios without {{.window}}", () => {
  it("reads counter: true instant queries as the rate of each counter: exact raw-counter reads", () => {
    const { slo, problems } = only(doc({ ratio: COUNTERS }));
    expect(problems).toEqual([]);
    expect(slo?.sli).toEqual({
      type: "events",
      good: {
        text: 'sum(rate(http_requests{component="web",code=~"2.."}[{{.window}}]))',
        hasWindow: true,
        hasSelector: false,
      },
      total: {
        text: 'sum(rate(http_requests{component="web"}[{{.window}}]))',
        hasWindow: true,
        hasSelector: false,
      },
    });
    expect(slo?.canary.judge).toBe("sequential");
    expect(slo?.notes).toEqual([
      'o.yaml:16:22: "sum(http_requests{component=\\"web\\",code=~\\"2..\\"})" is read as the rate of each counter over the window: "sum(rate(http_requests{component=\\"web\\",code=~\\"2..\\"}[{{.window}}]))"',
      'o.yaml:21:22: "sum(http_requests{component=\\"web\\"})" is read as the rate of each counter over the window: "sum(rate(http_requests{component=\\"web\\"}[{{.window}}]))"',
    ]);
  });

  it("turns a counter: false ratio into a per-step ratio of the gauges' window averages", () => {
    const ratio =
      "        counter: false\n" +
      `        bad:${SRC("sum(queue_jobs_stuck)")}\n` +
      `        total:${SRC("sum(queue_jobs)")}`;
    const { slo, problems } = only(doc({ ratio }));
    expect(problems).toEqual([]);
    expect(slo?.sli).toEqual({
      type: "ratio",
      badRatio: {
        text: "(sum(avg_over_time(queue_jobs_stuck[{{.window}}])))\n/\n(sum(avg_over_time(queue_jobs[{{.window}}])))",
        hasWindow: true,
        hasSelector: false,
      },
    });
    expect(slo?.canary.judge).toBe("kayenta");
    expect(slo?.notes?.at(-1)).toBe(
      "counter: false: the gauges' ratio has no event counts, so canaries are judged on its per-step values",
    );
  });

  it("refuses an instant counter query that is not a sum of counters, at the offending part", () => {
    const ratio =
      "        counter: true\n" +
      `        good:${SRC('max(http_requests{code="200"})')}\n` +
      `        total:${SRC("sum(http_requests)")}`;
    const { slo, problems } = only(doc({ ratio }));
    expect(slo).toBeUndefined();
    expect(problems).toEqual([
      '16:23 error spec.indicator.spec.ratioMetric.good.metricSource.spec.query: a counter query (counter: true) without a range must combine its series with sum, + and -; found the aggregation max() in "max(http_requests{code=\\"200\\"})"',
    ]);
  });

  it("refuses an instant query when ratioMetric does not say whether it is a counter", () => {
    const ratio = `        good:${SRC("sum(a)")}\n        total:${SRC("sum(b)")}`;
    const { problems } = only(doc({ ratio }));
    expect(problems).toEqual([
      "15:22 error spec.indicator.spec.ratioMetric.good.metricSource.spec.query: query has no range and ratioMetric has no counter field",
      "20:22 error spec.indicator.spec.ratioMetric.total.metricSource.spec.query: query has no range and ratioMetric has no counter field",
    ]);
  });
});

describe("fixed ranges", () => {
  it("rewrites rate(x[5m]) to the window slogate needs, warning at the range itself", () => {
    const ratio =
      "        counter: true\n" +
      `        bad:${SRC('sum(rate(http_requests{code=~"5.."}[5m]))')}\n` +
      `        total:${SRC("sum(rate(http_requests[1m]))")}`;
    const { slo, problems } = only(doc({ ratio }));
    expect(problems).toEqual([
      "16:59 warning spec.indicator.spec.ratioMetric.bad.metricSource.spec.query: the fixed range [5m] is rewritten to [{{.window}}]",
      "21:46 warning spec.indicator.spec.ratioMetric.total.metricSource.spec.query: the fixed range [1m] is rewritten to [{{.window}}]",
    ]);
    expect(slo?.sli.type === "events" && [slo.sli.bad?.text, slo.sli.total.text]).toEqual([
      'sum(rate(http_requests{code=~"5.."}[{{.window}}]))',
      "sum(rate(http_requests[{{.window}}]))",
    ]);
    expect(slo?.notes).toEqual([
      "o.yaml:16:59: the fixed range [5m] is rewritten to [{{.window}}]",
      "o.yaml:21:46: the fixed range [1m] is rewritten to [{{.window}}]",
    ]);
  });

  it("splits a raw ratio with fixed ranges into exact event queries", () => {
    const ratio = `        rawType: failure\n        raw:${SRC("sum(rate(e[5m])) / sum(rate(t[5m]))")}`;
    const { slo, problems } = only(doc({ ratio }));
    expect(problems.every((p) => p.includes("warning"))).toBe(true);
    expect(slo?.sli).toEqual({
      type: "events",
      bad: { text: "sum(rate(e[{{.window}}]))", hasWindow: true, hasSelector: false },
      total: { text: "sum(rate(t[{{.window}}]))", hasWindow: true, hasSelector: false },
    });
  });

  it("keeps a ratio recorded as a metric as its average over the window", () => {
    const ratio = `        rawType: failure\n        raw:${SRC('job:errors:ratio{job="web"}')}`;
    const { slo, problems } = only(doc({ ratio }));
    expect(problems).toEqual([]);
    expect(slo?.sli).toEqual({
      type: "ratio",
      badRatio: {
        text: 'avg_over_time(job:errors:ratio{job="web"}[{{.window}}])',
        hasWindow: true,
        hasSelector: false,
      },
    });
  });
});

describe("time windows, names and metricSource.spec", () => {
  it.each([
    ["1h", 3600, true],
    ["5m", 300, true],
    ["1d", 86400, false],
  ])("accepts a %s time window", (window, seconds, noted) => {
    const { slo, problems } = only(doc({ ratio: COUNTERS, window }));
    expect(problems).toEqual([]);
    expect(slo?.periodSeconds).toBe(seconds);
    expect(slo?.notes?.some((n) => n.includes("shorter than a day"))).toBe(noted);
  });

  it("refuses a window under 5 minutes, naming the minute/month trap", () => {
    const { slo, problems } = only(doc({ ratio: COUNTERS, window: "1m" }));
    expect(slo).toBeUndefined();
    expect(problems).toEqual(["23:17 error spec.timeWindow[0].duration: time window 1m is out of range"]);
  });

  it("serves a name with '/' under an id without it, keeping the name as written for display", () => {
    const { slo, problems } = only(doc({ ratio: COUNTERS, name: "web/checkout|v2", service: "team-a/shop" }));
    expect(problems).toEqual([]);
    expect([slo?.id, slo?.service, slo?.name, slo?.displayName]).toEqual([
      "team-a-shop-web-checkout-v2",
      "team-a-shop",
      "web-checkout-v2",
      "web/checkout|v2",
    ]);
    expect(slo?.notes?.slice(0, 2)).toEqual([
      `the name "web/checkout|v2" is served as "web-checkout-v2" (ids and rule names allow no '/', '|' or '\\')`,
      `the name "team-a/shop" is served as "team-a-shop" (ids and rule names allow no '/', '|' or '\\')`,
    ]);
  });

  it("reports two names that become one id", () => {
    const a = doc({ ratio: COUNTERS, name: "web/a" });
    const r = parseSloDocuments([
      { file: "a.yaml", text: a },
      { file: "b.yaml", text: doc({ ratio: COUNTERS, name: "web-a" }) },
    ]);
    expect(r.slos).toHaveLength(1);
    expect(r.problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.message}`)).toEqual([
      'b.yaml:1:1 duplicate SLO id "shop-web-a" (also at a.yaml:1:1)',
    ]);
  });

  it("accepts extra keys under metricSource.spec, warning that slogate does not use them", () => {
    const ratio =
      "        counter: true\n" +
      `        good:${SRC("sum(a)")}\n              region: eu-west-1\n` +
      `        total:${SRC("sum(b)")}`;
    const { slo, problems } = only(doc({ ratio }));
    expect(slo).toBeDefined();
    expect(problems).toEqual([
      "17:15 warning spec.indicator.spec.ratioMetric.good.metricSource.spec.region: metricSource.spec.region is not used: a Prometheus source needs only spec.query",
    ]);
  });
});

describe("metricSourceRef and DataSource objects", () => {
  const DS = (connection: string, name = "prom", type = "Prometheus"): { file: string; text: string } => ({
    file: "ds.yaml",
    text: `apiVersion: openslo/v1\nkind: DataSource\nmetadata:\n  name: ${name}\nspec:\n  type: ${type}\n  connectionDetails:\n${connection}`,
  });
  const REF = (ref: string, ref2 = ref): string =>
    "        counter: true\n" +
    `        good:\n          metricSource:\n            metricSourceRef: ${ref}\n            spec:\n              query: sum(a)\n` +
    `        total:\n          metricSource:\n            metricSourceRef: ${ref2}\n            spec:\n              query: sum(b)`;

  it.each([
    [
      "a mapping",
      "    url: https://prom.example:9090\n    headers:\n      Authorization: Bearer x\n      X-Scope-OrgID: 7\n",
    ],
    [
      "the spec example's list of one-key mappings",
      "    - url: https://prom.example:9090\n    - headers: { Authorization: Bearer x, X-Scope-OrgID: 7 }\n",
    ],
  ])("resolves a DataSource written as %s, taking its type", (_what, connection) => {
    const { slo, problems } = only(doc({ ratio: REF("prom") }), [DS(connection)]);
    expect(problems).toEqual([]);
    expect(slo?.dataSource).toEqual({
      name: "prom",
      type: "Prometheus",
      url: "https://prom.example:9090",
      headers: { Authorization: "Bearer x", "X-Scope-OrgID": "7" },
    });
    expect(slo?.notes?.at(-1)).toBe(
      'DataSource "prom" (https://prom.example:9090): slogate serve reads this SLO from that backend (backends.prom in the service config sets its URL, auth and TLS)',
    );
  });

  it("refuses an unresolved reference where it is written", () => {
    const { slo, problems } = only(doc({ ratio: REF("nowhere") }), [DS("    url: http://p:9090\n")]);
    expect(slo).toBeUndefined();
    expect(problems).toEqual([
      '14:30 error spec.indicator.spec.ratioMetric.good.metricSource.metricSourceRef: metricSourceRef "nowhere" names no DataSource in the files read',
      '19:30 error spec.indicator.spec.ratioMetric.total.metricSource.metricSourceRef: metricSourceRef "nowhere" names no DataSource in the files read',
    ]);
  });

  it("refuses a reference to a DataSource of another type, and parts naming different DataSources", () => {
    const other = only(doc({ ratio: REF("dd") }), [DS("    apiKey: k\n", "dd", "Datadog")]);
    expect(other.problems[0]).toBe(
      '14:30 error spec.indicator.spec.ratioMetric.good.metricSource.metricSourceRef: metricSource type "Datadog" is not supported: slogate reads Prometheus only',
    );
    const two = `${DS("    url: http://a:9090\n", "a").text}---\n${DS("    url: http://b:9090\n", "b").text}`;
    const mixed = only(doc({ ratio: REF("a", "b") }), [{ file: "ds.yaml", text: two }]);
    expect(mixed.slo).toBeUndefined();
    expect(mixed.problems).toEqual([
      "11:9 error spec.indicator.spec.ratioMetric: the parts of ratioMetric name different DataSources",
    ]);
  });

  it("warns about connection details it does not use, and refuses a URL that is not http(s)", () => {
    const { problems } = only(doc({ ratio: REF("prom") }), [DS("    url: http://p:9090\n    token: abc\n")]);
    expect(problems).toEqual(
      [
        "ds.yaml 9:5 warning spec.connectionDetails.token: connectionDetails.token is not used: slogate reads url and headers of a Prometheus DataSource",
      ].map((p) => p.replace("ds.yaml ", "")),
    );
    const bad = only(doc({ ratio: REF("prom") }), [DS("    url: prom:9090\n")]);
    expect(bad.slo).toBeUndefined();
    expect(bad.problems).toEqual([
      '8:10 error spec.connectionDetails.url: url "prom:9090" is not an http(s) URL',
    ]);
  });
});

describe("Timeslices budgeting", () => {
  it.each([
    [
      "Timeslices",
      "target: 0.995\n      timeSliceTarget: 0.95\n      timeSliceWindow: 1m",
      { method: "Timeslices", sliceSeconds: 60, sliceTargetPercent: 95 },
    ],
    [
      "Timeslices",
      "target: 0.99\n      timeSliceTarget: 0.9\n      timeSliceWindow: 5",
      { method: "Timeslices", sliceSeconds: 300, sliceTargetPercent: 90 },
    ],
    [
      "RatioTimeslices",
      "target: 0.99\n      timeSliceWindow: 2h",
      { method: "RatioTimeslices", sliceSeconds: 7200 },
    ],
  ])("carries %s budgeting (%s)", (budgeting, objective, expected) => {
    const { slo, problems } = only(doc({ ratio: COUNTERS, budgeting, objective }));
    expect(problems).toEqual([]);
    expect(slo?.budgeting).toEqual(expected);
    expect(slo?.objectivePercent).toBe(objective.startsWith("target: 0.995") ? 99.5 : 99);
  });

  it.each([
    [
      "no timeSliceWindow",
      "target: 0.99\n      timeSliceTarget: 0.9",
      '27:7 error spec.objectives[0].timeSliceWindow: missing required field "timeSliceWindow"',
    ],
    [
      "no timeSliceTarget",
      "target: 0.99\n      timeSliceWindow: 1m",
      '27:7 error spec.objectives[0].timeSliceTarget: missing required field "timeSliceTarget"',
    ],
    [
      "a slice of zero minutes",
      "target: 0.99\n      timeSliceTarget: 0.9\n      timeSliceWindow: 0",
      "29:24 error spec.objectives[0].timeSliceWindow: timeSliceWindow 0 is not a duration",
    ],
    [
      "a slice longer than the period",
      "target: 0.99\n      timeSliceTarget: 0.9\n      timeSliceWindow: 1d",
      "29:24 error spec.objectives[0].timeSliceWindow: timeSliceWindow 1d is out of range",
    ],
    [
      "a slice target of 1",
      "target: 0.99\n      timeSliceTarget: 1\n      timeSliceWindow: 1m",
      "28:24 error spec.objectives[0].timeSliceTarget: timeSliceTarget 1 is out of range",
    ],
  ])("refuses Timeslices with %s", (_what, objective, problem) => {
    const { slo, problems } = only(
      doc({ ratio: COUNTERS, budgeting: "Timeslices", objective, window: "1h" }),
    );
    expect(slo).toBeUndefined();
    expect(problems).toEqual([problem]);
  });

  it("warns about slice fields under Occurrences", () => {
    const r = parseSloText(
      doc({ ratio: COUNTERS, objective: "target: 0.99\n      timeSliceWindow: 1m" }),
      "o.yaml",
    );
    expect(r.slos[0]?.budgeting).toBeUndefined();
    expect(r.problems.map((p) => [p.severity, p.message])).toEqual([
      ["warning", "timeSliceWindow is not used with budgetingMethod Occurrences"],
    ]);
  });
});

describe("constructs slogate does not use", () => {
  it("warns about alert policies and a ratio objective's value, at the key", () => {
    const text = doc({ ratio: COUNTERS, objective: "target: 0.99\n      op: gt\n      value: 3" }).replace(
      "  objectives:",
      "  alertPolicies:\n    - fast-burn\n  objectives:",
    );
    const { slo, problems } = only(text);
    expect(slo).toBeDefined();
    expect(problems).toEqual([
      "23:3 warning spec.alertPolicies: alertPolicies are not used: slogate generates multi-window burn-rate alerts for every SLO",
      "28:7 warning spec.objectives[0].value: value is not used: op and value compare a thresholdMetric, and this SLI is a ratioMetric",
    ]);
  });
});
