/**
 * @module report/analysis-page
 * The HTML of one analysis: a header with the verdict in words and the environment status,
 * then per check the e-value trajectory against its 1/α line on a log axis (each look marked)
 * and its numbers; for the SLO's arms the bad ratio per look with 95 % intervals against the
 * objective and the checks' limits, the traffic split per look, for latency SLIs the quantile
 * per look and the histograms at the last look; the table of looks; links to the generated
 * Grafana dashboards with the time range set. Pure.
 */
import type { AnalysisReport, CheckReport, SeriesPoint } from "./analysis-report.ts";
import { duration, esc, latency, number, percent, utc } from "./html.ts";
import { page, type PageNav } from "./page-layout.ts";
import {
  groupedBars,
  lineChart,
  powerOfTen,
  stackedBars,
  timeTicks,
  type ChartPoint,
  type LineSeries,
  type RefLine,
} from "./svg-chart.ts";

/** Where the page links to (all optional: an offline report links nowhere but Grafana). */
export interface AnalysisPageLinks extends PageNav {
  /** The analysis in the JSON API. */
  readonly json?: string;
}

const VERDICT_WORD: Readonly<Record<string, string>> = {
  pass: "pass",
  fail: "fail",
  inconclusive: "inconclusive",
  nodata: "no data",
  none: "no look yet",
};

function badge(status: string): string {
  return `<span class="badge b-${esc(status)}">${esc(VERDICT_WORD[status] ?? status)}</span>`;
}

const plus = (x: number): string => `+${duration(x)}`;

function idOf(prefix: string, id: string): string {
  return `${prefix}-${id.replace(/[^a-zA-Z0-9_-]/g, "_")}`;
}

function ratioChartPoints(points: readonly SeriesPoint[], arm: string): ChartPoint[] {
  return points.map((p) => ({
    x: p.x,
    y: p.y,
    ...(p.lo === undefined ? {} : { lo: p.lo }),
    ...(p.hi === undefined ? {} : { hi: p.hi }),
    label: `look ${p.seq} (${utc(p.at)}): ${arm} ${percent(p.y)}${p.lo === undefined ? "" : ` [95 %: ${percent(p.lo)} – ${percent(p.hi)}]`}`,
  }));
}

function eValueChart(r: AnalysisReport, c: CheckReport): string {
  const id = idOf("evalue", c.id);
  const title = `${c.id}: e-value per look`;
  if (c.eValues.length === 0) {
    return `<p class="muted" id="${esc(id)}">This check reports no e-value (no data yet, or it is not an e-process test); see its numbers.</p>`;
  }
  const refLines: RefLine[] =
    c.eThreshold === null ? [] : [{ key: "bound", y: c.eThreshold, label: `1/α = ${number(c.eThreshold)}` }];
  const series: LineSeries[] = [
    {
      key: "evalue",
      name: "e-value",
      points: c.eValues.map((p) => ({
        x: p.x,
        y: p.y,
        label: `look ${p.seq} (${utc(p.at)}): e-value ${number(p.y)}${c.eThreshold === null ? "" : ` (bound ${number(c.eThreshold)})`}`,
      })),
    },
  ];
  return lineChart({
    id,
    title,
    description: `Evidence against "the canary is no worse" after each of ${c.eValues.length} looks, on a log axis; the check fails when it reaches the dashed 1/α line.`,
    yScale: "log",
    series,
    refLines,
    marks: c.failedAt === null ? [] : [{ x: c.failedAt - r.start, label: "crossed" }],
    xDomain: [0, r.span],
    formatX: plus,
    xTicks: timeTicks,
    formatY: powerOfTen,
    logFloor: 1e-4,
  });
}

function checkSection(r: AnalysisReport, c: CheckReport): string {
  const rows = c.numbers
    .map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td class="num">${esc(v)}</td></tr>`)
    .join("");
  return `<section class="check" id="${esc(idOf("check", c.id))}" aria-labelledby="${esc(idOf("check-h", c.id))}">
<h3 id="${esc(idOf("check-h", c.id))}">${badge(c.status)} ${esc(c.id)} <span class="muted">(${esc(c.kind)}${c.critical ? ", critical" : ""})</span></h3>
<p>${esc(c.reason)}</p>
<div class="grid2">
${eValueChart(r, c)}
<details><summary>Numbers of the last look (${esc(c.seen)} look${c.seen === 1 ? "" : "s"} with this check)</summary>
<div class="scroll" tabindex="0" role="region" aria-label="${esc(`${c.id} numbers`)}"><table><tbody>${rows || '<tr><td class="muted">no numbers</td></tr>'}</tbody></table></div>
</details>
</div>
</section>`;
}

function ratioChart(r: AnalysisReport): string {
  const refs: RefLine[] = [];
  if (r.budget !== null && Number.isFinite(r.budget)) {
    refs.push({ key: "budget", y: r.budget, label: `objective: ≤ ${percent(r.budget)} bad` });
  }
  const seen = new Set<number>();
  for (const c of r.checks) {
    if (c.limit === null || seen.has(c.limit) || Math.abs(c.limit - (r.budget ?? -1)) < 1e-12) continue;
    seen.add(c.limit);
    refs.push({
      key: c.kind === "baseline" ? "baseline" : "limit",
      y: c.limit,
      label: `${c.id} limit ${percent(c.limit)}`,
    });
  }
  const series: LineSeries[] = [
    { key: "canary", name: "canary", points: ratioChartPoints(r.ratios.canary, "canary") },
    { key: "stable", name: "stable", points: ratioChartPoints(r.ratios.stable, "stable") },
    {
      key: "baseline",
      name: "baseline (before the deploy)",
      points: ratioChartPoints(r.ratios.baseline, "baseline"),
    },
  ];
  return lineChart({
    id: "ratio",
    title: "Bad ratio per arm, since the start",
    description:
      "Share of bad events of the canary, the stable arm and the pre-deploy baseline at each look, with 95 % Wilson intervals; dashed lines are the objective and the checks' limits.",
    yScale: "linear",
    series,
    refLines: refs,
    xDomain: [0, r.span],
    formatX: plus,
    xTicks: timeTicks,
    formatY: (y) => percent(y),
  });
}

function trafficChart(r: AnalysisReport): string {
  return stackedBars(
    "traffic",
    "Traffic split per look",
    "Share of the events between consecutive looks that went to the canary and to the stable arm.",
    r.traffic.map((t) => {
      const sum = t.canary + t.stable;
      return {
        label: String(t.seq),
        segments: [
          { key: "canary", name: "canary", value: sum > 0 ? t.canary / sum : 0 },
          { key: "stable", name: "stable", value: sum > 0 ? t.stable / sum : 0 },
        ],
        tooltip:
          sum > 0
            ? `look ${t.seq} (${utc(t.at)}): canary ${percent(t.canary / sum)} (${number(t.canary)} events), stable ${percent(t.stable / sum)} (${number(t.stable)})`
            : `look ${t.seq} (${utc(t.at)}): no new events`,
      };
    }),
  );
}

function latencyCharts(r: AnalysisReport): string {
  const q = r.quantiles;
  const out: string[] = [];
  if (q !== undefined) {
    const refs: RefLine[] = [];
    if (q.threshold !== null)
      refs.push({ key: "budget", y: q.threshold, label: `objective ${latency(q.threshold)}` });
    if (q.baseline !== null)
      refs.push({ key: "baseline", y: q.baseline, label: `baseline ${latency(q.baseline)}` });
    const pts = (s: readonly SeriesPoint[], arm: string): ChartPoint[] =>
      s.map((p) => ({
        x: p.x,
        y: p.y,
        label: `look ${p.seq} (${utc(p.at)}): ${arm} p${number(q.q * 100)} ${latency(p.y)}`,
      }));
    out.push(
      lineChart({
        id: "quantiles",
        title: `p${number(q.q * 100)} latency per look`,
        description: `The ${number(q.q * 100)}th percentile of each arm's latency since the start, from its histogram, at each look.`,
        yScale: "linear",
        series: [
          { key: "canary", name: "canary", points: pts(q.canary, "canary") },
          { key: "stable", name: "stable", points: pts(q.stable, "stable") },
        ],
        refLines: refs,
        xDomain: [0, r.span],
        formatX: plus,
        xTicks: timeTicks,
        formatY: (y) => latency(y),
      }),
    );
  }
  const h = r.histograms;
  if (h !== undefined) {
    out.push(
      groupedBars(
        "histograms",
        "Latency histograms at the last look",
        "Share of each arm's requests in each histogram bucket (canary and stable since the start, baseline over its window).",
        h.categories,
        h.arms.map((a) => ({ key: a.key, name: a.name, values: a.shares })),
        (y) => percent(y),
      ),
    );
  } else if (r.slo?.sliType === "latency") {
    out.push(`<p class="muted">No histogram was stored with the last look.</p>`);
  }
  return out.join("\n");
}

function looksTable(r: AnalysisReport): string {
  const arm = (a: { bad: number; total: number } | null): string =>
    a === null ? "no data" : `${number(a.bad)} / ${number(a.total)}`;
  const rows = r.looks
    .map(
      (l) =>
        `<tr><td class="num">${l.seq}</td><td>${esc(utc(l.at))}</td><td>${badge(l.verdict)}${l.final ? " final" : ""}</td><td class="num">${esc(number(l.score))}</td><td class="num">${esc(arm(l.canary))}</td><td class="num">${esc(arm(l.stable))}</td><td>${esc(l.reason)}</td></tr>`,
    )
    .join("");
  return `<div class="scroll" tabindex="0" role="region" aria-label="looks table"><table class="wide"><thead><tr><th scope="col">look</th><th scope="col">time</th><th scope="col">verdict</th><th scope="col">score</th><th scope="col">canary bad / total</th><th scope="col">stable bad / total</th><th scope="col">reason</th></tr></thead><tbody>${rows || '<tr><td colspan="7" class="muted">no look yet</td></tr>'}</tbody></table></div>`;
}

function environmentBlock(r: AnalysisReport): string {
  const e = r.environment;
  if (e === undefined) {
    return `<div class="env" data-environment="unreported"><strong>Environment:</strong> not assessed by this verdict.</div>`;
  }
  return `<div class="env${e.degraded ? " degraded" : ""}" data-environment="${esc(e.status)}"><strong>Environment: ${esc(e.status)}</strong>${e.degraded ? " — the comparison may reflect the environment rather than the canary." : ""}${e.text === "" ? "" : ` ${esc(e.text)}`}</div>`;
}

/** The body markup of an analysis page (without the document shell). */
export function analysisBody(r: AnalysisReport, links: AnalysisPageLinks = {}): string {
  const v = r.verdict;
  const facts: [string, string][] = [
    [
      "SLO",
      r.slo === undefined
        ? `${r.sloId} (not served now)`
        : `${r.slo.service} / ${r.slo.name} (${number(r.slo.objectivePercent)} %)`,
    ],
    ["status", `${r.status}${r.outcome === undefined ? "" : ` (${r.outcome})`}`],
    ["controller", r.controller],
    ["rollout", r.rollout ?? "—"],
    ["started", utc(r.start)],
    [
      "last look",
      r.lastLookAt === undefined ? "—" : `${utc(r.lastLookAt)} (${plus(r.lastLookAt - r.start)})`,
    ],
    ["looks", `${r.looks.length}${r.expectedLooks === undefined ? "" : ` of ${r.expectedLooks}`}`],
    ["judge", r.slo?.judge ?? "—"],
    ["score", v.score === null ? "—" : number(v.score)],
    [
      "baseline",
      r.baseline === undefined
        ? "none"
        : `${utc(r.baseline.from)} – ${utc(r.baseline.to)}, over ${r.baseline.scope}`,
    ],
  ];
  const grafana =
    r.grafana.length === 0
      ? `<p class="muted">Grafana links appear when <code>pages.grafanaUrl</code> is set.</p>`
      : `<ul class="links">${r.grafana.map((g) => `<li><a href="${esc(g.url)}">Grafana: ${esc(g.name)}</a></li>`).join("")}</ul>`;
  const other =
    links.json === undefined
      ? ""
      : `<ul class="links"><li><a href="${esc(links.json)}">this analysis as JSON</a></li></ul>`;
  const nav = r.checks
    .map((c) => `<li><a href="#${esc(idOf("check", c.id))}">${esc(c.id)}</a> ${badge(c.status)}</li>`)
    .join("");
  return `<h1>Analysis ${esc(r.id)}</h1>
<section class="verdict v-${esc(v.key)}" aria-label="verdict" data-verdict="${esc(v.key)}">
<p class="headline">${badge(v.key)} ${esc(v.headline)}</p>
${v.reason === "" ? "" : `<p>${esc(v.reason)}</p>`}
${v.details.length === 0 ? "" : `<ul>${v.details.map((d) => `<li>${esc(d)}</li>`).join("")}</ul>`}
</section>
${environmentBlock(r)}
<dl class="facts">${facts.map(([k, x]) => `<div><dt>${esc(k)}</dt><dd>${esc(x)}</dd></div>`).join("")}</dl>
${grafana}${other}
<h2 id="checks">Checks</h2>
${nav === "" ? '<p class="muted">No check has been judged yet.</p>' : `<ul class="links">${nav}</ul>`}
${r.checks.map((c) => checkSection(r, c)).join("\n")}
<h2 id="arms">Canary, stable and baseline</h2>
<div class="grid2">
${ratioChart(r)}
${trafficChart(r)}
${latencyCharts(r)}
</div>
<h2 id="looks">Looks</h2>
${looksTable(r)}
<footer>Generated ${esc(utc(r.generatedAt))} by slogate. Times are UTC; chart times are since the analysis start.</footer>`;
}

/** The full HTML document of an analysis page (also the offline report). */
export function renderAnalysisPage(r: AnalysisReport, links: AnalysisPageLinks = {}): string {
  return page(
    `${r.verdict.key === "none" ? "" : `${VERDICT_WORD[r.verdict.key] ?? r.verdict.key} · `}${r.sloId} · slogate`,
    analysisBody(r, links),
    links,
  );
}
