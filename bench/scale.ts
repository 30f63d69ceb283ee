/**
 * @module bench/scale
 * `npm run bench:scale`: what a look costs as an analysis ages and its fleet grows, on a real
 * Prometheus, incremental reads against full reads in the same run.
 *
 * Data: a latency histogram (29 finite buckets + `+Inf`) per pod for 100 canary and 100 stable
 * pods, 24 h (+ the 5 min base lookback, + 10 min after the measured looks), backfilled with
 * `promtool tsdb create-blocks-from openmetrics` from a file written as a stream. The scrape
 * interval is `BENCH_SCRAPE` seconds (default 60 — the issue measured 15 s; 60 s keeps the
 * backfill to ~9 M samples and a few minutes on a shared 2-core machine; a full read's size
 * scales with samples, the incremental read's with series, so 15 s scrapes would make the full
 * reads 4× larger and the incremental ones about the same).
 * Grid: analysis age 10 m / 1 h / 6 h / 24 h × pods per arm 2 / 20 / 100 × buckets 10 / 30 (the
 * 10-bucket case selects 9 finite `le` + `+Inf` with an `le=~` matcher). A look reads both arms
 * at once: the full path (`createReadArmCounts`, today's read) and the incremental path (the
 * state of a look one minute earlier, then the look). Reported: latency (median of the reps),
 * bytes Prometheus sent (uncompressed, counted by a proxy that asks for identity encoding), and
 * whether both paths counted the same.
 * Load: 10 / 100 / 1,000 analyses (20 pods per arm, 10 buckets, SQLite store, sequential judge,
 * reads through the bounded queue, 8 s look deadline), each taking looks a minute apart. With
 * 10 and 100 the looks of a minute are all asked at once (a burst: the capacity, verdicts/s);
 * with 1,000 they are spread over a real minute as 1,000 analyses looking once a minute would
 * ask them (`BENCH_PACE` seconds, default 60): errors, look latency, event-loop lag (max, p99)
 * and RSS. A first round (the analyses' first, full reads) is not measured.
 * Threads: the main thread does only what the service does per look (incremental reads; the
 * load's looks, straight to Prometheus). The byte-counting proxy, the reference full reads and
 * the grid's initial states (full reads from the start) run on `scale-aux-worker`, so they do
 * not count against the lag of the incremental reads; the full reads' lag is measured on that
 * thread. Stalls over 50 ms are attributed (`stall-monitor`): main-thread CPU and GC inside
 * each — a stall with the thread off CPU is the shared machine not running the process.
 * Writes bench/results/scale.json and bench/results/scale.md.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { analyzeLook } from "../src/app/analyze-look.ts";
import type { AnalyzeLookDeps } from "../src/app/deps.ts";
import type { ArmCounts } from "../src/domain/counts.ts";
import { judgeLook } from "../src/judge/registry.ts";
import { HttpPrometheusClient, type PrometheusClient } from "../src/prometheus/http-client.ts";
import { MatrixDecoder } from "../src/prometheus/matrix-decoder.ts";
import { createReadArmCounts } from "../src/prometheus/read-arm.ts";
import { createReadArmCountsIncremental } from "../src/prometheus/read-arm-incremental.ts";
import { ReadQueue, queuedClient } from "../src/prometheus/read-queue.ts";
import type { LabelMatcher } from "../src/promql/matchers.ts";
import { defaultAlertingSettings, defaultCanarySettings } from "../src/slo/canary-defaults.ts";
import type { Slo } from "../src/slo/model.ts";
import { SqliteStore } from "../src/store/sqlite-store.ts";
import { startPrometheus } from "../src/testbed/prometheus.ts";
import { StallMonitor, type Stall, type StallSummary } from "./stall-monitor.ts";

const SCRAPE = Number(process.env.BENCH_SCRAPE ?? 60);
const HOURS = Number(process.env.BENCH_HOURS ?? 24);
const PODS = 100;
const END = 1_800_000_000;
const FROM = END - HOURS * 3600 - 300;
const TO = END + 600;
const BOUNDS = [
  0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.065, 0.08, 0.1, 0.125,
  0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.65, 0.8, 1, 1.5, 2, 3, 5,
];
const TEN = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2].filter((b) => BOUNDS.includes(b));
const AGES: [string, number][] = [
  ["10m", 600],
  ["1h", 3600],
  ["6h", 21600],
  ["24h", 86400],
].filter(([, s]) => (s as number) <= HOURS * 3600) as [string, number][];
const POD_COUNTS = [2, 20, 100];
const BUCKETS = [10, 30];
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? "10,100,1000").split(",").map(Number);
const ROUNDS = 5;
const PACED_ROUNDS = 2;
const PACE_SECONDS = Number(process.env.BENCH_PACE ?? 60);
/** `BENCH_GRID=0` skips the grid (profiling the load alone). */
const GRID = process.env.BENCH_GRID !== "0";
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const HASH = { canary: "c4n4ry", stable: "s74b1e" } as const;

const pod = (i: number): string => `p-${String(i).padStart(3, "0")}`;
const leText = (b: number): string => String(b);

/** Writes the OpenMetrics file (streamed) and returns its path and sample count. */
function writeData(dir: string): { file: string; samples: number } {
  const file = join(dir, "scale.om");
  const fd = openSync(file, "w");
  let buf = "";
  let samples = 0;
  const flush = (force = false): void => {
    if (buf.length > 1 << 20 || (force && buf.length > 0)) {
      writeSync(fd, buf);
      buf = "";
    }
  };
  // Per-bucket request share: a log-normal-ish latency around 80 ms.
  const cdf = BOUNDS.map((b) => 1 / (1 + Math.exp(-(Math.log(b) - Math.log(0.08)) / 0.35)));
  const les = [...BOUNDS.map(leText), "+Inf"];
  for (const arm of ["canary", "stable"] as const) {
    for (let p = 0; p < PODS; p++) {
      // Each pod: ~1 req/s; its own seed; cumulative counts per `le`.
      let seed = (p + 1) * (arm === "canary" ? 7919 : 104729);
      const rand = (): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      const head = (le: string): string =>
        `bench_duration_seconds_bucket{le="${le}",pod="${pod(p)}",rollouts_pod_template_hash="${HASH[arm]}",service="bench"}`;
      // One series at a time (OpenMetrics wants a series' samples together, ascending).
      const steps = Math.floor((TO - FROM) / SCRAPE) + 1;
      const cum = new Float64Array(steps * les.length);
      const totals = new Float64Array(les.length);
      for (let k = 0; k < steps; k++) {
        const n = Math.round(SCRAPE * (0.8 + 0.4 * rand()));
        let below = 0;
        for (let i = 0; i < les.length; i++) {
          const want = i < BOUNDS.length ? Math.round(n * (cdf[i] ?? 1)) : n;
          below = Math.max(below, want);
          totals[i] = (totals[i] ?? 0) + below;
          cum[k * les.length + i] = totals[i] ?? 0;
        }
      }
      les.forEach((le, i) => {
        const h = head(le);
        for (let k = 0; k < steps; k++) {
          buf += `${h} ${cum[k * les.length + i]} ${FROM + k * SCRAPE}\n`;
          samples++;
          flush();
        }
      });
    }
  }
  buf += "# EOF\n";
  flush(true);
  closeSync(fd);
  return { file, samples };
}

/** The reference full reads and the initial states, done on the aux thread. */
interface Aux {
  readonly url: string;
  bytes(): number;
  full(
    slo: Slo,
    start: number,
    end: number,
    reps: number,
  ): Promise<{ runs: { ms: number; bytes: number }[]; counts: (ArmCounts | null)[]; lagMaxMs: number }>;
  states(slo: Slo, start: number, end: number): Promise<{ canary: unknown; stable: unknown }>;
  close(): Promise<void>;
}

/** A `scale-aux-worker` thread in `role`, once it is ready. */
async function auxThread(workerData: Record<string, unknown>): Promise<{
  url: string;
  ask(job: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}> {
  const w = new Worker(new URL("./scale-aux-worker.ts", import.meta.url), { workerData });
  const waiting = new Map<number, (m: Record<string, unknown>) => void>();
  let next = 1;
  const url = await new Promise<string>((resolve, reject) => {
    w.once("error", reject);
    w.on("message", (m: Record<string, unknown>) => {
      if (typeof m.ready === "string") return resolve(m.ready);
      const done = waiting.get(m.id as number);
      waiting.delete(m.id as number);
      done?.(m);
    });
  });
  return {
    url,
    ask: async (job) => {
      const id = next++;
      const m = await new Promise<Record<string, unknown>>((resolve) => {
        waiting.set(id, resolve);
        w.postMessage({ ...job, id });
      });
      if (typeof m.error === "string") throw new Error(`aux thread: ${m.error}`);
      return m;
    },
    close: async () => {
      const gone = new Promise((resolve) => w.once("exit", resolve));
      w.postMessage("close");
      await gone;
    },
  };
}

/** Starts the counting proxy and the reference reader, each on its own thread. */
async function startAux(target: string): Promise<Aux> {
  const shared = new SharedArrayBuffer(8);
  const bytes = new Float64Array(shared);
  const proxy = await auxThread({ role: "proxy", target, bytes: shared });
  const reader = await auxThread({ role: "reader", url: proxy.url, bytes: shared });
  return {
    url: proxy.url,
    bytes: () => bytes[0] ?? 0,
    full: async (slo, start, end, reps) =>
      (await reader.ask({ op: "full", slo, arms, start, end, reps })) as unknown as Awaited<
        ReturnType<Aux["full"]>
      >,
    states: async (slo, start, end) =>
      (await reader.ask({ op: "state", slo, arms, start, end })).states as {
        canary: unknown;
        stable: unknown;
      },
    close: async () => {
      await reader.close();
      await proxy.close();
    },
  };
}

function sloFor(pods: number, buckets: number): Slo {
  const matchers: LabelMatcher[] = [{ name: "service", op: "=", value: "bench" }];
  // All 100 pods: no pod matcher; fewer: the first 2 or 20.
  if (pods < PODS) matchers.push({ name: "pod", op: "=~", value: pods === 2 ? "p-00[01]" : "p-0[01][0-9]" });
  if (buckets === 10) {
    matchers.push({ name: "le", op: "=~", value: [...TEN.map(leText), "\\+Inf"].join("|") });
  }
  return {
    id: `bench-${pods}p-${buckets}b`,
    service: "bench",
    name: `latency-${pods}p-${buckets}b`,
    kind: "latency",
    objectivePercent: 99,
    sli: { type: "latency", metric: "bench_duration_seconds", matchers, thresholdSeconds: 0.25 },
    periodSeconds: 30 * 86400,
    labels: {},
    alerting: defaultAlertingSettings(),
    canary: defaultCanarySettings("latency"),
    source: { file: "bench", format: "slogate/v1" },
  };
}

const arms = {
  canary: [{ name: "rollouts_pod_template_hash", op: "=", value: HASH.canary }] as LabelMatcher[],
  stable: [{ name: "rollouts_pod_template_hash", op: "=", value: HASH.stable }] as LabelMatcher[],
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const whole = (c: ArmCounts | null) =>
  c === null ? null : { total: c.total, bad: c.bad, histogram: c.histogram };

async function main(): Promise<void> {
  const began = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "slogate-scale-"));
  const log = (msg: string): void => {
    process.stderr.write(`[${round((performance.now() - began) / 1000)}s] ${msg}\n`);
  };
  const { file, samples } = writeData(dir);
  log(`wrote ${samples} samples`);
  const bed = await startPrometheus({ historyFile: file, readyTimeoutMs: 300_000 });
  rmSync(file);
  const loadSeconds = (performance.now() - began) / 1000;
  log(`Prometheus ready (backfill ${round(loadSeconds)} s)`);
  const proxy = await startAux(bed.url);
  const decoder = new MatrixDecoder();
  // The grid's incremental reads go through the counting proxy (on the aux thread) ...
  const client = new HttpPrometheusClient({
    url: proxy.url,
    timeoutMs: 120_000,
    maxResponseBytes: 2 ** 31,
    decoder,
  });
  // ... the load's straight to Prometheus, as the service reads.
  const direct = new HttpPrometheusClient({ url: bed.url, timeoutMs: 120_000, decoder });
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const stalls = new StallMonitor(50);
  const stallsOf = { incremental: [] as StallSummary[] };
  let rssMax = 0;
  const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 100);
  try {
    // --- the grid ---
    const inc = createReadArmCountsIncremental({ client });
    const lookMs: Record<string, Record<string, Record<string, { incremental: number; full: number }>>> = {};
    const bytes: Record<string, Record<string, Record<string, { incremental: number; full: number }>>> = {};
    const lagMs: Record<string, { incremental: number; full: number }> = {};
    let countsEqual = true;
    for (const [age, seconds] of GRID ? AGES : []) {
      lookMs[age] = {};
      bytes[age] = {};
      for (const pods of POD_COUNTS) {
        lookMs[age][pods] = {};
        bytes[age][pods] = {};
        for (const buckets of BUCKETS) {
          const slo = sloFor(pods, buckets);
          const start = END - seconds;
          const reps = seconds >= 21600 && pods === 100 ? 1 : 3;
          const incReps = 5;
          const look = async (read: (arm: LabelMatcher[]) => Promise<unknown>) => {
            const b0 = proxy.bytes();
            const t0 = performance.now();
            const r = await Promise.all([read(arms.canary), read(arms.stable)]);
            return { ms: performance.now() - t0, bytes: proxy.bytes() - b0, r };
          };
          // The reference full reads, on the aux thread (their lag measured there).
          const ref = await proxy.full(slo, start, END, reps);
          const fullRuns = ref.runs;
          const fullLag = ref.lagMaxMs;
          // Incremental: the state of the look a minute earlier (a full read from the start, on
          // the aux thread too), then `incReps` looks a minute apart on this thread.
          const at0 = END - 60 * incReps;
          const states = await proxy.states(slo, start, at0);
          await sleep(20);
          stalls.take();
          lag.reset();
          const incRuns = [];
          let last: ArmCounts[] = [];
          for (let k = 1; k <= incReps; k++) {
            const at = at0 + 60 * k;
            const run = await look(async (a) => {
              const name = a === arms.canary ? "canary" : "stable";
              const r = await inc(slo, a, { start, end: at }, states[name]);
              states[name] = r.state;
              return r.counts;
            });
            incRuns.push(run);
            last = run.r as ArmCounts[];
          }
          const incLag = lag.max / 1e6;
          await sleep(20);
          stallsOf.incremental.push(stalls.take());
          const want = ref.counts;
          if (JSON.stringify(last.map(whole)) !== JSON.stringify(want.map(whole))) countsEqual = false;
          lookMs[age][pods][buckets] = {
            incremental: round(median(incRuns.map((r) => r.ms))),
            full: round(median(fullRuns.map((r) => r.ms))),
          };
          bytes[age][pods][buckets] = {
            incremental: median(incRuns.map((r) => r.bytes)),
            full: median(fullRuns.map((r) => r.bytes)),
          };
          const cell = `${age}/${pods}p/${buckets}b`;
          lagMs[cell] = { incremental: round(incLag), full: round(fullLag) };
          log(
            `${cell}: ${JSON.stringify(lookMs[age][pods][buckets])} ms, ${JSON.stringify(bytes[age][pods][buckets])} B`,
          );
        }
      }
    }
    const first = AGES[0]?.[0] ?? "10m";
    const lastAge = AGES[AGES.length - 1]?.[0] ?? "24h";
    const ratio24hTo10m: Record<string, Record<string, { incremental: number; full: number }>> = {};
    const bytesFullToIncrementalAt24h: Record<string, Record<string, number>> = {};
    for (const pods of POD_COUNTS) {
      ratio24hTo10m[pods] = {};
      bytesFullToIncrementalAt24h[pods] = {};
      for (const buckets of BUCKETS) {
        const a = lookMs[lastAge]?.[pods]?.[buckets];
        const b = lookMs[first]?.[pods]?.[buckets];
        const by = bytes[lastAge]?.[pods]?.[buckets];
        if (!a || !b || !by) continue;
        ratio24hTo10m[pods][buckets] = {
          incremental: round(a.incremental / b.incremental, 2),
          full: round(a.full / b.full, 2),
        };
        bytesFullToIncrementalAt24h[pods][buckets] = round(by.full / by.incremental, 1);
      }
    }
    const gridLagMax = {
      incremental: Math.max(...Object.values(lagMs).map((l) => l.incremental)),
      full: Math.max(...Object.values(lagMs).map((l) => l.full)),
    };
    const gridStalls = { incremental: merge(stallsOf.incremental) };
    log(`grid stalls: ${JSON.stringify(gridStalls)}`);
    log(`grid done: lag max ${JSON.stringify(gridLagMax)} ms`);

    // --- concurrent analyses ---
    const load: Record<string, unknown> = {};
    let errorsAt1000: number | null = null;
    const loadLagMax: Record<string, number> = {};
    const loadStalls: Record<string, StallSummary> = {};
    for (const n of CONCURRENCY) {
      const storeDir = mkdtempSync(join(tmpdir(), "slogate-scale-store-"));
      const sqlite = SqliteStore.open(storeDir);
      // The store's calls run synchronously (node:sqlite): their time on the loop, per method.
      const storeMs: Record<string, number[]> = {};
      const store = new Proxy(sqlite, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (typeof v !== "function") return v;
          if (prop === "withAnalysisLock") return (v as (...a: unknown[]) => unknown).bind(target);
          return (...args: unknown[]) => {
            const t0 = performance.now();
            const out = (v as (...a: unknown[]) => unknown).apply(target, args);
            const t1 = performance.now();
            (storeMs[String(prop)] ??= []).push(t1 - t0);
            stalls.span(`store.${String(prop)}`, t0, t1);
            return out;
          };
        },
      });
      const queued: PrometheusClient = queuedClient(
        direct,
        new ReadQueue({ maxConcurrent: 8, backend: bed.url }),
      );
      const deps: AnalyzeLookDeps = {
        store,
        readArmCounts: createReadArmCounts({ client: queued }),
        readArmCountsFrom: createReadArmCountsIncremental({ client: queued }),
        seriesStepSeconds: 0,
        lookTimeoutSeconds: 8,
        judge: judgeLook,
        logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
        listeners: [],
        link: (id) => `bench:${id}`,
        wallClock: () => Date.now() / 1000,
      };
      const slo = sloFor(20, 10);
      const start = END - 3600;
      const paced = n >= 1000;
      const rounds = paced ? PACED_ROUNDS : ROUNDS;
      /** One look of every analysis at `at`: all at once, or spread over PACE_SECONDS. */
      const lookAll = async (at: number) => {
        const errors: string[] = [];
        const ms: number[] = [];
        await Promise.all(
          Array.from({ length: n }, async (_x, i) => {
            if (paced) await sleep((PACE_SECONDS * 1000 * i) / n);
            const t0 = performance.now();
            try {
              await analyzeLook(deps, {
                slo,
                analysisId: `a-${i}`,
                selectors: arms,
                controller: "argo",
                at,
                start,
              });
              ms.push(performance.now() - t0);
            } catch (e) {
              errors.push((e as { code?: string }).code ?? String(e));
            }
          }),
        );
        return { errors, ms };
      };
      // The analyses' first looks (full reads: state from nothing), not measured.
      const warm = await lookAll(END - 60 * rounds);
      for (const k of Object.keys(storeMs)) delete storeMs[k];
      await sleep(20);
      stalls.take();
      lag.reset();
      const t0 = performance.now();
      const errors: string[] = [...warm.errors.map((e) => `warm-up ${e}`)];
      const ms: number[] = [];
      for (let k = 1; k <= rounds; k++) {
        const r = await lookAll(END - 60 * rounds + 60 * k);
        errors.push(...r.errors);
        ms.push(...r.ms);
      }
      const seconds = (performance.now() - t0) / 1000;
      const lagMax = lag.max;
      const lagP99 = lag.percentile(99);
      await sleep(20);
      loadStalls[n] = stalls.take();
      const p = (q: number) => {
        const s = [...ms].sort((a, b) => a - b);
        return round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN);
      };
      const result = {
        analyses: n,
        mode: paced ? `paced: each analysis looks once a minute, spread over ${PACE_SECONDS} s` : "burst",
        looks: n * rounds,
        seconds: round(seconds, 2),
        verdictsPerSecond: round((n * rounds - errors.length) / seconds),
        errors: errors.length,
        errorCodes: [...new Set(errors)],
        lookMs: { p50: p(0.5), p99: p(0.99), max: p(1) },
        eventLoopLagMs: { max: round(lagMax / 1e6), p99: round(lagP99 / 1e6) },
        stalls: loadStalls[n],
        storeSyncMs: Object.fromEntries(
          Object.entries(storeMs).map(([k, xs]) => {
            const sorted = [...xs].sort((a, b) => a - b);
            const at = (q: number) =>
              round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN, 2);
            return [k, { calls: xs.length, p50: at(0.5), p99: at(0.99), max: at(1) }];
          }),
        ),
      };
      load[n] = result;
      loadLagMax[n] = result.eventLoopLagMs.max;
      if (n === 1000) errorsAt1000 = errors.length;
      log(`load ${n}: ${JSON.stringify(result)}`);
      await sqlite.close();
      rmSync(storeDir, { recursive: true, force: true });
    }

    const out = {
      generatedAt: new Date().toISOString(),
      command: "npm run bench:scale",
      setup: {
        prometheus: "2.42 (Debian), backfilled with promtool tsdb create-blocks-from openmetrics",
        scrapeIntervalSeconds: SCRAPE,
        hours: HOURS,
        podsPerArm: PODS,
        bucketSeries: BOUNDS.length + 1,
        samples,
        backfillSeconds: round(loadSeconds),
        look: "both arms read at once; incremental = 1 look/min after the state of the previous look; bytes = uncompressed answer bytes",
        machine:
          "shared 2-core VM (7 agents): absolute numbers are noisy, ratios within this run are the measure",
      },
      lookMs,
      bytes,
      ratio24hTo10m,
      bytesFullToIncrementalAt24h,
      countsEqual,
      eventLoopLagMaxMs: { grid: gridLagMax, load: loadLagMax },
      gridLagMsPerCell: lagMs,
      stalls: { grid: gridStalls, load: loadStalls },
      load,
      errorsAt1000,
      rssMaxMb: round(rssMax / 2 ** 20),
      totalSeconds: round((performance.now() - began) / 1000),
    };
    mkdirSync(join(import.meta.dirname, "results"), { recursive: true });
    writeFileSync(join(import.meta.dirname, "results", "scale.json"), JSON.stringify(out, null, 2) + "\n");
    writeFileSync(join(import.meta.dirname, "results", "scale.md"), renderMarkdown(out));
    log("wrote bench/results/scale.json and scale.md");
  } finally {
    stalls.stop();
    clearInterval(rssTimer);
    await decoder.close();
    await proxy.close();
    await bed.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The stalls of several phases as one summary. */
function merge(xs: readonly StallSummary[]): StallSummary {
  const worst: Stall[] = xs.flatMap((x) => x.worst).sort((a, b) => b.ms - a.ms);
  return {
    count: xs.reduce((a, x) => a + x.count, 0),
    maxMs: xs.reduce((a, x) => Math.max(a, x.maxMs), 0),
    offCpu: xs.reduce((a, x) => a + x.offCpu, 0),
    gc: xs.reduce((a, x) => a + x.gc, 0),
    maxOnCpuMs: xs.reduce((a, x) => Math.max(a, x.maxOnCpuMs), 0),
    during: xs.reduce<Record<string, number>>((a, x) => {
      for (const [k, n] of Object.entries(x.during)) a[k] = (a[k] ?? 0) + n;
      return a;
    }, {}),
    worst: worst.slice(0, 5),
  };
}

/** The results as Markdown tables. */
function renderMarkdown(r: {
  lookMs: Record<string, Record<string, Record<string, { incremental: number; full: number }>>>;
  bytes: Record<string, Record<string, Record<string, { incremental: number; full: number }>>>;
  ratio24hTo10m: Record<string, Record<string, { incremental: number; full: number }>>;
  bytesFullToIncrementalAt24h: Record<string, Record<string, number>>;
  load: Record<string, unknown>;
  setup: Record<string, unknown>;
  countsEqual: boolean;
  rssMaxMb: number;
  generatedAt: string;
  eventLoopLagMaxMs: { grid: { incremental: number; full: number } };
  stalls: { grid: { incremental: StallSummary } };
}): string {
  const lines = [
    "# bench:scale — look cost by analysis age and fleet size",
    "",
    `Generated ${r.generatedAt} by \`npm run bench:scale\` (bench/scale.ts). Setup: ${JSON.stringify(r.setup)}.`,
    "",
    "Look latency (ms, both arms) and bytes Prometheus sent, incremental vs full read:",
    "",
    "| age | pods/arm | buckets | incremental ms | full ms | incremental bytes | full bytes |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const [age, byPods] of Object.entries(r.lookMs)) {
    for (const [pods, byB] of Object.entries(byPods)) {
      for (const [b, v] of Object.entries(byB)) {
        const by = r.bytes[age]?.[pods]?.[b];
        lines.push(
          `| ${age} | ${pods} | ${b} | ${v.incremental} | ${v.full} | ${by?.incremental ?? ""} | ${by?.full ?? ""} |`,
        );
      }
    }
  }
  lines.push("", "Look at 24 h ÷ look at 10 min, and full ÷ incremental bytes at 24 h:", "");
  lines.push(
    "| pods/arm | buckets | latency ratio incremental | latency ratio full | bytes full ÷ incremental |",
  );
  lines.push("| ---: | ---: | ---: | ---: | ---: |");
  for (const [pods, byB] of Object.entries(r.ratio24hTo10m)) {
    for (const [b, v] of Object.entries(byB)) {
      lines.push(
        `| ${pods} | ${b} | ${v.incremental} | ${v.full} | ${r.bytesFullToIncrementalAt24h[pods]?.[b] ?? ""} |`,
      );
    }
  }
  const gs = r.stalls.grid.incremental;
  lines.push(
    "",
    `Event-loop lag during the grid: incremental reads (main thread) max ${r.eventLoopLagMaxMs.grid.incremental} ms — ` +
      `${gs.count} stalls over 50 ms, ${gs.offCpu} of them with the main thread off CPU, longest on CPU ${gs.maxOnCpuMs} ms; ` +
      `the reference full reads (aux thread) max ${r.eventLoopLagMaxMs.grid.full} ms.`,
  );
  lines.push("", "Concurrent analyses (20 pods/arm, 10 buckets, looks a minute apart):", "");
  lines.push(
    "| analyses | looks asked | verdicts/s | errors | look p50 ms | look p99 ms | event-loop lag max ms | lag p99 ms | stalls > 50 ms (off CPU) | longest on-CPU stall ms | stalls in a store call |",
  );
  lines.push("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [n, v] of Object.entries(r.load)) {
    const x = v as {
      mode: string;
      verdictsPerSecond: number;
      errors: number;
      lookMs: { p50: number; p99: number };
      eventLoopLagMs: { max: number; p99: number };
      stalls: StallSummary;
    };
    lines.push(
      `| ${n} | ${x.mode} | ${x.verdictsPerSecond} | ${x.errors} | ${x.lookMs.p50} | ${x.lookMs.p99} | ${x.eventLoopLagMs.max} | ${x.eventLoopLagMs.p99} | ${x.stalls.count} (${x.stalls.offCpu}) | ${x.stalls.maxOnCpuMs} | ${Object.values(x.stalls.during).reduce((a, b) => a + b, 0)} |`,
    );
  }
  lines.push(
    "",
    `Both paths counted the same in every cell: ${r.countsEqual}. Max RSS: ${r.rssMaxMb} MB.`,
    "",
  );
  return lines.join("\n");
}

await main();
