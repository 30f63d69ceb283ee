/**
 * @module bench/service
 * `npm run bench:service`: what the gate service adds on top of Prometheus.
 *
 * The service runs in a worker thread of this process (its own event loop, as in
 * production where the controller is another process); the main thread plays the
 * controller over HTTP.
 *
 * 1. Overhead per verdict: sequential Argo looks (POST /api/v1/verdict over HTTP, SQLite
 *    store) against a real Prometheus loaded with synthetic traffic. A warm-up analysis of
 *    every SLO records, look by look, the Prometheus calls the service makes (observed by
 *    its client, `onQuery`). In the measured run each verdict is paired with those same
 *    queries sent by the caller itself: same thread, same `fetch`, all at once as the
 *    service sends them, each timed from the request to its parsed JSON answer — exactly
 *    how the verdict is timed. The pair's order alternates (raw first / verdict first) so
 *    neither side profits from the other warming Prometheus, and the queries the verdict
 *    actually made are checked to be the ones replayed. Ratio = verdict latency / slowest
 *    of its raw queries; medians reported (target ≤ 1.2). Also reported: the ratio against
 *    the answer's bytes without parsing, and the service's own view (its client's query
 *    time and its time to answer without HTTP), which shows where the overhead sits.
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
import { BED_SERVICES, BED_START, startGateBed, type BedService } from "../src/testbed/gate-bed.ts";
import { memoryLogger, postJson, startHarnessService } from "../src/testbed/service-harness.ts";

const SEQUENTIAL_VERDICTS = Number(process.env.BENCH_VERDICTS ?? 200);
const CONCURRENT_ANALYSES = 100;
const LOOKS_PER_ANALYSIS = 10;

interface WorkerInput {
  readonly prometheusUrl: string;
  readonly slosDir: string;
}

type FromWorker =
  | { readonly type: "ready"; readonly url: string }
  | {
      readonly type: "look";
      readonly queries: QueryObservation[];
      /** The service's time to answer and its parts, from its "look judged" log line. */
      readonly serverMs: number;
      readonly readMs: number;
      readonly judgeMs: number;
      readonly storeMs: number;
    };

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
          .map(
            (l) =>
              JSON.parse(l) as {
                msg: string;
                analysis?: string;
                seconds?: number;
                readMs?: number;
                judgeMs?: number;
                storeMs?: number;
              },
          )
          .findLast((l) => l.msg === "look judged" && l.analysis === e.analysisId);
        logger.lines.length = 0;
        if (report)
          port.postMessage({
            type: "look",
            queries,
            serverMs: (judged?.seconds ?? Number.NaN) * 1000,
            readMs: judged?.readMs ?? Number.NaN,
            judgeMs: judged?.judgeMs ?? Number.NaN,
            storeMs: judged?.storeMs ?? Number.NaN,
          } satisfies FromWorker);
      },
    ],
  });
  port.on("message", (m: string) => {
    if (m === "mute") report = false;
    if (m === "stop") void gate.close().then(() => port.close());
  });
  port.postMessage({ type: "ready", url: gate.url });
}

/** One Prometheus call as the caller times it: to the whole answer, and to it parsed. */
interface RawTiming {
  readonly bodyMs: number;
  readonly parsedMs: number;
}

/** Sends one of the service's queries straight to Prometheus, timed as `postJson` times a verdict. */
async function rawQuery(prometheusUrl: string, o: QueryObservation, at: number): Promise<RawTiming> {
  if (o.kind !== "instant") throw new Error(`the benchmark replays instant queries only, got ${o.kind}`);
  const t0 = performance.now();
  const r = await fetch(`${prometheusUrl}/api/v1/query`, {
    method: "POST",
    // The same encoding the service asks for (see prometheusHeaders in src/main/gate-service.ts).
    headers: { "content-type": "application/x-www-form-urlencoded", "accept-encoding": "identity" },
    body: new URLSearchParams({ query: o.query, time: String(at) }),
  });
  const text = await r.text();
  const bodyMs = performance.now() - t0;
  const answer = JSON.parse(text) as { status?: string };
  const parsedMs = performance.now() - t0;
  if (r.status !== 200 || answer.status !== "success") throw new Error(`raw query failed: ${o.query}`);
  return { bodyMs, parsedMs };
}

/** The Prometheus calls of a look, comparable across analyses (kind and query text). */
const callsOf = (qs: readonly QueryObservation[]): string =>
  qs
    .map((q) => `${q.kind} ${q.query}`)
    .sort()
    .join("\n");

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

    /** Sequential verdicts on one service: overhead over the slowest of the same raw queries. */
    const sequential = async (svc: BedService, interval: number) => {
      const slos = [`${svc.service}-latency`, `${svc.service}-errors`];
      // Warm-up: one whole analysis per SLO, recording the calls of every look.
      const plan = new Map<string, QueryObservation[]>();
      for (const slo of slos) {
        for (let k = 1; k <= LOOKS_PER_ANALYSIS; k++) {
          const r = await look(svc, `warm-${slo}`, slo, k, interval);
          if (r.status !== 200) throw new Error(`warm-up look failed: ${r.status} ${JSON.stringify(r.body)}`);
          const report = await next();
          if (report.type !== "look") throw new Error("expected a look report");
          plan.set(`${slo} ${k}`, report.queries);
        }
      }
      const ratios: number[] = [];
      const bodyRatios: number[] = [];
      const serviceViewRatios: number[] = [];
      const serverRatios: number[] = [];
      const verdictMs: number[] = [];
      const slowestMs: number[] = [];
      const slowestBodyMs: number[] = [];
      const serviceSlowestMs: number[] = [];
      const serverMs: number[] = [];
      const readMs: number[] = [];
      const judgeMs: number[] = [];
      const storeMs: number[] = [];
      const queriesPerVerdict: number[] = [];
      for (let i = 0; i < SEQUENTIAL_VERDICTS; i++) {
        const k = (i % LOOKS_PER_ANALYSIS) + 1;
        const analysis = Math.floor(i / LOOKS_PER_ANALYSIS);
        const slo = slos[analysis % 2]!;
        const planned = plan.get(`${slo} ${k}`)!;
        const raw = (): Promise<RawTiming[]> =>
          Promise.all(planned.map((q) => rawQuery(bed.prometheus.url, q, BED_START + k * interval)));
        const verdict = async (): Promise<number> => {
          const t0 = performance.now();
          const r = await look(svc, `seq-${svc.service}-${analysis}`, slo, k, interval);
          const ms = performance.now() - t0;
          if (r.status !== 200) throw new Error(`verdict ${i} failed: ${r.status} ${JSON.stringify(r.body)}`);
          return ms;
        };
        let ms: number;
        let rawTimes: RawTiming[];
        if (i % 2 === 0) {
          rawTimes = await raw();
          ms = await verdict();
        } else {
          ms = await verdict();
          rawTimes = await raw();
        }
        const report = await next();
        if (report.type !== "look") throw new Error("expected a look report");
        if (callsOf(report.queries) !== callsOf(planned)) {
          throw new Error(`look ${k} of ${slo} made other queries than its warm-up twin`);
        }
        const slowest = Math.max(...rawTimes.map((t) => t.parsedMs));
        const slowestBody = Math.max(...rawTimes.map((t) => t.bodyMs));
        const serviceSlowest = Math.max(...report.queries.map((c) => c.durationSeconds * 1000));
        verdictMs.push(ms);
        slowestMs.push(slowest);
        slowestBodyMs.push(slowestBody);
        serviceSlowestMs.push(serviceSlowest);
        serverMs.push(report.serverMs);
        readMs.push(report.readMs);
        judgeMs.push(report.judgeMs);
        storeMs.push(report.storeMs);
        ratios.push(ms / slowest);
        bodyRatios.push(ms / slowestBody);
        serviceViewRatios.push(ms / serviceSlowest);
        serverRatios.push(report.serverMs / serviceSlowest);
        queriesPerVerdict.push(report.queries.length);
      }
      const median = (xs: readonly number[], d = 4) => round(quantile(xs, 0.5), d);
      return {
        service: svc.service,
        canaryMinutes: svc.scenario.durationSeconds / 60,
        pods: svc.scenario.canary.pods + svc.scenario.stable.pods,
        requestsPerSecond: svc.scenario.requestsPerSecond,
        verdicts: SEQUENTIAL_VERDICTS,
        verdictToSlowestQueryRatio: median(ratios),
        p90VerdictToSlowestQueryRatio: round(quantile(ratios, 0.9)),
        verdictToSlowestQueryBodyRatio: median(bodyRatios),
        verdictToServiceObservedQueryRatio: median(serviceViewRatios),
        serverTimeToServiceObservedQueryRatio: median(serverRatios),
        medianVerdictMs: median(verdictMs, 2),
        p95VerdictMs: round(quantile(verdictMs, 0.95), 2),
        medianSlowestQueryMs: median(slowestMs, 2),
        medianSlowestQueryBodyMs: median(slowestBodyMs, 2),
        medianServiceObservedSlowestQueryMs: median(serviceSlowestMs, 2),
        medianServerMs: median(serverMs, 2),
        medianServerReadMs: median(readMs, 2),
        medianServerJudgeMs: median(judgeMs, 2),
        medianServerStoreMs: median(storeMs, 2),
        medianHttpMs: median(
          verdictMs.map((v, j) => v - serverMs[j]!),
          2,
        ),
        medianOverheadMs: median(
          verdictMs.map((v, j) => v - slowestMs[j]!),
          2,
        ),
        queriesPerVerdict: round(quantile(queriesPerVerdict, 0.5), 1),
      };
    };
    // The HTTP floor: the same caller and server answering /healthz (no store, no Prometheus).
    const healthzMs: number[] = [];
    for (let i = 0; i < SEQUENTIAL_VERDICTS; i++) {
      const t0 = performance.now();
      const r = await fetch(`${url}/healthz`);
      await r.json();
      healthzMs.push(performance.now() - t0);
    }
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
      medianHealthzMs: round(quantile(healthzMs, 0.5), 2),
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
        "ratio = verdict latency seen by the HTTP caller / latency of the slowest of the same Prometheus queries sent by the same caller (same thread, same fetch, all at once as the service sends them, timed to the parsed JSON answer like the verdict; raw and verdict alternate in order). 'QueryBody' = the same without parsing the answer; 'ServiceObserved' = the query time seen by the service's own client (includes its decoding of the answer); 'serverTime' = the service's time to answer without HTTP; medianHttpMs = verdict latency - server time; medianHealthzMs = the same caller's GET /healthz (the HTTP floor). verdictToSlowestQueryRatio is the small service's (shop-healthy: 5 pods, 50 req/s, 30 min); 'large' is shop-large (40 pods, 400 req/s, 2 h). SLOs: latency (histogram) and errors (events), sequential judge. Both sides ask Prometheus for uncompressed answers. Store: SQLite in a temp dir. Prometheus, the service and the caller share the machine.",
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
