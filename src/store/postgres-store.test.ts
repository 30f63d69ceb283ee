import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startPostgres, type PostgresBed } from "../testbed/postgres.ts";
import { isSlogateError } from "../errors.ts";
import { PG_SCHEMA_VERSION, PostgresStore } from "./postgres-store.ts";
import { describeStoreContract, newAnalysis } from "./store-contract.ts";

let bed: PostgresBed;
let url = "";
let schemas = 0;
const open: PostgresStore[] = [];

beforeAll(async () => {
  bed = await startPostgres();
  url = await bed.createDatabase("slogate_test");
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await bed?.destroy();
});

/** A store in a new schema of the test database (each test starts empty). */
async function fresh(
  schema = `t${++schemas}`,
  extra: Partial<Parameters<typeof PostgresStore.open>[0]> = {},
) {
  const s = await PostgresStore.open({ url, schema, ...extra });
  open.push(s);
  return s;
}

async function sql<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end();
  }
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

describeStoreContract("PostgresStore", () => fresh());

describe("PostgresStore migrations", () => {
  it("migrates exactly once when several replicas start at the same moment", async () => {
    const stores = await Promise.all(Array.from({ length: 6 }, () => fresh("racing")));
    expect(stores).toHaveLength(6);
    const rows = await sql<{ version: number }>(
      "SELECT version FROM racing.schema_migrations ORDER BY version",
    );
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
    // All of them work on the one schema.
    await stores[0]!.putBaseline({
      id: "b1",
      sloId: "s",
      from: 0,
      to: 1,
      capturedAt: 1,
      counts: { total: 1, bad: 0 },
      selector: [],
      source: "api",
    });
    expect((await stores[5]!.getBaseline("b1"))?.id).toBe("b1");
  });

  it("refuses a schema from a newer slogate and leaves it as it was", async () => {
    await fresh("newer");
    await sql(`INSERT INTO newer.schema_migrations (version) VALUES (${PG_SCHEMA_VERSION + 3})`);
    const err = await rejection(PostgresStore.open({ url, schema: "newer" }));
    expect(isSlogateError(err, "STORE_ERROR")).toBe(true);
    expect((err as Error).message).toMatch(/newer than this slogate/);
    const rows = await sql<{ v: number }>("SELECT max(version) AS v FROM newer.schema_migrations");
    expect(rows[0]!.v).toBe(PG_SCHEMA_VERSION + 3);
  });

  it("refuses a schema name that is not a plain identifier", async () => {
    const err = await rejection(PostgresStore.open({ url, schema: 'x"; DROP TABLE y; --' }));
    expect(isSlogateError(err, "CONFIG_INVALID")).toBe(true);
  });
});

describe("PostgresStore across replicas (one store per replica, one database)", () => {
  it("serializes the looks of one analysis across replicas and runs other analyses alongside", async () => {
    const [a, b] = [await fresh("locks"), await fresh("locks")];
    const log: string[] = [];
    let inside = 0;
    let maxInside = 0;
    const task = (s: PostgresStore, id: string, name: string, ms: number): Promise<void> =>
      s.withAnalysisLock(id, async () => {
        inside += id === "shared" ? 1 : 0;
        maxInside = Math.max(maxInside, inside);
        log.push(`${name}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}-`);
        inside -= id === "shared" ? 1 : 0;
      });
    await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => task(i % 2 === 0 ? a : b, "shared", `s${i}`, 15)),
      task(b, "other", "o", 1),
    ]);
    expect(maxInside).toBe(1);
    // "other" did not wait for the queue of "shared": at least half of it ended after "other".
    const sharedEndsAfter = log.slice(log.indexOf("o-")).filter((l) => l.startsWith("s") && l.endsWith("-"));
    expect(sharedEndsAfter.length).toBeGreaterThanOrEqual(4);
    expect(log.filter((l) => l.endsWith("+"))).toHaveLength(9);
  });

  it("frees an analysis lock when the replica holding it loses its connection", async () => {
    const [a, b] = [await fresh("deadlock"), await fresh("deadlock")];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const holder = a.withAnalysisLock("x", async () => {
      entered();
      await held;
    });
    await inside;
    // The holder's session dies (what SIGKILL of a replica does to its connections).
    await sql(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()",
    );
    const t0 = Date.now();
    expect(await b.withAnalysisLock("x", () => Promise.resolve("got it"))).toBe("got it");
    expect(Date.now() - t0).toBeLessThan(5000);
    release();
    await holder; // the holder's own work finishes; its unlock on a dead session is not an error
  });

  it("gives every schedule tick to exactly one of three replicas", async () => {
    const replicas = [await fresh("ticks"), await fresh("ticks"), await fresh("ticks")];
    const ticks = Array.from({ length: 40 }, (_, i) => `baseline:*/30 * * * *:${1800 * i}`);
    const claims = await Promise.all(
      replicas.flatMap((s, r) =>
        ticks.map(async (t) => ((await s.claimTick(t, `r${r}`, 1)) ? t : undefined)),
      ),
    );
    const won = claims.filter((t) => t !== undefined);
    expect(won.sort()).toEqual([...ticks].sort());
  });

  it("hands each outbox item to one of three replicas claiming at once", async () => {
    const replicas = [await fresh("outbox"), await fresh("outbox"), await fresh("outbox")];
    const items = Array.from({ length: 90 }, (_, i) => ({
      target: "slack",
      key: `v${i}`,
      payload: { i },
      notBefore: 0,
    }));
    // Two replicas enqueue the same items (the same verdict change seen twice): kept once.
    const added = await Promise.all([
      replicas[0]!.enqueueNotifications(items, 1),
      replicas[1]!.enqueueNotifications(items, 1),
    ]);
    expect(added[0] + added[1]).toBe(90);
    const claimed: number[] = [];
    await Promise.all(
      replicas.map(async (s, r) => {
        for (;;) {
          const got = await s.claimNotifications("slack", `r${r}`, 10, 60, 7);
          if (got.length === 0) return;
          for (const g of got) {
            claimed.push(g.payload.i as number);
            expect(await s.settleNotification(g.id, `r${r}`, { delivered: true }, 11)).toBe(true);
          }
        }
      }),
    );
    expect(claimed.sort((x, y) => x - y)).toEqual(items.map((_, i) => i));
    expect(await replicas[2]!.pendingNotifications("slack")).toBe(0);
  });
});

describe("PostgresStore through a PostgreSQL outage", () => {
  it("rejects with a retryable STORE_ERROR while the server is down and works again after it restarts", async () => {
    const s = await fresh("outage", { connectTimeoutMs: 1000 });
    await s.createAnalysis(newAnalysis("a1", 1));
    await bed.stop();
    try {
      const t0 = Date.now();
      for (const op of [
        () => s.getAnalysis("a1"),
        () => s.checkWritable(2),
        () => s.withAnalysisLock("a1", () => Promise.resolve(1)),
        () => s.claimTick("k", "r", 1),
      ]) {
        const err = await rejection(op());
        expect(isSlogateError(err, "STORE_ERROR")).toBe(true);
        expect((err as { details: Record<string, unknown> }).details.retryable).toBe(true);
      }
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      await bed.start();
    }
    expect(await s.getAnalysis("a1")).toMatchObject({ id: "a1", looks: 0 });
    await s.checkWritable(3);
  });

  it("keeps serving when a checked-out connection fails: rejects the statement, never ends the process, drops the connection", async () => {
    const s = await fresh("terminated", { connectTimeoutMs: 1000 });
    await s.createAnalysis(newAnalysis("a1", 1));
    // The clients the store checks out, seen at the pool (the spy calls through).
    const connect = vi.spyOn(pg.Pool.prototype, "connect");
    const lastClient = (): Promise<pg.PoolClient> =>
      connect.mock.results.at(-1)!.value as Promise<pg.PoolClient>;
    // Another session holds the analysis row, so the store's transaction waits on FOR UPDATE.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT id FROM terminated.analyses WHERE id = 'a1' FOR UPDATE");
      const waiting = async (): Promise<number[]> => {
        for (let i = 0; i < 100; i++) {
          const rows = await sql<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'slogate' AND wait_event_type = 'Lock'",
          );
          if (rows.length > 0) return rows.map((r) => r.pid);
          await new Promise((r) => setTimeout(r, 50));
        }
        return [];
      };
      // 1. node-postgres emits 'error' on a checked-out client whose connection fails (a FATAL
      // between statements, or the socket's end); without a listener that ends the process.
      const first = s.closeAnalysis("a1", "aborted", 2);
      expect(await waiting()).toHaveLength(1);
      const c = await lastClient();
      expect(() =>
        c.emit("error", new Error("terminating connection due to administrator command")),
      ).not.toThrow();
      await holder.query("ROLLBACK");
      await first;
      // The failed client is not handed out again.
      await s.setAnalysisBaseline("a1", "b1", 3);
      expect(await lastClient()).not.toBe(c);
      // 2. The server really ends the connection while the statement waits: a retryable
      // STORE_ERROR, and the process goes on.
      await holder.query("BEGIN");
      await holder.query("SELECT id FROM terminated.analyses WHERE id = 'a1' FOR UPDATE");
      const second = rejection(s.setAnalysisBaseline("a1", "b2", 4));
      const pids = await waiting();
      expect(pids).toHaveLength(1);
      await sql("SELECT pg_terminate_backend($1)", [pids[0]]);
      const err = await second;
      expect(isSlogateError(err, "STORE_ERROR")).toBe(true);
      expect((err as { details: Record<string, unknown> }).details.retryable).toBe(true);
      await holder.query("ROLLBACK");
    } finally {
      connect.mockRestore();
      await holder.end();
    }
    expect(await s.getAnalysis("a1")).toMatchObject({ status: "closed", baselineId: "b1" });
  });

  it("survives a crash (SIGKILL) of PostgreSQL with its committed records", async () => {
    const s = await fresh("crash", { connectTimeoutMs: 1000 });
    await s.claimTick("t1", "r1", 1);
    await bed.kill();
    try {
      const err = await rejection(s.claimTick("t2", "r1", 2));
      expect(isSlogateError(err, "STORE_ERROR"), String(err)).toBe(true);
    } finally {
      await bed.start();
    }
    expect(await s.claimTick("t1", "r2", 3)).toBe(false);
    expect(await s.claimTick("t2", "r2", 3)).toBe(true);
  });
});
