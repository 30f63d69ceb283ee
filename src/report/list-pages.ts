/**
 * @module report/list-pages
 * The `/analyses` page (recent and open analyses, filtered by service, SLO, verdict, rollout
 * and status, each row with a sparkline of its looks' strongest evidence against the bound)
 * and the `/slos` page (the loaded SLOs, their source files and the last load's problems).
 * Pure: rows, filters, links and the time come in; HTML goes out.
 */
import type { AnalysisRecord, LookRecord } from "../app/store-port.ts";
import { esc, number, utc } from "./html.ts";
import { page, type PageNav } from "./page-layout.ts";
import { sparkline } from "./svg-chart.ts";

/** One analysis row with its looks and the link to its page. */
export interface AnalysisRow {
  readonly analysis: AnalysisRecord;
  readonly looks: readonly LookRecord[];
  /** The SLO's service when the SLO is served (else unknown). */
  readonly service?: string;
  readonly link: string;
}

/** Filters of the list (all optional; empty strings mean "any"). */
export interface AnalysisFilters {
  readonly service?: string;
  readonly slo?: string;
  readonly verdict?: string;
  readonly rollout?: string;
  readonly status?: string;
}

/** The verdict a row is filtered by: the last look's, or `none`. */
function rowVerdict(r: AnalysisRow): string {
  return (r.analysis.lastVerdict as string | undefined) ?? "none";
}

/** Keeps the rows matching every filter (rollout: substring, case-insensitive). */
export function filterAnalysisRows(rows: readonly AnalysisRow[], f: AnalysisFilters): AnalysisRow[] {
  const set = (s: string | undefined): s is string => s !== undefined && s !== "";
  return rows.filter(
    (r) =>
      (!set(f.service) || r.service === f.service) &&
      (!set(f.slo) || r.analysis.sloId === f.slo) &&
      (!set(f.verdict) || rowVerdict(r) === f.verdict) &&
      (!set(f.status) || r.analysis.status === f.status) &&
      (!set(f.rollout) || (r.analysis.rollout ?? "").toLowerCase().includes(f.rollout.toLowerCase())),
  );
}

/**
 * Per look, the strongest check's log10(e-value × α): 0 is the bound, above it a check
 * failed. Looks without any e-value are skipped.
 */
export function evidenceTrail(looks: readonly LookRecord[]): number[] {
  const out: number[] = [];
  for (const l of looks) {
    let best = -Infinity;
    for (const c of l.verdict.checks) {
      const e = c.evidence.eValue;
      const t = c.evidence.eThreshold;
      if (
        typeof e === "number" &&
        typeof t === "number" &&
        e > 0 &&
        t > 0 &&
        Number.isFinite(e) &&
        Number.isFinite(t)
      ) {
        best = Math.max(best, Math.log10(e / t));
      }
    }
    if (best > -Infinity) out.push(Math.max(-6, best));
  }
  return out;
}

function options(name: string, values: readonly string[], current: string | undefined): string {
  const all = [`<option value=""${current === undefined || current === "" ? " selected" : ""}>any</option>`];
  for (const v of values)
    all.push(`<option value="${esc(v)}"${v === current ? " selected" : ""}>${esc(v)}</option>`);
  return `<select name="${esc(name)}" id="f-${esc(name)}">${all.join("")}</select>`;
}

export interface AnalysesPageInput {
  readonly rows: readonly AnalysisRow[];
  readonly filters: AnalysisFilters;
  readonly services: readonly string[];
  readonly slos: readonly string[];
  /** Where the filter form submits (the page's own path). */
  readonly action: string;
  readonly nav: PageNav;
  readonly generatedAt: number;
}

/** The `/analyses` page. */
export function renderAnalysesPage(input: AnalysesPageInput): string {
  const f = input.filters;
  const rows = filterAnalysisRows(input.rows, f);
  const body = rows
    .map((r) => {
      const a = r.analysis;
      const v = rowVerdict(r);
      const trail = evidenceTrail(r.looks);
      return `<tr data-analysis="${esc(a.id)}"><td><a href="${esc(r.link)}">${esc(a.id)}</a></td><td>${esc(a.sloId)}</td><td>${esc(a.rollout ?? "—")}</td><td><span class="badge b-${esc(v)}">${esc(v === "none" ? "no look" : v)}</span></td><td>${esc(a.status)}${a.outcome === undefined ? "" : ` (${esc(a.outcome)})`}</td><td class="num">${a.looks}</td><td>${esc(utc(a.lastLookAt ?? a.createdAt))}</td><td>${sparkline(`${a.id}: strongest evidence per look, ${trail.length} looks`, trail, v)}</td></tr>`;
    })
    .join("");
  const html = `<h1>Analyses</h1>
<form class="filters" method="get" action="${esc(input.action)}" aria-label="filter analyses">
<label for="f-service">service ${options("service", input.services, f.service)}</label>
<label for="f-slo">SLO ${options("slo", input.slos, f.slo)}</label>
<label for="f-verdict">verdict ${options("verdict", ["pass", "fail", "inconclusive", "nodata", "none"], f.verdict)}</label>
<label for="f-status">status ${options("status", ["open", "closed"], f.status)}</label>
<label for="f-rollout">rollout <input id="f-rollout" name="rollout" type="search" value="${esc(f.rollout ?? "")}"></label>
<button type="submit">Filter</button>
</form>
<p class="muted">${rows.length} of ${input.rows.length} analyses shown, newest first. The sparkline is each look's strongest evidence against its bound (dashed line: 1/α, log scale).</p>
<div class="scroll" tabindex="0" role="region" aria-label="analyses table"><table class="wide"><thead><tr><th scope="col">analysis</th><th scope="col">SLO</th><th scope="col">rollout</th><th scope="col">verdict</th><th scope="col">status</th><th scope="col">looks</th><th scope="col">last look</th><th scope="col">evidence</th></tr></thead>
<tbody>${body || '<tr><td colspan="8" class="muted">no analysis matches</td></tr>'}</tbody></table></div>
<footer>Generated ${esc(utc(input.generatedAt))} by slogate.</footer>`;
  return page("Analyses · slogate", html, input.nav);
}

/** What the `/slos` page shows of one served SLO. */
export interface SloRow {
  readonly id: string;
  readonly service: string;
  readonly name: string;
  readonly kind: string;
  readonly objectivePercent: number;
  readonly sliType: string;
  readonly judge: string;
  readonly source: { readonly file: string; readonly line?: number };
  readonly notes?: readonly string[];
}

/** A problem of the last load (a subset of `Problem`). */
export interface SloProblemRow {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly path: string;
  readonly code: string;
  readonly message: string;
  readonly hint: string;
  readonly severity: string;
}

export interface SlosPageInput {
  readonly slos: readonly SloRow[];
  readonly status: {
    readonly valid: boolean;
    readonly lastLoadAt: number;
    readonly lastGoodAt?: number;
    readonly served: number;
    readonly loadErrors: number;
    readonly problems: readonly SloProblemRow[];
  };
  /** Link to the analyses of one SLO. */
  readonly analysesOf: (sloId: string) => string;
  readonly nav: PageNav;
  readonly generatedAt: number;
}

/** The `/slos` page. */
export function renderSlosPage(input: SlosPageInput): string {
  const s = input.status;
  const rows = input.slos
    .map(
      (x) =>
        `<tr><td><a href="${esc(input.analysesOf(x.id))}">${esc(x.id)}</a></td><td>${esc(x.service)}</td><td>${esc(x.name)}</td><td>${esc(x.kind)}</td><td class="num">${esc(number(x.objectivePercent))} %</td><td>${esc(x.sliType)}</td><td>${esc(x.judge)}</td><td>${esc(x.source.file)}${x.source.line === undefined ? "" : `:${x.source.line}`}${x.notes === undefined || x.notes.length === 0 ? "" : `<br><span class="muted">${x.notes.map(esc).join("<br>")}</span>`}</td></tr>`,
    )
    .join("");
  const problems = s.problems
    .map(
      (p) =>
        `<tr class="problem-${esc(p.severity)}"><td>${esc(p.severity)}</td><td>${esc(p.file)}:${p.line}:${p.col}</td><td>${esc(p.path)}</td><td>${esc(p.code)}</td><td>${esc(p.message)}${p.hint === "" ? "" : `<br><span class="muted">${esc(p.hint)}</span>`}</td></tr>`,
    )
    .join("");
  const html = `<h1>SLOs</h1>
<p>${s.valid ? "The last load was valid" : "<strong>The last load had errors</strong>; the last good set is served"}: ${s.served} SLO${s.served === 1 ? "" : "s"} served, loaded ${esc(utc(s.lastLoadAt))}${s.lastGoodAt === undefined ? "" : `, last good load ${esc(utc(s.lastGoodAt))}`}${s.loadErrors > 0 ? `, ${s.loadErrors} failed load${s.loadErrors === 1 ? "" : "s"} so far` : ""}.</p>
<div class="scroll" tabindex="0" role="region" aria-label="SLOs table"><table class="wide"><thead><tr><th scope="col">id</th><th scope="col">service</th><th scope="col">name</th><th scope="col">kind</th><th scope="col">objective</th><th scope="col">SLI</th><th scope="col">judge</th><th scope="col">source</th></tr></thead><tbody>${rows || '<tr><td colspan="8" class="muted">no SLO is served</td></tr>'}</tbody></table></div>
<h2 id="problems">Load problems</h2>
${problems === "" ? '<p class="muted">None.</p>' : `<div class="scroll" tabindex="0" role="region" aria-label="load problems"><table><thead><tr><th scope="col">severity</th><th scope="col">where</th><th scope="col">path</th><th scope="col">code</th><th scope="col">problem</th></tr></thead><tbody>${problems}</tbody></table></div>`}
<footer>Generated ${esc(utc(input.generatedAt))} by slogate.</footer>`;
  return page("SLOs · slogate", html, input.nav);
}
