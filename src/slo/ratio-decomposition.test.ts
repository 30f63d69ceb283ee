import { describe, expect, it } from "vitest";
import { parseQueryTemplate } from "../promql/placeholders.ts";
import { decomposeRatio } from "./ratio-decomposition.ts";

const E = 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))';
const T = "sum(rate(http_requests_total[{{.window}}]))";
const G = 'sum(increase(http_requests_total{code!~"5.."}[{{ .window }}]))';
const TI = "sum(increase(http_requests_total[{{ .window }}]))";

describe("splitting a ratio query into event queries", () => {
  it.each([
    ["a bad ratio A / B", `${E} / ${T}`, "bad", { bad: E, total: T }],
    [
      "a bad ratio over several lines in parentheses",
      `(\n  ${E}\n  /\n  ${T}\n)\n`,
      "bad",
      { bad: E, total: T },
    ],
    ["a bad ratio 1 - (good / total) with increase", `1 - (${G} / ${TI})`, "bad", { good: G, total: TI }],
    ["a good ratio A / B", `${G} / ${TI}`, "good", { good: G, total: TI }],
    ["a good ratio 1 - (bad / total)", `1 - (${E}/${T})`, "good", { bad: E, total: T }],
    [
      "sums with the {{.selector}} placeholder",
      'sum(rate(x{a="1",{{.selector}}}[{{.window}}])) / sum(rate(x{ {{.selector}} }[{{.window}}]))',
      "bad",
      {
        bad: 'sum(rate(x{a="1",{{.selector}}}[{{.window}}]))',
        total: "sum(rate(x{ {{.selector}} }[{{.window}}]))",
      },
    ],
  ] as const)("%s is split", (_name, text, meaning, want) => {
    const got = decomposeRatio(parseQueryTemplate(text), meaning);
    const texts = Object.fromEntries(
      Object.entries(got?.sli ?? {})
        .filter(([k]) => k !== "type")
        .map(([k, v]) => [k, (v as { text: string }).text]),
    );
    expect(texts).toEqual(want);
    expect(got?.note).toContain("split into");
  });

  it.each([
    ["a gauge average", "1 - (sum(sum_over_time(g[{{.window}}])) / sum(count_over_time(g[{{.window}}])))"],
    ["grouped sums", `sum by (code) (rate(x[{{.window}}])) / sum by (code) (rate(y[{{.window}}]))`],
    ["a division with on()", `${E} / on() ${T}`],
    ["rate over increase", `${E} / ${TI}`],
    ["irate", "sum(irate(x[{{.window}}])) / sum(irate(y[{{.window}}]))"],
    ["a fixed range instead of the window", "sum(rate(x[5m])) / sum(rate(y[5m]))"],
    ["arithmetic inside the sum", "sum(rate(x[{{.window}}]) * 2) / sum(rate(y[{{.window}}]))"],
    ["2 - A / B", `2 - (${E} / ${T})`],
    ["a product", `${E} * ${T}`],
    ["text that is not PromQL", "sum(rate(x[{{.window}}]) /"],
    ["an offset range", "sum(rate(x[{{.window}}] offset 1m)) / sum(rate(y[{{.window}}]))"],
  ])("%s stays a ratio", (_name, text) => {
    expect(decomposeRatio(parseQueryTemplate(text), "bad")).toBeUndefined();
  });
});
