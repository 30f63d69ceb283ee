/**
 * @module bench/service
 * `npm run bench:service`: what the gate service adds on top of Prometheus.
 *
 * 1. Overhead per verdict: sequential Argo looks (POST /api/v1/verdict over HTTP, SQLite
 *    store) against a real Prometheus loaded with synthetic traffic. For each verdict, the
 *    Prometheus calls it made are observed by the client (`onQuery`); the verdict's latency
 *    (as the controller sees it) is divided by its slowest query's latency. The same queries
 *    are then re-sent to Prometheus with a bare `fetch` (no client, no service) for the
 *    "raw" ratio. Reported: the median ratios (target ≤ 1.2).
 *    `serverVerdictToSlowestQueryRatio` uses the service's own time to answer (from reading
 *    the request to the stored look, without the HTTP client and network).
 * 2. Throughput: 100 analyses running concurrently, each asking its looks back to back;
 *    sustained verdicts per second over the whole run.
 * Writes bench/results/service.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { QueryObservation } from "../src/prometheus/http-client.ts";
import { BED_SERVICES, BED_START, startGateBed } from "../test/service/gate-bed.ts";
import { memoryLogger, postJson, startHarnessService } from "../test/service/service-harness.ts";

const SEQUENTIAL_VERDICTS = Number(process.env.BENCH_VERDICTS ?? 200);
const CONCURRENT_ANALYSES = 100;
const LOOKS_PER_ANALYSIS = 10;
const INTERVAL = 180;

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
};
const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

async function rawQueryMs(prometheusUrl: string, o: QueryObservation, at: number): Promise<number> {
  const path = o.kind === "range" ? "query_range" : "query";
  const params = new URLSearchParams({ query: o.query, time: String(at) });
  const t0 = performance.now();
  const r = await fetch(`${prometheusUrl}/api/v1/${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: params,
  });
  await r.arrayBuffer();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const bed = await startGateBed(["healthy"]);
  let observed: QueryObservation[] = [];
  const logger = memoryLogger();
  const gate = await startHarnessService({
    prometheusUrl: bed.prometheus.url,
    slosDir: bed.slosDir,
    logger,
    onQuery: (o) => void observed.push(o),
  });
  const s = BED_SERVICES.healthy;
  const slos = [`${s.service}-latency`, `${s.service}-errors`];
  try {
    // Warm-up (JIT, connections, Prometheus caches of the head block).
    for (let i = 0; i < 20; i++) {
      await postJson(`${gate.url}/api/v1/verdict`, {
        slo: slos[i % 2],
        canary: s.canary,
        stable: s.stable,
        analysis: `warm-${i}`,
        start: BED_START,
        time: BED_START + 600,
      });
    }

    // 1. Sequential verdicts: overhead over the slowest query of each.
    const ratios: number[] = [];
    const rawRatios: number[] = [];
    const verdictMs: number[] = [];
    const slowestMs: number[] = [];
    const rawSlowestMs: number[] = [];
    const queriesPerVerdict: number[] = [];
    const serverRatios: number[] = [];
    for (let i = 0; i < SEQUENTIAL_VERDICTS; i++) {
      const k = (i % LOOKS_PER_ANALYSIS) + 1;
      const at = BED_START + k * INTERVAL;
      observed = [];
      logger.lines.length = 0;
      const t0 = performance.now();
      const r = await postJson(`${gate.url}/api/v1/verdict`, {
        slo: slos[Math.floor(i / LOOKS_PER_ANALYSIS) % 2],
        canary: s.canary,
        stable: s.stable,
        analysis: `seq-${Math.floor(i / LOOKS_PER_ANALYSIS)}`,
        start: BED_START,
        count: LOOKS_PER_ANALYSIS,
        time: at,
      });
      const ms = performance.now() - t0;
      if (r.status !== 200) throw new Error(`verdict ${i} failed: ${r.status} ${JSON.stringify(r.body)}`);
      const calls = observed;
      const slowest = Math.max(...calls.map((c) => c.durationSeconds * 1000));
      const raw = await Promise.all(calls.map((c) => rawQueryMs(bed.prometheus.url, c, at)));
      verdictMs.push(ms);
      slowestMs.push(slowest);
      rawSlowestMs.push(Math.max(...raw));
      ratios.push(ms / slowest);
      rawRatios.push(ms / Math.max(...raw));
      queriesPerVerdict.push(calls.length);
      const judged = logger.lines
        .map((l) => JSON.parse(l) as { msg: string; seconds?: number })
        .find((l) => l.msg === "look judged");
      if (judged?.seconds !== undefined) serverRatios.push((judged.seconds * 1000) / slowest);
    }

    // 2. Throughput with 100 concurrent analyses.
    let errors = 0;
    let verdicts = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT_ANALYSES }, async (_, a) => {
        for (let k = 1; k <= LOOKS_PER_ANALYSIS; k++) {
          const r = await postJson(`${gate.url}/api/v1/verdict`, {
            slo: slos[a % 2],
            canary: s.canary,
            stable: s.stable,
            analysis: `load-${a}`,
            start: BED_START,
            count: LOOKS_PER_ANALYSIS,
            time: BED_START + k * INTERVAL,
          });
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
      verdictToSlowestQueryRatio: round(quantile(ratios, 0.5)),
      verdictToSlowestRawQueryRatio: round(quantile(rawRatios, 0.5)),
      serverVerdictToSlowestQueryRatio: round(quantile(serverRatios, 0.5)),
      verdictsPerSecond: round(verdicts / seconds, 1),
      sequential: {
        verdicts: SEQUENTIAL_VERDICTS,
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
        p90VerdictToSlowestQueryRatio: round(quantile(ratios, 0.9)),
        queriesPerVerdict: round(quantile(queriesPerVerdict, 0.5), 1),
      },
      concurrent: {
        analyses: CONCURRENT_ANALYSES,
        looksPerAnalysis: LOOKS_PER_ANALYSIS,
        verdicts,
        errors,
        seconds: round(seconds, 2),
      },
      notes:
        "ratio = verdict latency seen by the HTTP caller / latency of the slowest Prometheus call made for that verdict (client-observed; 'raw' = the same query re-sent with a bare fetch). Store: SQLite in a temp dir. Prometheus and the service share the machine.",
    };
    const dir = join(import.meta.dirname, "results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "service.json"), JSON.stringify(result, null, 2) + "\n");
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await gate.close();
    await bed.stop();
  }
}

await main();
