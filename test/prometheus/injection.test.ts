import { parser } from "@prometheus-io/lezer-promql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadArmCounts } from "../../src/prometheus/read-arm.ts";
import { isSlogateError } from "../../src/errors.ts";
import { HttpPrometheusClient } from "../../src/prometheus/http-client.ts";
import { escapeRegex, formatMatcher, type LabelMatcher } from "../../src/promql/matchers.ts";
import { buildVectorSelector } from "../../src/promql/selector.ts";
import { parseQueryTemplate } from "../../src/promql/placeholders.ts";
import { renderQuery } from "../../src/promql/template.ts";
import { BACKEND_KINDS, startMetricsBackend } from "../../src/testbed/metrics-backend.ts";
import type { PrometheusBed } from "../../src/testbed/prometheus.ts";
import { eventsSli, makeSlo } from "./slo-fixtures.ts";

const T = 1_700_000_000;

/** Label values crafted to break out of a string literal or a selector. */
const HOSTILE = [
  'x"}) or vector(1) #',
  'x\\"}) or vector(1) #',
  'x"} or on() vector(1) or {__name__="',
  "\\",
  'a\\"',
  "new\nline",
  "tab\tand\rcr",
  "'single' `back`",
  "}[5m] offset 1h",
  "nul\u0000byte",
  "unicode ü \u2028 ✓",
  ".*",
] as const;

/** Parses `q` with the official grammar: no error node, and the unescaped values of every string literal. */
function parsed(q: string): {
  errors: number;
  selectors: number;
  matchers: { name: string; value: string }[];
  top: string;
} {
  const tree = parser.parse(q);
  let errors = 0;
  let selectors = 0;
  const matchers: { name: string; value: string }[] = [];
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) errors++;
      if (n.name === "VectorSelector") selectors++;
      if (n.name === "UnquotedLabelMatcher") {
        const name = n.node.getChild("LabelName");
        const lit = n.node.getChild("StringLiteral");
        // JSON.parse reads Go/PromQL double-quoted escapes except \x: normalise those first.
        const text = q
          .slice(lit!.from, lit!.to)
          .replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => `\\u00${h}`);
        matchers.push({ name: q.slice(name!.from, name!.to), value: JSON.parse(text) as string });
      }
    },
  });
  return { errors, selectors, matchers, top: tree.topNode.firstChild?.name ?? "" };
}

describe.each(BACKEND_KINDS)("hostile label values cannot change a query on %s", (kind) => {
  let bed: PrometheusBed;
  let client: HttpPrometheusClient;
  beforeAll(async () => {
    bed = await startMetricsBackend(kind);
    // One series per hostile value (value 10 + index) and a decoy carrying the plain prefix.
    const all = [...HOSTILE, "x"];
    await bed.write(
      all.map((tenant, i) => ({
        metric: "inj_total",
        arm: "stable" as const,
        labels: { tenant },
        samples: [
          { t: T - 60, v: 0 },
          { t: T, v: 10 + i },
        ],
      })),
    );
    client = new HttpPrometheusClient({ url: bed.url });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  const sumOf = async (q: string): Promise<number[]> => {
    const r = await client.query(q, T);
    if (r.type !== "vector") throw new Error(`expected a vector, got ${r.type}`);
    return r.samples.map((s) => s.v);
  };

  it.each(HOSTILE.map((v, i) => [v, i] as const))(
    "the value %j parses as one selector with the value intact and selects only its series",
    async (value, i) => {
      const q = `sum(${buildVectorSelector("inj_total", [{ name: "tenant", op: "=", value }])})`;
      const p = parsed(q);
      expect(p).toEqual({
        errors: 0,
        selectors: 1,
        matchers: [{ name: "tenant", value }],
        top: "AggregateExpr",
      });
      expect(await sumOf(q)).toEqual([10 + i]);
    },
  );

  it.each(HOSTILE.map((v, i) => [v, i] as const))(
    "the value %j escaped as a regex matches exactly its own series",
    async (value, i) => {
      const q = `sum(inj_total{${formatMatcher({ name: "tenant", op: "=~", value: escapeRegex(value) })}})`;
      expect(parsed(q).errors).toBe(0);
      expect(await sumOf(q)).toEqual([10 + i]);
    },
  );

  it.each(HOSTILE.map((v, i) => [v, i] as const))(
    "the value %j injected into an SLO template keeps the template's meaning",
    async (value, i) => {
      const t = parseQueryTemplate("sum(increase(inj_total[{{.window}}])) or vector(0)");
      const q = renderQuery(t, { window: "2m", selector: [{ name: "tenant", op: "=", value }] });
      expect(parsed(q).matchers).toEqual([{ name: "tenant", value }]);
      const r = await sumOf(q);
      expect(r).toHaveLength(1);
      expect(r[0]).toBeGreaterThan(10 + i - 1e-9);
      expect(r[0]).not.toBe(1);
    },
  );

  it.each(['tenant"}', "a b", "a-b", "1a", "le=~"])(
    "the label name %j is rejected, never rendered",
    (name) => {
      let err: unknown;
      try {
        buildVectorSelector("inj_total", [{ name, op: "=", value: "x" }]);
      } catch (e) {
        err = e;
      }
      expect(isSlogateError(err, "LABEL_INVALID")).toBe(true);
    },
  );

  it("an arm matcher with a hostile value reads only that series' counts", async () => {
    const read = createReadArmCounts({ client });
    const slo = makeSlo(
      "inj",
      "error-rate",
      eventsSli("sum(rate(inj_total[{{.window}}]))", 'sum(rate(inj_total{job="none"}[{{.window}}]))'),
    );
    const arm: LabelMatcher[] = [{ name: "tenant", op: "=", value: HOSTILE[0] }];
    expect(await read(slo, arm, { start: T - 30, end: T })).toEqual({ total: 10, bad: 0 });
  });
});
