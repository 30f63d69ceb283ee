/**
 * @module bench/judge/stream
 * Turns the synthetic traffic model's count-level looks (`src/sim/looks.ts`: per look and arm,
 * totals, 5xx and histogram buckets drawn Poisson/binomial/multinomial) into the judges'
 * `LookData`: cumulative counts since the analysis start, per-step series, and for latency SLIs
 * bad = requests above the threshold bucket. One stream feeds every judge identically.
 */
import type { ArmCounts, LookData, StepCounts } from "../../src/domain/counts.ts";
import type { Look } from "../../src/sim/looks.ts";
import type { IntervalCounts } from "../../src/sim/traffic.ts";

export type SliKind = "errors" | "latency";

/** Accumulates looks of one analysis into `LookData` for one SLI. */
export class LookStream {
  readonly #kind: SliKind;
  readonly #bounds: readonly number[];
  readonly #slowFrom: number;
  readonly #cum: { canary: ArmAcc; stable: ArmAcc };
  readonly #series: { canary: StepCounts[]; stable: StepCounts[] } = { canary: [], stable: [] };
  readonly #pods: { canary: ArmAcc[]; stable: ArmAcc[] } = { canary: [], stable: [] };

  constructor(kind: SliKind, bounds: readonly number[], thresholdSeconds: number) {
    this.#kind = kind;
    this.#bounds = bounds;
    // First bucket index whose requests are slow: bounds[i] > threshold.
    this.#slowFrom = bounds.findIndex((b) => b > thresholdSeconds);
    this.#cum = { canary: newAcc(bounds.length), stable: newAcc(bounds.length) };
  }

  /** Adds one look; returns the data a judge sees at its end (with per-pod counts when the look has them). */
  push(
    look: Look & { pods?: { canary: readonly IntervalCounts[]; stable: readonly IntervalCounts[] } },
  ): LookData {
    if (look.pods) {
      for (const arm of ["canary", "stable"] as const) {
        const list = look.pods[arm];
        const accs = this.#pods[arm];
        list.forEach((c, i) => {
          const acc = (accs[i] ??= newAcc(this.#bounds.length));
          acc.total += c.total;
          acc.bad += this.#kind === "errors" ? c.bad : slow(c.buckets, this.#slowFrom);
          for (let k = 0; k < acc.counts.length; k++)
            acc.counts[k] = (acc.counts[k] ?? 0) + (c.buckets[k] ?? 0);
          acc.seen = true;
        });
      }
    }
    const arms = { canary: look.canary, stable: look.stable };
    for (const arm of ["canary", "stable"] as const) {
      const c = arms[arm];
      if (!c) continue;
      const bad = this.#kind === "errors" ? c.bad : slow(c.buckets, this.#slowFrom);
      const acc = this.#cum[arm];
      acc.total += c.total;
      acc.bad += bad;
      for (let i = 0; i < acc.counts.length; i++) acc.counts[i] = (acc.counts[i] ?? 0) + (c.buckets[i] ?? 0);
      acc.seen = true;
      this.#series[arm].push({
        t: look.t,
        total: c.total,
        bad,
        ...(this.#kind === "latency" ? { histogram: { bounds: this.#bounds, counts: c.buckets } } : {}),
      });
    }
    return {
      since: 0,
      at: look.t,
      canary: this.#arm("canary"),
      stable: this.#arm("stable"),
      series: this.#series,
    };
  }

  #arm(arm: "canary" | "stable"): ArmCounts | null {
    const a = this.#cum[arm];
    if (!a.seen) return null;
    const pods = this.#pods[arm];
    return {
      total: a.total,
      bad: a.bad,
      ...(this.#kind === "latency" ? { histogram: { bounds: this.#bounds, counts: [...a.counts] } } : {}),
      ...(pods.length > 1
        ? {
            pods: pods.map((p, i) => ({
              pod: `${arm}-${i}`,
              total: p.total,
              bad: p.bad,
              ...(this.#kind === "latency"
                ? { histogram: { bounds: this.#bounds, counts: [...p.counts] } }
                : {}),
            })),
          }
        : {}),
    };
  }
}

interface ArmAcc {
  total: number;
  bad: number;
  counts: number[];
  seen: boolean;
}

function newAcc(n: number): ArmAcc {
  return { total: 0, bad: 0, counts: new Array<number>(n).fill(0), seen: false };
}

function slow(buckets: readonly number[], from: number): number {
  let s = 0;
  for (let i = Math.max(0, from); i < buckets.length; i++) s += buckets[i] ?? 0;
  return s;
}
