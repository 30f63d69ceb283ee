/**
 * @module bench/store
 * `npm run bench:store`: what one look costs in each store — the store part of a look as the
 * use case does it (analysis lock, read the analysis, append the look with its judge state,
 * unlock), sequentially on one analysis and with many analyses at once — for memory,
 * SQLite (temp dir) and PostgreSQL (a real server started by test/bed/postgres.ts, loopback,
 * fsync off). Prints milliseconds per look (median, p95) and looks per second.
 *
 * Sizes (env): BENCH_STORE_LOOKS (sequential looks, default 400), BENCH_STORE_ANALYSES
 * (concurrent analyses, default 32, each BENCH_STORE_CONCURRENT_LOOKS looks, default 20).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryStore } from "../src/store/memory-store.ts";
import { PostgresStore } from "../src/store/postgres-store.ts";
import { SqliteStore } from "../src/store/sqlite-store.ts";
import type { LookRecord, Store } from "../src/app/store-port.ts";
import { startPostgres } from "../src/testbed/postgres.ts";

const LOOKS = Number(process.env.BENCH_STORE_LOOKS ?? 400);
const ANALYSES = Number(process.env.BENCH_STORE_ANALYSES ?? 32);
const CONCURRENT_LOOKS = Number(process.env.BENCH_STORE_CONCURRENT_LOOKS ?? 20);

/** A judge state of the size the sequential judge keeps (a few dozen numbers). */
const STATE = { logE: Array.from({ length: 24 }, (_, i) => i * 0.37), n: 1234, mixture: [0.1, 0.2, 0.7] };

function look(analysisId: string, seq: number): LookRecord {
  return {
    analysisId,
    seq,
    at: 1_700_000_000 + 60 * seq,
    recordedAt: 1_700_000_000 + 60 * seq,
    arms: {
      canary: { total: 1000 * seq, bad: seq },
      stable: { total: 9000 * seq, bad: 9 * seq },
      baseline: null,
    },
    verdict: {
      slo: "checkout-latency",
      judge: "sequential",
      verdict: "pass",
      final: false,
      score: 100,
      reason: "no check found a regression",
      checks: [
        {
          id: "latency-relative",
          kind: "relative",
          status: "pass",
          critical: true,
          weight: 1,
          reason: "e-value 0.8",
          evidence: { eValue: 0.8 },
        },
      ],
    },
  };
}

async function oneLook(s: Store, id: string, seq: number): Promise<number> {
  const t0 = performance.now();
  await s.withAnalysisLock(id, async () => {
    const a = await s.getAnalysis(id);
    if (a === undefined) throw new Error("missing analysis");
    await s.appendLook(look(id, a.looks + 1), { judgeState: { ...STATE, seq }, updatedAt: 1 });
  });
  return performance.now() - t0;
}

async function create(s: Store, id: string): Promise<void> {
  await s.createAnalysis({
    id,
    sloId: "checkout-latency",
    controller: "argo",
    selectors: { canary: [{ name: "h", op: "=", value: "a" }], stable: [{ name: "h", op: "=", value: "b" }] },
    start: 1_700_000_000,
    createdAt: 1,
    updatedAt: 1,
  });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function bench(name: string, s: Store): Promise<string> {
  await create(s, "seq");
  for (let k = 0; k < 20; k++) await oneLook(s, "seq", k); // warm-up
  const times: number[] = [];
  for (let k = 0; k < LOOKS; k++) times.push(await oneLook(s, "seq", k));
  const ids = Array.from({ length: ANALYSES }, (_, i) => `c${i}`);
  for (const id of ids) await create(s, id);
  const t0 = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      for (let k = 0; k < CONCURRENT_LOOKS; k++) await oneLook(s, id, k);
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const rate = (ANALYSES * CONCURRENT_LOOKS) / wall;
  return `| ${name.padEnd(10)} | ${quantile(times, 0.5).toFixed(3).padStart(6)} | ${quantile(times, 0.95).toFixed(3).padStart(6)} | ${rate.toFixed(0).padStart(8)} |`;
}

const rows: string[] = [];
rows.push(await bench("memory", new MemoryStore()));
const dir = mkdtempSync(join(tmpdir(), "slogate-bench-store-"));
const sqlite = SqliteStore.open(dir);
rows.push(await bench("sqlite", sqlite));
await sqlite.close();
rmSync(dir, { recursive: true, force: true });
const pg = await startPostgres();
try {
  const store = await PostgresStore.open({ url: pg.url });
  rows.push(await bench("postgres", store));
  await store.close();
} finally {
  await pg.destroy();
}
console.log(
  `store part of one look (lock, read analysis, append look + state, unlock); ${LOOKS} sequential looks, ` +
    `${ANALYSES} analyses x ${CONCURRENT_LOOKS} looks concurrently`,
);
console.log("| store      | median ms | p95 ms | looks/s (concurrent) |");
console.log("| ---------- | ------ | ------ | -------- |");
for (const r of rows) console.log(r);
