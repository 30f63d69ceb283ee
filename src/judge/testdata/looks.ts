/**
 * @module judge/testdata/looks
 * Builders of `LookData` for judge tests: cumulative arm counts from a list of per-look
 * increments, optional histograms and per-step series. Pure.
 */
import type { ArmCounts, HistogramCounts, LookData, StepCounts } from "../../domain/counts.ts";

/** One look's increments per arm: [total, bad] and optional histogram counts. */
export interface Step {
  readonly canary: readonly [number, number] | null;
  readonly stable: readonly [number, number] | null;
  readonly canaryHist?: readonly number[];
  readonly stableHist?: readonly number[];
}

/** Turns increments into the sequence of cumulative `LookData`, one per look (60 s apart). */
export function looksFrom(steps: readonly Step[], bounds?: readonly number[]): LookData[] {
  const out: LookData[] = [];
  const cum = { canary: [0, 0], stable: [0, 0] };
  const hist = { canary: bounds?.map(() => 0), stable: bounds?.map(() => 0) };
  const series: { canary: StepCounts[]; stable: StepCounts[] } = { canary: [], stable: [] };
  steps.forEach((s, i) => {
    const at = 60 * (i + 1);
    const arm = (name: "canary" | "stable"): ArmCounts | null => {
      const inc = s[name];
      if (!inc) return cum[name][0] === 0 ? null : { total: cum[name][0] ?? 0, bad: cum[name][1] ?? 0 };
      cum[name] = [(cum[name][0] ?? 0) + inc[0], (cum[name][1] ?? 0) + inc[1]];
      const h = name === "canary" ? s.canaryHist : s.stableHist;
      let histogram: HistogramCounts | undefined;
      let stepHistogram: HistogramCounts | undefined;
      if (bounds && h) {
        const acc = hist[name] ?? [];
        h.forEach((c, j) => (acc[j] = (acc[j] ?? 0) + c));
        histogram = { bounds, counts: [...acc] };
        stepHistogram = { bounds, counts: [...h] };
      }
      series[name].push({ t: at, total: inc[0], bad: inc[1], ...(stepHistogram ? { histogram: stepHistogram } : {}) });
      return { total: cum[name][0] ?? 0, bad: cum[name][1] ?? 0, ...(histogram ? { histogram } : {}) };
    };
    out.push({
      since: 0,
      at,
      canary: arm("canary"),
      stable: arm("stable"),
      series: { canary: [...series.canary], stable: [...series.stable] },
    });
  });
  return out;
}

/** `n` identical steps. */
export function repeat(n: number, step: Step): Step[] {
  return Array.from({ length: n }, () => step);
}

/** Every number anywhere in `v` (deep), for "no NaN escapes" checks. */
export function allNumbers(v: unknown, out: number[] = []): number[] {
  if (typeof v === "number") out.push(v);
  else if (Array.isArray(v)) for (const x of v as unknown[]) allNumbers(x, out);
  else if (typeof v === "object" && v !== null) for (const x of Object.values(v)) allNumbers(x, out);
  return out;
}
