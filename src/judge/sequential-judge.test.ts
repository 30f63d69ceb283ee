import { describe, expect, it } from "vitest";
import { judgeSequential, type SequentialState } from "./sequential-judge.ts";
import { allNumbers, looksFrom, repeat, type Step } from "./testdata/looks.ts";
import { BUCKETS_30, errorSlo, latencySlo } from "./testdata/slo-fixtures.ts";
import type { JudgeOutput } from "./types.ts";
import type { LookData } from "../domain/counts.ts";
import type { SloVerdict } from "../domain/verdict.ts";
import type { Slo } from "../slo/model.ts";

/** Runs the judge over all looks (the last one final if asked), returning every output. */
function run(slo: Slo, looks: readonly LookData[], finalLast = false): JudgeOutput<SequentialState>[] {
  const outs: JudgeOutput<SequentialState>[] = [];
  let state: SequentialState | undefined;
  looks.forEach((data, i) => {
    const out = judgeSequential({
      slo,
      data,
      now: data.at,
      final: finalLast && i === looks.length - 1,
      state,
    });
    // Persisted as JSON between looks, like the service does.
    state = JSON.parse(JSON.stringify(out.state)) as SequentialState;
    outs.push(out);
  });
  return outs;
}

function last<T>(v: readonly T[]): T {
  const x = v[v.length - 1];
  if (x === undefined) throw new Error("empty");
  return x;
}

function check(v: SloVerdict, id: string) {
  const c = v.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}

describe("sequential judge", () => {
  it("fails a canary with twice stable's error ratio, with the evidence in numbers", () => {
    const looks = looksFrom(repeat(30, { canary: [600, 12], stable: [5400, 54] }));
    const v = last(run(errorSlo(), looks)).verdict;
    expect(v.verdict).toBe("fail");
    const rel = check(v, "errors-relative");
    expect(rel.status).toBe("fail");
    expect(rel.evidence.eValue as number).toBeGreaterThanOrEqual(rel.evidence.eThreshold as number);
    expect(rel.evidence.ratio).toBeCloseTo(2, 5);
    expect(rel.reason).toMatch(/credibly above 1\.10 × stable/);
  });

  it.each([
    ["no evidence yet, before the final look", false, "pass"],
    ["enough traffic and passing checks at the final look", true, "pass"],
  ])("passes a canary equal to stable: %s", (_n, final, verdict) => {
    const looks = looksFrom(repeat(20, { canary: [600, 3], stable: [5400, 27] }));
    const v = last(run(errorSlo(), looks, final)).verdict;
    expect(v.verdict).toBe(verdict);
    expect(v.final).toBe(final);
    expect(v.checks.every((c) => c.status === "pass")).toBe(true);
    const fisher = v.checks[0]?.evidence.fisherExactPFinal;
    if (final) expect(fisher as number).toBeGreaterThan(0.05);
    else expect(fisher).toBeUndefined();
  });

  it("is inconclusive, never pass, at the final look without enough canary traffic", () => {
    const looks = looksFrom(repeat(3, { canary: [100, 0], stable: [900, 4] }));
    const outs = run(errorSlo(), looks, true);
    expect(outs[0]?.verdict.verdict).toBe("pass");
    expect(outs[0]?.verdict.checks.every((c) => c.status === "inconclusive")).toBe(true);
    expect(last(outs).verdict.verdict).toBe("inconclusive");
    expect(last(outs).verdict.reason).toMatch(/300 of 1000/);
  });

  it("answers nodata, never pass, when the canary has no series after the grace, naming the selector", () => {
    const selectors = {
      canary: '{rollouts_pod_template_hash="7c9d5f6b"}',
      stable: '{rollouts_pod_template_hash="6d4f8b9c7"}',
    };
    const looks = looksFrom(repeat(5, { canary: null, stable: [5400, 27] })).map((d) => ({
      ...d,
      selectors,
    }));
    // Within the grace (30 s of 60 after the start): still waiting, a non-final pass.
    const early = judgeSequential({
      slo: errorSlo(),
      data: { ...looks[0]!, at: 30 },
      now: 30,
      final: false,
      state: undefined,
    });
    expect(early.verdict.verdict).toBe("pass");
    expect(early.verdict.reason).toMatch(/waiting for the first series of the canary selector/);
    const outs = run(errorSlo(), looks, true);
    expect(outs[0]?.verdict.checks.map((c) => c.status)).toEqual(["nodata", "nodata"]);
    for (const o of outs) {
      expect(o.verdict.verdict).toBe("nodata");
      expect(o.verdict.reason).toContain('the canary selector {rollouts_pod_template_hash="7c9d5f6b"}');
      expect(o.verdict.reason).toMatch(/relabelling/);
    }
    expect(last(outs).verdict.final).toBe(true);
    // A stable arm without series is nodata too (the relative check needs it).
    const noStable = run(errorSlo(), looksFrom(repeat(2, { canary: [600, 3], stable: null })));
    expect(last(noStable).verdict.verdict).toBe("nodata");
    expect(last(noStable).verdict.reason).toMatch(/the stable arm/);
  });

  it("says how many of minRequests events were seen while traffic is low", () => {
    const outs = run(errorSlo(), looksFrom(repeat(2, { canary: [100, 0], stable: [900, 4] })));
    expect(last(outs).verdict.verdict).toBe("pass");
    expect(last(outs).verdict.reason).toMatch(/200 of 1000 canary events so far/);
  });

  it("does not double count a repeated look or a look without new data", () => {
    const [a, b] = looksFrom([
      { canary: [600, 12], stable: [5400, 54] },
      { canary: [0, 0], stable: [0, 0] },
    ]);
    if (!a || !b) throw new Error("looks");
    const once = run(errorSlo(), [a]);
    const repeated = run(errorSlo(), [a, a, a, { ...b }]);
    expect(last(repeated).state.relative.logRatios).toEqual(last(once).state.relative.logRatios);
    expect(last(repeated).state.absolute.logRatios).toEqual(last(once).state.absolute.logRatios);
  });

  it("treats counts that go down as a reset: no crash, no evidence from that look, said in the reason", () => {
    const looks = looksFrom(repeat(3, { canary: [600, 3], stable: [5400, 27] }));
    const down: LookData = {
      ...looks[2]!,
      at: 240,
      canary: { total: 10, bad: 0 },
      stable: { total: 50, bad: 0 },
    };
    const outs = run(errorSlo(), [...looks, down]);
    expect(last(outs).state.resets).toBe(1);
    expect(last(outs).verdict.reason).toMatch(/went down/);
    expect(last(outs).verdict.verdict).toBe("pass");
  });

  it("uses each interval's traffic split: a canary equal to stable in every interval is not failed", () => {
    // Cumulatively the canary looks 4.8× worse (Simpson's paradox): 50 % share during a bad
    // period for both arms, then 10 % share when both are good.
    const steps: Step[] = [
      ...repeat(5, { canary: [10000, 1000], stable: [10000, 1000] }),
      ...repeat(5, { canary: [1000, 10], stable: [90000, 900] }),
    ];
    const outs = run(
      errorSlo("sequential", {
        checks: { ...errorSlo().canary.checks, absolute: { enabled: false, critical: true, weight: 1 } },
      }),
      looksFrom(steps),
    );
    const rel = check(last(outs).verdict, "errors-relative");
    expect(rel.evidence.ratio as number).toBeGreaterThan(4);
    expect(rel.status).toBe("pass");
    expect(rel.evidence.eValue as number).toBeLessThan(1);
  });

  it("fails the absolute check when the canary alone is far above the objective's limit", () => {
    const looks = looksFrom(repeat(5, { canary: [600, 30], stable: [5400, 27] }));
    const v = last(run(errorSlo(), looks)).verdict;
    expect(check(v, "errors-absolute").status).toBe("fail");
    expect(check(v, "errors-absolute").critical).toBe(true);
    expect(check(v, "errors-absolute").evidence.environmentShared).toBe(false);
    expect(v.verdict).toBe("fail");
    expect(v.environment?.status).not.toBe("degraded");
  });

  it("does not fail the canary when stable is as far above the objective's limit: the environment is degraded", () => {
    // Behaviour change (issue 11): this used to fail on the critical absolute check alone.
    const looks = looksFrom(repeat(5, { canary: [600, 30], stable: [5400, 270] }));
    const outs = run(errorSlo(), looks, true);
    for (const o of outs) expect(o.verdict.verdict).not.toBe("fail");
    const v = last(outs).verdict;
    expect(check(v, "errors-absolute").status).toBe("fail");
    expect(check(v, "errors-absolute").evidence.stableProfiledBadRatio).toBeCloseTo(0.05, 9);
    expect(check(v, "errors-absolute").evidence.environmentShared).toBe(true);
    expect(check(v, "errors-relative").status).toBe("pass");
    expect(v.environment).toMatchObject({ status: "degraded", checks: ["errors-absolute"] });
    expect(v.environment?.stableBadRatio).toBeCloseTo(0.05, 9);
    expect(v.environment?.canaryBadRatio).toBeCloseTo(0.05, 9);
    expect(v.verdict).toBe("inconclusive");
    expect(v.reason).toMatch(/a human decides/);
  });

  it("tells a bad environment from a bad canary with the captured baseline", () => {
    const baseline = { total: 100000, bad: 100, capturedAt: -60, from: -3660 };
    const looks = looksFrom(repeat(10, { canary: [600, 3], stable: [5400, 27] })).map((d) => ({
      ...d,
      baseline,
    }));
    const v = last(run(errorSlo(), looks)).verdict;
    expect(check(v, "errors-relative").status).toBe("pass");
    expect(check(v, "errors-baseline").status).toBe("fail");
    expect(check(v, "errors-baseline").evidence.baselineBadRatio).toBeCloseTo(0.001, 6);
    expect(v.verdict).toBe("pass");
    expect(v.environment).toMatchObject({ status: "degraded", checks: ["errors-baseline"] });
    expect(v.environment?.baselineBadRatio).toBeCloseTo(0.001, 6);
    expect(v.environment?.stableBadRatio).toBeCloseTo(0.005, 6);
    expect(v.environment?.canaryBadRatio).toBeCloseTo(0.005, 6);
    expect(v.reason).toMatch(/the environment got worse, not the canary/);
  });

  it.each([
    ["absent", undefined],
    ["null (what the service sends when none was captured)", null],
  ])("has no baseline check when the baseline is %s, and gives its α to the others", (_n, baseline) => {
    const looks = looksFrom(repeat(2, { canary: [600, 3], stable: [5400, 27] })).map((d) => ({
      ...d,
      baseline,
    }));
    const out = last(run(errorSlo(), looks));
    expect(out.verdict.checks.map((c) => c.id)).toEqual(["errors-relative", "errors-absolute"]);
    expect(out.state.alpha.relative + out.state.alpha.absolute).toBeCloseTo(0.05, 12);
  });

  it("splits each check's α between its pod margin and its test once per-pod counts are read", () => {
    const looks = looksFrom(repeat(30, { canary: [600, 12], stable: [5400, 54] }));
    // The same counts, spread evenly over 3 pods per arm (no pod offsets to allow for).
    const thirds = (a: LookData["canary"], prefix: string) =>
      a && {
        ...a,
        pods: [0, 1, 2].map((i) => ({ pod: `${prefix}-${i}`, total: a.total / 3, bad: a.bad / 3 })),
      };
    const podLooks = looks.map((d) => ({
      ...d,
      canary: thirds(d.canary, "c"),
      stable: thirds(d.stable, "s"),
    }));
    const plain = last(run(errorSlo(), looks));
    const split = last(run(errorSlo(), podLooks));
    expect(plain.state.podsRead).toBeUndefined();
    expect(split.state.podsRead).toBe(true);
    for (const id of ["errors-relative", "errors-absolute"]) {
      const a = check(plain.verdict, id).evidence;
      const b = check(split.verdict, id).evidence;
      expect(b.alpha as number).toBeCloseTo((a.alpha as number) / 2, 12);
      expect(b.eThreshold as number).toBeCloseTo(2 * (a.eThreshold as number), 9);
    }
    // Identical pods: no margin, so only the stricter threshold separates the two.
    expect(split.verdict.verdict).toBe("fail");
    expect(check(split.verdict, "errors-relative").evidence.eValue).toBeCloseTo(
      check(plain.verdict, "errors-relative").evidence.eValue as number,
      6,
    );
  });

  it("keeps judging against the baseline's limit when later looks omit the baseline", () => {
    const baseline = { total: 100000, bad: 100, capturedAt: -60, from: -3660 };
    const looks = looksFrom(repeat(10, { canary: [600, 3], stable: [5400, 27] })).map((d, i) =>
      i === 0 ? { ...d, baseline } : d,
    );
    const v = last(run(errorSlo(), looks)).verdict;
    expect(check(v, "errors-baseline").status).toBe("fail");
  });

  it("checks latency by slow-request counts and the time-uniform CDF band", () => {
    const fast = BUCKETS_30.map((b) => (b <= 0.1 ? 40 : b <= 0.2 ? 10 : b <= 0.5 ? 2 : 0));
    const slow = BUCKETS_30.map((b) => (b <= 0.1 ? 10 : b <= 0.2 ? 10 : b <= 0.5 ? 30 : 1));
    const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
    const above = (v: number[]) => sum(v.filter((_, i) => (BUCKETS_30[i] ?? 0) > 0.2));
    const steps = repeat(10, {
      canary: [sum(slow), above(slow)],
      stable: [sum(fast) * 9, above(fast) * 9],
      canaryHist: slow,
      stableHist: fast.map((c) => c * 9),
    });
    const v = last(run(latencySlo(), looksFrom(steps, BUCKETS_30))).verdict;
    expect(v.checks.map((c) => c.id)).toEqual([
      "latency-relative",
      "latency-absolute",
      "latency-distribution",
    ]);
    expect(v.checks.every((c) => c.status === "fail")).toBe(true);
    const rel = check(v, "latency-relative");
    expect(rel.evidence.canaryQuantileSeconds as number).toBeGreaterThan(
      rel.evidence.stableQuantileSeconds as number,
    );
    expect(rel.evidence.probabilityCanarySlower as number).toBeGreaterThan(0.5);
  });

  describe("latency relative check at the boundaries near the threshold", () => {
    const sum = (v: readonly number[]) => v.reduce((s, x) => s + x, 0);
    const above = (v: readonly number[], t = 0.2) => sum(v.filter((_, i) => (BUCKETS_30[i] ?? 0) > t));
    // Stable: per 1,000 requests, 600 up to 0.1 s, 300 in (0.1, 0.2], 100 above 0.2 s.
    const stableHist = BUCKETS_30.map(
      (b) => 9 * (b === 0.05 ? 600 : b === 0.12 ? 150 : b === 0.16 ? 150 : b === 0.3 ? 100 : 0),
    );
    // Canary: twice as many requests in (0.1, 0.2], the same share above 0.2 s.
    const midSlower = BUCKETS_30.map((b) =>
      b === 0.05 ? 300 : b === 0.12 ? 300 : b === 0.16 ? 300 : b === 0.3 ? 100 : 0,
    );
    const stepsOf = (canaryHist: number[], n: number) =>
      repeat(n, {
        canary: [sum(canaryHist), above(canaryHist)],
        stable: [sum(stableHist), above(stableHist)],
        canaryHist,
        stableHist,
      });

    it("fails a canary slower between T/2 and T even when its share above T equals stable's", () => {
      const outs = run(latencySlo(), looksFrom(stepsOf(midSlower, 5), BUCKETS_30));
      const rel = check(last(outs).verdict, "latency-relative");
      expect(rel.status).toBe("fail");
      expect(rel.evidence.tailBoundaries).toBe(8);
      expect(rel.evidence.tailFromSeconds).toBe(0.1);
      expect(rel.evidence.tailToSeconds).toBe(0.3);
      expect([0.1, 0.12, 0.14]).toContain(rel.evidence.strongestBoundSeconds);
      // The slow count at the threshold alone carries no evidence: equal shares above 0.2 s.
      expect(rel.evidence.eValueAtThreshold as number).toBeLessThan(1);
      expect(rel.reason).toMatch(/8 bucket boundaries 0\.1–0\.3 s/);
    });

    it("keeps an identical canary far from failing, at every boundary", () => {
      const same = stableHist.map((c) => c / 9);
      const outs = run(latencySlo(), looksFrom(stepsOf(same, 30), BUCKETS_30));
      const rel = check(last(outs).verdict, "latency-relative");
      expect(rel.status).toBe("pass");
      expect(rel.evidence.eValue as number).toBeLessThan(1);
    });

    it("continues a state from before the tail test with the threshold's e-value as its base", () => {
      const looks = looksFrom(stepsOf(midSlower, 4), BUCKETS_30);
      const first = run(latencySlo(), looks.slice(0, 2));
      const old = JSON.parse(JSON.stringify(last(first).state)) as SequentialState & {
        relative: { tail?: unknown };
      };
      delete old.relative.tail;
      const next = judgeSequential({
        slo: latencySlo(),
        data: looks[2]!,
        now: looks[2]!.at,
        final: false,
        state: old,
      });
      const tail = next.state.relative.tail;
      expect(tail).toBeDefined();
      // Base: the threshold's e-value including this look (then continued by the tail test).
      expect(tail?.logBase).toBeCloseTo(
        Math.log(check(next.verdict, "latency-relative").evidence.eValueAtThreshold as number),
        9,
      );
      expect(tail?.logBase).not.toBe(0);
      // The tail test starts at this look's counts: nothing consumed twice.
      expect(tail?.canary.total).toBe(looks[2]!.canary!.total);
    });

    it("falls back to the slow count at the threshold without histograms", () => {
      const steps = repeat(3, { canary: [1000, 100], stable: [9000, 900] });
      const outs = run(latencySlo(), looksFrom(steps));
      expect(last(outs).state.relative.tail).toBeUndefined();
      expect(check(last(outs).verdict, "latency-relative").evidence.tailBoundaries).toBeUndefined();
    });
  });

  it("restarts the test from a state it does not recognise", () => {
    const looks = looksFrom(repeat(2, { canary: [600, 3], stable: [5400, 27] }));
    const out = judgeSequential({
      slo: errorSlo(),
      data: looks[1]!,
      now: 120,
      final: false,
      state: { version: 99 } as unknown as SequentialState,
    });
    expect(out.state.looks).toBe(1);
    expect(out.verdict.verdict).toBe("pass");
  });

  it.each([
    ["NaN totals", { total: Number.NaN, bad: 1 }],
    ["negative totals", { total: -5, bad: 1 }],
    ["bad above total", { total: 5, bad: 50 }],
    ["infinite counts", { total: Infinity, bad: 1 }],
    ["a histogram without +Inf", { total: 5, bad: 1, histogram: { bounds: [0.1, 0.2], counts: [3, 2] } }],
  ])("never lets NaN escape from %s", (_n, arm) => {
    const data: LookData = {
      since: 0,
      at: 60,
      canary: arm,
      stable: arm,
      series: { canary: [{ t: 60, ...arm }], stable: [] },
    };
    for (const slo of [errorSlo(), latencySlo()]) {
      const out = judgeSequential({ slo, data, now: 60, final: true, state: undefined });
      expect(allNumbers(out).every((x) => Number.isFinite(x))).toBe(true);
      expect(out.verdict.verdict).not.toBe("pass");
    }
  });
});
