/* eslint-disable @typescript-eslint/no-explicit-any -- YAML manifests are untyped by nature */
/**
 * @module test/contract/contract-bed
 * What the controller replays run against: a real Prometheus (or VictoriaMetrics) loaded with
 * synthetic canary scenarios (one service per scenario), a loopback proxy in front of it that
 * fails on demand (connections reset, as when Prometheus is stopped), the real slogate service
 * on a SQLite
 * store that survives restarts, and one simulated clock shared by the replays and the
 * service (`now`), so a 30-minute rollout replays in seconds. The SLO files are the ones
 * shipped in deploy/kubernetes/slogate.yaml with the scenario's service name put in.
 * Plain TypeScript (no vitest).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { GateService } from "../../src/main/gate-service.ts";
import { defineScenario, SCENARIOS } from "../../src/sim/scenarios.ts";
import type { Scenario } from "../../src/sim/scenario.ts";
import { simulateScrapes } from "../../src/sim/scrapes.ts";
import { startMetricsBackend, type BackendKind } from "../../src/testbed/metrics-backend.ts";
import type { PrometheusBed } from "../../src/testbed/prometheus.ts";
import { memoryLogger, startHarnessService } from "../../src/testbed/service-harness.ts";

/** Start of every scenario's canary traffic (Unix seconds). */
export const T0 = 1_700_000_000;

const root = join(import.meta.dirname, "..", "..");

/** All YAML documents of a file under deploy/. */
export function deployDocs(file: string): Record<string, any>[] {
  return parseAllDocuments(readFileSync(join(root, "deploy", file), "utf8")).map(
    (d) => d.toJS() as Record<string, any>,
  );
}

/** One document of deploy/ by kind and name (throws when missing). */
export function deployDoc(file: string, kind: string, name: string): Record<string, any> {
  const d = deployDocs(file).find((x) => x.kind === kind && x.metadata?.name === name);
  if (d === undefined) throw new Error(`deploy/${file} has no ${kind} ${name}`);
  return d;
}

/** The simulated clock (Unix seconds). */
export interface SimClock {
  t: number;
}

/** A scenario served as a service of the bed. */
export interface ContractService {
  readonly service: string;
  readonly mode: "argo" | "flagger";
  /** Argo: pod-template hashes; Flagger: the target name for both. */
  readonly canary: string;
  readonly stable: string;
}

type ScenarioKey = keyof typeof SCENARIOS;

/** The bed's services: `<prefix>-<role>`, Argo ones from checkout.yaml, Flagger from payments.yaml. */
export const CONTRACT_SERVICES = {
  argoGood: { service: "ck-good", mode: "argo", scenario: "healthy" },
  argoBad: { service: "ck-bad", mode: "argo", scenario: "latency-regression" },
  argoLow: { service: "ck-low", mode: "argo", scenario: "low-traffic" },
  /** An SLO file but no series at all (missing relabelling, mistyped hash). */
  argoNone: { service: "ck-none", mode: "argo", scenario: undefined },
  flaggerGood: { service: "pay-good", mode: "flagger", scenario: "healthy" },
  flaggerBad: { service: "pay-bad", mode: "flagger", scenario: "error-spike" },
  flaggerLow: { service: "pay-low", mode: "flagger", scenario: "low-traffic" },
  flaggerNone: { service: "pay-none", mode: "flagger", scenario: undefined },
} as const satisfies Record<
  string,
  { service: string; mode: "argo" | "flagger"; scenario: ScenarioKey | undefined }
>;

export type ContractServiceName = keyof typeof CONTRACT_SERVICES;

function scenarioOf(name: ContractServiceName): Scenario | undefined {
  const c = CONTRACT_SERVICES[name];
  if (c.scenario === undefined) return undefined;
  const base = SCENARIOS[c.scenario];
  // Flagger's primary pods are <target>-primary-<rs hash>-<id>, the canary's <target>-<rs hash>-<id>.
  return c.mode === "argo"
    ? { ...base, service: c.service }
    : defineScenario({
        ...base,
        service: c.service,
        stable: { ...base.stable, hash: `primary-${base.stable.hash}` },
      });
}

/** The service of one bed entry as the controllers address it. */
export function contractService(name: ContractServiceName): ContractService {
  const c = CONTRACT_SERVICES[name];
  if (c.mode === "flagger")
    return { service: c.service, mode: "flagger", canary: c.service, stable: c.service };
  const s = SCENARIOS[c.scenario ?? "healthy"];
  return { service: c.service, mode: "argo", canary: s.canary.hash, stable: s.stable.hash };
}

/** The SLO file of a bed service: the shipped one of its controller, renamed. */
export function shippedSloFile(service: string, mode: "argo" | "flagger"): string {
  const slos = deployDoc("kubernetes/slogate.yaml", "ConfigMap", "slogate-slos").data as Record<
    string,
    string
  >;
  const [file, name] = mode === "argo" ? ["checkout.yaml", "checkout"] : ["payments.yaml", "payments"];
  const text = slos[file];
  if (text === undefined) throw new Error(`the slogate-slos ConfigMap has no ${file}`);
  return text.replaceAll(name, service);
}

/**
 * A loopback proxy in front of Prometheus. While `failing()` is true every connection is
 * reset without an answer, as when Prometheus is stopped or its pod restarts.
 */
export interface FailingProxy {
  readonly url: string;
  failing: () => boolean;
  close(): Promise<void>;
}

export async function startFailingProxy(target: string): Promise<FailingProxy> {
  const to = new URL(target);
  const proxy: { failing: () => boolean } = { failing: () => false };
  const server: Server = createServer((req, res) => {
    if (proxy.failing()) {
      req.socket.destroy();
      return;
    }
    const up = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => req.socket.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

export interface ContractBed {
  readonly prometheus: PrometheusBed;
  readonly proxy: FailingProxy;
  readonly clock: SimClock;
  readonly slosDir: string;
  /** The running service (changes on restart). */
  gate(): GateService;
  /** The service's base URL, or a closed port while it is down. */
  url(): string;
  /** Prometheus queries the service made so far. */
  queries(): number;
  /** Stops the service (its URL then refuses connections). */
  stopGate(): Promise<void>;
  /** Starts the service again on the same store. */
  startGate(): Promise<void>;
  stop(): Promise<void>;
}

/** The bearer token shipped in deploy/ (both Secrets and the Canary carry it). */
export function shippedToken(): string {
  return deployDoc("kubernetes/slogate.yaml", "Secret", "slogate-tokens").stringData.token as string;
}

/**
 * Starts Prometheus or `backend` (all scenarios loaded), the proxy and the service (with
 * `configYaml`, e.g. a `kayenta:` section).
 */
export async function startContractBed(
  seed = 12,
  backend: BackendKind = "prometheus",
  configYaml?: string,
): Promise<ContractBed> {
  const slosDir = mkdtempSync(join(tmpdir(), "slogate-contract-slos-"));
  const dataDir = mkdtempSync(join(tmpdir(), "slogate-contract-data-"));
  const series = [];
  for (const name of Object.keys(CONTRACT_SERVICES) as ContractServiceName[]) {
    const c = CONTRACT_SERVICES[name];
    writeFileSync(join(slosDir, `${c.service}.yaml`), shippedSloFile(c.service, c.mode));
    const s = scenarioOf(name);
    if (s !== undefined)
      series.push(...simulateScrapes(s, { seed: `${seed}-${c.service}`, start: T0 }).series);
  }
  const prometheus = await startMetricsBackend(backend, { history: series });
  const proxy = await startFailingProxy(prometheus.url);
  const clock: SimClock = { t: T0 };
  let queries = 0;
  const start = () =>
    startHarnessService({
      prometheusUrl: proxy.url,
      slosDir,
      dataDir,
      tokens: [shippedToken()],
      logger: memoryLogger(),
      now: () => clock.t,
      onQuery: () => void queries++,
      ...(configYaml === undefined ? {} : { configYaml }),
    });
  let gate: GateService | undefined = await start();
  let lastUrl = gate.url;
  return {
    prometheus,
    proxy,
    clock,
    slosDir,
    gate: () => {
      if (gate === undefined) throw new Error("slogate is down");
      return gate;
    },
    url: () => lastUrl,
    queries: () => queries,
    stopGate: async () => {
      await gate?.close();
      gate = undefined;
    },
    startGate: async () => {
      gate = await start();
      lastUrl = gate.url;
    },
    stop: async () => {
      await gate?.close();
      await proxy.close();
      await prometheus.stop();
      rmSync(slosDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
