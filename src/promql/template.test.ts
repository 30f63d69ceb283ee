import { describe, expect, it } from "vitest";
import { SlogateError } from "../errors.ts";
import type { LabelMatcher } from "./matchers.ts";
import { selectorsWithoutArm } from "./arm-reach.ts";
import { checkPromql, checkQueryTemplate } from "./promql-check.ts";
import { findPlaceholders, parseQueryTemplate } from "./placeholders.ts";
import { injectMatchers } from "./inject-matchers.ts";
import { renderQuery } from "./template.ts";

const canary: LabelMatcher[] = [{ name: "rollouts_pod_template_hash", op: "=", value: "abc123" }];
const arm = 'rollouts_pod_template_hash="abc123"';

describe("parseQueryTemplate", () => {
  it.each([
    ["sum(rate(x[{{.window}}]))", true, false],
    ["sum(rate(x{ {{.selector}} }[{{.window}}]))", true, true],
    ["sum(rate(x{ {{ .selector }} }[{{ .window }}]))", true, true],
    ["sum(rate(x[{{-.window-}}]))", true, false],
    ["sum(rate(x[5m]))", false, false],
    ["sum(rate(x[{{.Window}}]))", false, false],
  ])("finds the placeholders of %s (window %s, selector %s)", (text, hasWindow, hasSelector) => {
    expect(parseQueryTemplate(text)).toEqual({ text, hasWindow, hasSelector });
  });

  it("lists unknown placeholders with their offsets", () => {
    expect(findPlaceholders("rate(x[{{.window}}]) / {{ .foo }}")).toEqual([
      { name: ".window", offset: 7, length: 11, known: true },
      { name: ".foo", offset: 23, length: 10, known: false },
    ]);
  });
});

describe("renderQuery with a selector placeholder", () => {
  it.each([
    [
      'sum(rate(http_requests_total{service="api",code=~"5..",{{.selector}}}[{{.window}}]))',
      `sum(rate(http_requests_total{service="api",code=~"5..",${arm}}[1h]))`,
    ],
    ["sum(rate(x{ {{ .selector }} }[{{ .window }}]))", `sum(rate(x{ ${arm} }[1h]))`],
  ])("substitutes %s", (text, expected) => {
    expect(renderQuery(parseQueryTemplate(text), { window: "1h", selector: canary })).toBe(expected);
  });

  it("renders an empty selector as nothing and leaves valid PromQL", () => {
    const t = parseQueryTemplate('sum(rate(x{job="a",{{.selector}}}[{{.window}}]))');
    expect(renderQuery(t, { window: "5m", selector: [] })).toBe('sum(rate(x{job="a",}[5m]))');
  });
});

describe("renderQuery without a selector placeholder injects the arm into every selector", () => {
  it.each([
    ["bare metric name", "up", `up{${arm}}`],
    ["empty braces", "up{}", `up{${arm}}`],
    ["__name__ matcher", '{__name__="x"}', `{__name__="x",${arm}}`],
    ["UTF-8 metric name", '{"my.metric", job="a"}', `{"my.metric",job="a",${arm}}`],
    [
      "Sloth error query",
      'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))',
      `sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)",${arm}}[5m]))`,
    ],
    [
      "offset and @ modifiers",
      "sum(rate(x[{{.window}}] offset 1h @ 1700000000))",
      `sum(rate(x{${arm}}[5m] offset 1h @ 1700000000))`,
    ],
    [
      "subquery",
      "max_over_time(sum(rate(x[1m]))[{{.window}}:1m])",
      `max_over_time(sum(rate(x{${arm}}[1m]))[5m:1m])`,
    ],
    [
      "binary operation with an on() join",
      'sum(rate(a{job="x"}[{{.window}}])) / on(job) group_left sum by (job) (rate(b[{{.window}}]))',
      `sum(rate(a{job="x",${arm}}[5m])) / on(job) group_left sum by (job) (rate(b{${arm}}[5m]))`,
    ],
    [
      "existing matcher on the same label is replaced",
      'rate(x{rollouts_pod_template_hash="old",job="a"}[{{.window}}])',
      `rate(x{job="a",${arm}}[5m])`,
    ],
    [
      "quoted existing matcher on the same label is replaced",
      'rate(x{"rollouts_pod_template_hash"="old"}[{{.window}}])',
      `rate(x{${arm}}[5m])`,
    ],
    [
      "selectors inside absent() and vector() arithmetic",
      "(sum(rate(x[{{.window}}])) or vector(0)) / absent(y)",
      `(sum(rate(x{${arm}}[5m])) or vector(0)) / absent(y{${arm}})`,
    ],
    [
      "string and number literals are left alone",
      'label_replace(up, "a", "$1", "job", "(.*)") * 2',
      `label_replace(up{${arm}}, "a", "$1", "job", "(.*)") * 2`,
    ],
  ])("handles a %s", (_what, text, expected) => {
    const out = renderQuery(parseQueryTemplate(text), { window: "5m", selector: canary });
    expect(out).toBe(expected);
    expect(checkPromql(out)).toEqual({ ok: true });
  });

  it("adds several matchers and replaces each same-named one", () => {
    const ms: LabelMatcher[] = [
      { name: "pod", op: "=~", value: "web-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" },
      { name: "namespace", op: "=", value: "prod" },
    ];
    expect(injectMatchers('sum(rate(x{namespace="dev",job="a"}[5m]))', ms)).toBe(
      'sum(rate(x{job="a",pod=~"web-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)",namespace="prod"}[5m]))',
    );
  });

  it("escapes a hostile matcher value so it stays one string literal", () => {
    const hostile: LabelMatcher[] = [
      { name: "rollouts_pod_template_hash", op: "=", value: 'x"}) or vector(1) #\n' },
    ];
    const out = renderQuery(parseQueryTemplate("sum(rate(x[{{.window}}]))"), {
      window: "5m",
      selector: hostile,
    });
    expect(out).toBe('sum(rate(x{rollouts_pod_template_hash="x\\"}) or vector(1) #\\n"}[5m]))');
    expect(checkPromql(out)).toEqual({ ok: true });
    const viaPlaceholder = renderQuery(parseQueryTemplate("sum(rate(x{ {{.selector}} }[{{.window}}]))"), {
      window: "5m",
      selector: hostile,
    });
    expect(viaPlaceholder).toBe('sum(rate(x{ rollouts_pod_template_hash="x\\"}) or vector(1) #\\n" }[5m]))');
  });

  it("leaves the query alone when the arm has no matchers", () => {
    expect(
      renderQuery(parseQueryTemplate("sum(rate(x[{{.window}}]))"), { window: "30m", selector: [] }),
    ).toBe("sum(rate(x[30m]))");
  });
});

describe("renderQuery rejects what it cannot render", () => {
  it.each([
    ["a bad label name", "rate(x[5m])", "5m", [{ name: "bad-name", op: "=", value: "a" }], "LABEL_INVALID"],
    ["a bad window", "rate(x[{{.window}}])", "5 minutes", canary, "PROMQL_INVALID"],
    ["an unknown placeholder", "rate(x[{{.range}}])", "5m", canary, "PROMQL_INVALID"],
    ["a query that does not parse", "sum(rate(x[{{.window}}])", "5m", canary, "PROMQL_INVALID"],
  ] as const)("throws on %s", (_what, text, window, selector, code) => {
    let caught: unknown;
    try {
      renderQuery(parseQueryTemplate(text), { window, selector });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SlogateError);
    expect((caught as SlogateError).code).toBe(code);
    expect((caught as SlogateError).hint).not.toBe("");
  });
});

describe("checkPromql", () => {
  it.each([
    ["sum(rate(x[5m]))", { ok: true }],
    ['x{a="b",}', { ok: true }],
    ["", { ok: false, message: "query is empty", offset: 0 }],
    ["sum(rate(x[5m])", { ok: false, message: "unexpected end of query", offset: 15 }],
    ["sum(rate(x[5m])) ) + 1", { ok: false, message: 'syntax error at ")"', offset: 17 }],
    ["rate(x{a=}[5m])", { ok: false, message: 'syntax error at "}"', offset: 9 }],
    ["rate(x[5m] offset 1m) + rate((x[5m])) + rate(sum(x)[5m:1m])", { ok: true }],
    ["quantile_over_time(0.5, x[5m]) + predict_linear(x[1h], 60)", { ok: true }],
    [
      "sum(rate(x))",
      { ok: false, message: 'rate() needs a range vector such as metric[{{.window}}], got "x"', offset: 9 },
    ],
    [
      "quantile_over_time(0.5, x)",
      {
        ok: false,
        message: 'quantile_over_time() needs a range vector such as metric[{{.window}}], got "x"',
        offset: 24,
      },
    ],
    [
      "sum by (job) (x[5m])",
      { ok: false, message: 'sum() needs an instant vector, got the range vector "x[5m]"', offset: 14 },
    ],
    [
      "topk(3, x[5m])",
      { ok: false, message: 'topk() needs an instant vector, got the range vector "x[5m]"', offset: 8 },
    ],
  ])("checks %j", (text, expected) => {
    expect(checkPromql(text)).toEqual(expected);
  });
});

describe("checkQueryTemplate", () => {
  it.each([
    ["sum(rate(x[{{.window}}]))", { ok: true }],
    ["sum(rate(x{ {{.selector}} }[{{.window}}]))", { ok: true }],
    // The error offset points into the template as written, after the placeholder.
    ["sum(rate(x[{{.window}}])) ) + 1", { ok: false, message: 'syntax error at ")"', offset: 26 }],
    [
      "sum(rate(x[{{.windw}}]))",
      {
        ok: false,
        message: "unknown placeholder {{.windw}}; only {{.window}} and {{.selector}} are supported",
        offset: 11,
      },
    ],
  ])("checks %j", (text, expected) => {
    expect(checkQueryTemplate(text)).toEqual(expected);
  });
});

describe("selectorsWithoutArm", () => {
  it.each([
    ["sum(rate(x[{{.window}}])) / sum(rate(y[{{.window}}]))", []],
    ['sum(rate(x{ {{.selector}} }[{{.window}}])) / sum(rate(y{a="b",{{.selector}}}[{{.window}}]))', []],
    ['sum(rate(x{ {{.selector}} }[{{.window}}])) / sum(rate(y{a="b"}[{{.window}}]))', ['y{a="b"}']],
    ["sum(rate(x{ {{.selector}} }[{{.window}}])) or vector(0) unless up", ["up"]],
  ])("finds the selectors of %s that the arm would not reach", (text, expected) => {
    expect(selectorsWithoutArm(parseQueryTemplate(text))).toEqual(expected);
  });
});
