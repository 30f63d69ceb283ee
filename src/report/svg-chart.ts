/**
 * @module report/svg-chart
 * Inline SVG charts written on the server: line charts (linear or log y axis, per-point
 * interval bars, marked points with native tooltips, reference lines), 100 % stacked bars,
 * grouped histogram bars and sparklines. No script, no external resource: a page stays one
 * self-contained document that renders in any browser (Slack's in-app one included), prints,
 * and can be saved as a file. Every drawn series carries `data-series` and `data-points`
 * so tests can count what was drawn. Pure.
 */
import { esc } from "./html.ts";

/** One point of a line series; `lo`/`hi` draw an interval bar. */
export interface ChartPoint {
  readonly x: number;
  readonly y: number;
  readonly lo?: number;
  readonly hi?: number;
  /** Tooltip text (the look and its numbers). */
  readonly label: string;
}

/** A line series; `key` picks its colour class (`s-<key>`). */
export interface LineSeries {
  readonly key: string;
  readonly name: string;
  readonly points: readonly ChartPoint[];
}

/** A horizontal reference line (a bound, a limit). */
export interface RefLine {
  readonly key: string;
  readonly y: number;
  readonly label: string;
}

/** A vertical marker (e.g. the look where a bound was crossed). */
export interface XMark {
  readonly x: number;
  readonly label: string;
}

export interface LineChartSpec {
  /** Unique within the page; used for the accessible title/description ids. */
  readonly id: string;
  readonly title: string;
  /** What the chart shows, for screen readers and the figure caption. */
  readonly description: string;
  readonly yScale: "linear" | "log";
  readonly series: readonly LineSeries[];
  readonly refLines?: readonly RefLine[];
  readonly marks?: readonly XMark[];
  readonly xDomain: readonly [number, number];
  readonly formatX: (x: number) => string;
  readonly formatY: (y: number) => string;
  /** Tick values of the x axis (default: round numbers). */
  readonly xTicks?: (lo: number, hi: number) => number[];
  /** Smallest value a log axis shows; lower values are drawn on it. Default 1e-3. */
  readonly logFloor?: number;
}

export const CHART_WIDTH = 480;
export const CHART_HEIGHT = 230;
const M = { left: 64, right: 20, top: 14, bottom: 34 };

const f = (x: number): string => (Math.round(x * 10) / 10).toString();

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

const TIME_STEPS = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** About 5 ticks over [lo, hi] seconds, at round durations (15 s … 1 d). */
export function timeTicks(lo: number, hi: number): number[] {
  if (!(hi > lo)) return [lo];
  const step = TIME_STEPS.find((s) => (hi - lo) / s <= 6) ?? 86400 * Math.ceil((hi - lo) / 86400 / 6);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
  return out;
}

const SUPERSCRIPT: Readonly<Record<string, string>> = {
  "-": "⁻",
  "0": "⁰",
  "1": "¹",
  "2": "²",
  "3": "³",
  "4": "⁴",
  "5": "⁵",
  "6": "⁶",
  "7": "⁷",
  "8": "⁸",
  "9": "⁹",
};

/** A power of ten for a log axis: `0.01` … `1000` plainly, beyond as `10⁻⁴`, `10¹⁷`. */
export function powerOfTen(y: number): string {
  const e = Math.round(Math.log10(y));
  if (e >= -2 && e <= 3) return String(10 ** e >= 1 ? 10 ** e : Number((10 ** e).toPrecision(1)));
  return `10${[...String(e)].map((c) => SUPERSCRIPT[c] ?? c).join("")}`;
}

interface YAxis {
  readonly toPx: (y: number) => number;
  readonly ticks: readonly number[];
  /** The value actually drawn for `y` (clamped on a log axis). */
  readonly clamp: (y: number) => number;
}

function yAxis(spec: LineChartSpec, values: readonly number[], top: number, bottom: number): YAxis {
  const finite = values.filter((v) => Number.isFinite(v));
  if (spec.yScale === "log") {
    const floor = spec.logFloor ?? 1e-3;
    const pos = finite.filter((v) => v > 0);
    const lo10 = Math.floor(Math.log10(Math.max(floor, Math.min(1, ...pos))));
    let hi10 = Math.ceil(Math.log10(Math.max(10, ...pos)));
    if (hi10 <= lo10) hi10 = lo10 + 1;
    const clamp = (y: number): number => Math.min(10 ** hi10, Math.max(10 ** lo10, y > 0 ? y : 10 ** lo10));
    const toPx = (y: number): number =>
      bottom - ((Math.log10(clamp(y)) - lo10) / (hi10 - lo10)) * (bottom - top);
    const stride = Math.max(1, Math.ceil((hi10 - lo10) / 6));
    const ticks: number[] = [];
    for (let e = lo10; e <= hi10; e += stride) ticks.push(10 ** e);
    return { toPx, ticks, clamp };
  }
  const maxV = Math.max(0, ...finite);
  const hi = maxV > 0 ? maxV * 1.1 : 1;
  const ticks = niceTicks(0, hi, 4);
  const top2 = Math.max(hi, ticks.at(-1) ?? hi);
  const toPx = (y: number): number => bottom - (Math.max(0, y) / top2) * (bottom - top);
  return { toPx, ticks, clamp: (y) => y };
}

/** The visible title above a chart (the SVG's own title is for assistive technology). */
function heading(title: string): string {
  return `<p class="chart-title" aria-hidden="true">${esc(title)}</p>`;
}

function titleBlock(id: string, title: string, description: string): string {
  return `<title id="${esc(id)}-t">${esc(title)}</title><desc id="${esc(id)}-d">${esc(description)}</desc>`;
}

function svgOpen(id: string, kind: string, extra = "", height = CHART_HEIGHT): string {
  return `<svg class="chart-svg" data-chart="${esc(kind)}" viewBox="0 0 ${CHART_WIDTH} ${height}" role="img" aria-labelledby="${esc(id)}-t ${esc(id)}-d" tabindex="0"${extra}>`;
}

function legend(items: readonly { key: string; name: string }[], dashed: readonly RefLine[] = []): string {
  const s = items.map((i) => `<span class="key s-${esc(i.key)}"><i></i>${esc(i.name)}</span>`);
  const r = dashed.map(
    (l) => `<span class="key ref-${esc(l.key)}"><i class="dash"></i>${esc(l.label)}</span>`,
  );
  return `<figcaption>${[...s, ...r].join(" ")}</figcaption>`;
}

/** A line chart; an empty series list renders an explicit "no data" figure. */
export function lineChart(spec: LineChartSpec): string {
  const top = M.top;
  const bottom = CHART_HEIGHT - M.bottom;
  const left = M.left;
  const right = CHART_WIDTH - M.right;
  const drawn = spec.series.filter((s) => s.points.length > 0);
  if (drawn.length === 0) return emptyChart(spec.id, spec.title, spec.description);
  const values = [
    ...drawn.flatMap((s) => s.points.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y])),
    ...(spec.refLines ?? []).map((r) => r.y),
  ];
  const y = yAxis(spec, values, top, bottom);
  const [x0, x1raw] = spec.xDomain;
  const x1 = x1raw > x0 ? x1raw : x0 + 1;
  const toX = (x: number): number => left + ((x - x0) / (x1 - x0)) * (right - left);
  const parts: string[] = [
    svgOpen(spec.id, "line", ` data-scale="${spec.yScale}"`),
    titleBlock(spec.id, spec.title, spec.description),
  ];
  parts.push('<g class="grid">');
  for (const t of y.ticks) {
    const py = f(y.toPx(t));
    parts.push(
      `<line x1="${left}" x2="${right}" y1="${py}" y2="${py}"/><text class="tick" x="${left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${esc(spec.formatY(t))}</text>`,
    );
  }
  for (const t of spec.xTicks?.(x0, x1) ?? niceTicks(x0, x1, 5)) {
    const px = f(toX(t));
    parts.push(
      `<text class="tick" x="${px}" y="${bottom + 16}" text-anchor="middle">${esc(spec.formatX(t))}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${bottom}"/><line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/></g>`,
  );
  for (const m of spec.marks ?? []) {
    const px = f(toX(m.x));
    parts.push(
      `<g class="mark"><line x1="${px}" x2="${px}" y1="${top}" y2="${bottom}"/><text x="${Number(px) - 4}" y="${bottom - 6}" text-anchor="end">${esc(m.label)}</text></g>`,
    );
  }
  // Labels alternate between the right and the left end (above the line), so close lines stay readable.
  (spec.refLines ?? []).forEach((r, i) => {
    if (!Number.isFinite(r.y)) return;
    const py = f(y.toPx(r.y));
    const label =
      i % 2 === 0
        ? `<text x="${right - 4}" y="${Number(py) - 4}" text-anchor="end">${esc(r.label)}</text>`
        : `<text x="${left + 4}" y="${Number(py) - 4}" text-anchor="start">${esc(r.label)}</text>`;
    parts.push(
      `<g class="ref ref-${esc(r.key)}" data-ref="${esc(r.key)}"><line x1="${left}" x2="${right}" y1="${py}" y2="${py}"/>${label}</g>`,
    );
  });
  for (const s of drawn) {
    const pts = s.points.map((p) => ({ ...p, px: toX(p.x), py: y.toPx(p.y) }));
    const d = pts.map((p, i) => `${i === 0 ? "M" : "L"}${f(p.px)} ${f(p.py)}`).join(" ");
    const bars = pts
      .filter(
        (p) => p.lo !== undefined && p.hi !== undefined && Number.isFinite(p.lo) && Number.isFinite(p.hi),
      )
      .map((p) => `M${f(p.px)} ${f(y.toPx(p.lo ?? 0))}V${f(y.toPx(p.hi ?? 0))}`)
      .join(" ");
    parts.push(`<g class="series s-${esc(s.key)}" data-series="${esc(s.key)}">`);
    if (bars !== "") parts.push(`<path class="err" d="${bars}"/>`);
    parts.push(`<path class="line" data-points="${pts.length}" d="${d}"/>`);
    for (const p of pts) {
      parts.push(
        `<circle class="pt" cx="${f(p.px)}" cy="${f(p.py)}" r="3.5"><title>${esc(p.label)}</title></circle>`,
      );
    }
    parts.push("</g>");
  }
  parts.push("</svg>");
  return `<figure class="chart" id="${esc(spec.id)}">${heading(spec.title)}${parts.join("")}${legend(drawn, spec.refLines ?? [])}</figure>`;
}

/** A figure that says there is nothing to draw (never an empty box). */
export function emptyChart(id: string, title: string, description: string): string {
  return `<figure class="chart empty" id="${esc(id)}">${heading(title)}${svgOpen(id, "empty", "", 80)}${titleBlock(id, title, description)}<text class="none" x="${CHART_WIDTH / 2}" y="44" text-anchor="middle">${esc(`${title}: nothing to plot yet`)}</text></svg></figure>`;
}

/** One bar of a stacked chart: segments are shares that sum to 1 (or all 0). */
export interface StackedBar {
  readonly label: string;
  readonly segments: readonly { readonly key: string; readonly name: string; readonly value: number }[];
  readonly tooltip: string;
}

/** 100 % stacked bars (e.g. the traffic split per look). */
export function stackedBars(
  id: string,
  title: string,
  description: string,
  bars: readonly StackedBar[],
): string {
  if (bars.length === 0) return emptyChart(id, title, description);
  const top = M.top;
  const bottom = CHART_HEIGHT - M.bottom;
  const left = M.left;
  const right = CHART_WIDTH - M.right;
  const slot = (right - left) / bars.length;
  const w = Math.max(1, slot * 0.7);
  const parts: string[] = [
    svgOpen(id, "stacked", ` data-bars="${bars.length}"`),
    titleBlock(id, title, description),
  ];
  parts.push('<g class="grid">');
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const py = f(bottom - t * (bottom - top));
    parts.push(
      `<line x1="${left}" x2="${right}" y1="${py}" y2="${py}"/><text class="tick" x="${left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${t * 100}%</text>`,
    );
  }
  parts.push("</g>");
  const every = Math.max(1, Math.ceil(bars.length / 10));
  bars.forEach((b, i) => {
    const x = left + i * slot + (slot - w) / 2;
    let acc = 0;
    parts.push(`<g class="bar" data-bar="${i + 1}"><title>${esc(b.tooltip)}</title>`);
    for (const s of b.segments) {
      const h = Math.max(0, s.value) * (bottom - top);
      const yTop = bottom - (acc + Math.max(0, s.value)) * (bottom - top);
      parts.push(
        `<rect class="seg s-${esc(s.key)}" x="${f(x)}" y="${f(yTop)}" width="${f(w)}" height="${f(h)}"/>`,
      );
      acc += Math.max(0, s.value);
    }
    parts.push("</g>");
    if (i % every === 0) {
      parts.push(
        `<text class="tick" x="${f(x + w / 2)}" y="${bottom + 16}" text-anchor="middle">${esc(b.label)}</text>`,
      );
    }
  });
  parts.push("</svg>");
  const keys = bars[0]?.segments.map((s) => ({ key: s.key, name: s.name })) ?? [];
  return `<figure class="chart" id="${esc(id)}">${heading(title)}${parts.join("")}${legend(keys)}</figure>`;
}

/** Grouped bars over categories (e.g. the share of requests per histogram bucket per arm). */
export function groupedBars(
  id: string,
  title: string,
  description: string,
  categories: readonly string[],
  series: readonly { readonly key: string; readonly name: string; readonly values: readonly number[] }[],
  formatY: (y: number) => string,
): string {
  const drawn = series.filter((s) => s.values.length === categories.length && s.values.length > 0);
  if (drawn.length === 0) return emptyChart(id, title, description);
  const top = M.top;
  const bottom = CHART_HEIGHT - M.bottom;
  const left = M.left;
  const right = CHART_WIDTH - M.right;
  const maxV = Math.max(...drawn.flatMap((s) => s.values.filter((v) => Number.isFinite(v))), 0);
  const ticks = niceTicks(0, maxV > 0 ? maxV * 1.1 : 1, 4);
  const hi = Math.max(maxV * 1.1, ticks.at(-1) ?? 1) || 1;
  const toY = (v: number): number => bottom - (Math.max(0, v) / hi) * (bottom - top);
  const slot = (right - left) / categories.length;
  const w = (slot * 0.8) / drawn.length;
  const parts: string[] = [
    svgOpen(id, "grouped", ` data-categories="${categories.length}"`),
    titleBlock(id, title, description),
    '<g class="grid">',
  ];
  for (const t of ticks) {
    const py = f(toY(t));
    parts.push(
      `<line x1="${left}" x2="${right}" y1="${py}" y2="${py}"/><text class="tick" x="${left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${esc(formatY(t))}</text>`,
    );
  }
  parts.push("</g>");
  const every = Math.max(1, Math.ceil(categories.length / 6));
  categories.forEach((c, i) => {
    if (i % every === 0) {
      parts.push(
        `<text class="tick" x="${f(left + i * slot + slot / 2)}" y="${bottom + 16}" text-anchor="middle">${esc(c)}</text>`,
      );
    }
  });
  drawn.forEach((s, k) => {
    parts.push(
      `<g class="series s-${esc(s.key)}" data-series="${esc(s.key)}" data-points="${s.values.length}">`,
    );
    s.values.forEach((v, i) => {
      const x = left + i * slot + slot * 0.1 + k * w;
      parts.push(
        `<rect class="seg s-${esc(s.key)}" x="${f(x)}" y="${f(toY(v))}" width="${f(Math.max(1, w - 1))}" height="${f(bottom - toY(v))}"><title>${esc(`${s.name} ${categories[i] ?? ""}: ${formatY(v)}`)}</title></rect>`,
      );
    });
    parts.push("</g>");
  });
  parts.push("</svg>");
  return `<figure class="chart" id="${esc(id)}">${heading(title)}${parts.join("")}${legend(drawn)}</figure>`;
}

/**
 * A sparkline of values that are already on the scale to draw (e.g. log10 of e-value/bound);
 * a dashed zero line marks the bound. Non-finite values are skipped.
 */
export function sparkline(label: string, values: readonly number[], status: string): string {
  const W = 120;
  const H = 28;
  const pts = values.filter((v) => Number.isFinite(v));
  if (pts.length === 0) {
    return `<svg class="spark" data-chart="spark" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${label}: no e-value yet`)}"><text x="2" y="18">no e-value</text></svg>`;
  }
  const lo = Math.min(-1, ...pts);
  const hi = Math.max(0.5, ...pts);
  const toY = (v: number): number => H - 3 - ((v - lo) / (hi - lo)) * (H - 6);
  const toX = (i: number): number => (pts.length === 1 ? W / 2 : 3 + (i / (pts.length - 1)) * (W - 6));
  const d = pts.map((v, i) => `${i === 0 ? "M" : "L"}${f(toX(i))} ${f(toY(v))}`).join(" ");
  const last = pts.length - 1;
  return `<svg class="spark spark-${esc(status)}" data-chart="spark" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}"><line class="bound" x1="0" x2="${W}" y1="${f(toY(0))}" y2="${f(toY(0))}"/><path class="line" data-points="${pts.length}" d="${d}"/><circle cx="${f(toX(last))}" cy="${f(toY(pts[last] ?? 0))}" r="2.5"/></svg>`;
}
