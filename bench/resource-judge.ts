/**
 * @module bench/resource-judge
 * `npm run bench:resource`: false fails (A/A, and a canary exactly at the null's +10 %) and
 * detection of a +30 % per-pod canary by the resource judge (`src/judge/resource-judge.ts`),
 * by Monte Carlo on synthetic per-pod gauges (`src/sim/pod-gauges.ts`): persistent pod offsets,
 * per-step noise, and load shared by all pods (a sine plus an AR(1) walk). Each analysis is 30
 * one-minute looks at α = 0.05; it counts as failed when any look fails. Also the same betting
 * test without the pod factor (the negative control). Bounded: 400 analyses per model.
 *
 * Writes `bench/results/resource-judge.md` and prints it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PodGauge } from "../src/domain/counts.ts";
import { judgeResource, MIN_RESOURCE_SCALE, type ResourceState } from "../src/judge/resource-judge.ts";
import { resourceSlo } from "../src/judge/testdata/resource-slo.ts";
import { gaugesUpTo, simulatePodGauges, type PodGaugeScenario } from "../src/sim/pod-gauges.ts";
import { addBet, initialLogWealth, logMixtureWealth, logRatioScore } from "../src/stats/betting-e-process.ts";

const START = 1_700_000_000;
const RUNS = 400;
const STEPS = 30;

interface Model {
  readonly name: string;
  readonly margin: number;
  readonly over: Partial<PodGaugeScenario>;
}

const pods = (c: number, s: number, effect = 1): Pick<PodGaugeScenario, "canary" | "stable"> => ({
  canary: { pods: c, prefix: "c", effect },
  stable: { pods: s, prefix: "s" },
});

const MODELS: readonly Model[] = [
  {
    name: "A/A: 3 + 3 pods, pod offsets sd 10 %, step noise 5 %, shared load 0.2",
    margin: 0,
    over: { podSd: 0.1, noiseSd: 0.05, sharedAmplitude: 0.2 },
  },
  {
    name: "A/A: 2 + 2 pods, offsets 10 %, noise 5 %",
    margin: 0,
    over: { podSd: 0.1, noiseSd: 0.05, ...pods(2, 2) },
  },
  {
    name: "A/A: 2 + 6 pods, offsets 20 %, noise 10 %",
    margin: 0.1,
    over: { podSd: 0.2, noiseSd: 0.1, ...pods(2, 6) },
  },
  {
    name: "A/A: 5 + 5 pods, no offsets, noise 20 %",
    margin: 0,
    over: { podSd: 0, noiseSd: 0.2, ...pods(5, 5) },
  },
  {
    name: "null's boundary: +10 % per pod, 3 + 3, offsets 5 %",
    margin: 0.1,
    over: { podSd: 0.05, ...pods(3, 3, 1.1) },
  },
  { name: "+30 % per pod, 3 + 3, no offsets", margin: 0.1, over: { podSd: 0, ...pods(3, 3, 1.3) } },
  { name: "+30 % per pod, 3 + 3, offsets 5 %", margin: 0.1, over: { podSd: 0.05, ...pods(3, 3, 1.3) } },
  { name: "+30 % per pod, 2 + 4, offsets 5 %", margin: 0.1, over: { podSd: 0.05, ...pods(2, 4, 1.3) } },
  { name: "+30 % per pod, 3 + 3, offsets 10 %", margin: 0.1, over: { podSd: 0.1, ...pods(3, 3, 1.3) } },
  {
    name: "+30 % per pod, 2 + 6, offsets 5 % (fewer canary pods)",
    margin: 0.1,
    over: { podSd: 0.05, ...pods(2, 6, 1.3) },
  },
];

function scenario(seed: string, over: Partial<PodGaugeScenario>): PodGaugeScenario {
  return {
    seed,
    steps: STEPS,
    stepSeconds: 60,
    start: START,
    base: 0.4,
    podSd: 0,
    noiseSd: 0.05,
    sharedAmplitude: 0.1,
    ...pods(3, 3),
    ...over,
  };
}

/** The look (1-based) of the first fail, or 0. */
function analysis(m: Model, i: number): number {
  const slo = resourceSlo({}, { maxRegression: { relative: m.margin } });
  const sc = scenario(`${m.name}-${i}`, m.over);
  const g = simulatePodGauges(sc);
  let state: ResourceState | undefined;
  for (let k = 1; k <= STEPS; k++) {
    const at = START + k * 60;
    const out = judgeResource({
      slo,
      data: {
        since: START,
        at,
        canary: { total: 0, bad: 0 },
        stable: { total: 0, bad: 0 },
        gauges: { canary: gaugesUpTo(g.canary, at), stable: gaugesUpTo(g.stable, at) },
      },
      now: at,
      final: k === STEPS,
      state,
    });
    state = out.state;
    if (out.verdict.verdict === "fail") return k;
  }
  return 0;
}

/** The same betting test on the per-pod ratio without the pod factor (margin 0). */
function withoutPodFactor(m: Model, i: number): boolean {
  const g = simulatePodGauges(scenario(`nofactor-${m.name}-${i}`, m.over));
  const mean = (arm: readonly PodGauge[], k: number): number =>
    arm.reduce((a, p) => a + (p.points[k]?.v ?? 0), 0) / arm.length;
  let w = initialLogWealth();
  for (let k = 0; k < STEPS; k++) {
    w = addBet(
      w,
      logRatioScore(
        Math.log(mean(g.canary, k) / mean(g.stable, k)) - Math.log1p(m.margin),
        MIN_RESOURCE_SCALE,
      ),
    );
    if (logMixtureWealth(w) >= Math.log(2 / 0.05)) return true;
  }
  return false;
}

const lines = [
  `# Resource judge: false fails and detection (${RUNS} analyses of ${STEPS} one-minute looks per model, α = 0.05)`,
  "",
  "| model | margin | fails | mean look of the fail | without the pod factor |",
  "| ----- | ------ | ----- | --------------------- | ---------------------- |",
];
const began = performance.now();
for (const m of MODELS) {
  let fails = 0;
  let sum = 0;
  let bare = 0;
  for (let i = 0; i < RUNS; i++) {
    const k = analysis(m, i);
    if (k > 0) {
      fails++;
      sum += k;
    }
    if (withoutPodFactor(m, i)) bare++;
  }
  lines.push(
    `| ${m.name} | ${(m.margin * 100).toFixed(0)} % | ${((100 * fails) / RUNS).toFixed(1)} % | ${fails > 0 ? (sum / fails).toFixed(1) : "–"} | ${((100 * bare) / RUNS).toFixed(1)} % |`,
  );
}
lines.push(
  "",
  `${MODELS.length * RUNS} analyses in ${((performance.now() - began) / 1000).toFixed(1)} s.`,
  "",
);
const text = lines.join("\n");
mkdirSync(join(import.meta.dirname, "results"), { recursive: true });
writeFileSync(join(import.meta.dirname, "results", "resource-judge.md"), text);
process.stdout.write(text);
