import { describe, expect, it } from "vitest";
import { analyzeCounterQuery } from "./counter-query.ts";

describe("counter query recognition", () => {
  it.each([
    ['sum(rate(http_requests_total{code=~"5.."}[5m]))', ['http_requests_total{code=~"5.."}']],
    ["increase(a[1h])", ["a"]],
    ['sum by (x) (increase(a{b="c"}[1h]))', ['a{b="c"}']],
    ["sum without (pod) (rate(a[5m]))", ["a"]],
    ["(sum(rate(a[5m])) + sum(rate(b[5m])))", ["a", "b"]],
    ["sum(sum by (x) (rate(a[5m])))", ["a"]],
  ])("reads %s exactly from its selectors", (q, selectors) => {
    expect(analyzeCounterQuery(q)).toEqual({ kind: "counters", selectors });
  });

  it.each([
    ["sum(rate(a[5m])) * 60", true],
    ["sum(rate(a[5m] offset 1m))", true],
    ["sum(rate(a[5m:1m]))", true],
    ["sum(rate(a[5m] @ 100))", true],
    ["avg(rate(a[5m]))", true],
    ["sum(irate(a[5m]))", true],
    ["sum(increase(a[5m])) - sum(increase(b[5m]))", false],
    ["a + on(x) b", false],
    ["sum(a)", false],
    ["sum(rate(a[5m]", true],
  ])("treats %s as another query (per second: %s)", (q, perSecond) => {
    expect(analyzeCounterQuery(q)).toEqual({ kind: "other", perSecond });
  });
});
