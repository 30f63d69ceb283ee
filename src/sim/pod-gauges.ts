/**
 * @module sim/pod-gauges
 * Synthetic per-pod gauges (CPU cores, memory bytes) for resource-SLI tests and benchmarks,
 * with the departures real pods show: a persistent offset per pod (node, warm-up, cache), step
 * noise per pod, and a shared time variation (load moving both arms together). Value of pod p
 * at step t: base · effect · exp(offset_p + shared_t + noise_{p,t}). Pure (seeded RNG).
 */
import type { PodGauge } from "../domain/counts.ts";
import { createRng, sampleNormal, type Rng } from "./random.ts";

/** One arm's pods. */
export interface PodGaugeArm {
  readonly pods: number;
  /** Multiplier on every pod of the arm (1.3 = 30 % more per pod). Default 1. */
  readonly effect?: number;
  /** Pod-name prefix. */
  readonly prefix: string;
}

/** A scenario of two arms over the same steps. */
export interface PodGaugeScenario {
  readonly seed: number | string;
  readonly steps: number;
  /** Seconds between steps; step k ends at start + (k + 1)·stepSeconds. */
  readonly stepSeconds: number;
  readonly start: number;
  /** The typical value of one pod. */
  readonly base: number;
  /** SD of the persistent log offset per pod. */
  readonly podSd: number;
  /** SD of the log noise per pod and step. */
  readonly noiseSd: number;
  /** Amplitude (log) of the shared variation, a sine over `periodSteps`, plus an AR(1) walk. */
  readonly sharedAmplitude?: number;
  readonly periodSteps?: number;
  readonly canary: PodGaugeArm;
  readonly stable: PodGaugeArm;
}

function arm(rng: Rng, sc: PodGaugeScenario, a: PodGaugeArm, shared: readonly number[]): PodGauge[] {
  const out: PodGauge[] = [];
  for (let p = 0; p < a.pods; p++) {
    const offset = sc.podSd * sampleNormal(rng);
    const points = shared.map((s, k) => ({
      t: sc.start + (k + 1) * sc.stepSeconds,
      v: sc.base * (a.effect ?? 1) * Math.exp(offset + s + sc.noiseSd * sampleNormal(rng)),
    }));
    out.push({ pod: `${a.prefix}-${p}`, points });
  }
  return out;
}

/** Both arms' per-pod gauges for a scenario. */
export function simulatePodGauges(sc: PodGaugeScenario): { canary: PodGauge[]; stable: PodGauge[] } {
  const rng = createRng(sc.seed);
  const amp = sc.sharedAmplitude ?? 0;
  const period = sc.periodSteps ?? 60;
  let walk = 0;
  const shared = Array.from({ length: sc.steps }, (_, k) => {
    walk = 0.8 * walk + 0.5 * amp * sampleNormal(rng);
    return amp * Math.sin((2 * Math.PI * k) / period) + walk;
  });
  return { canary: arm(rng, sc, sc.canary, shared), stable: arm(rng, sc, sc.stable, shared) };
}

/** The gauges as a look at `at` sees them: only points with t ≤ at. */
export function gaugesUpTo(pods: readonly PodGauge[], at: number): PodGauge[] {
  return pods.map((p) => ({ pod: p.pod, points: p.points.filter((x) => x.t <= at) }));
}
