import { describe, expect, it } from "vitest";
import { parseSloDocuments, parseSloText } from "./parse-slo-documents.ts";

const SOURCE = (q: string): string =>
  `\n          metricSource:\n            type: Prometheus\n            spec:\n              query: ${q}`;
const GOOD = SOURCE('sum(rate(http_requests_total{code!~"5.."}[{{.window}}]))');
const TOTAL = SOURCE("sum(rate(http_requests_total[{{.window}}]))");

function slo(spec: string): string {
  return `apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: web\nspec:\n  service: shop\n${spec}`;
}
const INLINE = (ratio: string): string =>
  `  indicator:\n    metadata: { name: i }\n    spec:\n      ratioMetric:\n${ratio}`;
const OBJ = (o: string): string => `  objectives:\n    - ${o}\n`;

describe("OpenSLO v1 import", () => {
  it.each([
    ["good and total", `        good:${GOOD}\n        total:${TOTAL}\n`, "availability", ["good", "total"]],
    ["bad and total", `        bad:${GOOD}\n        total:${TOTAL}\n`, "error-rate", ["bad", "total"]],
    ["a raw failure ratio", `        rawType: failure\n        raw:${TOTAL}\n`, "error-rate", ["badRatio"]],
  ])("converts a ratioMetric with %s", (_what, ratio, kind, parts) => {
    const r = parseSloText(slo(INLINE(ratio) + OBJ("target: 0.999")), "o.yaml");
    expect(r.problems).toEqual([]);
    const s = r.slos[0];
    expect([s?.id, s?.kind, s?.objectivePercent, s?.source.format]).toEqual([
      "shop-web",
      kind,
      99.9,
      "openslo/v1",
    ]);
    expect(Object.keys(s?.sli ?? {}).filter((k) => k !== "type")).toEqual(parts);
  });

  it("wraps a raw success ratio as 1 - (query)", () => {
    const r = parseSloText(
      slo(
        INLINE(`        rawType: success\n        raw:${SOURCE("avg_over_time(x[{{.window}}])")}\n`) +
          OBJ("targetPercent: 95"),
      ),
      "o.yaml",
    );
    expect(r.slos[0]?.sli).toEqual({
      type: "ratio",
      badRatio: { text: "1 - (avg_over_time(x[{{.window}}]))", hasWindow: true, hasSelector: false },
    });
  });

  it("turns several objectives into one SLO each", () => {
    const r = parseSloText(
      slo(
        INLINE(`        good:${GOOD}\n        total:${TOTAL}\n`) +
          "  objectives:\n    - displayName: Internal goal\n      target: 0.9995\n    - target: 0.999\n",
      ),
      "o.yaml",
    );
    expect(r.slos.map((s) => [s.id, s.objectivePercent])).toEqual([
      ["shop-web-internal-goal", 99.95],
      ["shop-web-2", 99.9],
    ]);
  });

  it("reads the period from a rolling time window", () => {
    const r = parseSloText(
      slo(
        INLINE(`        good:${GOOD}\n        total:${TOTAL}\n`) +
          "  timeWindow:\n    - duration: 1M\n      isRolling: true\n" +
          OBJ("target: 0.99"),
      ),
      "o.yaml",
    );
    expect(r.slos[0]?.periodSeconds).toBe(30 * 86400);
  });

  it.each([
    [
      "an objective over 1",
      INLINE(`        good:${GOOD}\n        total:${TOTAL}\n`) + OBJ("target: 99.9"),
      [[22, 15, "spec.objectives[0].target", "target 99.9 is out of range"]],
    ],
    [
      "an objective with neither target nor targetPercent",
      INLINE(`        good:${GOOD}\n        total:${TOTAL}\n`) + OBJ("op: gt"),
      [[22, 7, "spec.objectives[0]", "objective has neither target nor targetPercent"]],
    ],
    [
      "both good and bad",
      INLINE(`        good:${GOOD}\n        bad:${GOOD}\n        total:${TOTAL}\n`) + OBJ("target: 0.99"),
      [[11, 9, "spec.indicator.spec.ratioMetric", "ratioMetric has both good and bad"]],
    ],
    [
      "a missing total",
      INLINE(`        good:${GOOD}\n`) + OBJ("target: 0.99"),
      [[11, 9, "spec.indicator.spec.ratioMetric.total", 'missing required field "total"']],
    ],
    [
      "a bad rawType",
      INLINE(`        rawType: ratio\n        raw:${TOTAL}\n`) + OBJ("target: 0.99"),
      [[11, 18, "spec.indicator.spec.ratioMetric.rawType", 'rawType "ratio" is not success or failure']],
    ],
    [
      "an unknown budgeting method",
      INLINE(`        good:${GOOD}\n        total:${TOTAL}\n`) +
        "  budgetingMethod: Events\n" +
        OBJ("target: 0.99"),
      [[21, 20, "spec.budgetingMethod", 'unknown budgetingMethod "Events"']],
    ],
    [
      "both indicator and indicatorRef",
      INLINE(`        good:${GOOD}\n        total:${TOTAL}\n`) + "  indicatorRef: x\n" + OBJ("target: 0.99"),
      [[6, 3, "spec", "SLO has both indicator and indicatorRef"]],
    ],
    [
      "an unknown indicatorRef",
      "  indicatorRef: nowhere\n" + OBJ("target: 0.99"),
      [[7, 17, "spec.indicatorRef", 'indicatorRef "nowhere" names no SLI in the files read']],
    ],
    [
      "a composite objective",
      "  indicatorRef: nowhere\n  objectives:\n    - target: 0.99\n      indicatorRef: other\n",
      [
        [7, 17, "spec.indicatorRef", 'indicatorRef "nowhere" names no SLI in the files read'],
        [9, 7, "spec.objectives[0]", "composite SLOs (an indicator per objective) cannot be converted"],
      ],
    ],
    [
      "two time windows",
      INLINE(`        good:${GOOD}\n        total:${TOTAL}\n`) +
        "  timeWindow:\n    - duration: 28d\n    - duration: 7d\n" +
        OBJ("target: 0.99"),
      [[22, 5, "spec.timeWindow", "timeWindow has 2 entries"]],
    ],
  ])("reports %s", (_what, spec, expected) => {
    const r = parseSloText(slo(spec), "o.yaml");
    expect(
      r.problems.filter((p) => p.severity === "error").map((p) => [p.line, p.col, p.path, p.message]),
    ).toEqual(expected);
    expect(r.slos).toEqual([]);
  });

  it("reports an unknown kind and a duplicate SLI name across files", () => {
    const sli =
      "apiVersion: openslo/v1\nkind: SLI\nmetadata:\n  name: x\nspec:\n  ratioMetric:\n    rawType: failure\n    raw:\n      metricSource:\n        type: Prometheus\n        spec:\n          query: avg_over_time(x[{{.window}}])\n";
    const r = parseSloDocuments([
      { file: "a.yaml", text: sli },
      { file: "b.yaml", text: `${sli}---\napiVersion: openslo/v1\nkind: Budget\n` },
    ]);
    expect(r.problems.map((p) => [p.file, p.line, p.col, p.message])).toEqual([
      ["b.yaml", 4, 9, 'duplicate SLI name "x" (also at a.yaml:1:1)'],
      ["b.yaml", 15, 7, 'unknown OpenSLO kind "Budget"'],
    ]);
  });

  it("refuses a list of documents that are not OpenSLO", () => {
    const r = parseSloText("- apiVersion: slogate.dev/v1\n  kind: ServiceLevels\n", "l.yaml");
    expect(r.problems.map((p) => [p.line, p.col, p.message])).toEqual([
      [1, 3, "a list of documents is only read for OpenSLO v1 objects"],
    ]);
  });
});

describe("OpenSLO v1alpha import (Sloth's OpenSLO input)", () => {
  const V1ALPHA = (objective: string, window = "    - count: 30\n      unit: Day\n"): string =>
    `apiVersion: openslo/v1alpha\nkind: SLO\nmetadata:\n  name: req\nspec:\n  service: api\n  budgetingMethod: Occurrences\n  objectives:\n${objective}  timeWindows:\n${window}`;
  const RATIO = (source = "prometheus"): string =>
    `    - ratioMetrics:\n        good:\n          source: ${source}\n          queryType: promql\n          query: sum(rate(x{code!~"5.."}[{{.window}}]))\n        total:\n          source: prometheus\n          queryType: promql\n          query: sum(rate(x[{{.window}}]))\n      target: 0.995\n`;

  it("converts like Sloth: <name>-<index>, alerts off, period from the window", () => {
    const r = parseSloText(V1ALPHA(RATIO(), "    - count: 4\n      unit: Week\n"), "a.yaml");
    expect(r.problems).toEqual([]);
    const s = r.slos[0];
    expect([
      s?.id,
      s?.objectivePercent,
      s?.periodSeconds,
      s?.alerting.page.enabled,
      s?.source.format,
    ]).toEqual(["api-req-0", 99.5, 28 * 86400, false, "openslo/v1alpha"]);
  });

  it.each([
    [
      "a non-Prometheus source",
      V1ALPHA(RATIO("datadog")),
      [
        [
          11,
          19,
          "spec.objectives[0].ratioMetrics.good.source",
          'source "datadog" is not supported: slogate reads Prometheus only',
        ],
      ],
    ],
    [
      "a time window under a day",
      V1ALPHA(RATIO(), "    - count: 30\n      unit: Minute\n"),
      [[20, 7, "spec.timeWindows[0]", "time window of 30 Minute is out of range"]],
    ],
    [
      "an unknown time unit",
      V1ALPHA(RATIO(), "    - count: 30\n      unit: Fortnight\n"),
      [[21, 13, "spec.timeWindows[0].unit", 'unknown time unit "Fortnight"']],
    ],
  ])("reports %s", (_what, text, expected) => {
    const r = parseSloText(text, "a.yaml");
    expect(r.problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual(expected);
    expect(r.slos).toEqual([]);
  });
});
