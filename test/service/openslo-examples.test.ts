/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- JSON bodies of HTTP responses are untyped by nature */
/**
 * The OpenSLO spec's own example files gate canaries on a real Prometheus, unchanged: the SLO
 * of `slos.yaml` (`counter: true`, `sum(http_requests{k8s_cluster="prod",component="web",…})`,
 * Timeslices) is served with `slis.yaml` and `data_sources.yaml` beside it; its plain counter
 * queries are read as raw counters with the canary's and stable's matchers injected, so each
 * arm's counts equal the scraped truth exactly. A healthy canary passes every look; an
 * error-spike canary fails before the last one.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { scrapeTruth, simulateScrapes, type SimScrapes, type SimSeries } from "../../src/sim/scrapes.ts";
import { createRng, sampleBinomial, samplePoisson } from "../../src/sim/random.ts";
import { BED_SERVICES, BED_START } from "../../src/testbed/gate-bed.ts";
import { startPrometheus, type PrometheusBed } from "../../src/testbed/prometheus.ts";
import { getJson, postJson, startHarnessService } from "../../src/testbed/service-harness.ts";

const FIXTURES = resolve(import.meta.dirname, "../fixtures/openslo");
const SLO = "web-web-availability";
const LOOKS = 10;
const INTERVAL = 180;

/** The bed's request counters as the spec's example names them: `http_requests`, code classes. */
function asSpecExample(series: readonly SimSeries[]): SimSeries[] {
  return series
    .filter((s) => s.metric === "http_requests_total")
    .map((s) => {
      const { service: _service, code, ...rest } = s.labels;
      return {
        ...s,
        metric: "http_requests",
        labels: { ...rest, k8s_cluster: "prod", component: "web", code: `${(code ?? "0")[0]}xx` },
      };
    });
}

/**
 * Queue gauges per arm every 15 s from the bed's history start: jobs ~ Poisson(200), stuck ~
 * Binomial(jobs, p) with p = 2 % — 20 % on the canary of the error bed.
 */
function queueGauges(sim: SimScrapes, hashes: Bed["hashes"], canaryStuck: number): SimSeries[] {
  const rng = createRng(`queue-${canaryStuck}`);
  const out: SimSeries[] = [];
  for (const arm of ["canary", "stable"] as const) {
    const labels = { k8s_cluster: "prod", component: "worker", rollouts_pod_template_hash: hashes[arm] };
    const jobs: SimSeries = { metric: "queue_jobs", labels, arm, samples: [] };
    const stuck: SimSeries = { metric: "queue_jobs_stuck", labels, arm, samples: [] };
    for (let t = sim.firstScrape; t <= sim.lastScrape; t += 15) {
      const n = samplePoisson(rng, 200);
      jobs.samples.push({ t, v: n });
      stuck.samples.push({ t, v: sampleBinomial(rng, n, arm === "canary" ? canaryStuck : 0.02) });
    }
    out.push(jobs, stuck);
  }
  return out;
}

/** An OpenSLO SLO over those gauges: `counter: false`, plain instant queries. */
const GAUGE_SLO = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: queue-health
spec:
  service: worker
  budgetingMethod: Occurrences
  indicator:
    metadata:
      name: stuck-jobs
    spec:
      ratioMetric:
        counter: false
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: sum(queue_jobs_stuck{k8s_cluster="prod",component="worker"})
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(queue_jobs{k8s_cluster="prod",component="worker"})
  objectives:
    - target: 0.95
`;

interface Bed {
  readonly sim: SimScrapes;
  readonly prometheus: PrometheusBed;
  readonly gate: GateService;
  readonly hashes: { readonly canary: string; readonly stable: string };
}

const beds: Record<"healthy" | "errors", Bed> = {} as never;
let slosDir = "";

beforeAll(async () => {
  slosDir = mkdtempSync(join(tmpdir(), "slogate-openslo-examples-"));
  for (const f of ["slos.yaml", "slis.yaml", "data_sources.yaml", "services.yaml"])
    copyFileSync(join(FIXTURES, f), join(slosDir, f));
  writeFileSync(join(slosDir, "queue.yaml"), GAUGE_SLO);
  await Promise.all(
    (["healthy", "errors"] as const).map(async (k) => {
      const s = BED_SERVICES[k];
      const sim = simulateScrapes(s.scenario, { seed: `openslo-${k}`, start: BED_START });
      const hashes = { canary: s.canary, stable: s.stable };
      const gauges = queueGauges(sim, hashes, k === "healthy" ? 0.02 : 0.2);
      const prometheus = await startPrometheus({ history: [...asSpecExample(sim.series), ...gauges] });
      const gate = await startHarnessService({ prometheusUrl: prometheus.url, slosDir });
      beds[k] = { sim, prometheus, gate, hashes };
    }),
  );
}, 120_000);

afterAll(async () => {
  for (const b of Object.values(beds)) {
    await b.gate.close();
    await b.prometheus.stop();
  }
  if (slosDir !== "") rmSync(slosDir, { recursive: true, force: true });
});

async function run(bed: Bed, analysis: string, slo = SLO): Promise<any[]> {
  const bodies: any[] = [];
  for (let k = 1; k <= LOOKS; k++) {
    const r = await postJson(`${bed.gate.url}/api/v1/verdict`, {
      slo,
      canary: bed.hashes.canary,
      stable: bed.hashes.stable,
      analysis,
      count: LOOKS,
      start: BED_START,
      time: BED_START + k * INTERVAL,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    bodies.push(r.body);
    if (r.body.verdict === "fail") break;
  }
  return bodies;
}

describe("the OpenSLO spec's example SLO gates canaries on a real Prometheus", () => {
  it("is served from the spec's files as written, with the SLI, service and DataSource files beside it", async () => {
    const r = await getJson(`${beds.healthy.gate.url}/api/v1/slos`);
    expect(r.status).toBe(200);
    const served = r.body.slos.map((s: any) => [s.id, s.judge, s.source.format]);
    expect(served.sort()).toEqual([
      [SLO, "sequential", "openslo/v1"],
      ["worker-queue-health", "kayenta", "openslo/v1"],
    ]);
  });

  it("a healthy canary passes every look, each arm counted exactly from the raw counters", async () => {
    const bed = beds.healthy;
    const bodies = await run(bed, "openslo-healthy");
    expect(bodies.map((b) => b.verdict)).toEqual(Array(LOOKS).fill("pass"));
    const last = bodies.at(-1);
    expect(last.final).toBe(true);
    const end = BED_START + LOOKS * INTERVAL;
    for (const arm of ["canary", "stable"] as const) {
      const truth = scrapeTruth(bed.sim, arm, BED_START, end)!;
      expect(truth.total).toBeGreaterThan(1000);
      expect([last.arms[arm].total, last.arms[arm].bad]).toEqual([truth.total, truth.bad]);
    }
  });

  it("an error-spike canary fails before the last look", async () => {
    const bodies = await run(beds.errors, "openslo-errors");
    const last = bodies.at(-1);
    expect(last.verdict).toBe("fail");
    expect(bodies.length).toBeLessThan(LOOKS);
    expect(bodies.slice(0, -1).every((b) => b.verdict === "pass")).toBe(true);
    const end = BED_START + bodies.length * INTERVAL;
    const truth = scrapeTruth(beds.errors.sim, "canary", BED_START, end)!;
    expect([last.arms.canary.total, last.arms.canary.bad]).toEqual([truth.total, truth.bad]);
  });
});

describe("a counter: false ratio of gauges is judged per step on a real Prometheus", () => {
  it("passes a canary whose share of stuck jobs is stable's, on one point per minute", async () => {
    const bodies = await run(beds.healthy, "queue-healthy", "worker-queue-health");
    expect(bodies.map((b) => b.verdict)).toEqual(Array(LOOKS).fill("pass"));
    const last = bodies.at(-1);
    expect(last.judge).toBe("kayenta");
    // Points, not jobs: one per minute of the 30-minute analysis.
    expect(last.arms.canary.total).toBe(30);
    expect(last.arms.canary.bad / last.arms.canary.total).toBeCloseTo(0.02, 2);
  });

  it("fails a canary with ten times the share of stuck jobs before the last look", async () => {
    const bodies = await run(beds.errors, "queue-errors", "worker-queue-health");
    const last = bodies.at(-1);
    expect(last.verdict).toBe("fail");
    expect(bodies.length).toBeLessThan(LOOKS);
    expect(last.arms.canary.bad / last.arms.canary.total).toBeCloseTo(0.2, 1);
  });
});

describe("an SLO whose SLI names a DataSource of the spec's examples", () => {
  const wifi =
    "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: wifi\nspec:\n  service: home\n  indicatorRef: wifi-client-satisfaction\n  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.95\n";
  async function serve(configYaml?: string): Promise<{ gate: GateService; dir: string }> {
    const dir = mkdtempSync(join(tmpdir(), "slogate-openslo-ds-"));
    for (const f of ["slis.yaml", "data_sources.yaml"]) copyFileSync(join(FIXTURES, f), join(dir, f));
    writeFileSync(join(dir, "wifi.yaml"), wifi);
    const gate = await startHarnessService({
      prometheusUrl: beds.healthy.prometheus.url,
      slosDir: dir,
      ...(configYaml === undefined ? {} : { configYaml }),
    });
    return { gate, dir };
  }

  it("is served with a note that it is read from the DataSource's URL, with no credentials of the service", async () => {
    const { gate, dir } = await serve();
    try {
      const r = await getJson(`${gate.url}/api/v1/slos`);
      expect(r.body.slos.map((s: any) => s.id)).toEqual(["home-wifi"]);
      expect(
        r.body.status.problems.filter((p: any) => p.message.includes("differs from the service backend")),
      ).toEqual([]);
      expect(gate.catalog.get("home-wifi").notes).toContain(
        'DataSource "prometheus": read from http://prometheus.example.com (its own client and read queue; no headers; no credentials)',
      );
    } finally {
      await gate.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is read from backends.<name>.url when the service config gives the address slogate reaches it at", async () => {
    const url = beds.healthy.prometheus.url;
    const { gate, dir } = await serve(`backends:\n  prometheus:\n    url: ${url}/\n`);
    try {
      // The same URL as prometheus.url: the service's own backend, as without a DataSource.
      expect(gate.catalog.get("home-wifi").notes).toContain(
        `DataSource "prometheus": read from the service's backend ${url} (prometheus.url)`,
      );
    } finally {
      await gate.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
