/**
 * @module bench/read-stages
 * `node bench/read-stages.ts`: main-thread cost of each stage of one incremental arm read at
 * 100 pods × 31 buckets (3,100 series, 3 samples each — a look a minute after the last one),
 * on a synthetic answer in Prometheus' layout: decoding (on the loop, and the loop's share
 * when the worker decodes), folding, counting (arm and per pod), and the state's JSON both ways.
 * Prints the median of 30 runs per stage, in ms. No Prometheus needed.
 */
import { performance } from "node:perf_hooks";
import { SqliteStore } from "../src/store/sqlite-store.ts";
import { createReadArmCountsIncremental } from "../src/prometheus/read-arm-incremental.ts";
import { scanMatrix } from "../src/prometheus/matrix-scan.ts";
import { MatrixDecoder } from "../src/prometheus/matrix-decoder.ts";
import type { PrometheusClient, SamplesAnswer } from "../src/prometheus/http-client.ts";
import { defaultAlertingSettings, defaultCanarySettings } from "../src/slo/canary-defaults.ts";
import type { Slo } from "../src/slo/model.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PODS = Number(process.env.PODS ?? 100);
const LES = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"];
const BUCKETS = Number(process.env.BUCKETS ?? 31);
const les = Array.from({ length: BUCKETS }, (_, i) =>
  i === BUCKETS - 1 ? "+Inf" : (LES[i] ?? String(10 + i)),
);

function body(t0: number, n: number): Uint8Array {
  const parts: string[] = [];
  for (let p = 0; p < PODS; p++) {
    les.forEach((le, i) => {
      const vals: string[] = [];
      for (let k = 0; k < n; k++) vals.push(`[${t0 + 60 * k},"${(p + 1) * 1000 + i * 10 + k * (i + 1)}"]`);
      parts.push(
        `{"metric":{"__name__":"x_bucket","le":"${le}","pod":"p-${String(p).padStart(3, "0")}","rollouts_pod_template_hash":"c4n4ry","service":"bench"},"values":[${vals.join(",")}]}`,
      );
    });
  }
  return new TextEncoder().encode(
    `{"status":"success","data":{"resultType":"matrix","result":[${parts.join(",")}]}}`,
  );
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const time = (f: () => void, n = 30): number => {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return Math.round(median(ms) * 100) / 100;
};

const slo: Slo = {
  id: "s",
  service: "bench",
  name: "lat",
  kind: "latency",
  objectivePercent: 99,
  sli: { type: "latency", metric: "x", matchers: [], thresholdSeconds: 0.25 },
  periodSeconds: 86400,
  labels: {},
  alerting: defaultAlertingSettings(),
  canary: defaultCanarySettings("latency"),
  source: { file: "b", format: "slogate/v1" },
};
const arm = [{ name: "rollouts_pod_template_hash", op: "=" as const, value: "c4n4ry" }];
const T0 = 1_800_000_000;
const first = body(T0 - 300, 6);
const next = body(T0 + 60, 3);
const out: Record<string, number> = { bytes: next.length };
out.scanOnLoop = time(() => void scanMatrix(next));

let answer: Uint8Array = first;
const client: PrometheusClient = {
  rawSamples: (): Promise<SamplesAnswer> =>
    Promise.resolve({ type: "matrix", series: scanMatrix(answer) ?? [], warnings: [] }),
  query: () => Promise.reject(new Error("no")),
  queryRange: () => Promise.reject(new Error("no")),
  labelValues: () => Promise.reject(new Error("no")),
  series: () => Promise.reject(new Error("no")),
};
const inc = createReadArmCountsIncremental({ client });
const r0 = await inc(slo, arm, { start: T0, end: T0 + 60 }, undefined);
answer = next;
const ms: number[] = [];
for (let i = 0; i < 30; i++) {
  const t = performance.now();
  await inc(slo, arm, { start: T0, end: T0 + 180 }, r0.state ?? undefined);
  ms.push(performance.now() - t);
}
out.incrementalReadWithScan = Math.round(median(ms) * 100) / 100;
const r1 = await inc(slo, arm, { start: T0, end: T0 + 180 }, r0.state ?? undefined);
out.rows = r1.rows ?? 0;
const text = JSON.stringify(r1.state);
out.stateBytes = text.length;
out.stateStringify = time(() => void JSON.stringify(r1.state));
out.stateParse = time(() => void JSON.parse(text));

const dir = mkdtempSync(join(tmpdir(), "read-stages-"));
const store = SqliteStore.open(dir);
await store.createAnalysis({
  id: "a",
  sloId: "s",
  controller: "argo",
  selectors: { canary: arm, stable: arm },
  start: T0,
  createdAt: 0,
  updatedAt: 0,
});
const puts: number[] = [];
const gets: number[] = [];
for (let i = 0; i < 30; i++) {
  let t = performance.now();
  await store.putReadState({
    analysisId: "a",
    arm: "canary",
    at: T0 + i,
    state: r1.state ?? {},
    updatedAt: i,
  });
  puts.push(performance.now() - t);
  t = performance.now();
  await store.getReadState("a", "canary");
  gets.push(performance.now() - t);
}
out.storePut = Math.round(median(puts) * 100) / 100;
out.storeGet = Math.round(median(gets) * 100) / 100;
await store.close();
rmSync(dir, { recursive: true, force: true });

// The worker: main-thread time from the answer to its decoded series (round trip, idle loop).
const decoder = new MatrixDecoder(0);
await decoder.decode(next);
const wall: number[] = [];
const cpu: number[] = [];
const loopCpu: number[] = [];
const cpuMs = (): number => {
  const c = process.threadCpuUsage();
  return (c.user + c.system) / 1000;
};
for (let i = 0; i < 30; i++) {
  const t = performance.now();
  const c = cpuMs();
  await decoder.decode(next);
  cpu.push(cpuMs() - c);
  wall.push(performance.now() - t);
  const c2 = cpuMs();
  scanMatrix(next);
  loopCpu.push(cpuMs() - c2);
}
out.workerRoundTrip = Math.round(median(wall) * 100) / 100;
// The loop's CPU for one answer: decoded in the worker vs on the loop.
out.workerLoopCpu = Math.round(median(cpu) * 100) / 100;
out.scanLoopCpu = Math.round(median(loopCpu) * 100) / 100;
await decoder.close();
console.log(JSON.stringify(out));
