import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { parseVerdictQuery, unquotePromqlString } from "./verdict-query.ts";

function refusal(q: string): string {
  try {
    parseVerdictQuery(q);
  } catch (e) {
    if (isSlogateError(e) && e.code === "BAD_REQUEST") return e.message;
    throw e;
  }
  throw new Error(`accepted ${q}`);
}

describe("parseVerdictQuery", () => {
  it.each([
    ["vector(1)", 1],
    [" vector( 1 ) ", 1],
    ["vector(0.5)", 0.5],
  ])("answers %s with the number %s", (q, v) => {
    expect(parseVerdictQuery(q)).toEqual({ kind: "constant", value: v });
  });

  it("reads a Flagger query after its template variables were rendered and whitespace collapsed", () => {
    expect(
      parseVerdictQuery(
        `slogate_verdict{slo="pay-errors,pay-latency", target="payments", namespace='shop', interval="1m"}`,
      ),
    ).toEqual({
      kind: "verdict",
      labels: { slo: "pay-errors,pay-latency", target: "payments", namespace: "shop", interval: "1m" },
    });
  });

  it("reads the metric name given as __name__ and explicit arms", () => {
    expect(
      parseVerdictQuery(`{__name__="slogate_verdict", service="checkout", canary="abc", stable="def"}`),
    ).toEqual({
      kind: "verdict",
      labels: { service: "checkout", canary: "abc", stable: "def" },
    });
  });

  it.each([
    ["up", "metric up is not served"],
    ['slogate_verdict{slo=~"a", target="b"}', "only equality matchers"],
    ['slogate_verdict{slo!="a", target="b"}', "only equality matchers"],
    ['slogate_verdict{slo="a", target="b", pod="c"}', "label pod is not one of"],
    ['slogate_verdict{slo="a", slo="b", target="c"}', "matched twice"],
    ['slogate_verdict{target="b"}', 'needs slo="…" or service="…"'],
    ['slogate_verdict{slo="a"}', "needs target="],
    ['slogate_verdict{slo="a", canary="x"}', "needs target="],
    ['slogate_verdict{slo="a", target="b"} > 0', "BinaryExpr"],
    ['slogate_verdict{slo="a", target="b"}[5m]', "MatrixSelector"],
    ['sum(slogate_verdict{slo="a", target="b"})', "AggregateExpr"],
    ["rate(x[5m])", "function rate() is not answered"],
    ["vector(time())", "one number only"],
    ["slogate_verdict{", "cannot parse"],
    ["", "empty query"],
    ["1", "NumberDurationLiteral"],
    ['{__name__="up", slo="a", target="b"}', "metric up is not served"],
  ])("refuses %s (%s)", (q, message) => {
    expect(refusal(q)).toContain(message);
  });

  it.each([
    [`"a\\"b"`, 'a"b'],
    [`'it\\'s'`, "it's"],
    ["`raw\\n`", "raw\\n"],
    [`"\\x41\\u00e9"`, "Aé"],
    [`"tab\\tnew\\n"`, "tab\tnew\n"],
  ])("unquotes the string literal %s", (literal, value) => {
    expect(unquotePromqlString(literal)).toBe(value);
  });
});
