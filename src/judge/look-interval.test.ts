/**
 * The same data judged every 1, 2 and 5 minutes: verdicts never disagree on fail-vs-not-fail
 * except when some e-process crossed its bound at a look time the other cadence did not have
 * (the evidence crossed a bound between its looks). With a constant traffic split between the
 * arms every e-process here is a product of per-interval likelihood ratios, so at common look
 * times all cadences hold the same evidence; any other disagreement would come from the score
 * or the verdict rule (what issue 11 found: one failed baseline check among inconclusive ones
 * scored 0 and failed at 1-minute looks only).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ArmCounts, LookData } from "../domain/counts.ts";
import type { SloVerdict } from "../domain/verdict.ts";
import { judgeSequential, type SequentialState } from "./sequential-judge.ts";
import type { Slo } from "../slo/model.ts";
import { errorSlo } from "./testdata/slo-fixtures.ts";

interface Minute {
  readonly canary: readonly [number, number];
  readonly stable: readonly [number, number];
}

/** Cumulative look data at minute `m` (1-based) of `minutes`. */
function lookAt(minutes: readonly Minute[], m: number, baseline: LookData["baseline"]): LookData {
  let ct = 0;
  let cb = 0;
  let st = 0;
  let sb = 0;
  for (const x of minutes.slice(0, m)) {
    ct += x.canary[0];
    cb += x.canary[1];
    st += x.stable[0];
    sb += x.stable[1];
  }
  const arm = (total: number, bad: number): ArmCounts => ({ total, bad });
  return { since: 0, at: 60 * m, canary: arm(ct, cb), stable: arm(st, sb), baseline };
}

/** Judges looks every `every` minutes; the last look (at the end) is final. */
function judgeEvery(
  minutes: readonly Minute[],
  every: number,
  baseline: LookData["baseline"],
  slo: Slo = errorSlo(),
): Map<number, SloVerdict> {
  const out = new Map<number, SloVerdict>();
  let state: SequentialState | undefined;
  for (let m = every; m <= minutes.length; m += every) {
    const data = lookAt(minutes, m, baseline);
    const r = judgeSequential({ slo, data, now: data.at, final: m === minutes.length, state });
    state = JSON.parse(JSON.stringify(r.state)) as SequentialState;
    out.set(60 * m, r.verdict);
  }
  return out;
}

/** Every crossing a verdict reports: check id (and `<id>:stable`) → the look time it crossed. */
function crossings(v: SloVerdict): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of v.checks) {
    if (typeof c.evidence.failedAt === "number") out.set(c.id, c.evidence.failedAt);
    // Stable's canary-weighted bad ratio at the limit is a bound crossed too.
    if (c.evidence.environmentShared === true) out.set(`${c.id}:shared`, 0);
  }
  return out;
}

/** Random check weights and criticality (one failure may or may not be enough to fail). */
const weights = fc.record({
  relative: fc.integer({ min: 1, max: 3 }),
  absolute: fc.integer({ min: 1, max: 3 }),
  baseline: fc.integer({ min: 1, max: 3 }),
  relativeCritical: fc.boolean(),
  absoluteCritical: fc.boolean(),
});

function weighted(w: {
  relative: number;
  absolute: number;
  baseline: number;
  relativeCritical: boolean;
  absoluteCritical: boolean;
}): Slo {
  const slo = errorSlo();
  return {
    ...slo,
    canary: {
      ...slo.canary,
      checks: {
        relative: { enabled: true, critical: w.relativeCritical, weight: w.relative },
        absolute: { enabled: true, critical: w.absoluteCritical, weight: w.absolute },
        baseline: { enabled: true, critical: false, weight: w.baseline },
      },
    },
  };
}

const scenario = fc
  .record({
    minutes: fc.constantFrom(10, 20, 30),
    canaryPerMinute: fc.integer({ min: 5, max: 400 }),
    stableFactor: fc.integer({ min: 1, max: 9 }),
    baseRatio: fc.constantFrom(0.001, 0.003, 0.005, 0.008),
    kind: fc.constantFrom("healthy", "canary-worse", "environment", "stable-worse"),
    degradeAt: fc.integer({ min: 0, max: 20 }),
    factor: fc.constantFrom(2, 4, 8),
    noise: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 60, maxLength: 60 }),
    withBaseline: fc.boolean(),
  })
  .map((p) => {
    const rows: Minute[] = [];
    const nc = p.canaryPerMinute;
    const ns = nc * p.stableFactor;
    for (let m = 0; m < p.minutes; m++) {
      const late = m >= p.degradeAt;
      const pc =
        p.baseRatio * (late && (p.kind === "canary-worse" || p.kind === "environment") ? p.factor : 1);
      const ps =
        p.baseRatio * (late && (p.kind === "stable-worse" || p.kind === "environment") ? p.factor : 1);
      const jitter = p.noise[m % p.noise.length] ?? 0;
      const bad = (n: number, r: number, j: number) => Math.min(n, Math.max(0, Math.round(n * r) + j));
      rows.push({ canary: [nc, bad(nc, pc, jitter)], stable: [ns, bad(ns, ps, -jitter)] });
    }
    const baseline = p.withBaseline
      ? { total: 200_000, bad: Math.round(200_000 * p.baseRatio), capturedAt: 0, from: -3600 }
      : null;
    return { rows, baseline, kind: p.kind };
  });

describe("verdicts at 1-, 2- and 5-minute looks", () => {
  it("never disagree on fail-vs-not-fail unless the evidence crossed a bound between looks", () => {
    let compared = 0;
    let disagreements = 0;
    fc.assert(
      fc.property(scenario, weights, ({ rows, baseline }, w) => {
        const slo = weighted(w);
        const runs = [1, 2, 5].map((k) => ({ k, verdicts: judgeEvery(rows, k, baseline, slo) }));
        // Fail-vs-not-fail is a function of which bounds were crossed: two looks (any cadence,
        // any time) with the same crossings never disagree. So cadences differ only where the
        // crossings they saw differ — the evidence crossed a bound between one's looks.
        const byCrossings = new Map<string, { fail: boolean; where: string }>();
        for (const { k, verdicts } of runs) {
          for (const [t, v] of verdicts) {
            const key = [...crossings(v).keys()].sort().join(",");
            const seen = byCrossings.get(key);
            const where = `every ${k} min at ${t} s: ${v.verdict} (score ${v.score}; ${v.reason})`;
            if (seen === undefined) byCrossings.set(key, { fail: v.verdict === "fail", where });
            else expect(v.verdict === "fail", `crossed [${key}]: ${seen.where} vs ${where}`).toBe(seen.fail);
          }
        }
        // At common look times, a disagreement comes with different crossings.
        for (const x of runs) {
          for (const y of runs) {
            if (x.k >= y.k) continue;
            for (const [t, vx] of x.verdicts) {
              const vy = y.verdicts.get(t);
              if (vy === undefined) continue;
              compared++;
              if ((vx.verdict === "fail") === (vy.verdict === "fail")) continue;
              disagreements++;
              const kx = [...crossings(vx).keys()].sort().join(",");
              const ky = [...crossings(vy).keys()].sort().join(",");
              expect(kx, `at ${t} s every ${x.k} vs ${y.k} min`).not.toBe(ky);
            }
          }
        }
      }),
      { numRuns: 300, seed: 11 },
    );
    expect(compared).toBeGreaterThan(1000);
    // Not vacuous: cadences do disagree (4,920 looks compared, 60 disagreements with seed 11).
    expect(disagreements).toBeGreaterThan(0);
  });

  it.each([1, 2, 5])(
    "never fails the canary when stable and canary degrade together, at %d-minute looks, and names the environment",
    (every) => {
      const rows: Minute[] = Array.from({ length: 30 }, (_, m) => ({
        canary: [200, m >= 1 ? 8 : 1],
        stable: [1800, m >= 1 ? 72 : 9],
      }));
      const baseline = { total: 200_000, bad: 1000, capturedAt: 0, from: -3600 };
      const verdicts = [...judgeEvery(rows, every, baseline).values()];
      for (const v of verdicts) expect(v.verdict, v.reason).not.toBe("fail");
      // Once the baseline check fails (the canary is worse than before the deploy) while the
      // relative and absolute checks are still collecting data, it is the environment's: score 100.
      const firstEnv = verdicts.find((v) => v.checks.find((c) => c.kind === "baseline")?.status === "fail");
      expect(firstEnv?.environment?.status).toBe("degraded");
      expect(firstEnv?.score).toBe(100);
      const last = verdicts.at(-1)!;
      expect(last.environment).toMatchObject({ status: "degraded" });
      expect(last.environment?.baselineBadRatio).toBeCloseTo(0.005, 9);
      expect(last.verdict).toBe("inconclusive");
    },
  );

  it.each([1, 2, 5])("still fails a real regression at %d-minute looks (negative control)", (every) => {
    const rows: Minute[] = Array.from({ length: 30 }, () => ({ canary: [200, 4], stable: [1800, 9] }));
    const baseline = { total: 200_000, bad: 1000, capturedAt: 0, from: -3600 };
    const verdicts = [...judgeEvery(rows, every, baseline).values()];
    expect(verdicts.at(-1)?.verdict).toBe("fail");
    expect(verdicts.at(-1)?.environment?.status).not.toBe("degraded");
  });
});
