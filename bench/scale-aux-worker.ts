/**
 * @module bench/scale-aux-worker
 * The threads of `bench/scale.ts` that do what the measured service would not do on its own
 * event loop, one role per thread (`workerData.role`):
 * - `proxy`: the proxy counting the bytes Prometheus sends (identity encoding), the count kept
 *   in a shared `Float64Array` the other threads read;
 * - `reader`: the grid's reference full reads, and its initial reader states (a full read from
 *   the analysis start, as the first look of an analysis makes), through the proxy, with the
 *   thread's own `monitorEventLoopDelay` (the full reads' lag, measured apart).
 * So the lag the main thread measures while it reads incrementally is that of the incremental
 * reads alone. Reader messages in: `{ id, op: "full", slo, arms, start, end, reps }` →
 * `{ id, runs, counts, lagMaxMs }`; `{ id, op: "state", slo, arms, start, end }` →
 * `{ id, states }`; "close". First message out of either role: `{ ready: url }`.
 */
import { createServer, request, type Server } from "node:http";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { HttpPrometheusClient } from "../src/prometheus/http-client.ts";
import { MatrixDecoder } from "../src/prometheus/matrix-decoder.ts";
import { createReadArmCounts } from "../src/prometheus/read-arm.ts";
import { createReadArmCountsIncremental } from "../src/prometheus/read-arm-incremental.ts";
import type { LabelMatcher } from "../src/promql/matchers.ts";
import type { Slo } from "../src/slo/model.ts";

interface Job {
  readonly id: number;
  readonly op: "full" | "state";
  readonly slo: Slo;
  readonly arms: { canary: LabelMatcher[]; stable: LabelMatcher[] };
  readonly start: number;
  readonly end: number;
  readonly reps?: number;
}

const data = workerData as
  | { role: "proxy"; target: string; bytes: SharedArrayBuffer }
  | { role: "reader"; url: string; bytes: SharedArrayBuffer };

/** The counting proxy: its own thread, so neither the measured reads' thread pipes the bytes. */
async function proxy(target: string, shared: SharedArrayBuffer): Promise<string> {
  const bytes = new Float64Array(shared);
  const t = new URL(target);
  const server: Server = createServer((req, res) => {
    const up = request(
      {
        host: t.hostname,
        port: t.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: t.host, "accept-encoding": "identity" },
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.on("data", (c: Buffer) => (bytes[0] = (bytes[0] ?? 0) + c.length));
        r.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  parentPort?.on("message", (m: unknown) => {
    if (m === "close") server.close(() => parentPort?.close());
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

if (data.role === "proxy") {
  parentPort?.postMessage({ ready: await proxy(data.target, data.bytes) });
} else {
  reader(data.url, data.bytes);
  parentPort?.postMessage({ ready: data.url });
}

/** The reader thread: reference full reads and initial states, through the proxy. */
function reader(url: string, shared: SharedArrayBuffer): void {
  const decoder = new MatrixDecoder();
  const client = new HttpPrometheusClient({ url, timeoutMs: 120_000, maxResponseBytes: 2 ** 31, decoder });
  const full = createReadArmCounts({ client });
  const inc = createReadArmCountsIncremental({ client });
  const counted = new Float64Array(shared);
  const bytes = { now: (): number => counted[0] ?? 0 };
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();

  parentPort?.on("message", (job: Job | "close") => {
    if (job === "close") {
      lag.disable();
      void decoder.close().then(() => parentPort?.close());
      return;
    }
    void (async () => {
      const range = { start: job.start, end: job.end };
      if (job.op === "state") {
        const [canary, stable] = await Promise.all([
          inc(job.slo, job.arms.canary, range, undefined),
          inc(job.slo, job.arms.stable, range, undefined),
        ]);
        parentPort?.postMessage({ id: job.id, states: { canary: canary.state, stable: stable.state } });
        return;
      }
      lag.reset();
      const runs: { ms: number; bytes: number }[] = [];
      let counts: unknown;
      for (let k = 0; k < (job.reps ?? 1); k++) {
        const b0 = bytes.now();
        const t0 = performance.now();
        counts = await Promise.all([
          full(job.slo, job.arms.canary, range),
          full(job.slo, job.arms.stable, range),
        ]);
        runs.push({ ms: performance.now() - t0, bytes: bytes.now() - b0 });
      }
      parentPort?.postMessage({ id: job.id, runs, counts, lagMaxMs: lag.max / 1e6 });
    })().catch((e: unknown) => parentPort?.postMessage({ id: job.id, error: String(e) }));
  });
}
