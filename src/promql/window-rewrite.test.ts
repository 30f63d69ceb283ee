import { describe, expect, it } from "vitest";
import { analyzeCounterQuery } from "./counter-query.ts";
import { hasRangeSelection, rewriteFixedRanges, wrapInstantSelectors } from "./window-rewrite.ts";
import { renderQuery } from "./template.ts";
import { parseQueryTemplate } from "./placeholders.ts";

describe("rewriteFixedRanges", () => {
  it.each([
    ["sum(rate(x[5m]))", "sum(rate(x[{{.window}}]))", [[11, "5m"]]],
    [
      'sum(rate(a{code=~"5.."}[1m])) / sum(rate(a[ 2h ]))',
      'sum(rate(a{code=~"5.."}[{{.window}}])) / sum(rate(a[ {{.window}} ]))',
      [
        [24, "1m"],
        [44, "2h"],
      ],
    ],
    ["max_over_time(rate(x[5m])[1h:1m])", "max_over_time(rate(x[5m])[{{.window}}:1m])", [[26, "1h"]]],
    ["sum(x)", "sum(x)", []],
    ["sum(rate(x{ {{.selector}} }[5m]))", "sum(rate(x{ {{.selector}} }[{{.window}}]))", [[28, "5m"]]],
  ])("%s becomes %s", (q, want, rewrites) => {
    const got = rewriteFixedRanges(q);
    expect(got.text).toBe(want);
    expect(got.rewrites.map((r) => [r.offset, r.was])).toEqual(rewrites);
    for (const r of got.rewrites) expect(q.slice(r.offset, r.offset + r.was.length)).toBe(r.was);
  });

  it("tells range selections from instant queries", () => {
    expect(hasRangeSelection("sum(rate(x[5m]))")).toBe(true);
    expect(hasRangeSelection("sum(x{a='b'}) + y")).toBe(false);
  });
});

describe("wrapInstantSelectors", () => {
  it.each([
    [
      'sum(http_requests{k8s_cluster="prod",component="web"})',
      'sum(rate(http_requests{k8s_cluster="prod",component="web"}[{{.window}}]))',
    ],
    ['localhost_server_requests{code="total"}', 'rate(localhost_server_requests{code="total"}[{{.window}}])'],
    [
      "sum by (code) (a) - sum(b) * 2",
      "sum by (code) (rate(a[{{.window}}])) - sum(rate(b[{{.window}}])) * 2",
    ],
    ["(sum(a) + sum(b)) / 60", "(sum(rate(a[{{.window}}])) + sum(rate(b[{{.window}}]))) / 60"],
    ["sum(a{ {{.selector}} })", "sum(rate(a{ {{.selector}} }[{{.window}}]))"],
  ])("%s becomes %s", (q, want) => {
    expect(wrapInstantSelectors(q, "rate")).toEqual({ ok: true, text: want });
  });

  it("wraps gauges in avg_over_time", () => {
    expect(wrapInstantSelectors("sum(queue_depth)", "avg_over_time")).toEqual({
      ok: true,
      text: "sum(avg_over_time(queue_depth[{{.window}}]))",
    });
  });

  it.each([
    ["max(a)", 0, 'the aggregation max() in "max(a)"'],
    ["sum(a) / sum(b)", 0, 'the operator / in "sum(a) / sum(b)"'],
    ["sum(a) + abs(b)", 9, 'the function abs() in "abs(b)"'],
    ["sum(a > 3)", 4, 'the operator > in "a > 3"'],
  ])("refuses %s at offset %i", (q, offset, message) => {
    expect(wrapInstantSelectors(q, "rate")).toEqual({ ok: false, offset, message });
  });

  it("gives the form the reader counts exactly, with the arm's matchers injected", () => {
    const w = wrapInstantSelectors('sum(http_requests{component="web"})', "rate");
    if (!w.ok) throw new Error(w.message);
    const rendered = renderQuery(parseQueryTemplate(w.text), {
      window: "5m",
      selector: [{ name: "pod_template_hash", op: "=", value: "abc" }],
    });
    expect(rendered).toBe('sum(rate(http_requests{component="web",pod_template_hash="abc"}[5m]))');
    expect(analyzeCounterQuery(rendered)).toEqual({
      kind: "counters",
      selectors: ['http_requests{component="web",pod_template_hash="abc"}'],
    });
    // Negative control: the query as written is not a counter form.
    expect(analyzeCounterQuery('sum(http_requests{component="web"})').kind).toBe("other");
  });
});
