import { describe, expect, it } from "vitest";
import {
  evidenceTrail,
  filterAnalysisRows,
  renderAnalysesPage,
  renderSlosPage,
  type AnalysisRow,
} from "./list-pages.ts";
import { failingAnalysis, noDataAnalysis, passingAnalysis } from "./testdata/analyses.ts";

function rows(): AnalysisRow[] {
  return [passingAnalysis(), failingAnalysis(), noDataAnalysis()].map((s) => ({
    analysis: s.analysis,
    looks: s.looks,
    service: s.slo.service,
    link: `/analyses/${s.analysis.id}?exp=1&sig=x`,
  }));
}

describe("filterAnalysisRows", () => {
  it.each([
    [{}, ["fixture-pass", "fixture-fail", "fixture-nodata"]],
    [{ verdict: "fail" }, ["fixture-fail"]],
    [{ status: "open" }, ["fixture-nodata"]],
    [{ rollout: "SHOP/FIXTURE-P" }, ["fixture-pass"]],
    [{ service: "checkout", verdict: "pass" }, ["fixture-pass"]],
    [{ service: "checkout", verdict: "nodata" }, ["fixture-nodata"]],
    [{ service: "other" }, []],
    [{ slo: "checkout-errors", verdict: "" }, ["fixture-pass", "fixture-fail", "fixture-nodata"]],
  ])("keeps the rows matching %j", (filters, ids) => {
    expect(filterAnalysisRows(rows(), filters).map((r) => r.analysis.id)).toEqual(ids);
  });
});

describe("evidenceTrail", () => {
  it("is one point per look, crossing 0 where the failing check crossed its bound", () => {
    const s = failingAnalysis();
    const trail = evidenceTrail(s.looks);
    expect(trail).toHaveLength(s.looks.length);
    expect(trail.at(-1)).toBeGreaterThanOrEqual(0);
    expect(trail.slice(0, -1).every((x) => x < 0)).toBe(true);
  });
});

describe("renderAnalysesPage", () => {
  const page = (filters = {}) =>
    renderAnalysesPage({
      rows: rows(),
      filters,
      services: ["checkout"],
      slos: ["checkout-errors"],
      action: "/analyses",
      nav: { analyses: "/analyses", slos: "/slos" },
      generatedAt: 1_700_000_000,
    });

  it("lists each analysis with its signed link and a sparkline of its looks", () => {
    const p = page();
    expect(p.match(/<tr data-analysis=/g)).toHaveLength(3);
    expect(p).toContain('href="/analyses/fixture-fail?exp=1&amp;sig=x"');
    const sparks = [
      ...p.matchAll(/<svg class="spark[^"]*"[^>]*>(?:<line[^>]*\/>)?<path class="line" data-points="(\d+)"/g),
    ].map((m) => Number(m[1]));
    expect(sparks).toEqual([12, 4]);
    expect(p).toMatch(/data-analysis="fixture-nodata"[\s\S]*?no e-value<\/text>/);
  });

  it("keeps the chosen filters selected in the form", () => {
    const p = page({ verdict: "fail", rollout: '"><x' });
    expect(p).toContain('<option value="fail" selected>');
    expect(p).toContain('value="&quot;&gt;&lt;x"');
    expect(p).toContain("0 of 3 analyses shown");
  });
});

describe("renderSlosPage", () => {
  it("lists the SLOs with their sources and the load's problems", () => {
    const p = renderSlosPage({
      slos: [
        {
          id: "checkout-errors",
          service: "checkout",
          name: "errors",
          kind: "error-rate",
          objectivePercent: 99.9,
          sliType: "events",
          judge: "sequential",
          source: { file: "slos/checkout.yaml", line: 7 },
        },
      ],
      status: {
        valid: false,
        lastLoadAt: 1_700_000_000,
        served: 1,
        loadErrors: 2,
        problems: [
          {
            file: "slos/bad.yaml",
            line: 3,
            col: 5,
            path: "slos[0].objective",
            code: "SLO_INVALID",
            message: "objective out of range",
            hint: "use 0 < x < 100",
            severity: "error",
          },
        ],
      },
      analysesOf: (id) => `/analyses?slo=${id}`,
      nav: {},
      generatedAt: 1_700_000_000,
    });
    expect(p).toContain("slos/checkout.yaml:7");
    expect(p).toContain('href="/analyses?slo=checkout-errors"');
    expect(p).toContain("The last load had errors");
    expect(p).toMatch(
      /problem-error[\s\S]*slos\/bad\.yaml:3:5[\s\S]*objective out of range[\s\S]*use 0 &lt; x &lt; 100/,
    );
  });
});
