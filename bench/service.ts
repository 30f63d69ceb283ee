/**
 * @module bench/service
 * `npm run bench:service`: what the gate service adds on top of Prometheus.
 *
 * The service runs in a worker thread (its own event loop, as in production where the
 * controller is another process); this thread plays the controller over HTTP.
 *
 * 1. Overhead per verdict: sequential Argo looks (POST /api/v1/verdict over HTTP, SQLite
 *    store) against a real Prometheus loaded with synthetic traffic. For each verdict, the
 *    Prometheus calls it made are observed by the service's client (`onQuery`) and sent
 *    back with the look's event; the verdict's latency (as the controller sees it) is
 *    divided by its slowest query's latency. The same queries are then re-sent to Prometheus
 *    with a bare `fetch` (no client, no service) for the "raw" ratio.
 *    `serverVerdictToSlowestQueryRatio` uses the service's own time to answer (from the
 *    look's start to the stored look, without HTTP). Reported: medians (target ≤ 1.2).
 * 2. Throughput: 100 analyses running concurrently, each asking its looks back to back;
 *    sustained verdicts per second over the whole run.
 * Writes bench/results/service.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import type { QueryObservation } from "../src/prometheus/http-client.ts";
import { BED_SERVICES, BED_START, startGateBed, type BedService } from "../test/service/gate-bed.ts";
import { memoryLogger, postJson, startHarnessService } from "../test/service/service-harness.ts";

const SEQUENTIAL_VERDICTS = Number(process.env.BENCH_VERDICTS ?? 200);
const CONCURRENT_ANALYSES = 100;
const LOOKS_PER_ANALYSIS = 10;

interface WorkerInput {
  readonly prometheusUrl: string;
  readonly slosDir: string;
}

type FromWorker =
  | { readonly type: "ready"; readonly url: string }
  | { readonly type: "look"; readonly queries: QueryObservation[]; readonly serverMs: number };

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
};
const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

/** The worker thread: runs the service and reports each look's Prometheus calls. */
async function serviceWorker(): Promise<void> {
  const input = workerData as WorkerInput;
  const port = parentPort!;
  let observed: QueryObservation[] = [];
  let report = true;
  const logger = memoryLogger();
  const gate = await startHarnessService({
    prometheusUrl: input.prometheusUrl,
    slosDir: input.slosDir,
    logger,
    onQuery: (o) => void observed.push(o),
    listeners: [
      (e) => {
        if (e.phase !== "open") return;
        const queries = observed;
        observed = [];
        const judged = logger.lines
          .map((l) => JSON.parse(l) as { msg: string; analysis?: string; seconds?: number })
          .findLast((l) => l.msg === "look judged" && l.analysis === e.analysisId);
        logger.lines.length = 0;
        if (report)
          port.postMessage({ type: "look", queries, serverMs: (judged?.seconds ?? Number.NaN) * 1000 });
      },
    ],
  });
  port.on("message", (m: string) => {
    if (m === "mute") report = false;
    if (m === "stop") void gate.close().then(() => port.close());
  });
  port.postMessage({ type: "ready", url: gate.url });
}

async function rawQueryMs(prometheusUrl: string, o: QueryObservation, at: number): Promise<number> {
  const path = o.kind === "range" ? "query_range" : "query";
  const t0 = performance.now();
  const r = await fetch(`${prometheusUrl}/api/v1/${path}`, {
    method: "POST",
    // The same encoding the service asks for (see prometheusHeaders in src/app/gate-service.ts).
    headers: { "content-type": "application/x-www-form-urlencoded", "accept-encoding": "identity" },
    body: new URLSearchParams({ query: o.query, time: String(at) }),
  });
  await r.arrayBuffer();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const bed = await startGateBed(["healthy", "large"]);
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { prometheusUrl: bed.prometheus.url, slosDir: bed.slosDir } satisfies WorkerInput,
  });
  const inbox: FromWorker[] = [];
  let wake: (() => void) | undefined;
  worker.on("message", (m: FromWorker) => {
    inbox.push(m);
    wake?.();
  });
  worker.on("error", (e) => {
    console.error(e);
    process.exit(1);
  });
  const next = async (): Promise<FromWorker> => {
    while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
    return inbox.shift()!;
  };
  try {
    const ready = await next();
    if (ready.type !== "ready") throw new Error("the service worker did not start");
    const url = ready.url;
    const look = (svc: BedService, analysis: string, slo: string, k: number, interval: number) =>
      postJson(`${url}/api/v1/verdict`, {
        slo,
        canary: svc.canary,
        stable: svc.stable,
        analysis,
        start: BED_START,
        count: LOOKS_PER_ANALYSIS,
        time: BED_START + k * interval,
      });

    /** Sequential verdicts on one service: overhead over the slowest query of each. */
    const sequential = async (svc: BedService, interval: number) => {
      const slos = [`${svc.service}-latency`, `${svc.service}-errors`];
      for (let i = 0; i < 20; i++) {
        await look(svc, `warm-${svc.service}-${i}`, slos[i % 2]!, 3, interval);
        await next();
      }
      const ratios: number[] = [];
      const rawRatios: number[] = [];
      const serverRatios: number[] = [];
      const verdictMs: number[] = [];
      const slowestMs: number[] = [];
      const rawSlowestMs: number[] = [];
      const queriesPerVerdict: number[] = [];
      for (let i = 0; i < SEQUENTIAL_VERDICTS; i++) {
        const k = (i % LOOKS_PER_ANALYSIS) + 1;
        const analysis = Math.floor(i / LOOKS_PER_ANALYSIS);
        const t0 = performance.now();
        const r = await look(svc, `seq-${svc.service}-${analysis}`, slos[analysis % 2]!, k, interval);
        const ms = performance.now() - t0;
        if (r.status !== 200) throw new Error(`verdict ${i} failed: ${r.status} ${JSON.stringify(r.body)}`);
        const report = await next();
        if (report.type !== "look") throw new Error("expected a look report");
        const slowest = Math.max(...report.queries.map((c) => c.durationSeconds * 1000));
        const raw = await Promise.all(
          report.queries.map((c) => rawQueryMs(bed.prometheus.url, c, BED_START + k * interval)),
        );
        verdictMs.push(ms);
        slowestMs.push(slowest);
        rawSlowestMs.push(Math.max(...raw));
        ratios.push(ms / slowest);
        rawRatios.push(ms / Math.max(...raw));
        serverRatios.push(report.serverMs / slowest);
        queriesPerVerdict.push(report.queries.length);
      }
      return {
        service: svc.service,
        canaryMinutes: svc.scenario.durationSeconds / 60,
        pods: svc.scenario.canary.pods + svc.scenario.stable.pods,
        requestsPerSecond: svc.scenario.requestsPerSecond,
        verdicts: SEQUENTIAL_VERDICTS,
        verdictToSlowestQueryRatio: round(quantile(ratios, 0.5)),
        verdictToSlowestRawQueryRatio: round(quantile(rawRatios, 0.5)),
        serverVerdictToSlowestQueryRatio: round(quantile(serverRatios, 0.5)),
        p90VerdictToSlowestQueryRatio: round(quantile(ratios, 0.9)),
        medianVerdictMs: round(quantile(verdictMs, 0.5), 2),
        p95VerdictMs: round(quantile(verdictMs, 0.95), 2),
        medianSlowestQueryMs: round(quantile(slowestMs, 0.5), 2),
        medianSlowestRawQueryMs: round(quantile(rawSlowestMs, 0.5), 2),
        medianOverheadMs: round(
          quantile(
            verdictMs.map((v, i) => v - slowestMs[i]!),
            0.5,
          ),
          2,
        ),
        queriesPerVerdict: round(quantile(queriesPerVerdict, 0.5), 1),
      };
    };
    const small = await sequential(BED_SERVICES.healthy, 180);
    const large = await sequential(BED_SERVICES.large, 720);

    // 2. Throughput with 100 concurrent analyses.
    worker.postMessage("mute");
    let errors = 0;
    let verdicts = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT_ANALYSES }, async (_, a) => {
        const svc = BED_SERVICES.healthy;
        for (let k = 1; k <= LOOKS_PER_ANALYSIS; k++) {
          const r = await look(
            svc,
            `load-${a}`,
            `${svc.service}-${a % 2 === 0 ? "latency" : "errors"}`,
            k,
            180,
          );
          if (r.status === 200) verdicts++;
          else errors++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;

    const result = {
      benchmark: "service",
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", node: process.version },
      verdictToSlowestQueryRatio: small.verdictToSlowestQueryRatio,
      verdictsPerSecond: round(verdicts / seconds, 1),
      small,
      large,
      concurrent: {
        analyses: CONCURRENT_ANALYSES,
        looksPerAnalysis: LOOKS_PER_ANALYSIS,
        verdicts,
        errors,
        seconds: round(seconds, 2),
      },
      notes:
        "ratio = verdict latency seen by the HTTP caller / latency of the slowest Prometheus call made for that verdict (observed by the service's client; 'raw' = the same query re-sent with a bare fetch; 'server' = the service's own time to answer). verdictToSlowestQueryRatio is the small service's (shop-healthy: 5 pods, 50 req/s, 30 min); 'large' is shop-large (40 pods, 400 req/s, 2 h). SLOs: latency (histogram) and errors (events), sequential judge. Both sides ask Prometheus for uncompressed answers. Store: SQLite in a temp dir. The service runs in a worker thread; Prometheus, the service and the caller share the machine.",
    };
    const dir = join(import.meta.dirname, "results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "service.json"), JSON.stringify(result, null, 2) + "\n");
    console.log(JSON.stringify(result, null, 2));
  } finally {
    worker.postMessage("stop");
    await new Promise((r) => worker.once("exit", r));
    await bed.stop();
  }
}

if (isMainThread) await main();
else await serviceWorker();
