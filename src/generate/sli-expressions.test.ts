import { describe, expect, it } from "vitest";
import { parseQueryTemplate } from "../promql/placeholders.ts";
import type { Sli } from "../slo/model.ts";
import { buildSliExpression, leMatcher } from "./sli-expressions.ts";

const arm = [{ name: "rollouts_pod_template_hash", op: "=" as const, value: "abc" }];

describe("SLI expressions", () => {
  it.each([
    [1, "1(\\.0+)?"],
    [10, "10(\\.0+)?"],
    [0.5, "0\\.50*"],
    [0.25, "0\\.250*"],
    [2.5, "2\\.50*"],
  ])('a %s s latency threshold matches le=~%s (le="1" and le="1.0" alike)', (t, re) => {
    expect(leMatcher(t)).toEqual({ name: "le", op: "=~", value: re });
    const m = new RegExp(`^(?:${re})$`);
    expect(m.test(String(t))).toBe(true);
    expect(m.test(Number.isInteger(t) ? `${t}.0` : `${t}0`)).toBe(true);
    expect(m.test(`${t}1`)).toBe(false);
  });

  const cases: [string, Sli, string, string][] = [
    [
      "an events SLI renders its templates with the window",
      {
        type: "events",
        bad: parseQueryTemplate('sum(rate(x{code="500"}[{{.window}}]))'),
        total: parseQueryTemplate("sum(rate(x[{{.window}}]))"),
      },
      'sum(rate(x{code="500"}[1h]))',
      "sum(rate(x[1h]))",
    ],
    [
      "an events SLI with only good events counts bad as total minus good",
      {
        type: "events",
        good: parseQueryTemplate('sum(rate(x{code="200"}[{{.window}}]))'),
        total: parseQueryTemplate("sum(rate(x[{{.window}}]))"),
      },
      '(sum(rate(x[1h]))) - (sum(rate(x{code="200"}[1h])))',
      "sum(rate(x[1h]))",
    ],
    [
      "a latency SLI counts requests above the threshold bucket from _count and _bucket",
      {
        type: "latency",
        metric: "h",
        matchers: [{ name: "job", op: "=", value: "api" }],
        thresholdSeconds: 1,
      },
      '(sum(rate(h_count{job="api"}[1h])) - sum(rate(h_bucket{job="api",le=~"1(\\\\.0+)?"}[1h])))',
      'sum(rate(h_count{job="api"}[1h]))',
    ],
    [
      "a probe SLI counts failed samples",
      { type: "probe", metric: "probe_success", matchers: [{ name: "job", op: "=", value: "bb" }] },
      '(sum(count_over_time(probe_success{job="bb"}[1h])) - sum(sum_over_time(probe_success{job="bb"}[1h])))',
      'sum(count_over_time(probe_success{job="bb"}[1h]))',
    ],
  ];
  it.each(cases)("%s", (_name, sli, bad, total) => {
    expect(buildSliExpression(sli, "1h")).toEqual({ type: "events", bad, total });
  });

  it("an arm's matcher reaches every selector, replacing the SLI's own matcher on that label", () => {
    const e = buildSliExpression(
      {
        type: "latency",
        metric: "h",
        matchers: [{ name: "rollouts_pod_template_hash", op: "=~", value: ".*" }],
        thresholdSeconds: 0.5,
      },
      "5m",
      arm,
    );
    expect(e.type === "events" && e.total).toBe('sum(rate(h_count{rollouts_pod_template_hash="abc"}[5m]))');
  });

  it("a ratio SLI has only a bad ratio", () => {
    expect(
      buildSliExpression(
        { type: "ratio", badRatio: parseQueryTemplate("1 - avg_over_time(up[{{.window}}])") },
        "2h",
      ),
    ).toEqual({
      type: "ratio",
      badRatio: "1 - avg_over_time(up[2h])",
    });
  });

  it("an events SLI with neither bad nor good is SLO_INVALID", () => {
    expect(() =>
      buildSliExpression({ type: "events", total: parseQueryTemplate("sum(rate(x[{{.window}}]))") }, "5m"),
    ).toThrow(expect.objectContaining({ code: "SLO_INVALID" }));
  });
});

describe("threshold SLI expressions", () => {
  it.each([
    ["lt", ">="],
    ["lte", ">"],
    ["gt", "<="],
    ["gte", "<"],
  ] as const)(
    "a good point satisfies %s, so a bad point is %s, counted per evaluation and per window",
    (op, bad) => {
      const sli: Sli = {
        type: "threshold",
        query: parseQueryTemplate("max(max_over_time(lag[{{.window}}]))"),
        op,
        value: 1000,
        stepSeconds: 30,
      };
      expect(buildSliExpression(sli, "5m", arm)).toEqual({
        type: "threshold",
        bad: `sum((max(max_over_time(lag{rollouts_pod_template_hash="abc"}[30s]))) ${bad} bool 1000)`,
        total: 'count(max(max_over_time(lag{rollouts_pod_template_hash="abc"}[30s])))',
        badRatio: `sum(sum_over_time(((max(max_over_time(lag{rollouts_pod_template_hash="abc"}[30s]))) ${bad} bool 1000)[5m:30s]))\n/\nsum(count_over_time((max(max_over_time(lag{rollouts_pod_template_hash="abc"}[30s])))[5m:30s]))`,
      });
    },
  );
});
