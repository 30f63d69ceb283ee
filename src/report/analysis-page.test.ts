import { describe, expect, it } from "vitest";
import { renderAnalysisPage } from "./analysis-page.ts";
import { buildAnalysisReport, reportSloOf } from "./analysis-report.ts";
import { errorSlo } from "../judge/testdata/slo-fixtures.ts";
import { looksFrom, repeat } from "../judge/testdata/looks.ts";
import {
  FIXTURE_START,
  judged,
  degradedAnalysis,
  failingAnalysis,
  latencyAnalysis,
  noDataAnalysis,
  passingAnalysis,
  type StoredAnalysis,
} from "./testdata/analyses.ts";

function html(s: StoredAnalysis, grafanaUrl = ""): string {
  const r = buildAnalysisReport({
    analysis: s.analysis,
    looks: s.looks,
    baseline: s.baseline,
    slo: reportSloOf(s.slo),
    grafanaUrl,
    generatedAt: FIXTURE_START + 3600,
  });
  return renderAnalysisPage(r, { analyses: "/analyses", slos: "/slos", json: "/api/v1/analyses/x" });
}

/** Point counts of the line drawn for `series` inside the figure `id`. */
function pointsOf(page: string, id: string, series: string): number | undefined {
  const fig = new RegExp(`<figure class="chart" id="${id}">([\\s\\S]*?)</figure>`).exec(page)?.[1] ?? "";
  const m = new RegExp(
    `data-series="${series}">(?:<path class="err" d="[^"]*"/>)?<path class="line" data-points="(\\d+)" d="([^"]*)"`,
  ).exec(fig);
  if (m === null) return undefined;
  expect(m[2]?.match(/[ML]/g)?.length).toBe(Number(m[1]));
  return Number(m[1]);
}

describe("renderAnalysisPage", () => {
  it.each([
    ["passing", passingAnalysis, "pass"],
    ["failing", failingAnalysis, "fail"],
    ["no-data", noDataAnalysis, "nodata"],
    ["degraded", degradedAnalysis, "inconclusive"],
    ["latency", latencyAnalysis, "fail"],
  ])("draws the %s analysis' e-values per check and arms per look", (_l, make, verdict) => {
    const s = make();
    const page = html(s);
    expect(page).toContain(`data-verdict="${verdict}"`);
    for (const c of s.looks.at(-1)?.verdict.checks ?? []) {
      const withE = s.looks.filter(
        (l) => typeof l.verdict.checks.find((x) => x.id === c.id)?.evidence.eValue === "number",
      ).length;
      expect(pointsOf(page, `evalue-${c.id}`, "evalue")).toBe(withE === 0 ? undefined : withE);
    }
    const withCanary = s.looks.filter((l) => (l.arms?.canary?.total ?? 0) > 0).length;
    expect(pointsOf(page, "ratio", "canary")).toBe(withCanary === 0 ? undefined : withCanary);
    expect(pointsOf(page, "ratio", "stable")).toBe(s.looks.length);
    expect(page).toContain(`data-bars="${s.looks.length}"`);
  });

  it("is one self-contained document: no script, no external resource", () => {
    const page = html(latencyAnalysis(), "http://grafana:3000");
    expect(page).not.toMatch(/<script|<link |<img |<iframe|@import|url\(/i);
    const urls = [...page.matchAll(/(?:href|src)="([^"]*)"/g)].map((m) => m[1] ?? "");
    expect(urls.filter((u) => /^https?:/.test(u)).every((u) => u.startsWith("http://grafana:3000/d/"))).toBe(
      true,
    );
  });

  it("marks the 1/α line of every e-value chart and where it was crossed", () => {
    const page = html(failingAnalysis());
    expect(page.match(/data-ref="bound"/g)).toHaveLength(3);
    expect(page).toMatch(
      /<figure class="chart" id="evalue-errors-absolute">[\s\S]*?class="mark"[\s\S]*?crossed/,
    );
  });

  it("shows the environment the verdict reports, degraded or ok", () => {
    expect(html(degradedAnalysis())).toMatch(
      /class="env degraded" data-environment="degraded"><strong>Environment: degraded<\/strong>/,
    );
    expect(html(passingAnalysis())).toContain('data-environment="ok"');
  });

  it("escapes ids and reasons that carry markup", () => {
    const s = failingAnalysis();
    const evil = {
      ...s,
      analysis: { ...s.analysis, id: '<img src=x onerror="alert(1)">', rollout: "</td><script>" },
    };
    const page = html(evil);
    expect(page).not.toMatch(/<img|<script/);
    expect(page).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });

  it("draws the latency histograms with one bar per bucket per arm", () => {
    const page = html(latencyAnalysis());
    expect(page).toMatch(/id="histograms"[\s\S]*data-categories="30"/);
    expect(page).toContain('data-series="baseline" data-points="30"');
    expect(pointsOf(page, "quantiles", "canary")).toBe(latencyAnalysis().looks.length);
  });

  it("shows the numbers, and no e-value chart, for a judge without e-processes (kayenta)", () => {
    const s = judged(
      "fixture-kayenta",
      errorSlo("kayenta"),
      looksFrom(repeat(6, { canary: [400, 4], stable: [1600, 16] })),
    );
    const page = html(s);
    const checks = s.looks.at(-1)?.verdict.checks ?? [];
    expect(checks.length).toBeGreaterThan(0);
    expect(page).not.toContain('<figure class="chart" id="evalue-');
    expect(page.match(/This check reports no e-value/g)).toHaveLength(checks.length);
    expect(pointsOf(page, "ratio", "canary")).toBe(6);
  });
});
