/**
 * @module judge/arm-data
 * Turns the arms of a look into clean numbers the judges can trust: finite, non-negative,
 * bad ≤ total, histograms with matching lengths; anything else is treated as "no data"
 * rather than crashing or producing NaN. Also flips bad/good for SLOs whose bad direction is
 * "lower-is-worse". Pure.
 */
import type { Slo } from "../slo/model.ts";
import type { ArmCounts, HistogramCounts, StepCounts } from "../domain/counts.ts";

/** Clean counts of one arm. */
export interface CleanArm {
  readonly total: number;
  readonly bad: number;
  readonly histogram: HistogramCounts | null;
  /** Per-pod counts when the look carried them (unusable pods dropped); absent otherwise. */
  readonly pods?: readonly {
    readonly total: number;
    readonly bad: number;
    readonly histogram: HistogramCounts | null;
  }[];
}

/** Runtime check for arrays (inputs come from JSON and the store), without widening to any. */
export function isList(v: unknown): v is readonly unknown[] {
  return Array.isArray(v);
}

function cleanHistogram(h: HistogramCounts | undefined): HistogramCounts | null {
  if (!h || !isList(h.bounds) || !isList(h.counts)) return null;
  if (h.bounds.length !== h.counts.length || h.bounds.length < 2) return null;
  for (let i = 0; i < h.bounds.length; i++) {
    const b: unknown = h.bounds[i];
    if (typeof b !== "number" || Number.isNaN(b)) return null;
    if (i > 0 && !(b > (h.bounds[i - 1] ?? -Infinity))) return null;
  }
  if (h.bounds[h.bounds.length - 1] !== Infinity) return null;
  const counts = h.counts.map((c) =>
    typeof c === "number" && Number.isFinite(c) && c > 0 && c <= Number.MAX_SAFE_INTEGER ? c : 0,
  );
  return { bounds: h.bounds, counts };
}

/** Validates an arm; `null` for missing or unusable data. */
export function cleanArm(arm: ArmCounts | null | undefined, slo: Slo): CleanArm | null {
  if (!arm) return null;
  const { total, bad } = arm;
  if (typeof total !== "number" || typeof bad !== "number") return null;
  // Counts beyond 2^53 are not exact integers any more: no real counter gets there.
  if (!Number.isFinite(total) || !Number.isFinite(bad) || total < 0 || total > Number.MAX_SAFE_INTEGER)
    return null;
  // `+ 0` turns −0 into 0 (JSON has no −0; a persisted state must round-trip exactly).
  const t = total + 0;
  const b = Math.min(Math.max(0, bad), t) + 0;
  const flipped = slo.canary.direction === "lower-is-worse" ? t - b : b;
  const out = { total: t, bad: flipped, histogram: cleanHistogram(arm.histogram) };
  if (!isList(arm.pods)) return out;
  const pods: { total: number; bad: number; histogram: HistogramCounts | null }[] = [];
  for (const p of arm.pods) {
    const c =
      typeof p === "object" && p !== null
        ? cleanArm({ total: p.total, bad: p.bad, ...(p.histogram ? { histogram: p.histogram } : {}) }, slo)
        : null;
    if (c) pods.push({ total: c.total, bad: c.bad, histogram: c.histogram });
  }
  return { ...out, pods };
}

/** Cleans a per-step series, dropping unusable steps; sorted by time. */
export function cleanSeries(
  series: readonly StepCounts[] | undefined,
  slo: Slo,
): (CleanArm & { t: number })[] {
  if (!isList(series)) return [];
  const out: (CleanArm & { t: number })[] = [];
  for (const s of series) {
    const c = cleanArm(s, slo);
    if (c && typeof s.t === "number" && Number.isFinite(s.t)) out.push({ ...c, t: s.t });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** Short name of the SLO's bad events for check ids: `errors`, `availability` or `latency`. */
export function checkPrefix(slo: Slo): string {
  if (slo.kind === "latency") return "latency";
  if (slo.kind === "availability") return "availability";
  return "errors";
}

/** The bad ratio an absolute check compares with: `maxBadRatio` or 1 − objective. */
export function badRatioLimit(slo: Slo): number {
  const explicit = slo.canary.maxBadRatio;
  if (typeof explicit === "number" && explicit > 0 && explicit < 1) return explicit;
  return Math.min(1, Math.max(0, 1 - slo.objectivePercent / 100));
}

/** Formats a ratio as a percentage with sensible precision. */
export function pct(x: number): string {
  if (!Number.isFinite(x)) return "n/a";
  const p = x * 100;
  return `${p >= 10 ? p.toFixed(1) : p >= 1 ? p.toFixed(2) : p.toPrecision(2)}%`;
}

/** A finite number or null (evidence never carries NaN or Infinity). */
export function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
