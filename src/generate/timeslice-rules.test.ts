import { describe, expect, it } from "vitest";
import { parseQueryTemplate } from "../promql/placeholders.ts";
import { generateBurnAlerts, generateSloRuleGroups } from "./slo-rules.ts";
import { buildSlo, handBuiltSlos } from "./testdata/hand-built-slos.ts";
import { halfOpenRange } from "./timeslice-rules.ts";

const options = { defaultTeam: "platform" };

function records(groups: ReturnType<typeof generateSloRuleGroups>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const g of groups)
    for (const r of g.rules)
      if (r.kind === "record") out[`${g.name}|${r.record}|${r.labels["sloth_window"] ?? ""}`] = r.expr;
  return out;
}

describe("time-slice rules", () => {
  it.each([
    [300, "4m59s999ms"],
    [3600, "59m59s999ms"],
    [7 * 86400, "6d23h59m59s999ms"],
    [60, "59s999ms"],
  ])("a window of %is is selected as %s", (s, text) => {
    expect(halfOpenRange(s)).toBe(text);
  });

  it("records each slice's ratio once per slice and every window over the slices", () => {
    const slo = buildSlo("shop", "web", {
      budgeting: { method: "Timeslices", sliceSeconds: 300, sliceTargetPercent: 99.9 },
    });
    const groups = generateSloRuleGroups(slo, options);
    expect(groups.map((g) => [g.name, g.interval])).toEqual([
      ["slogate-slo-sli-recordings-shop-web", undefined],
      ["slogate-slo-sli-timeslices-shop-web", "5m"],
      ["slogate-slo-sli-slice-windows-shop-web", undefined],
      ["slogate-slo-sli-long-recordings-shop-web", "4m"],
      ["slogate-slo-meta-recordings-shop-web", undefined],
      ["slogate-slo-alerts-shop-web", undefined],
    ]);
    const r = records(groups);
    expect(r["slogate-slo-sli-timeslices-shop-web|slo:sli_slice_error:ratio|5m"]).toBe(
      '(sum(rate(http_requests_total{job="shop",code=~"5.."}[5m])))\n/\n(sum(rate(http_requests_total{job="shop"}[5m])) > 0)',
    );
    expect(r["slogate-slo-sli-timeslices-shop-web|slo:sli_bad_slice:bool|5m"]).toBe(
      'slo:sli_slice_error:ratio{sloth_id="shop-web"} > bool 0.001',
    );
    expect(r["slogate-slo-sli-slice-windows-shop-web|slo:sli_error:ratio_rate5m|5m"]).toBe(
      'avg_over_time(slo:sli_bad_slice:bool{sloth_id="shop-web"}[4m59s999ms])',
    );
    expect(r["slogate-slo-sli-long-recordings-shop-web|slo:sli_error:ratio_rate30d|30d"]).toBe(
      'avg_over_time(slo:sli_bad_slice:bool{sloth_id="shop-web"}[29d23h59m59s999ms])',
    );
    // The occurrence windows are gone; the 5-minute event recordings stay.
    expect(
      Object.keys(r)
        .filter((k) => k.includes("ratio_rate"))
        .every((k) => !k.startsWith("slogate-slo-sli-recordings")),
    ).toBe(true);
    expect(Object.keys(r).some((k) => k.includes("slo:sli_bad_events:rate5m"))).toBe(true);
  });

  it("averages the slices' ratios for RatioTimeslices, and reads the last slice for windows shorter than one", () => {
    const slo = buildSlo("shop", "web", { budgeting: { method: "RatioTimeslices", sliceSeconds: 3600 } });
    const r = records(generateSloRuleGroups(slo, options));
    expect(Object.keys(r).some((k) => k.includes("bad_slice"))).toBe(false);
    expect(r["slogate-slo-sli-slice-windows-shop-web|slo:sli_error:ratio_rate5m|5m"]).toBe(
      'avg_over_time(slo:sli_slice_error:ratio{sloth_id="shop-web"}[59m59s999ms])',
    );
    expect(r["slogate-slo-sli-slice-windows-shop-web|slo:sli_error:ratio_rate2h|2h"]).toBe(
      'avg_over_time(slo:sli_slice_error:ratio{sloth_id="shop-web"}[1h59m59s999ms])',
    );
  });

  it("slices a threshold SLI by its recorded points and a ratio SLI by its ratio", () => {
    const lag = handBuiltSlos.find((s) => s.sli.type === "threshold")!;
    const t = records(
      generateSloRuleGroups({ ...lag, budgeting: { method: "RatioTimeslices", sliceSeconds: 600 } }, options),
    );
    expect(t[`slogate-slo-sli-timeslices-${lag.id}|slo:sli_slice_error:ratio|10m`]).toBe(
      `sum_over_time(slo:sli_bad_points:sum{sloth_id="${lag.id}"}[10m])\n/\n(sum_over_time(slo:sli_points:count{sloth_id="${lag.id}"}[10m]) > 0)`,
    );
    const ratio = buildSlo("shop", "gauge", {
      sli: { type: "ratio", badRatio: parseQueryTemplate("avg_over_time(bad[{{.window}}])") },
      budgeting: { method: "Timeslices", sliceSeconds: 60, sliceTargetPercent: 95 },
    });
    const groups = generateSloRuleGroups(ratio, options);
    expect(groups[0]?.name).toBe("slogate-slo-sli-timeslices-shop-gauge");
    expect(records(groups)["slogate-slo-sli-timeslices-shop-gauge|slo:sli_slice_error:ratio|1m"]).toBe(
      "avg_over_time(bad[1m])",
    );
  });
});

describe("burn-rate alerts of periods under a day", () => {
  it("keep only the tiers whose long window fits in the period", () => {
    const hour = generateBurnAlerts(buildSlo("shop", "web", { periodSeconds: 3600 }), options);
    expect(
      hour?.rules.map((r) =>
        r.kind === "alert" ? [r.labels["sloth_severity"], r.expr.match(/ratio_rate\w+/g)] : [],
      ),
    ).toEqual([["page", ["ratio_rate5m", "ratio_rate1h"]]]);
    expect(generateBurnAlerts(buildSlo("shop", "web", { periodSeconds: 1800 }), options)).toBeUndefined();
    const week = generateBurnAlerts(buildSlo("shop", "web", { periodSeconds: 7 * 86400 }), options);
    expect(week?.rules).toHaveLength(2);
  });
});
