import { describe, expect, it } from "vitest";
import { sloDashboardUid } from "../generate/dashboards/slo-dashboard.ts";
import type { SloVerdict } from "../domain/verdict.ts";
import {
  buildAnalysisReport,
  environmentOf,
  grafanaLinks,
  reportSloOf,
  type AnalysisReportInput,
} from "./analysis-report.ts";
import {
  FIXTURE_START,
  degradedAnalysis,
  failingAnalysis,
  latencyAnalysis,
  noDataAnalysis,
  passingAnalysis,
  type StoredAnalysis,
} from "./testdata/analyses.ts";

function input(s: StoredAnalysis, over: Partial<AnalysisReportInput> = {}): AnalysisReportInput {
  return {
    analysis: s.analysis,
    looks: s.looks,
    baseline: s.baseline,
    slo: reportSloOf(s.slo),
    generatedAt: FIXTURE_START + 86400,
    ...over,
  };
}

describe("buildAnalysisReport", () => {
  it("says a final pass in words and plots every look of every check", () => {
    const s = passingAnalysis();
    const r = buildAnalysisReport(input(s));
    expect(r.verdict.key).toBe("pass");
    expect(r.verdict.final).toBe(true);
    expect(r.verdict.headline).toMatch(/^Passed: .*look 12 of 12, final/);
    expect(r.checks.map((c) => c.id)).toEqual(["errors-relative", "errors-absolute", "errors-baseline"]);
    for (const c of r.checks) {
      expect(c.eValues).toHaveLength(12);
      expect(c.eThreshold).toBeGreaterThan(1);
      expect(c.failedAt).toBeNull();
    }
    expect(r.ratios.canary).toHaveLength(12);
    expect(r.ratios.stable).toHaveLength(12);
    expect(r.ratios.baseline).toHaveLength(12);
    expect(r.budget).toBeCloseTo(0.01, 12);
  });

  it("says when, by how much and how surely a failing canary is worse", () => {
    const s = failingAnalysis();
    const r = buildAnalysisReport(input(s));
    const failing = r.checks.find((c) => c.status === "fail");
    expect(r.verdict.key).toBe("fail");
    expect(r.verdict.headline).toBe("Failed: the canary is worse (errors-absolute).");
    expect(failing?.failedAt).toBe(s.looks.at(-1)?.at);
    const last = failing?.eValues.at(-1);
    expect(last?.y).toBeGreaterThanOrEqual(failing?.eThreshold ?? Infinity);
    const d = r.verdict.details.join("\n");
    expect(d).toMatch(/canary 2\.67% against a limit of 1\.00%/);
    expect(d).toMatch(/since 2023-11-14 22:17:20 UTC \(4m after the start\)/);
    expect(d).toMatch(/e-value 88\.5 ≥ 1\/α = 80/);
    expect(d).toMatch(/First failing look: 4/);
    expect(d).toMatch(/Analysis closed \(rolled-back\)/);
  });

  it("says when the canary breaks its limit only because the environment got worse", () => {
    // Canary and stable both above the limit, the canary not worse than stable: the judge
    // attributes the absolute failure to the environment and leaves the final look to a human.
    const r = buildAnalysisReport(input(degradedAnalysis()));
    expect(r.verdict.key).toBe("inconclusive");
    expect(r.verdict.headline).toMatch(
      /^Inconclusive: the environment got worse, not the canary \(look 12 of 12\); a human decides/,
    );
  });

  it("shows an arm without data as missing, not as zero", () => {
    const r = buildAnalysisReport(input(noDataAnalysis()));
    expect(r.ratios.canary).toEqual([]);
    expect(r.ratios.stable).toHaveLength(4);
    expect(r.traffic.map((t) => t.canary)).toEqual([0, 0, 0, 0]);
    expect(r.looks.every((l) => l.canary === null)).toBe(true);
    expect(r.verdict.headline).toMatch(
      /^No data: an arm has no series at all \(look 4 of 12\); nothing was judged/,
    );
  });

  it("carries a degraded environment from the verdict, and an ok one from a healthy verdict", () => {
    expect(buildAnalysisReport(input(degradedAnalysis())).environment).toEqual({
      status: "degraded",
      text: "the stable arm's bad ratio rose to 2.5 % against a baseline of 1 %",
      degraded: true,
    });
    expect(buildAnalysisReport(input(passingAnalysis())).environment).toMatchObject({
      status: "ok",
      degraded: false,
    });
  });

  it("splits the traffic of each look from the increments since the previous one", () => {
    const r = buildAnalysisReport(input(passingAnalysis()));
    expect(r.traffic).toHaveLength(12);
    expect(r.traffic.every((t) => t.canary === 400 && t.stable === 1600)).toBe(true);
  });

  it("gives latency SLOs their quantiles per look and the histograms at the last look", () => {
    const s = latencyAnalysis();
    const r = buildAnalysisReport(input(s));
    expect(r.quantiles?.canary).toHaveLength(s.looks.length);
    expect(r.quantiles?.stable).toHaveLength(s.looks.length);
    expect(r.quantiles?.threshold).toBe(0.2);
    expect(r.quantiles?.baseline).toBeGreaterThan(0);
    expect(r.histograms?.categories).toHaveLength(30);
    expect(r.histograms?.arms.map((a) => a.key)).toEqual(["canary", "stable", "baseline"]);
    for (const a of r.histograms?.arms ?? []) expect(a.shares.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
    // The canary is slower: its mass sits further right than stable's.
    const mean = (xs: readonly number[]): number => xs.reduce((m, x, i) => m + x * i, 0);
    const [c, st] = r.histograms?.arms ?? [];
    expect(mean(c?.shares ?? [])).toBeGreaterThan(mean(st?.shares ?? []));
  });

  it("has no histograms for an error-rate SLO", () => {
    const r = buildAnalysisReport(input(passingAnalysis()));
    expect(r.histograms).toBeUndefined();
    expect(r.quantiles).toBeUndefined();
  });

  it("renders an analysis without looks and without a served SLO", () => {
    const s = passingAnalysis();
    const r = buildAnalysisReport({ analysis: { ...s.analysis, looks: 0 }, looks: [], generatedAt: 0 });
    expect(r.verdict.key).toBe("none");
    expect(r.checks).toEqual([]);
    expect(r.budget).toBeNull();
  });
});

describe("environmentOf", () => {
  const v = (environment: unknown): SloVerdict =>
    ({ ...passingAnalysis().looks[0]!.verdict, environment }) as SloVerdict;
  it.each([
    ["a status string", "ok", { status: "ok", text: "", degraded: false }],
    ["a degraded string", "degraded", { status: "degraded", text: "", degraded: true }],
    [
      "an object with a message",
      { status: "healthy", message: "all fine" },
      { status: "healthy", text: "all fine", degraded: false },
    ],
    [
      "an explicit degraded flag",
      { status: "noisy", degraded: false },
      { status: "noisy", text: "degraded: false", degraded: false },
    ],
    [
      "an ok flag",
      { ok: false, reason: "stable is burning budget" },
      { status: "reported", text: "stable is burning budget", degraded: true },
    ],
  ])("reads %s", (_l, env, want) => {
    expect(environmentOf(v(env))).toEqual(want);
  });

  it.each([[undefined], [null], [42]])("ignores %j", (env) => {
    expect(environmentOf(v(env))).toBeUndefined();
  });
});

describe("grafanaLinks", () => {
  it("links the generated dashboards with the analysis' time range and arms", () => {
    const s = failingAnalysis();
    const [canary, slo] = grafanaLinks("http://grafana:3000/", s.analysis, s.analysis.sloId);
    const cu = new URL(canary?.url ?? "");
    expect(cu.pathname).toBe("/d/slogate-canary");
    expect(cu.searchParams.get("from")).toBe(String((FIXTURE_START - 300) * 1000));
    expect(cu.searchParams.get("to")).toBe(String(((s.analysis.closedAt ?? 0) + 300) * 1000));
    expect(cu.searchParams.get("var-canary")).toBe("canary1");
    expect(cu.searchParams.get("var-stable")).toBe("stable1");
    expect(new URL(slo?.url ?? "").pathname).toBe(`/d/${sloDashboardUid(s.slo)}`);
  });

  it("links nothing without a Grafana URL", () => {
    expect(grafanaLinks("", failingAnalysis().analysis, "x")).toEqual([]);
    expect(grafanaLinks(undefined, failingAnalysis().analysis, "x")).toEqual([]);
  });
});
