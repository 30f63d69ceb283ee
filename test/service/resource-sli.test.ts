/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- JSON bodies of HTTP responses are untyped by nature */
/**
 * Resource SLIs gate canaries through the HTTP API against a real Prometheus loaded with
 * cAdvisor and kube-state-metrics series as a cluster exports them:
 * `container_cpu_usage_seconds_total` (a counter per container, plus cAdvisor's pod-level
 * cgroup series with `container=""`), `container_memory_working_set_bytes`, and
 * `kube_pod_labels` carrying Argo's `rollouts_pod_template_hash` as
 * `label_rollouts_pod_template_hash` (cAdvisor series do not carry pod labels, so the SLO joins
 * them). Pods are the unit: a canary using 30 % more CPU per pod fails — also when it has fewer
 * pods, so its summed CPU is lower than stable's — while canaries that merely have fewer or
 * more pods at the same CPU per pod pass.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { CliIo } from "../../src/cli/io.ts";
import type { GateService } from "../../src/main/gate-service.ts";
import { createRng, sampleNormal } from "../../src/sim/random.ts";
import type { SimSeries } from "../../src/sim/scrapes.ts";
import { startPrometheus, type PrometheusBed } from "../../src/testbed/prometheus.ts";
import { getJson, postJson, startHarnessService } from "../../src/testbed/service-harness.ts";

const START = 1_700_000_000;
const DURATION = 1800;
const SCRAPE = 15;
const LOOKS = 10;
const INTERVAL = DURATION / LOOKS;
const CORES = 0.4;
const GIB = 2 ** 30;

interface Arm {
  readonly hash: string;
  readonly pods: number;
  /** CPU cores per pod, and working-set bytes per pod. */
  readonly cores: number;
  readonly bytes: number;
}

interface Case {
  readonly namespace: string;
  readonly canary: Arm;
  readonly stable: Arm;
}

const stable = (hash: string, pods: number): Arm => ({ hash, pods, cores: CORES, bytes: 0.6 * GIB });
const CASES: Record<string, Case> = {
  cpu30: {
    namespace: "cpu30",
    canary: { hash: "c30a", pods: 3, cores: 1.3 * CORES, bytes: 0.6 * GIB },
    stable: stable("s30a", 3),
  },
  cpu30Fewer: {
    namespace: "cpu30fewer",
    canary: { hash: "c30f", pods: 2, cores: 1.3 * CORES, bytes: 0.6 * GIB },
    stable: stable("s30f", 6),
  },
  fewer: {
    namespace: "fewer",
    canary: { hash: "cfew", pods: 2, cores: CORES, bytes: 0.6 * GIB },
    stable: stable("sfew", 6),
  },
  more: {
    namespace: "more",
    canary: { hash: "cmore", pods: 6, cores: CORES, bytes: 0.6 * GIB },
    stable: stable("smore", 2),
  },
  memory: {
    namespace: "memory",
    canary: { hash: "cmem", pods: 3, cores: CORES, bytes: 1.2 * GIB },
    stable: stable("smem", 3),
  },
};

/** cAdvisor and kube-state-metrics series of one case, scraped every 15 s for 30 minutes. */
function caseSeries(c: Case, seed: string): SimSeries[] {
  const rng = createRng(seed);
  const out: SimSeries[] = [];
  for (const [armName, arm] of [
    ["canary", c.canary],
    ["stable", c.stable],
  ] as const) {
    for (let p = 0; p < arm.pods; p++) {
      const pod = `api-${arm.hash}-${p}`;
      // A small persistent offset per pod (node, cache): −2 %, 0, +2 %, …
      const offset = Math.exp(0.02 * ((p % 3) - 1));
      const labels = { namespace: c.namespace, pod, container: "api" };
      const cpu: { t: number; v: number }[] = [];
      const cgroup: { t: number; v: number }[] = [];
      const mem: { t: number; v: number }[] = [];
      const info: { t: number; v: number }[] = [];
      let used = 0;
      for (let t = START - 300; t <= START + DURATION; t += SCRAPE) {
        used += arm.cores * offset * SCRAPE * Math.exp(0.05 * sampleNormal(rng));
        cpu.push({ t, v: used });
        // The pod's own cgroup (container=""): the container plus the pause container.
        cgroup.push({ t, v: used * 1.01 });
        mem.push({ t, v: Math.round(arm.bytes * offset * Math.exp(0.02 * sampleNormal(rng))) });
        info.push({ t, v: 1 });
      }
      out.push({ metric: "container_cpu_usage_seconds_total", labels, arm: armName, samples: cpu });
      out.push({
        metric: "container_cpu_usage_seconds_total",
        labels: { ...labels, container: "" },
        arm: armName,
        samples: cgroup,
      });
      out.push({ metric: "container_memory_working_set_bytes", labels, arm: armName, samples: mem });
      out.push({
        metric: "kube_pod_labels",
        labels: { namespace: c.namespace, pod, label_rollouts_pod_template_hash: arm.hash, label_app: "api" },
        arm: armName,
        samples: info,
      });
    }
  }
  return out;
}

/** The SLO file of one case: CPU per pod (+10 % allowed) and memory per pod (limit 1Gi). */
function sloFile(c: Case): string {
  const join = `* on (namespace, pod) group_left() max by (namespace, pod) (kube_pod_labels{namespace="${c.namespace}",{{.selector}}})`;
  return `apiVersion: slogate.dev/v1
kind: ServiceLevels
service: ${c.namespace}
canary:
  selection: { label: label_rollouts_pod_template_hash }
slos:
  - name: cpu-per-pod
    sli:
      resource:
        measure: cpu
        query: sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="${c.namespace}",container="api"}[{{.window}}]) ${join})
    canary:
      maxRegression: { relative: 0.1 }
  - name: memory-per-pod
    sli:
      resource:
        measure: memory
        query: sum by (pod) (container_memory_working_set_bytes{namespace="${c.namespace}",container="api"} ${join})
        limit: 1Gi
    canary:
      maxRegression: { relative: 0.5 }
  - name: cpu-summed
    description: A mistake - the pods are summed away, so there is nothing per pod to compare.
    sli:
      resource:
        measure: cpu
        query: sum(rate(container_cpu_usage_seconds_total{namespace="${c.namespace}",container="api"}[{{.window}}]) ${join})
`;
}

let prom: PrometheusBed;
let gate: GateService;
let slosDir: string;

beforeAll(async () => {
  prom = await startPrometheus({
    history: Object.entries(CASES).flatMap(([name, c]) => caseSeries(c, `resource-${name}`)),
  });
  slosDir = mkdtempSync(join(tmpdir(), "slogate-resource-slos-"));
  for (const c of Object.values(CASES)) writeFileSync(join(slosDir, `${c.namespace}.yaml`), sloFile(c));
  gate = await startHarnessService({ prometheusUrl: prom.url, slosDir });
}, 60_000);

afterAll(async () => {
  await gate?.close();
  await prom?.stop();
  if (slosDir !== undefined) rmSync(slosDir, { recursive: true, force: true });
});

/** Runs the Argo looks of one analysis until a fail or the final look; returns the bodies. */
async function run(slo: string, c: Case, analysis: string): Promise<any[]> {
  const bodies: any[] = [];
  for (let k = 1; k <= LOOKS; k++) {
    const r = await postJson(`${gate.url}/api/v1/verdict`, {
      slo,
      canary: c.canary.hash,
      stable: c.stable.hash,
      analysis,
      count: LOOKS,
      start: START,
      time: START + k * INTERVAL,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    bodies.push(r.body);
    if (r.body.verdict === "fail") break;
  }
  return bodies;
}

/** Prometheus' own answer to an instant query (one number). */
async function promNumber(q: string, time: number): Promise<number> {
  const r = await fetch(
    `${prom.url}/api/v1/query?${new URLSearchParams({ query: q, time: String(time) }).toString()}`,
  );
  const body = (await r.json()) as any;
  return Number(body.data.result[0].value[1]);
}

describe("resource SLIs compare canary and stable per pod, on a real Prometheus", () => {
  it("fails a canary using 30 % more CPU per pod, naming it per-pod CPU", async () => {
    const bodies = await run("cpu30-cpu-per-pod", CASES.cpu30 as Case, "cpu30");
    const last = bodies.at(-1);
    expect(last.verdict).toBe("fail");
    expect(bodies.length).toBeLessThan(LOOKS);
    const check = last.checks.find((x: any) => x.id === "cpu-relative");
    expect(check.status).toBe("fail");
    expect(check.reason).toMatch(/^per-pod CPU (2[6-9]|3[0-4]) % above stable/);
    expect(check.evidence.canaryPods).toBe(3);
    expect(check.evidence.stablePods).toBe(3);
  });

  it("fails a canary using 30 % more CPU per pod with fewer pods, although its summed CPU is lower than stable's", async () => {
    const c = CASES.cpu30Fewer as Case;
    // The sum over pods (what an error-ratio-style SLI compared): canary 2 × 0.52 < stable 6 × 0.4.
    const sum = (hash: string): string =>
      `sum(rate(container_cpu_usage_seconds_total{namespace="${c.namespace}",container="api"}[10m]) * on (namespace, pod) group_left() max by (namespace, pod) (kube_pod_labels{label_rollouts_pod_template_hash="${hash}"}))`;
    const at = START + 1200;
    const ratioOfSums =
      (await promNumber(sum(c.canary.hash), at)) / (await promNumber(sum(c.stable.hash), at));
    expect(ratioOfSums).toBeGreaterThan(0.38);
    expect(ratioOfSums).toBeLessThan(0.49);
    const bodies = await run("cpu30fewer-cpu-per-pod", c, "cpu30fewer");
    const last = bodies.at(-1);
    expect(last.verdict).toBe("fail");
    expect(last.checks.find((x: any) => x.id === "cpu-relative").reason).toMatch(
      /^per-pod CPU (2[6-9]|3[0-4]) % above stable/,
    );
  });

  it.each([
    ["fewer pods (2 vs 6)", "fewer"],
    ["more pods (6 vs 2)", "more"],
  ])(
    "passes a canary that merely has %s at the same CPU per pod, the last look final",
    async (_what, key) => {
      const c = CASES[key] as Case;
      const bodies = await run(`${c.namespace}-cpu-per-pod`, c, `${key}-cpu`);
      expect(bodies.map((b) => b.verdict)).toEqual(Array(LOOKS).fill("pass"));
      const last = bodies.at(-1);
      expect(last.final).toBe(true);
      expect(last.analysis).toMatchObject({ status: "closed", outcome: "promoted" });
      const check = last.checks.find((x: any) => x.id === "cpu-relative");
      expect(check.status).toBe("pass");
      expect(check.evidence.steps).toBe(30);
      expect(check.evidence.ratio).toBeGreaterThan(0.95);
      expect(check.evidence.ratio).toBeLessThan(1.05);
    },
  );

  it("fails the per-pod memory limit of a canary whose pods use 1.2 GiB each, and passes stable-like pods", async () => {
    const over = await run("memory-memory-per-pod", CASES.memory as Case, "memory-over");
    const last = over.at(-1);
    expect(last.verdict).toBe("fail");
    const abs = last.checks.find((x: any) => x.id === "memory-absolute");
    expect(abs.status).toBe("fail");
    expect(abs.reason).toMatch(/largest canary pod's memory is above the limit 1Gi/);
    const within = await run("fewer-memory-per-pod", CASES.fewer as Case, "fewer-memory");
    expect(within.at(-1).verdict).toBe("pass");
    expect(within.at(-1).checks.find((x: any) => x.id === "memory-absolute").status).toBe("pass");
  });

  it("refuses a query that sums the pods away (no pod label) as the SLO's configuration error, recording nothing", async () => {
    const c = CASES.fewer as Case;
    const r = await postJson(`${gate.url}/api/v1/verdict`, {
      slo: "fewer-cpu-summed",
      canary: c.canary.hash,
      stable: c.stable.hash,
      analysis: "summed",
      start: START,
      time: START + 600,
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("SLO_QUERY_INVALID");
    expect(r.body.error.hint).toMatch(/sum by \(pod\)/);
    const again = await getJson(`${gate.url}/api/v1/analyses/summed`);
    expect(again.status).toBe(404);
  });

  it("shows a resource analysis on its page with the per-pod reason", async () => {
    const bodies = await run("more-cpu-per-pod", CASES.more as Case, "more-page");
    const page = await fetch(bodies.at(-1).link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("per-pod CPU");
  });

  it("says nodata, never pass, for a canary hash with no pods", async () => {
    const c = CASES.fewer as Case;
    const r = await postJson(`${gate.url}/api/v1/verdict`, {
      slo: "fewer-cpu-per-pod",
      canary: "nosuchhash",
      stable: c.stable.hash,
      analysis: "nodata",
      start: START,
      time: START + 600,
      final: true,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.verdict).toBe("nodata");
  });
});

/** A CLI io that keeps what the command printed. */
function cliIo(): { io: CliIo; out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      env: {},
      cwd: process.cwd(),
      stopped: Promise.resolve(),
    },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

describe("resource SLIs from the command line, on a real Prometheus", () => {
  const arms = (c: Case, slo: string): string[] => [
    "--slo",
    slo,
    "--canary",
    c.canary.hash,
    "--stable",
    c.stable.hash,
    "--prometheus",
    prom.url,
    "--slos",
    slosDir,
  ];

  it("slogate analyze fails the +30 % canary (exit 1) and says there is no baseline for a resource SLI", async () => {
    const c = cliIo();
    const code = await main(
      [
        "analyze",
        ...arms(CASES.cpu30 as Case, "cpu30-cpu-per-pod"),
        "--start",
        String(START),
        "--time",
        String(START + DURATION),
        "--baseline-window",
        "1h",
      ],
      c.io,
    );
    expect(code).toBe(1);
    expect(c.out()).toMatch(/cpu30-cpu-per-pod: FAIL/);
    expect(c.out()).toMatch(/per-pod CPU \d+ % above stable/);
    expect(c.err()).toMatch(/no baseline: SLO cpu30-cpu-per-pod is a resource SLI/);
  });

  it("slogate backtest replays a fewer-pods canary look by look without a fail", async () => {
    const c = cliIo();
    const code = await main(
      [
        "backtest",
        ...arms(CASES.fewer as Case, "fewer-cpu-per-pod"),
        "--from",
        String(START),
        "--to",
        String(START + DURATION),
        "--interval",
        "5m",
        "--json",
      ],
      c.io,
    );
    expect(c.err()).toBe("");
    expect(code).toBe(0);
    const body = JSON.parse(c.out()) as { looks: { verdict: { verdict: string; final: boolean } }[] };
    expect(body.looks).toHaveLength(6);
    expect(body.looks.map((l) => l.verdict.verdict)).toEqual(Array(6).fill("pass"));
    expect(body.looks.at(-1)?.verdict.final).toBe(true);
  });
});
