/**
 * @module sim/scenarios
 * Ready-to-use canary scenarios. All share a 30-minute analysis with the canary's traffic
 * stepping 10 % → 25 % → 50 % at 0, 10 and 20 minutes, 15 s scrapes, the default buckets,
 * 3 stable and 2 canary pods, one stable pod restart at 11m40s and one canary pod restart
 * at 21m40s, and 1 h of stable-only history. Build variants with `defineScenario`. Pure.
 *
 * | name | what the canary does | what a judge should say |
 * |---|---|---|
 * | `healthy` | same errors (0.5 %) and latency as stable | pass |
 * | `latency-regression` | median ×1.6 and a 5 % slow tail at ~1.2 s | fail (latency) |
 * | `error-spike` | 5 % errors instead of 0.5 % | fail (errors) |
 * | `low-traffic` | healthy, but 0.3 req/s in total | inconclusive |
 * | `canary-no-data` | exports no series (0 pods) | nodata / inconclusive, never pass |
 * | `stable-degrades` | healthy; stable goes to 4 % errors and ×2 latency at 15m | not fail (canary is better) |
 * | `environment-degrades` | both arms degrade together at 15m | relative pass, absolute/baseline fail |
 */
import { DEFAULT_BUCKETS, type LatencyModel } from "./latency.ts";
import type { ArmBehaviour, ArmModel, Scenario } from "./scenario.ts";

/** Stable's latency in every scenario: median 80 ms, sigma 0.5. */
export const BASE_LATENCY: LatencyModel = { body: { median: 0.08, sigma: 0.5 } };

/** Stable's behaviour in every scenario: 0.5 % 5xx, 1 % 4xx, `BASE_LATENCY`. */
export const BASE_BEHAVIOUR: ArmBehaviour = {
  errorRatio: 0.005,
  clientErrorRatio: 0.01,
  latency: BASE_LATENCY,
};

const DEGRADED: ArmBehaviour = {
  errorRatio: 0.04,
  clientErrorRatio: 0.01,
  latency: { body: { median: 0.16, sigma: 0.5 } },
};

const STABLE: ArmModel = {
  hash: "6d4f8b9c7",
  pods: 3,
  behaviour: BASE_BEHAVIOUR,
  restarts: [{ pod: 1, at: 700 }],
};

const CANARY: ArmModel = {
  hash: "7c9d5f6b8",
  pods: 2,
  behaviour: BASE_BEHAVIOUR,
  restarts: [{ pod: 0, at: 1300 }],
};

/** The defaults every scenario starts from (the healthy one). */
export const BASE_SCENARIO: Scenario = {
  name: "healthy",
  description: "Canary behaves exactly like stable.",
  service: "checkout",
  requestsPerSecond: 50,
  split: [
    { at: 0, canaryWeight: 0.1 },
    { at: 600, canaryWeight: 0.25 },
    { at: 1200, canaryWeight: 0.5 },
  ],
  durationSeconds: 1800,
  historySeconds: 3600,
  scrapeIntervalSeconds: 15,
  buckets: DEFAULT_BUCKETS,
  canary: CANARY,
  stable: STABLE,
};

/** A scenario from the base with overrides (arms merged one level deep). */
export function defineScenario(
  over: Partial<Omit<Scenario, "canary" | "stable">> & {
    readonly canary?: Partial<ArmModel>;
    readonly stable?: Partial<ArmModel>;
  },
): Scenario {
  return {
    ...BASE_SCENARIO,
    ...over,
    canary: { ...BASE_SCENARIO.canary, ...over.canary },
    stable: { ...BASE_SCENARIO.stable, ...over.stable },
  };
}

/** The ready scenarios, by name. */
export const SCENARIOS = {
  healthy: BASE_SCENARIO,
  "latency-regression": defineScenario({
    name: "latency-regression",
    description: "Canary median latency ×1.6 plus a 5 % slow tail around 1.2 s.",
    canary: {
      behaviour: {
        ...BASE_BEHAVIOUR,
        latency: {
          body: { median: 0.128, sigma: 0.5 },
          tail: { weight: 0.05, dist: { median: 1.2, sigma: 0.3 } },
        },
      },
    },
  }),
  "error-spike": defineScenario({
    name: "error-spike",
    description: "Canary fails 5 % of requests instead of 0.5 %.",
    canary: { behaviour: { ...BASE_BEHAVIOUR, errorRatio: 0.05 } },
  }),
  "low-traffic": defineScenario({
    name: "low-traffic",
    description: "Healthy canary with only 0.3 requests per second in total.",
    requestsPerSecond: 0.3,
  }),
  "canary-no-data": defineScenario({
    name: "canary-no-data",
    description: "The canary exports no series at all (wrong selector, scrape broken).",
    canary: { pods: 0, restarts: [] },
  }),
  "stable-degrades": defineScenario({
    name: "stable-degrades",
    description: "Healthy canary; stable degrades to 4 % errors and doubled latency at 15m.",
    stable: { changes: [{ at: 900, behaviour: DEGRADED }] },
  }),
  "environment-degrades": defineScenario({
    name: "environment-degrades",
    description: "A shared dependency degrades both arms at 15m (4 % errors, doubled latency).",
    stable: { changes: [{ at: 900, behaviour: DEGRADED }] },
    canary: { changes: [{ at: 900, behaviour: DEGRADED }] },
  }),
} as const satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;
