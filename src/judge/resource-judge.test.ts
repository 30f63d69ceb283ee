import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LookData, PodGauge } from "../domain/counts.ts";
import type { SloVerdict } from "../domain/verdict.ts";
import type { Slo } from "../slo/model.ts";
import { gaugesUpTo, simulatePodGauges, type PodGaugeScenario } from "../sim/pod-gauges.ts";
import { judgeLook } from "./registry.ts";
import { addBet, initialLogWealth, logMixtureWealth, logRatioScore } from "../stats/betting-e-process.ts";
import {
  MIN_RESOURCE_SCALE,
  judgeResource,
  podLogSpread,
  resourcePodFactor,
  type ResourceState,
} from "./resource-judge.ts";
import { allNumbers } from "./testdata/looks.ts";
import { resourceSlo } from "./testdata/resource-slo.ts";

const START = 1_700_000_000;

function scenario(over: Partial<PodGaugeScenario> = {}): PodGaugeScenario {
  return {
    seed: 1,
    steps: 30,
    stepSeconds: 60,
    start: START,
    base: 0.4,
    podSd: 0.05,
    noiseSd: 0.05,
    sharedAmplitude: 0.1,
    canary: { pods: 3, prefix: "api-canary" },
    stable: { pods: 3, prefix: "api-stable" },
    ...over,
  };
}

function look(
  slo: Slo,
  pods: { canary: readonly PodGauge[] | null; stable: readonly PodGauge[] | null },
  at: number,
): LookData {
  const up = (p: readonly PodGauge[] | null): PodGauge[] | null => (p === null ? null : gaugesUpTo(p, at));
  return {
    since: START,
    at,
    canary: pods.canary === null ? null : { total: 0, bad: 0 },
    stable: pods.stable === null ? null : { total: 0, bad: 0 },
    gauges: { canary: up(pods.canary), stable: up(pods.stable) },
  };
}

/** Every look of a scenario (one per `every` steps); the last one is final. */
function run(
  slo: Slo,
  sc: PodGaugeScenario,
  every = 1,
): { verdicts: SloVerdict[]; state: ResourceState | undefined } {
  const pods = simulatePodGauges(sc);
  let state: unknown;
  const verdicts: SloVerdict[] = [];
  for (let k = every; k <= sc.steps; k += every) {
    const at = START + k * sc.stepSeconds;
    const out = judgeLook({ slo, data: look(slo, pods, at), now: at, final: k + every > sc.steps, state });
    state = out.state;
    verdicts.push(out.verdict);
    if (out.verdict.verdict === "fail") break;
  }
  return { verdicts, state: state as ResourceState | undefined };
}

describe("resource judge", () => {
  it("fails a canary whose pods use 30 % more CPU each, and names it per pod", () => {
    const { verdicts } = run(resourceSlo(), scenario({ canary: { pods: 3, prefix: "c", effect: 1.3 } }));
    const last = verdicts.at(-1);
    expect(last?.verdict).toBe("fail");
    const check = last?.checks.find((c) => c.id === "cpu-relative");
    expect(check?.status).toBe("fail");
    expect(check?.reason).toMatch(/^per-pod CPU (2[5-9]|3[0-5]) % above stable/);
    expect(check?.reason).not.toMatch(/error/);
    expect(verdicts.length).toBeLessThan(20);
  });

  it("passes a canary with fewer pods at the same CPU per pod (a smaller sum is not better or worse)", () => {
    const { verdicts } = run(
      resourceSlo(),
      scenario({ canary: { pods: 2, prefix: "c" }, stable: { pods: 6, prefix: "s" } }),
    );
    const last = verdicts.at(-1);
    expect(verdicts.every((v) => v.verdict !== "fail")).toBe(true);
    expect(last?.final).toBe(true);
    expect(last?.verdict).toBe("pass");
    expect(last?.reason).toMatch(/^every check passed on 30 steps with pods in both arms/);
    expect(last?.environment?.reason).toMatch(/compared with stable's pods, not with a baseline/);
  });

  it("passes a canary with more pods at the same CPU per pod", () => {
    const { verdicts } = run(
      resourceSlo(),
      scenario({ seed: 3, canary: { pods: 6, prefix: "c" }, stable: { pods: 2, prefix: "s" } }),
    );
    expect(verdicts.at(-1)?.verdict).toBe("pass");
  });

  it("fails the absolute check of a memory limit the canary's pods exceed, and passes one they respect", () => {
    const gib = 2 ** 30;
    const over = run(
      resourceSlo(
        { measure: "memory", limit: { value: gib, text: "1Gi" } },
        { maxRegression: { relative: 0.5 } },
      ),
      scenario({
        base: 0.9 * gib,
        canary: { pods: 3, prefix: "c", effect: 1.3 },
        podSd: 0.02,
        noiseSd: 0.02,
        sharedAmplitude: 0,
      }),
    );
    const abs = over.verdicts.at(-1)?.checks.find((c) => c.id === "memory-absolute");
    expect(abs?.status).toBe("fail");
    expect(abs?.reason).toMatch(/largest canary pod's memory is above the limit 1Gi \(1\.00 GiB\) per pod/);
    expect(over.verdicts.at(-1)?.verdict).toBe("fail");
    const within = run(
      resourceSlo({ measure: "memory", limit: { value: gib, text: "1Gi" } }),
      scenario({ base: 0.6 * gib, podSd: 0.02, noiseSd: 0.02 }),
    );
    expect(within.verdicts.at(-1)?.checks.find((c) => c.id === "memory-absolute")?.status).toBe("pass");
    expect(within.verdicts.at(-1)?.verdict).toBe("pass");
  });

  it("attributes a limit both arms breach to the environment: never a fail on its own, inconclusive at the end", () => {
    const gib = 2 ** 30;
    const both = run(
      resourceSlo({ measure: "memory", limit: { value: gib, text: "1Gi" } }),
      scenario({ base: 1.2 * gib, podSd: 0.02, noiseSd: 0.02, sharedAmplitude: 0 }),
    );
    const last = both.verdicts.at(-1);
    const abs = last?.checks.find((c) => c.id === "memory-absolute");
    expect(abs?.status).toBe("fail");
    expect(abs?.evidence.environmentShared).toBe(true);
    expect(abs?.reason).toMatch(/stable's pods breach it too/);
    expect(both.verdicts.every((v) => v.verdict !== "fail")).toBe(true);
    expect(last?.verdict).toBe("inconclusive");
    expect(last?.environment?.status).toBe("degraded");
  });

  it("judges lower-is-worse gauges the other way round", () => {
    const slo = resourceSlo({ measure: "saturation" }, { direction: "lower-is-worse" });
    const worse = run(slo, scenario({ canary: { pods: 3, prefix: "c", effect: 0.7 } }));
    expect(worse.verdicts.at(-1)?.verdict).toBe("fail");
    expect(worse.verdicts.at(-1)?.checks[0]?.reason).toMatch(/below stable/);
    const higher = run(slo, scenario({ canary: { pods: 3, prefix: "c", effect: 1.3 } }));
    expect(higher.verdicts.at(-1)?.verdict).toBe("pass");
  });

  it("says nodata when the canary has no series after the grace, never pass", () => {
    const pods = simulatePodGauges(scenario());
    const slo = resourceSlo();
    const at = START + 600;
    const out = judgeResource({
      slo,
      data: look(slo, { canary: null, stable: pods.stable }, at),
      now: at,
      final: false,
      state: undefined,
    });
    expect(out.verdict.verdict).toBe("nodata");
    expect(out.verdict.checks.find((c) => c.id === "cpu-relative")?.status).toBe("nodata");
  });

  it("consumes each step once: the same look again leaves the evidence unchanged", () => {
    const slo = resourceSlo();
    const pods = simulatePodGauges(scenario({ canary: { pods: 3, prefix: "c", effect: 1.15 } }));
    const at = START + 5 * 60;
    const a = judgeResource({ slo, data: look(slo, pods, at), now: at, final: false, state: undefined });
    const b = judgeResource({ slo, data: look(slo, pods, at), now: at, final: false, state: a.state });
    expect(b.state.relative.steps).toBe(5);
    expect(b.state.relative.logWealth).toEqual(a.state.relative.logWealth);
  });

  it("is not an error-ratio check: inconclusive with too few steps at the final look", () => {
    const { verdicts } = run(resourceSlo(), scenario({ steps: 5 }), 5);
    expect(verdicts.at(-1)?.verdict).toBe("inconclusive");
    expect(verdicts.at(-1)?.checks[0]?.reason).toMatch(/5 of 10 steps/);
    expect(verdicts.at(-1)?.reason).toBe("not enough data to decide: 5 of 10 steps with pods in both arms");
  });

  it("widens the null by the between-pod spread (Student's t with the pooled degrees of freedom)", () => {
    const pod = (name: string, v: number): PodGauge => ({
      pod: name,
      points: [
        { t: 1, v },
        { t: 2, v },
      ],
    });
    const s = podLogSpread([
      [pod("a", 1), pod("b", Math.E ** 0.2)],
      [pod("c", 1), pod("d", Math.E ** 0.2)],
    ]);
    expect(s.df).toBe(2);
    expect(s.sd).toBeCloseTo(Math.sqrt((2 * 0.02) / 2), 12);
    // t_{0.99, 2} = 6.964557 (R: qt(0.99, 2))
    expect(resourcePodFactor(s.sd, s.df, 2, 2, 0.01)).toBeCloseTo(Math.exp(6.964557 * 0.1414214 * 1), 5);
    expect(resourcePodFactor(null, 0, 1, 1, 0.01)).toBe(1);
  });
});

describe("resource judge A/A false fails (Monte Carlo, pods with persistent offsets)", () => {
  // Bounded: 200 analyses of 30 one-minute looks per model (≈ 1 s each model).
  const models: [string, Partial<PodGaugeScenario>, number][] = [
    ["3 + 3 pods, pod offsets 10 %, margin 0", { podSd: 0.1, noiseSd: 0.05, sharedAmplitude: 0.2 }, 0],
    [
      "2 + 2 pods, pod offsets 10 %, margin 0",
      { podSd: 0.1, noiseSd: 0.05, canary: { pods: 2, prefix: "c" }, stable: { pods: 2, prefix: "s" } },
      0,
    ],
    [
      "2 + 6 pods, pod offsets 20 %, margin 10 %",
      { podSd: 0.2, noiseSd: 0.1, canary: { pods: 2, prefix: "c" }, stable: { pods: 6, prefix: "s" } },
      0.1,
    ],
    [
      "5 + 5 pods, no pod offsets, noisy steps, margin 0",
      { podSd: 0, noiseSd: 0.2, canary: { pods: 5, prefix: "c" }, stable: { pods: 5, prefix: "s" } },
      0,
    ],
  ];
  it.each(models)("keeps false fails at or below α = 0.05: %s", (_name, over, margin) => {
    const slo = resourceSlo({}, { maxRegression: { relative: margin } });
    const runs = 200;
    let fails = 0;
    for (let i = 0; i < runs; i++) {
      const { verdicts } = run(slo, scenario({ seed: `aa-${_name}-${i}`, ...over }));
      if (verdicts.some((v) => v.verdict === "fail")) fails++;
    }
    expect(fails / runs).toBeLessThanOrEqual(0.05);
  });
});

describe("resource judge negative control: without the pod factor", () => {
  it("the same betting test on the per-pod ratio fails A/A canaries with persistent pod offsets far above α", () => {
    const runs = 200;
    let fails = 0;
    for (let i = 0; i < runs; i++) {
      const sc = scenario({ seed: `nofactor-${i}`, podSd: 0.1, noiseSd: 0.05, sharedAmplitude: 0.2 });
      const pods = simulatePodGauges(sc);
      let w = initialLogWealth();
      for (let k = 0; k < sc.steps; k++) {
        const mean = (arm: readonly PodGauge[]): number =>
          arm.reduce((a, p) => a + (p.points[k]?.v ?? 0), 0) / arm.length;
        w = addBet(w, logRatioScore(Math.log(mean(pods.canary) / mean(pods.stable)), MIN_RESOURCE_SCALE));
        if (logMixtureWealth(w) >= Math.log(2 / 0.05)) {
          fails++;
          break;
        }
      }
    }
    // The realized pods differ, and the betting test finds any difference: the pod factor is
    // what keeps the judge's A/A rate (0.7 % on this model above) below α.
    expect(fails / runs).toBeGreaterThan(0.25);
  });
});

describe("resource judge robustness (property)", () => {
  const value = fc.oneof(
    fc.double({ min: 0, max: 1e12, noNaN: true }),
    fc.constantFrom(0, -1, Number.NaN, Infinity, -Infinity, 1e-300, 5e-324),
  );
  const podArb = fc.record({
    pod: fc.constantFrom("a", "b", "c", "d"),
    points: fc.array(fc.record({ t: fc.integer({ min: 1, max: 12 }).map((k) => START + k * 60), v: value }), {
      maxLength: 12,
    }),
  });
  const arm = fc.option(fc.array(podArb, { maxLength: 4 }), { nil: null });

  it("never lets NaN or Infinity into a verdict or its state, and every verdict is one of the four", () => {
    fc.assert(
      fc.property(arm, arm, fc.boolean(), fc.boolean(), (canary, stable, limited, lower) => {
        const slo = resourceSlo(
          limited ? { measure: "memory", limit: { value: 1000, text: "1k" } } : {},
          lower ? { direction: "lower-is-worse" } : {},
        );
        let state: ResourceState | undefined;
        for (const at of [START + 300, START + 720, START + 720]) {
          const out = judgeResource({
            slo,
            data: look(slo, { canary, stable }, at),
            now: at,
            final: at === START + 720,
            state,
          });
          state = out.state;
          expect(["pass", "fail", "inconclusive", "nodata"]).toContain(out.verdict.verdict);
          for (const n of allNumbers(out.verdict)) expect(Number.isFinite(n)).toBe(true);
          for (const n of allNumbers(out.state)) expect(Number.isFinite(n)).toBe(true);
          expect(JSON.parse(JSON.stringify(out.state))).toEqual(out.state);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("restarts from a state that is not its own", () => {
    const slo = resourceSlo();
    const pods = simulatePodGauges(scenario());
    const at = START + 300;
    const fresh = judgeResource({ slo, data: look(slo, pods, at), now: at, final: false, state: undefined });
    const odd = judgeResource({
      slo,
      data: look(slo, pods, at),
      now: at,
      final: false,
      state: { version: 1, prev: null } as unknown as ResourceState,
    });
    expect(odd.state).toEqual(fresh.state);
  });
});
