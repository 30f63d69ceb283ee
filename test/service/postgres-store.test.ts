/**
 * The gate service on PostgreSQL, through HTTP: several services in this process share one
 * real PostgreSQL (test/bed/postgres.ts) and one real Prometheus (gate-bed.ts) — replicas
 * without the processes. Looks alternate between replicas and end with the verdicts of a
 * single SQLite replica; a look asked of two replicas at once is recorded once; scheduled
 * baselines run once per tick; a PostgreSQL outage answers 503 (never a pass) and the service
 * works again when PostgreSQL is back.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { startPostgres, type PostgresBed } from "../../src/testbed/postgres.ts";
import { BED_SERVICES, BED_START, startGateBed, type GateBed } from "../../src/testbed/gate-bed.ts";
import { postJson, startHarnessService } from "../../src/testbed/service-harness.ts";

const LOOKS = 10;
const INTERVAL = 180;
const lookTime = (k: number): number => BED_START + k * INTERVAL;

let bed: GateBed;
let db: PostgresBed;
let url = "";
const services: GateService[] = [];

beforeAll(async () => {
  [bed, db] = await Promise.all([startGateBed(["healthy", "latency", "errors"]), startPostgres()]);
  url = await db.createDatabase("gate");
});

afterAll(async () => {
  for (const s of services) await s.close();
  await db?.destroy();
  await bed?.stop();
});

async function replica(extraEnv: Record<string, string> = {}): Promise<GateService> {
  const s = await startHarnessService({
    prometheusUrl: bed.prometheus.url,
    slosDir: bed.slosDir,
    extraEnv: { SLOGATE_STORE: "postgres", SLOGATE_STORE_URL: url, ...extraEnv },
    now: () => BED_START,
  });
  services.push(s);
  return s;
}

function look(
  base: string,
  slo: string,
  svc: { canary: string; stable: string },
  analysis: string,
  k: number,
) {
  return postJson(`${base}/api/v1/verdict`, {
    count: LOOKS,
    start: BED_START,
    slo,
    canary: svc.canary,
    stable: svc.stable,
    analysis,
    time: lookTime(k),
  });
}

async function sql<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text)).rows;
  } finally {
    await c.end();
  }
}

/** Polls /readyz until it answers `status` (true) or 10 s pass (false). */
async function readyzBecomes(base: string, status: number): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await fetch(`${base}/readyz`)).status === status) return true;
    await new Promise((res) => setTimeout(res, 200));
  }
  return false;
}

describe("the gate service on PostgreSQL", () => {
  it("gives the verdicts of a single SQLite replica when looks alternate between replicas", async () => {
    const [a, b, c] = [await replica(), await replica(), await replica()];
    const single = await startHarnessService({
      prometheusUrl: bed.prometheus.url,
      slosDir: bed.slosDir,
      now: () => BED_START,
    });
    services.push(single);
    for (const [name, svc] of [
      ["latency", BED_SERVICES.latency],
      ["errors", BED_SERVICES.errors],
      ["latency", BED_SERVICES.healthy],
    ] as const) {
      const slo = `${svc.service}-${name}`;
      const replicated: string[] = [];
      const alone: string[] = [];
      for (let k = 1; k <= LOOKS; k++) {
        const target = [a, b, c][k % 3]!;
        const r = await look(target.url, slo, svc, `alt-${slo}`, k);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        replicated.push(`${r.body.analysis.look}:${r.body.verdict}:${r.body.score}`);
        const s = await look(single.url, slo, svc, `alt-${slo}`, k);
        alone.push(`${s.body.analysis.look}:${s.body.verdict}:${s.body.score}`);
      }
      expect(replicated).toEqual(alone);
    }
  });

  it("records a look asked of several replicas at once (a retry) exactly once", async () => {
    const replicas = [await replica(), await replica(), await replica()];
    const svc = BED_SERVICES.healthy;
    const slo = `${svc.service}-errors`;
    for (let k = 1; k <= 4; k++) {
      const answers = await Promise.all(
        [...replicas, ...replicas].map((r) => look(r.url, slo, svc, "retried", k)),
      );
      expect(answers.map((x) => x.status)).toEqual(Array(6).fill(200));
      expect(new Set(answers.map((x) => `${x.body.analysis.look}:${x.body.verdict}`)).size).toBe(1);
      expect(answers.filter((x) => x.body.analysis.replayed === false)).toHaveLength(1);
    }
    const looks = await sql<{ seq: number; at: number }>(
      "SELECT seq, at FROM looks WHERE analysis_id = 'retried' ORDER BY seq",
    );
    expect(looks.map((l) => [l.seq, l.at])).toEqual([1, 2, 3, 4].map((k) => [k, lookTime(k)]));
  });

  it("captures one baseline per schedule tick across three replicas", async () => {
    const schedule = { SLOGATE_BASELINE_SCHEDULE: "* * * * * *" };
    const replicas = [await replica(schedule), await replica(schedule), await replica(schedule)];
    await new Promise((r) => setTimeout(r, 4500));
    for (const r of replicas) await r.close();
    const ticks = await sql<{ key: string; owner: string }>(
      "SELECT key, owner FROM ticks WHERE key LIKE 'baseline:%'",
    );
    // One claim per tick: the keys are `baseline:<task name>:<tick ISO time>`, one row each.
    const slots = new Set(ticks.map((t) => t.key.replace(/^baseline:[^:]+:/, "")));
    expect(slots.size).toBeGreaterThanOrEqual(3);
    expect(ticks).toHaveLength(slots.size);
    for (const slot of slots) expect(Number.isNaN(Date.parse(slot)), slot).toBe(false);
    const slos = replicas[0]!.catalog.list().length;
    const baselines = await sql<{ slo_id: string; n: string }>(
      'SELECT slo_id, count(*) AS n FROM baselines WHERE doc LIKE \'%"source":"schedule"%\' GROUP BY slo_id',
    );
    expect(baselines).toHaveLength(slos);
    // Every SLO has exactly as many scheduled baselines as there were claimed ticks.
    for (const b of baselines) expect(Number(b.n)).toBe(slots.size);
  });

  it("answers 503 while PostgreSQL is down, never a verdict, and judges again when it is back", async () => {
    const r = await replica();
    const svc = BED_SERVICES.healthy;
    const slo = `${svc.service}-latency`;
    expect((await look(r.url, slo, svc, "outage", 1)).status).toBe(200);
    await db.stop();
    try {
      const during = await look(r.url, slo, svc, "outage", 2);
      expect(during.status).toBe(503);
      expect(during.body).toMatchObject({ error: { code: "STORE_ERROR" } });
      expect(during.body.verdict).toBeNull();
      // /readyz probes at most every 5 s: it turns 503 within that.
      expect(await readyzBecomes(r.url, 503)).toBe(true);
    } finally {
      await db.start();
    }
    const after = await look(r.url, slo, svc, "outage", 2);
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.body.analysis.look).toBe(2);
    expect(await readyzBecomes(r.url, 200)).toBe(true);
  });
});
