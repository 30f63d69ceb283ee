/**
 * @module testbed/gate-bed
 * A real Prometheus loaded with synthetic canary scenarios (one service per scenario, so all
 * fit in one Prometheus), and SLO files for them. Used by the service's integration tests,
 * `slogate demo` and `npm run bench:service`. Plain TypeScript (no vitest).
 *
 * Every scenario runs 30 minutes from `BED_START` with 1 h of stable-only history before it;
 * all samples are backfilled, so looks are asked with explicit times.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineScenario, SCENARIOS } from "../sim/scenarios.ts";
import type { Scenario } from "../sim/scenario.ts";
import { simulateScrapes, type SimScrapes } from "../sim/scrapes.ts";
import { startMetricsBackend, type BackendKind } from "./metrics-backend.ts";
import type { PrometheusBed } from "./prometheus.ts";

/** Analysis start of every scenario (Unix seconds, a fixed time in the past). */
export const BED_START = 1_700_000_000;

/** One scenario served as one service. */
export interface BedService {
  readonly service: string;
  readonly scenario: Scenario;
  /** Argo pod-template hashes, or the Flagger target for `flagger` services. */
  readonly canary: string;
  readonly stable: string;
  readonly selection: "label" | "flagger";
}

function argo(service: string, base: Scenario): BedService {
  const scenario = { ...base, service };
  return {
    service,
    scenario,
    canary: scenario.canary.hash,
    stable: scenario.stable.hash,
    selection: "label",
  };
}

function flagger(service: string, base: Scenario): BedService {
  // Flagger's pods are <target>-<rs hash>-<suffix> and <target>-primary-<rs hash>-<suffix>.
  const scenario = defineScenario({
    ...base,
    service,
    stable: { ...base.stable, hash: `primary-${base.stable.hash}` },
    canary: base.canary,
  });
  return { service, scenario, canary: service, stable: service, selection: "flagger" };
}

/** The services of the bed, by role. */
export const BED_SERVICES = {
  healthy: argo("shop-healthy", SCENARIOS.healthy),
  latency: argo("shop-latency", SCENARIOS["latency-regression"]),
  errors: argo("shop-errors", SCENARIOS["error-spike"]),
  lowTraffic: argo("shop-lowtraffic", SCENARIOS["low-traffic"]),
  stableDegrades: argo("shop-stabledeg", SCENARIOS["stable-degrades"]),
  /** Both arms degrade together at 15m (a shared dependency): loaded on request only. */
  environmentDegrades: argo("shop-envdeg", SCENARIOS["environment-degrades"]),
  flaggerHealthy: flagger("podinfo", SCENARIOS.healthy),
  flaggerErrors: flagger("podbad", SCENARIOS["error-spike"]),
  /** A bigger service for the benchmark: 40 pods, 400 req/s, a 2-hour canary. */
  large: argo(
    "shop-large",
    defineScenario({
      name: "large",
      description: "Healthy canary of a bigger service: 10 canary and 30 stable pods, 400 req/s, 2 h.",
      requestsPerSecond: 400,
      durationSeconds: 7200,
      split: [
        { at: 0, canaryWeight: 0.1 },
        { at: 2400, canaryWeight: 0.25 },
        { at: 4800, canaryWeight: 0.5 },
      ],
      canary: { pods: 10, restarts: [{ pod: 0, at: 5200 }] },
      stable: { pods: 30, restarts: [{ pod: 1, at: 2800 }] },
    }),
  ),
} as const;

/** The services the tests and the demo load by default (all but `large` and `environmentDegrades`). */
export const DEFAULT_BED_SERVICES = (Object.keys(BED_SERVICES) as (keyof typeof BED_SERVICES)[]).filter(
  (k) => k !== "large" && k !== "environmentDegrades",
);

export type BedServiceName = keyof typeof BED_SERVICES;

/**
 * The SLO file (slogate.dev/v1) of one bed service: latency (p95 < 500 ms) and errors (< 1 %),
 * plus `errors-kayenta` (the same SLI judged by the kayenta judge, on per-step series) on request.
 */
export function bedSloYaml(s: BedService, options: { readonly kayenta?: boolean } = {}): string {
  const selection =
    s.selection === "label"
      ? "{ mode: label, label: rollouts_pod_template_hash }"
      : "{ mode: flagger, label: pod }";
  return `apiVersion: slogate.dev/v1
kind: ServiceLevels
service: ${s.service}
canary:
  selection: ${selection}
slos:
  - name: latency
    objective: p95 < 500ms
    sli:
      latency:
        histogram: http_request_duration_seconds
        selector: { service: ${s.service} }
        buckets: [${s.scenario.buckets.filter((b) => Number.isFinite(b)).join(", ")}]
  - name: errors
    objective: "< 1%"
    sli:
      events:
        errors: sum(rate(http_requests_total{service="${s.service}",code=~"5..",{{.selector}}}[{{.window}}]))
        total: sum(rate(http_requests_total{service="${s.service}",{{.selector}}}[{{.window}}]))
${
  options.kayenta === true
    ? `  - name: errors-kayenta
    objective: "< 1%"
    sli:
      events:
        errors: sum(rate(http_requests_total{service="${s.service}",code=~"5..",{{.selector}}}[{{.window}}]))
        total: sum(rate(http_requests_total{service="${s.service}",{{.selector}}}[{{.window}}]))
    canary:
      judge: kayenta
`
    : ""
}`;
}

export interface GateBed {
  /** The metrics backend (Prometheus unless `backend` chose VictoriaMetrics). */
  readonly prometheus: PrometheusBed;
  /** Directory with one SLO file per service. */
  readonly slosDir: string;
  readonly sims: Readonly<Record<string, SimScrapes>>;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus (or `options.backend`) with the chosen services' scenarios loaded, and
 * writes their SLO files.
 */
export async function startGateBed(
  names: readonly BedServiceName[] = DEFAULT_BED_SERVICES,
  seed = 11,
  options: { readonly kayentaSlos?: boolean; readonly backend?: BackendKind } = {},
): Promise<GateBed> {
  const slosDir = mkdtempSync(join(tmpdir(), "slogate-bed-slos-"));
  const sims: Record<string, SimScrapes> = {};
  for (const name of names) {
    const s = BED_SERVICES[name];
    sims[s.service] = simulateScrapes(s.scenario, { seed: `${seed}-${s.service}`, start: BED_START });
    writeFileSync(
      join(slosDir, `${s.service}.yaml`),
      bedSloYaml(s, { kayenta: options.kayentaSlos === true }),
    );
  }
  const prometheus = await startMetricsBackend(options.backend ?? "prometheus", {
    history: Object.values(sims).flatMap((x) => x.series),
  });
  return {
    prometheus,
    slosDir,
    sims,
    stop: async () => {
      await prometheus.stop();
      rmSync(slosDir, { recursive: true, force: true });
    },
  };
}
