/**
 * @module report/analysis-report
 * Turns a stored analysis (its record, looks, pinned baseline and SLO) into the data of its
 * page: the verdict in words (was the canary worse, by how much, since when, how sure), the
 * environment status, per check the e-value trajectory against 1/α, per arm the bad ratio with
 * 95 % Wilson intervals, the traffic split of every look, and for latency SLIs the quantiles
 * per look and the histograms at the last look. Pure: no I/O, no clock (`generatedAt` is given).
 */
import type { HistogramCounts } from "../domain/counts.ts";
import { CANARY_DASHBOARD_UID } from "../generate/dashboards/canary-dashboard.ts";
import { dashboardUid } from "../generate/dashboards/prometheus-panels.ts";
import type { CheckResult, SloVerdict } from "../domain/verdict.ts";
import { formatMatchers, type LabelMatcher } from "../promql/matchers.ts";
import type { Slo } from "../slo/model.ts";
import { wilsonInterval } from "../stats/binomial-interval.ts";
import { histogramQuantile } from "../stats/histogram-quantile.ts";
import type { AnalysisRecord, ArmTotals, BaselineRecord, LookRecord } from "../app/store-port.ts";
import { duration, latency, number, percent, utc } from "./html.ts";

/** What a page needs to know of the SLO (it may no longer be served: then `undefined`). */
export interface ReportSlo {
  readonly id: string;
  readonly service: string;
  readonly name: string;
  readonly objectivePercent: number;
  readonly sliType: string;
  readonly judge: string;
  /** Latency SLIs: the threshold of a good request, and the objective's quantile. */
  readonly thresholdSeconds?: number;
  readonly quantile?: number;
  readonly sourceFile?: string;
}

/** The page-relevant part of a loaded SLO. */
export function reportSloOf(slo: Slo): ReportSlo {
  return {
    id: slo.id,
    service: slo.service,
    name: slo.name,
    objectivePercent: slo.objectivePercent,
    sliType: slo.sli.type,
    judge: slo.canary.judge,
    ...(slo.sli.type === "latency"
      ? {
          thresholdSeconds: slo.sli.thresholdSeconds,
          ...(slo.sli.quantile === undefined ? {} : { quantile: slo.sli.quantile }),
        }
      : {}),
    sourceFile: slo.source.file,
  };
}

export interface AnalysisReportInput {
  readonly analysis: AnalysisRecord;
  readonly looks: readonly LookRecord[];
  readonly baseline?: BaselineRecord | null;
  readonly slo?: ReportSlo;
  /** Grafana base URL; dashboards are linked only when set. */
  readonly grafanaUrl?: string;
  /** Time the page is generated (Unix seconds), shown in the footer. */
  readonly generatedAt: number;
}

/** The environment status a verdict may carry (a newer judge adds `environment`). */
export interface EnvironmentView {
  readonly status: string;
  readonly text: string;
  readonly degraded: boolean;
}

export type VerdictKey = "pass" | "fail" | "inconclusive" | "nodata" | "none";

/** One point of a time series on the page: x is seconds since the analysis start. */
export interface SeriesPoint {
  readonly seq: number;
  readonly at: number;
  readonly x: number;
  readonly y: number;
  readonly lo?: number;
  readonly hi?: number;
}

export interface CheckReport {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly critical: boolean;
  readonly reason: string;
  /** Looks where the check reported a finite e-value. */
  readonly eValues: readonly SeriesPoint[];
  /** 1/α of the check (last reported), or null for checks without an e-process. */
  readonly eThreshold: number | null;
  /** When the e-process crossed its bound (sticky), if it did. */
  readonly failedAt: number | null;
  /** The check's own limit on the bad ratio (absolute/baseline checks), if any. */
  readonly limit: number | null;
  /** The last look's evidence, as label / formatted value rows. */
  readonly numbers: readonly (readonly [string, string])[];
  /** Looks the check appeared in. */
  readonly seen: number;
}

export interface TrafficBar {
  readonly seq: number;
  readonly at: number;
  /** Events since the previous look, per arm. */
  readonly canary: number;
  readonly stable: number;
}

export interface HistogramView {
  readonly categories: readonly string[];
  readonly arms: readonly {
    readonly key: string;
    readonly name: string;
    readonly shares: readonly number[];
  }[];
}

export interface LookRow {
  readonly seq: number;
  readonly at: number;
  readonly verdict: string;
  readonly final: boolean;
  readonly score: number;
  readonly canary: ArmTotals | null;
  readonly stable: ArmTotals | null;
  readonly reason: string;
}

export interface GrafanaLink {
  readonly name: string;
  readonly url: string;
}

export interface AnalysisReport {
  readonly id: string;
  readonly sloId: string;
  readonly slo?: ReportSlo;
  readonly controller: string;
  readonly rollout?: string;
  readonly status: "open" | "closed";
  readonly outcome?: string;
  readonly start: number;
  readonly lastLookAt?: number;
  readonly closedAt?: number;
  readonly expectedLooks?: number;
  readonly verdict: {
    readonly key: VerdictKey;
    readonly headline: string;
    readonly details: readonly string[];
    readonly final: boolean;
    readonly score: number | null;
    readonly reason: string;
  };
  readonly environment?: EnvironmentView;
  readonly checks: readonly CheckReport[];
  /** Bad ratio per arm per look (baseline: one fixed value, repeated per look). */
  readonly ratios: {
    readonly canary: readonly SeriesPoint[];
    readonly stable: readonly SeriesPoint[];
    readonly baseline: readonly SeriesPoint[];
  };
  /** The objective's allowed bad ratio (1 − objective). */
  readonly budget: number | null;
  readonly traffic: readonly TrafficBar[];
  readonly quantiles?: {
    readonly q: number;
    readonly canary: readonly SeriesPoint[];
    readonly stable: readonly SeriesPoint[];
    readonly baseline: number | null;
    readonly threshold: number | null;
  };
  readonly histograms?: HistogramView;
  readonly looks: readonly LookRow[];
  /** Seconds since the start covered by the charts. */
  readonly span: number;
  readonly grafana: readonly GrafanaLink[];
  readonly baseline?: {
    readonly id: string;
    readonly from: number;
    readonly to: number;
    readonly capturedAt: number;
    /** The series it covers: the scope's sentence, or the bare selector for older baselines. */
    readonly scope: string;
  };
  readonly generatedAt: number;
}

const OK_ENVIRONMENT = new Set(["ok", "healthy", "normal", "good", "clear"]);
/** Statuses that say nothing is known about the environment (neither fine nor degraded). */
const UNKNOWN_ENVIRONMENT = new Set(["unknown", "reported", "n/a"]);
const isDegraded = (status: string): boolean =>
  !OK_ENVIRONMENT.has(status.toLowerCase()) && !UNKNOWN_ENVIRONMENT.has(status.toLowerCase());

/** Reads `verdict.environment` when present: a status string, or an object with a status and a reason. */
export function environmentOf(v: SloVerdict | undefined): EnvironmentView | undefined {
  const raw = (v as { environment?: unknown } | undefined)?.environment;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "string") {
    return { status: raw, text: "", degraded: isDegraded(raw) };
  }
  if (typeof raw !== "object") return undefined;
  const o = raw as Record<string, unknown>;
  const status = [o.status, o.state, o.verdict].find((x): x is string => typeof x === "string") ?? "reported";
  const text =
    [o.reason, o.message, o.summary, o.text].find((x): x is string => typeof x === "string") ??
    Object.entries(o)
      .filter(
        ([k, x]) =>
          k !== "status" && (typeof x === "string" || typeof x === "number" || typeof x === "boolean"),
      )
      .map(([k, x]) => `${k}: ${String(x)}`)
      .join(", ");
  const degraded =
    typeof o.degraded === "boolean" ? o.degraded : typeof o.ok === "boolean" ? !o.ok : isDegraded(status);
  return { status, text, degraded };
}

const EVIDENCE_LABELS: Readonly<Record<string, string>> = {
  canaryBad: "canary bad events",
  canaryTotal: "canary events",
  stableBad: "stable bad events",
  stableTotal: "stable events",
  baselineBad: "baseline bad events",
  baselineTotal: "baseline events",
  canaryBadRatio: "canary bad ratio",
  stableBadRatio: "stable bad ratio",
  baselineBadRatio: "baseline bad ratio",
  baselineBadRatioUpper: "baseline bad ratio (upper bound)",
  canaryBadRatioWilson95Lower: "canary bad ratio, 95 % lower",
  canaryBadRatioWilson95Upper: "canary bad ratio, 95 % upper",
  stableBadRatioWilson95Lower: "stable bad ratio, 95 % lower",
  stableBadRatioWilson95Upper: "stable bad ratio, 95 % upper",
  ratio: "canary / stable bad ratio",
  nullRatio: "tolerated ratio (null hypothesis)",
  eValue: "e-value",
  eThreshold: "bound 1/α",
  alpha: "α (false-alarm budget)",
  failedAt: "bound crossed at",
  limit: "limit on the bad ratio",
  quantile: "quantile",
  canaryQuantileSeconds: "canary quantile",
  stableQuantileSeconds: "stable quantile",
  probabilityCanarySlower: "P(canary request slower)",
  fisherExactPFinal: "Fisher exact p (final look)",
};

function formatEvidence(key: string, v: number | string | boolean | null): string {
  if (v === null) return "—";
  if (typeof v !== "number") return String(v);
  if (key === "failedAt") return utc(v);
  if (key === "alpha" || key === "quantile" || key === "probabilityCanarySlower") return number(v);
  if (/Ratio($|Wilson|Upper|Lower)|^limit$/.test(key) && key !== "nullRatio" && key !== "ratio")
    return percent(v);
  if (/Seconds$/.test(key)) return latency(v);
  return number(v);
}

function finiteNumber(x: unknown): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

function checkReports(looks: readonly LookRecord[], start: number): CheckReport[] {
  const order: string[] = [];
  const byId = new Map<string, { results: { look: LookRecord; check: CheckResult }[] }>();
  for (const look of looks) {
    for (const check of look.verdict.checks) {
      let e = byId.get(check.id);
      if (e === undefined) {
        e = { results: [] };
        byId.set(check.id, e);
        order.push(check.id);
      }
      e.results.push({ look, check });
    }
  }
  return order.map((id) => {
    const results = byId.get(id)?.results ?? [];
    const last = results.at(-1);
    const lastCheck = last?.check;
    const eValues: SeriesPoint[] = [];
    let eThreshold: number | null = null;
    let failedAt: number | null = null;
    for (const { look, check } of results) {
      const e = finiteNumber(check.evidence.eValue);
      if (e !== null) eValues.push({ seq: look.seq, at: look.at, x: look.at - start, y: e });
      eThreshold = finiteNumber(check.evidence.eThreshold) ?? eThreshold;
      failedAt = finiteNumber(check.evidence.failedAt) ?? failedAt;
    }
    const ev = lastCheck?.evidence ?? {};
    return {
      id,
      kind: lastCheck?.kind ?? "unknown",
      status: lastCheck?.status ?? "nodata",
      critical: lastCheck?.critical ?? false,
      reason: lastCheck?.reason ?? "",
      eValues,
      eThreshold,
      failedAt,
      limit: finiteNumber(ev.limit) ?? finiteNumber(ev.baselineBadRatioUpper),
      numbers: Object.entries(ev).map(([k, v]) => [EVIDENCE_LABELS[k] ?? k, formatEvidence(k, v)] as const),
      seen: results.length,
    };
  });
}

function ratioPoint(
  seq: number,
  at: number,
  x: number,
  arm: ArmTotals | null | undefined,
): SeriesPoint | undefined {
  if (arm === null || arm === undefined || !(arm.total > 0) || !Number.isFinite(arm.bad)) return undefined;
  const w = wilsonInterval(Math.min(arm.bad, arm.total), arm.total);
  return { seq, at, x, y: arm.bad / arm.total, lo: w.lower, hi: w.upper };
}

function ratios(looks: readonly LookRecord[], start: number): AnalysisReport["ratios"] {
  const canary: SeriesPoint[] = [];
  const stable: SeriesPoint[] = [];
  const baseline: SeriesPoint[] = [];
  for (const l of looks) {
    const x = l.at - start;
    const c = ratioPoint(l.seq, l.at, x, l.arms?.canary);
    const s = ratioPoint(l.seq, l.at, x, l.arms?.stable);
    const b = ratioPoint(l.seq, l.at, x, l.arms?.baseline);
    if (c) canary.push(c);
    if (s) stable.push(s);
    if (b) baseline.push(b);
  }
  return { canary, stable, baseline };
}

function traffic(looks: readonly LookRecord[]): TrafficBar[] {
  let prevC = 0;
  let prevS = 0;
  return looks.map((l) => {
    const c = l.arms?.canary?.total ?? 0;
    const s = l.arms?.stable?.total ?? 0;
    // A counter that went down (an arm lost series) restarts the increments from zero.
    const dc = c >= prevC ? c - prevC : c;
    const ds = s >= prevS ? s - prevS : s;
    prevC = c;
    prevS = s;
    return { seq: l.seq, at: l.at, canary: dc, stable: ds };
  });
}

function quantiles(
  looks: readonly LookRecord[],
  start: number,
  slo: ReportSlo | undefined,
  baseline: BaselineRecord | null | undefined,
): AnalysisReport["quantiles"] {
  const canary: SeriesPoint[] = [];
  const stable: SeriesPoint[] = [];
  let q: number | undefined = slo?.quantile;
  for (const l of looks) {
    const withQ = l.verdict.checks.find(
      (c) =>
        finiteNumber(c.evidence.canaryQuantileSeconds) !== null ||
        finiteNumber(c.evidence.stableQuantileSeconds) !== null,
    );
    if (withQ === undefined) continue;
    q = finiteNumber(withQ.evidence.quantile) ?? q;
    const cq = finiteNumber(withQ.evidence.canaryQuantileSeconds);
    const sq = finiteNumber(withQ.evidence.stableQuantileSeconds);
    if (cq !== null) canary.push({ seq: l.seq, at: l.at, x: l.at - start, y: cq });
    if (sq !== null) stable.push({ seq: l.seq, at: l.at, x: l.at - start, y: sq });
  }
  if (slo?.sliType !== "latency" && canary.length === 0 && stable.length === 0) return undefined;
  const qq = q ?? 0.95;
  const bh = baseline?.counts.histogram;
  const bq = bh === undefined ? null : finiteNumber(histogramQuantile(qq, bh));
  return { q: qq, canary, stable, baseline: bq, threshold: slo?.thresholdSeconds ?? null };
}

function bucketLabel(bounds: readonly number[], i: number): string {
  const b = bounds[i] ?? Infinity;
  if (!Number.isFinite(b)) return `> ${latency(bounds[i - 1] ?? 0)}`;
  return `≤ ${latency(b)}`;
}

function histograms(
  looks: readonly LookRecord[],
  baseline: BaselineRecord | null | undefined,
): HistogramView | undefined {
  const last = looks.at(-1);
  const arms: { key: string; name: string; h: HistogramCounts | undefined }[] = [
    { key: "canary", name: "canary", h: last?.arms?.canary?.histogram },
    { key: "stable", name: "stable", h: last?.arms?.stable?.histogram },
    { key: "baseline", name: "baseline", h: baseline?.counts.histogram },
  ];
  const ref = arms.find((a) => a.h !== undefined && a.h.bounds.length > 0)?.h;
  if (ref === undefined) return undefined;
  const same = (h: HistogramCounts): boolean =>
    h.bounds.length === ref.bounds.length && h.bounds.every((b, i) => b === ref.bounds[i]);
  return {
    categories: ref.bounds.map((_, i) => bucketLabel(ref.bounds, i)),
    arms: arms
      .filter((a): a is typeof a & { h: HistogramCounts } => a.h !== undefined && same(a.h))
      .map((a) => {
        const total = a.h.counts.reduce((s, c) => s + Math.max(0, c), 0);
        return {
          key: a.key,
          name: a.name,
          shares: a.h.counts.map((c) => (total > 0 ? Math.max(0, c) / total : 0)),
        };
      }),
  };
}

/** The value of the matcher that tells the canary from the stable arm (for dashboard variables). */
function armValue(own: readonly LabelMatcher[], other: readonly LabelMatcher[]): string | undefined {
  const m = own.find(
    (x) => x.op === "=" && !other.some((o) => o.name === x.name && o.op === x.op && o.value === x.value),
  );
  return m?.value ?? own.find((x) => x.op === "=")?.value;
}

/** Links to the generated dashboards with the analysis' time range (and arms) set. */
export function grafanaLinks(
  grafanaUrl: string | undefined,
  a: AnalysisRecord,
  sloId: string,
): GrafanaLink[] {
  if (grafanaUrl === undefined || grafanaUrl === "") return [];
  const base = grafanaUrl.replace(/\/+$/, "");
  const endAt = a.closedAt ?? a.lastLookAt ?? a.updatedAt;
  const from = Math.floor((a.start - 300) * 1000);
  const to = Math.ceil((Math.max(endAt, a.start) + 300) * 1000);
  const canary = armValue(a.selectors.canary, a.selectors.stable);
  const stable = armValue(a.selectors.stable, a.selectors.canary);
  const q = new URLSearchParams({ from: String(from), to: String(to) });
  if (canary !== undefined) q.set("var-canary", canary);
  if (stable !== undefined) q.set("var-stable", stable);
  const range = new URLSearchParams({ from: String(from), to: String(to) });
  return [
    { name: "canary analysis", url: `${base}/d/${CANARY_DASHBOARD_UID}?${q.toString()}` },
    {
      name: `SLO ${sloId}`,
      url: `${base}/d/${encodeURIComponent(dashboardUid(`slo-${sloId}`))}?${range.toString()}`,
    },
  ];
}

function verdictKey(v: SloVerdict | undefined): VerdictKey {
  if (v === undefined) return "none";
  const k = v.verdict as string;
  return k === "pass" || k === "fail" || k === "inconclusive" || k === "nodata" ? k : "inconclusive";
}

function verdictWords(
  a: AnalysisRecord,
  looks: readonly LookRecord[],
  checks: readonly CheckReport[],
): AnalysisReport["verdict"] {
  const last = looks.at(-1)?.verdict;
  const key = verdictKey(last);
  const of = a.expectedLooks === undefined ? "" : ` of ${a.expectedLooks}`;
  const lookNo = `look ${looks.length}${of}`;
  const details: string[] = [];
  let headline: string;
  switch (key) {
    case "none":
      headline = "No look yet: nothing has been judged.";
      break;
    case "fail": {
      const firstFail = looks.find((l) => l.verdict.verdict === "fail");
      const failing = (last?.checks ?? []).filter((c) => c.status === "fail");
      const ids = failing.map((c) => c.id).join(", ") || "a check failed";
      const relative = (last?.checks ?? []).filter((c) => c.kind === "relative");
      const relativeFailed = failing.some((c) => c.kind === "relative");
      headline =
        !relativeFailed && relative.length > 0 && relative.every((c) => c.status === "pass")
          ? `Failed: the canary breaks its limit (${ids}), but compared with stable it is not credibly worse (${relative.map((c) => c.id).join(", ")} passed): look at the environment too.`
          : `Failed: the canary is worse (${ids}).`;
      for (const c of failing) {
        const r = checks.find((x) => x.id === c.id);
        const ratio = finiteNumber(c.evidence.ratio);
        const e = finiteNumber(c.evidence.eValue);
        const bound = finiteNumber(c.evidence.eThreshold);
        const alpha = finiteNumber(c.evidence.alpha);
        const parts: string[] = [];
        if (ratio !== null) parts.push(`canary's bad ratio is ${number(ratio)} × stable's`);
        const cr = finiteNumber(c.evidence.canaryBadRatio);
        const lim = finiteNumber(c.evidence.limit);
        if (cr !== null && lim !== null)
          parts.push(`canary ${percent(cr)} against a limit of ${percent(lim)}`);
        if (r?.failedAt !== null && r?.failedAt !== undefined) {
          parts.push(`since ${utc(r.failedAt)} (${duration(r.failedAt - a.start)} after the start)`);
        }
        if (e !== null && bound !== null) {
          parts.push(
            `e-value ${number(e)} ≥ 1/α = ${number(bound)}${alpha !== null ? ` (a false alarm had at most ${percent(alpha)} chance)` : ""}`,
          );
        }
        details.push(`${c.id}: ${parts.length > 0 ? parts.join("; ") : c.reason}`);
      }
      if (firstFail !== undefined)
        details.push(`First failing look: ${firstFail.seq} at ${utc(firstFail.at)}.`);
      break;
    }
    case "pass":
      headline =
        last?.final === true
          ? `Passed: enough traffic was seen and every check passed (${lookNo}, final).`
          : `No evidence of a regression so far (${lookNo}); keep going — not yet a claim of safety.`;
      break;
    case "inconclusive":
      headline =
        environmentOf(last)?.degraded === true
          ? `Inconclusive: the environment got worse, not the canary (${lookNo}); a human decides.`
          : `Inconclusive: not enough data to decide (${lookNo}).`;
      break;
    case "nodata":
      headline = `No data: an arm has no series at all (${lookNo}); nothing was judged — check the selector the rollout passes and the scrape relabelling.`;
      break;
  }
  const lastChecks = last?.checks ?? [];
  if (
    key !== "nodata" &&
    key !== "none" &&
    lastChecks.length > 0 &&
    lastChecks.every((c) => c.status === "nodata")
  ) {
    // Today's judges answer "pass, keep going" when an arm has no series; say what it means.
    headline = `No data so far (${lookNo}): every check reports no data (${lastChecks[0]?.reason ?? "no series"}), so nothing has been judged yet; the verdict is "${key}" only because the analysis is not over.`;
  }
  if (a.status === "closed") {
    details.push(`Analysis closed${a.outcome === undefined ? "" : ` (${a.outcome})`} at ${utc(a.closedAt)}.`);
  }
  return {
    key,
    headline,
    details,
    final: last?.final ?? false,
    score: last?.score ?? null,
    reason: last?.reason ?? "",
  };
}

/** Builds the page data of one analysis. */
export function buildAnalysisReport(input: AnalysisReportInput): AnalysisReport {
  const { analysis: a, looks, slo } = input;
  const start = a.start;
  const checks = checkReports(looks, start);
  const lastAt = looks.at(-1)?.at ?? a.lastLookAt;
  const span = Math.max(
    60,
    (lastAt ?? start) - start,
    a.end !== undefined ? Math.min(a.end - start, 7 * 86400) : 0,
  );
  const q = quantiles(looks, start, slo, input.baseline);
  const h = slo === undefined || slo.sliType === "latency" ? histograms(looks, input.baseline) : undefined;
  const env = environmentOf(looks.at(-1)?.verdict);
  const b = input.baseline;
  return {
    id: a.id,
    sloId: a.sloId,
    ...(slo === undefined ? {} : { slo }),
    controller: a.controller,
    ...(a.rollout === undefined ? {} : { rollout: a.rollout }),
    status: a.status,
    ...(a.outcome === undefined ? {} : { outcome: a.outcome }),
    start,
    ...(lastAt === undefined ? {} : { lastLookAt: lastAt }),
    ...(a.closedAt === undefined ? {} : { closedAt: a.closedAt }),
    ...(a.expectedLooks === undefined ? {} : { expectedLooks: a.expectedLooks }),
    verdict: verdictWords(a, looks, checks),
    ...(env === undefined ? {} : { environment: env }),
    checks,
    ratios: ratios(looks, start),
    budget: slo === undefined ? null : 1 - slo.objectivePercent / 100,
    traffic: traffic(looks),
    ...(q === undefined ? {} : { quantiles: q }),
    ...(h === undefined ? {} : { histograms: h }),
    looks: looks.map((l) => ({
      seq: l.seq,
      at: l.at,
      verdict: l.verdict.verdict,
      final: l.verdict.final,
      score: l.verdict.score,
      canary: l.arms?.canary ?? null,
      stable: l.arms?.stable ?? null,
      reason: l.verdict.reason,
    })),
    span,
    grafana: grafanaLinks(input.grafanaUrl, a, a.sloId),
    ...(b === undefined || b === null
      ? {}
      : {
          baseline: {
            id: b.id,
            from: b.from,
            to: b.to,
            capturedAt: b.capturedAt,
            scope: b.scope?.note ?? `selector {${formatMatchers(b.selector)}}`,
          },
        }),
    generatedAt: input.generatedAt,
  };
}
