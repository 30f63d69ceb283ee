/**
 * @module bench/pages
 * `npm run bench:pages`: how long the server takes to turn a stored analysis into its page
 * (report data + HTML with inline SVG), and how large the page is, for analyses of 12, 60 and
 * 240 looks (error-rate SLO, 3 checks) and a latency SLO with histograms (8 looks, 4 checks).
 * Prints the median and p95 over BENCH_PAGES_N renders (default 300) per case and writes
 * bench/results/pages.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderAnalysisPage } from "../src/report/analysis-page.ts";
import { buildAnalysisReport, reportSloOf } from "../src/report/analysis-report.ts";
import { errorSlo } from "../src/judge/testdata/slo-fixtures.ts";
import { looksFrom, repeat } from "../src/judge/testdata/looks.ts";
import { judged, latencyAnalysis, type StoredAnalysis } from "../src/report/testdata/analyses.ts";

const N = Number(process.env.BENCH_PAGES_N ?? 300);

function healthy(looks: number): StoredAnalysis {
  return judged(
    `bench-${looks}`,
    errorSlo(),
    looksFrom(repeat(looks, { canary: [400, 4], stable: [1600, 16] })),
    {
      baseline: { total: 50_000, bad: 500 },
    },
  );
}

const cases: [string, StoredAnalysis][] = [
  ["errors, 12 looks", healthy(12)],
  ["errors, 60 looks", healthy(60)],
  ["errors, 240 looks", healthy(240)],
  ["latency + histograms", latencyAnalysis()],
];

const render = (s: StoredAnalysis): string =>
  renderAnalysisPage(
    buildAnalysisReport({
      analysis: s.analysis,
      looks: s.looks,
      baseline: s.baseline,
      slo: reportSloOf(s.slo),
      grafanaUrl: "http://grafana:3000",
      generatedAt: 1_700_100_000,
    }),
    { analyses: "/analyses", slos: "/slos", json: "/api/v1/analyses/x" },
  );

console.log(`page render (report + HTML), ${N} renders per case, node ${process.version}`);
console.log("case                  looks  median ms  p95 ms  page KiB  JSON KiB");
const results: Record<string, unknown>[] = [];
for (const [name, s] of cases) {
  for (let i = 0; i < 20; i++) render(s);
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    size = render(s).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const q = (p: number): number =>
    times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? Number.NaN;
  const json = JSON.stringify({ analysis: s.analysis, looks: s.looks, baseline: s.baseline }).length;
  results.push({
    case: name,
    looks: s.looks.length,
    medianMs: q(0.5),
    p95Ms: q(0.95),
    pageBytes: size,
    jsonBytes: json,
  });
  console.log(
    `${name.padEnd(20)}  ${String(s.looks.length).padStart(5)}  ${q(0.5).toFixed(3).padStart(9)}  ${q(0.95).toFixed(3).padStart(6)}  ${(size / 1024).toFixed(1).padStart(8)}  ${(json / 1024).toFixed(1).padStart(8)}`,
  );
}
const dir = join(import.meta.dirname, "results");
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, "pages.json"),
  JSON.stringify({ node: process.version, renders: N, results }, null, 2) + "\n",
);
