/**
 * @module store/postgres-store
 * The shared store for several replicas: PostgreSQL through `pg` (node-postgres). Same
 * records as `SqliteStore` (JSON documents next to the few columns queries need, encoded
 * with `json-codec` so non-finite numbers survive), same contract, plus coordination that
 * holds across processes:
 * - analysis locks are session advisory locks on a dedicated connection, held across
 *   read-judge-record (a replica that dies releases its locks with its connection), behind
 *   an in-process lock so waiters of one replica do not each hold a connection;
 * - a look is appended under `SELECT … FOR UPDATE` of its analysis, so the sequence and
 *   idempotent-look checks hold even without the advisory lock;
 * - schedule ticks are rows claimed by `INSERT … ON CONFLICT DO NOTHING`; leases are rows
 *   taken by a conditional upsert; the outbox is claimed with `FOR UPDATE SKIP LOCKED`.
 *
 * Migrations are versioned (`schema_migrations`), append-only and run in one transaction
 * under a transaction advisory lock, so replicas starting at once migrate exactly once and
 * the others wait, then find the schema current. A database from a newer slogate is refused.
 *
 * Every failure rejects with STORE_ERROR (HTTP 503): a database that cannot be reached is
 * never a look, never a pass; `details.retryable` tells an outage from a refused write.
 */
import pg from "pg";
import { finalOver } from "./analysis-transitions.ts";
import { SlogateError, isSlogateError } from "../errors.ts";
import {
  alreadyExists,
  analysisAfterLook,
  analysisNotFound,
  closedAnalysis,
} from "./analysis-transitions.ts";
import { decodeStored, encodeStored } from "./json-codec.ts";
import { KeyedLock } from "../app/keyed-lock.ts";
import {
  checkAnalysisInput,
  checkBaselineInput,
  checkEventInput,
  checkLookInput,
  checkOutboxInput,
  checkStateInput,
  checkReadStateInput,
} from "./record-checks.ts";
import type {
  AnalysisOutcome,
  AnalysisQuery,
  AnalysisRecord,
  AppendedLook,
  BaselineQuery,
  BaselineRecord,
  EventRecord,
  LookRecord,
  LookUpdate,
  OutboxInput,
  OutboxItem,
  StateRecord,
  Store,
  ReadStateRecord,
} from "../app/store-port.ts";

/** Schema migrations; index + 1 is the schema version. Append only, never edit a shipped one. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE analyses (
     id text PRIMARY KEY, slo_id text NOT NULL, status text NOT NULL,
     created_at double precision NOT NULL, updated_at double precision NOT NULL,
     looks integer NOT NULL, doc text NOT NULL);
   CREATE INDEX analyses_updated ON analyses (updated_at);
   CREATE INDEX analyses_created ON analyses (created_at DESC);
   CREATE TABLE looks (
     analysis_id text NOT NULL REFERENCES analyses (id) ON DELETE CASCADE, seq integer NOT NULL,
     at double precision NOT NULL, doc text NOT NULL, PRIMARY KEY (analysis_id, seq));
   CREATE INDEX looks_at ON looks (analysis_id, at);
   CREATE TABLE baselines (
     id text PRIMARY KEY, slo_id text NOT NULL, captured_at double precision NOT NULL,
     analysis_id text, doc text NOT NULL);
   CREATE INDEX baselines_slo ON baselines (slo_id, captured_at);
   CREATE INDEX baselines_analysis ON baselines (analysis_id) WHERE analysis_id IS NOT NULL;
   CREATE TABLE events (
     id bigserial PRIMARY KEY, analysis_id text, at double precision NOT NULL, doc text NOT NULL);
   CREATE INDEX events_analysis ON events (analysis_id, id);
   CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
   CREATE TABLE ticks (key text PRIMARY KEY, owner text NOT NULL, at double precision NOT NULL);
   CREATE INDEX ticks_at ON ticks (at);
   CREATE TABLE leases (name text PRIMARY KEY, owner text NOT NULL, until double precision NOT NULL);
   CREATE TABLE outbox (
     id bigserial PRIMARY KEY, target text NOT NULL, key text NOT NULL,
     not_before double precision NOT NULL, created_at double precision NOT NULL,
     attempts integer NOT NULL DEFAULT 0, owner text, lease_until double precision,
     settled_at double precision, outcome text, doc text NOT NULL, UNIQUE (target, key));
   CREATE INDEX outbox_due ON outbox (target, not_before, id) WHERE settled_at IS NULL;
   CREATE TABLE state (
     namespace text NOT NULL, key text NOT NULL, updated_at double precision NOT NULL,
     doc text NOT NULL, PRIMARY KEY (namespace, key));`,
  // 2 (issue #13, incremental reads): the arm reader's state per analysis and arm.
  `CREATE TABLE read_states (
     analysis_id text NOT NULL REFERENCES analyses (id) ON DELETE CASCADE, arm text NOT NULL,
     at double precision NOT NULL, updated_at double precision NOT NULL, doc text NOT NULL,
     PRIMARY KEY (analysis_id, arm));`,
];

/** The schema version this build writes. */
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** First key of slogate's two-key advisory locks (ASCII "SLGT"); the second is a hash. */
const LOCK_SPACE = 0x534c4754;

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq URL; `?sslmode=…` is honoured). */
  readonly url: string;
  /** Schema holding slogate's tables (created when missing). Default `public`. */
  readonly schema?: string;
  /** Connections for records (default 10). */
  readonly poolSize?: number;
  /** Connections that hold analysis locks (default 32): at most this many looks wait on PostgreSQL at once per replica. */
  readonly lockPoolSize?: number;
  /** Milliseconds to get a connection before a call fails with STORE_ERROR (default 5000). */
  readonly connectTimeoutMs?: number;
  /** Server-side limit of one statement, ms (default 15000). */
  readonly statementTimeoutMs?: number;
  /** Longest wait for a row or analysis lock, ms (default 30000). */
  readonly lockTimeoutMs?: number;
}

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new SlogateError(
      "CONFIG_INVALID",
      `store schema ${JSON.stringify(name)} is not a plain identifier`,
      {
        hint: "use letters, digits and underscores (at most 63), starting with a letter",
      },
    );
  }
  return `"${name}"`;
}

/**
 * Clients whose connection failed while checked out (see the pools' 'connect' listener): they
 * are released as broken, never handed out again.
 */
const FAILED = new WeakSet<pg.PoolClient>();

/** SQLSTATE classes (and node errors) that mean "the server is not there right now". */
function isOutage(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === "string") {
    if (/^(08|57P|53)/.test(code)) return true; // connection, shutdown/crash, resources
    if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"].includes(code))
      return true;
  }
  const message = (e as Error | null)?.message ?? "";
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection timeout|Query read timeout/i.test(
    message,
  );
}

function storeError(what: string, cause: unknown): SlogateError {
  if (isSlogateError(cause)) return cause;
  const reason = (cause as Error | null)?.message ?? String(cause);
  if (isOutage(cause)) {
    return new SlogateError("STORE_ERROR", `${what} failed: PostgreSQL is unavailable (${reason})`, {
      hint: "nothing was recorded; check that PostgreSQL is up and reachable at store.url — the caller should retry",
      details: { retryable: true },
      cause,
    });
  }
  return new SlogateError("STORE_ERROR", `${what} failed: ${reason}`, {
    hint: "the write was rolled back and the stored state is unchanged; check the PostgreSQL log",
    details: { retryable: false },
    cause,
  });
}

interface DocRow {
  doc: string;
}

interface OutboxRow {
  id: string;
  not_before: number;
  created_at: number;
  attempts: number;
  doc: string;
}

type Queryable = Pick<pg.PoolClient, "query">;

/** A Store in a PostgreSQL database shared by every replica. Open with `PostgresStore.open`. */
export class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  readonly #lockPool: pg.Pool;
  readonly #schema: string;
  readonly #local = new KeyedLock();
  #closed = false;

  /** Connects, creates the schema when missing and migrates it (once across replicas). */
  static async open(o: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(o);
    try {
      await store.#migrate();
    } catch (e) {
      await store.close();
      throw e;
    }
    return store;
  }

  private constructor(o: PostgresStoreOptions) {
    this.#schema = o.schema ?? "public";
    const schema = quoteIdent(this.#schema);
    const base: pg.PoolConfig = {
      connectionString: o.url,
      connectionTimeoutMillis: o.connectTimeoutMs ?? 5000,
      statement_timeout: o.statementTimeoutMs ?? 15_000,
      lock_timeout: o.lockTimeoutMs ?? 30_000,
      idleTimeoutMillis: 30_000,
      application_name: "slogate",
      options: `-c search_path=${schema}`,
    };
    this.#pool = new pg.Pool({ ...base, max: o.poolSize ?? 10 });
    this.#lockPool = new pg.Pool({
      ...base,
      max: o.lockPoolSize ?? 32,
      // A lock is waited for inside the statement (lock_timeout), not while connecting.
      statement_timeout: false,
      connectionTimeoutMillis: Math.max(o.connectTimeoutMs ?? 5000, (o.lockTimeoutMs ?? 30_000) + 5000),
    });
    // An idle connection dropped by the server (a PostgreSQL restart) is removed from the
    // pool; without a listener the error would end the process. node-postgres also emits
    // 'error' on a client whose connection fails while it is checked out — a shutdown's FATAL
    // 57P01 arriving while no statement is active on it, or the socket's end — which the pool's
    // listener does not cover (a replica died so when PostgreSQL restarted). Every client gets
    // one at its creation; the error also fails its next statement.
    for (const p of [this.#pool, this.#lockPool]) {
      p.on("error", () => undefined);
      p.on("connect", (c) => c.on("error", () => FAILED.add(c)));
    }
  }

  /** The schema name (for tests and logs). */
  get schema(): string {
    return this.#schema;
  }

  async #connect(pool: pg.Pool, what: string): Promise<pg.PoolClient> {
    if (this.#closed) throw storeError(what, new Error("store is closed"));
    try {
      return await pool.connect();
    } catch (cause) {
      throw storeError(what, cause);
    }
  }

  async #migrate(): Promise<void> {
    const c = await this.#connect(this.#pool, "migrating the store");
    let broken = false;
    try {
      await c.query("BEGIN");
      await c.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [
        LOCK_SPACE,
        `migrate/${this.#schema}`,
      ]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.#schema)}`);
      await c.query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
      );
      const r = await c.query<{ v: number | null }>("SELECT max(version) AS v FROM schema_migrations");
      const version = r.rows[0]?.v ?? 0;
      if (version > PG_SCHEMA_VERSION) {
        throw new SlogateError(
          "STORE_ERROR",
          `database schema ${this.#schema} has version ${version}, newer than this slogate (${PG_SCHEMA_VERSION})`,
          { hint: "run a newer slogate, or point store.url (or store.schema) at another database" },
        );
      }
      for (let v = version; v < PG_SCHEMA_VERSION; v++) {
        await c.query(MIGRATIONS[v]!);
        await c.query("INSERT INTO schema_migrations (version) VALUES ($1)", [v + 1]);
      }
      await c.query("COMMIT");
    } catch (cause) {
      broken = isOutage(cause);
      await c.query("ROLLBACK").catch(() => (broken = true));
      throw storeError("migrating the store", cause);
    } finally {
      c.release(broken || FAILED.has(c));
    }
  }

  /** Runs `fn` in a transaction on one connection; rolls back on any error. */
  async #tx<T>(what: string, fn: (c: Queryable) => Promise<T>): Promise<T> {
    const c = await this.#connect(this.#pool, what);
    let broken = false;
    try {
      await c.query("BEGIN");
      const out = await fn(c);
      await c.query("COMMIT");
      return out;
    } catch (cause) {
      broken = isOutage(cause);
      if (!broken) await c.query("ROLLBACK").catch(() => (broken = true));
      throw storeError(what, cause);
    } finally {
      c.release(broken || FAILED.has(c));
    }
  }

  /** Runs one statement outside a transaction. */
  async #q<R extends pg.QueryResultRow>(
    what: string,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    if (this.#closed) throw storeError(what, new Error("store is closed"));
    try {
      return await this.#pool.query<R>(text, values);
    } catch (cause) {
      throw storeError(what, cause);
    }
  }

  async #readAnalysis(c: Queryable, id: string, forUpdate = false): Promise<AnalysisRecord | undefined> {
    const r = await c.query<DocRow>(
      `SELECT doc FROM analyses WHERE id = $1${forUpdate ? " FOR UPDATE" : ""}`,
      [id],
    );
    const row = r.rows[0];
    return row === undefined ? undefined : decodeStored<AnalysisRecord>(row.doc, "analysis");
  }

  async #mustGetForUpdate(c: Queryable, id: string): Promise<AnalysisRecord> {
    const a = await this.#readAnalysis(c, id, true);
    if (a === undefined) throw analysisNotFound(id);
    return a;
  }

  async #writeAnalysis(c: Queryable, a: AnalysisRecord): Promise<AnalysisRecord> {
    const doc = encodeStored(a, "analysis");
    await c.query("UPDATE analyses SET status = $1, updated_at = $2, looks = $3, doc = $4 WHERE id = $5", [
      a.status,
      a.updatedAt,
      a.looks,
      doc,
      a.id,
    ]);
    return decodeStored<AnalysisRecord>(doc, "analysis");
  }

  async #enqueue(c: Queryable, items: readonly OutboxInput[], at: number): Promise<number> {
    let n = 0;
    for (const i of items) {
      const r = await c.query(
        `INSERT INTO outbox (target, key, not_before, created_at, doc) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (target, key) DO NOTHING`,
        [i.target, i.key, i.notBefore, at, encodeStored(i, "notification")],
      );
      n += r.rowCount ?? 0;
    }
    return n;
  }

  async createAnalysis(
    record: Omit<AnalysisRecord, "looks" | "lastVerdict" | "judgeState" | "status">,
  ): Promise<AnalysisRecord> {
    checkAnalysisInput(record);
    const full: AnalysisRecord = { ...record, status: "open", looks: 0 };
    const doc = encodeStored(full, "analysis");
    const r = await this.#q(
      "creating analysis",
      `INSERT INTO analyses (id, slo_id, status, created_at, updated_at, looks, doc)
         VALUES ($1, $2, $3, $4, $5, 0, $6) ON CONFLICT (id) DO NOTHING`,
      [full.id, full.sloId, full.status, full.createdAt, full.updatedAt, doc],
    );
    if (r.rowCount !== 1) throw alreadyExists("analysis", record.id);
    return decodeStored<AnalysisRecord>(doc, "analysis");
  }

  async getAnalysis(id: string): Promise<AnalysisRecord | undefined> {
    const r = await this.#q<DocRow>("reading analysis", "SELECT doc FROM analyses WHERE id = $1", [id]);
    return r.rows[0] === undefined ? undefined : decodeStored<AnalysisRecord>(r.rows[0].doc, "analysis");
  }

  async listAnalyses(query: AnalysisQuery = {}): Promise<AnalysisRecord[]> {
    const r = await this.#q<DocRow>(
      "listing analyses",
      `SELECT doc FROM analyses WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR slo_id = $2)
         ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $3`,
      [query.status ?? null, query.sloId ?? null, query.limit ?? 100],
    );
    return r.rows.map((row) => decodeStored<AnalysisRecord>(row.doc, "analysis"));
  }

  async appendLook(look: LookRecord, update: LookUpdate): Promise<AppendedLook> {
    checkLookInput(look);
    const lookDoc = encodeStored(look, "look");
    const notifications = update.notifications ?? [];
    for (const n of notifications) checkOutboxInput(n);
    return this.#tx("recording look", async (c) => {
      const current = await this.#readAnalysis(c, look.analysisId, true);
      if (current === undefined) throw analysisNotFound(look.analysisId, "create the analysis first");
      const same = await c.query<DocRow>(
        "SELECT doc FROM looks WHERE analysis_id = $1 AND at = $2 ORDER BY seq DESC LIMIT 1",
        [look.analysisId, look.at],
      );
      const stored =
        same.rows[0] === undefined ? undefined : decodeStored<LookRecord>(same.rows[0].doc, "look");
      if (stored !== undefined && !finalOver(look, stored)) {
        return { analysis: current, look: stored, replayed: true };
      }
      const next = analysisAfterLook(current, look, update);
      await c.query("INSERT INTO looks (analysis_id, seq, at, doc) VALUES ($1, $2, $3, $4)", [
        look.analysisId,
        look.seq,
        look.at,
        lookDoc,
      ]);
      const analysis = await this.#writeAnalysis(c, next);
      await this.#enqueue(c, notifications, update.updatedAt);
      return { analysis, look: decodeStored<LookRecord>(lookDoc, "look"), replayed: false };
    });
  }

  async listLooks(analysisId: string): Promise<LookRecord[]> {
    const r = await this.#q<DocRow>(
      "listing looks",
      "SELECT doc FROM looks WHERE analysis_id = $1 ORDER BY seq",
      [analysisId],
    );
    return r.rows.map((row) => decodeStored<LookRecord>(row.doc, "look"));
  }

  closeAnalysis(id: string, outcome: AnalysisOutcome, at: number): Promise<AnalysisRecord> {
    return this.#tx("closing analysis", async (c) => {
      const current = await this.#mustGetForUpdate(c, id);
      if (current.status === "closed") return current;
      return this.#writeAnalysis(c, closedAnalysis(current, outcome, at));
    });
  }

  setAnalysisBaseline(id: string, baselineId: string, at: number): Promise<AnalysisRecord> {
    return this.#tx("pinning baseline", async (c) => {
      const current = await this.#mustGetForUpdate(c, id);
      return this.#writeAnalysis(c, { ...current, baselineId, updatedAt: at });
    });
  }

  deleteAnalysesBefore(before: number): Promise<number> {
    return this.#tx("expiring analyses", async (c) => {
      await c.query(
        "DELETE FROM events WHERE analysis_id IN (SELECT id FROM analyses WHERE updated_at < $1)",
        [before],
      );
      await c.query("DELETE FROM ticks WHERE at < $1", [before]);
      await c.query("DELETE FROM outbox WHERE settled_at < $1", [before]);
      const r = await c.query("DELETE FROM analyses WHERE updated_at < $1", [before]);
      return r.rowCount ?? 0;
    });
  }

  async deleteBaselinesBefore(before: number): Promise<number> {
    const r = await this.#q(
      "expiring baselines",
      `DELETE FROM baselines WHERE captured_at < $1 AND id NOT IN (
         SELECT b.id FROM baselines b WHERE b.captured_at = (
           SELECT max(c.captured_at) FROM baselines c WHERE c.slo_id = b.slo_id))`,
      [before],
    );
    return r.rowCount ?? 0;
  }

  async putBaseline(record: BaselineRecord): Promise<BaselineRecord> {
    checkBaselineInput(record);
    const doc = encodeStored(record, "baseline");
    const r = await this.#q(
      "storing baseline",
      "INSERT INTO baselines (id, slo_id, captured_at, analysis_id, doc) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
      [record.id, record.sloId, record.capturedAt, record.analysisId ?? null, doc],
    );
    if (r.rowCount !== 1) throw alreadyExists("baseline", record.id);
    return decodeStored<BaselineRecord>(doc, "baseline");
  }

  async getBaseline(id: string): Promise<BaselineRecord | undefined> {
    const r = await this.#q<DocRow>("reading baseline", "SELECT doc FROM baselines WHERE id = $1", [id]);
    return r.rows[0] === undefined ? undefined : decodeStored<BaselineRecord>(r.rows[0].doc, "baseline");
  }

  async latestBaseline(sloId: string, at?: number): Promise<BaselineRecord | undefined> {
    const r = await this.#q<DocRow>(
      "reading baseline",
      `SELECT doc FROM baselines WHERE slo_id = $1 AND ($2::double precision IS NULL OR captured_at <= $2)
         ORDER BY captured_at DESC, id COLLATE "C" DESC LIMIT 1`,
      [sloId, at ?? null],
    );
    return r.rows[0] === undefined ? undefined : decodeStored<BaselineRecord>(r.rows[0].doc, "baseline");
  }

  async listBaselines(query: BaselineQuery = {}): Promise<BaselineRecord[]> {
    const r = await this.#q<DocRow>(
      "listing baselines",
      `SELECT doc FROM baselines WHERE ($1::text IS NULL OR slo_id = $1)
         AND ($3::text IS NULL OR analysis_id = $3)
         ORDER BY captured_at DESC, id COLLATE "C" DESC LIMIT $2`,
      [query.sloId ?? null, query.limit ?? 100, query.analysisId ?? null],
    );
    return r.rows.map((row) => decodeStored<BaselineRecord>(row.doc, "baseline"));
  }

  async appendEvent(event: Omit<EventRecord, "id">): Promise<EventRecord> {
    checkEventInput(event);
    const doc = encodeStored(event, "event");
    const r = await this.#q<{ id: string }>(
      "recording event",
      "INSERT INTO events (analysis_id, at, doc) VALUES ($1, $2, $3) RETURNING id",
      [event.analysisId ?? null, event.at, doc],
    );
    return { ...decodeStored<Omit<EventRecord, "id">>(doc, "event"), id: Number(r.rows[0]!.id) };
  }

  async listEvents(
    query: { readonly analysisId?: string; readonly limit?: number } = {},
  ): Promise<EventRecord[]> {
    const r = await this.#q<{ id: string; doc: string }>(
      "listing events",
      `SELECT id, doc FROM (SELECT id, doc FROM events WHERE ($1::text IS NULL OR analysis_id = $1)
         ORDER BY id DESC LIMIT $2) latest ORDER BY id`,
      [query.analysisId ?? null, query.limit ?? 1000],
    );
    return r.rows.map((row) => ({
      ...decodeStored<Omit<EventRecord, "id">>(row.doc, "event"),
      id: Number(row.id),
    }));
  }

  withAnalysisLock<T>(analysisId: string, fn: () => Promise<T>): Promise<T> {
    return this.#local.run(analysisId, async () => {
      const c = await this.#connect(this.#lockPool, "locking analysis");
      // A dropped connection also drops the lock (its 'error' is caught, see the constructor):
      // the look then fails to record (FOR UPDATE and the sequence check still hold), it is
      // never recorded twice.
      const keys = [LOCK_SPACE, `analysis/${this.#schema}/${analysisId}`];
      try {
        await c.query("SELECT pg_advisory_lock($1, hashtext($2))", keys);
      } catch (cause) {
        c.release(true);
        throw storeError("locking analysis", cause);
      }
      try {
        return await fn();
      } finally {
        try {
          await c.query("SELECT pg_advisory_unlock($1, hashtext($2))", keys);
          c.release(FAILED.has(c));
        } catch {
          c.release(true); // closing the session releases the lock
        }
      }
    });
  }

  async claimTick(key: string, owner: string, at: number): Promise<boolean> {
    const r = await this.#q(
      "claiming schedule tick",
      "INSERT INTO ticks (key, owner, at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
      [key, owner, at],
    );
    return r.rowCount === 1;
  }

  async acquireLease(name: string, owner: string, at: number, ttlSeconds: number): Promise<boolean> {
    const r = await this.#q(
      "acquiring lease",
      `INSERT INTO leases (name, owner, until) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, until = EXCLUDED.until
         WHERE leases.owner = EXCLUDED.owner OR leases.until <= $4`,
      [name, owner, at + ttlSeconds, at],
    );
    return r.rowCount === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.#q("releasing lease", "DELETE FROM leases WHERE name = $1 AND owner = $2", [name, owner]);
  }

  enqueueNotifications(items: readonly OutboxInput[], at: number): Promise<number> {
    try {
      for (const i of items) {
        checkOutboxInput(i);
        encodeStored(i, "notification");
      }
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return this.#tx("queueing notifications", (c) => this.#enqueue(c, items, at));
  }

  async claimNotifications(
    target: string,
    owner: string,
    at: number,
    leaseSeconds: number,
    limit: number,
  ): Promise<OutboxItem[]> {
    const r = await this.#q<OutboxRow>(
      "claiming notifications",
      `UPDATE outbox SET owner = $2, lease_until = $3, attempts = attempts + 1
         WHERE id IN (
           SELECT id FROM outbox
             WHERE target = $1 AND settled_at IS NULL AND not_before <= $4 AND (owner IS NULL OR lease_until <= $4)
             ORDER BY id LIMIT $5 FOR UPDATE SKIP LOCKED)
         RETURNING id, not_before, created_at, attempts, doc`,
      [target, owner, at + leaseSeconds, at, limit],
    );
    return r.rows
      .map((row) => ({
        ...decodeStored<OutboxInput>(row.doc, "notification"),
        id: Number(row.id),
        notBefore: Number(row.not_before),
        attempts: Number(row.attempts),
        createdAt: Number(row.created_at),
      }))
      .sort((a, b) => a.id - b.id);
  }

  async settleNotification(
    id: number,
    owner: string,
    outcome: { readonly delivered: true } | { readonly retryAt: number } | { readonly dropped: string },
    at: number,
  ): Promise<boolean> {
    const r =
      "retryAt" in outcome
        ? await this.#q(
            "settling notification",
            "UPDATE outbox SET owner = NULL, lease_until = NULL, not_before = $1 WHERE id = $2 AND owner = $3 AND settled_at IS NULL",
            [outcome.retryAt, id, owner],
          )
        : await this.#q(
            "settling notification",
            "UPDATE outbox SET settled_at = $1, outcome = $2 WHERE id = $3 AND owner = $4 AND settled_at IS NULL",
            [at, "delivered" in outcome ? "delivered" : `dropped: ${outcome.dropped}`, id, owner],
          );
    return r.rowCount === 1;
  }

  async pendingNotifications(target: string): Promise<number> {
    const r = await this.#q<{ n: string }>(
      "counting notifications",
      "SELECT count(*) AS n FROM outbox WHERE target = $1 AND settled_at IS NULL",
      [target],
    );
    return Number(r.rows[0]!.n);
  }

  async putState(record: StateRecord): Promise<void> {
    checkStateInput(record);
    const doc = encodeStored(record, "state");
    await this.#q(
      "writing state",
      `INSERT INTO state (namespace, key, updated_at, doc) VALUES ($1, $2, $3, $4)
         ON CONFLICT (namespace, key) DO UPDATE SET updated_at = EXCLUDED.updated_at, doc = EXCLUDED.doc`,
      [record.namespace, record.key, record.updatedAt, doc],
    );
  }

  async listState(namespace: string): Promise<StateRecord[]> {
    const r = await this.#q<DocRow>(
      "reading state",
      'SELECT doc FROM state WHERE namespace = $1 ORDER BY key COLLATE "C"',
      [namespace],
    );
    return r.rows.map((row) => decodeStored<StateRecord>(row.doc, "state"));
  }

  async getState(namespace: string, key: string): Promise<StateRecord | undefined> {
    const r = await this.#q<DocRow>(
      "reading state",
      "SELECT doc FROM state WHERE namespace = $1 AND key = $2",
      [namespace, key],
    );
    const row = r.rows[0];
    return row === undefined ? undefined : decodeStored<StateRecord>(row.doc, "state");
  }

  async deleteState(namespace: string, key: string): Promise<void> {
    await this.#q("deleting state", "DELETE FROM state WHERE namespace = $1 AND key = $2", [namespace, key]);
  }

  // --- incremental read state (issue #13) ---
  async getReadState(analysisId: string, arm: ReadStateRecord["arm"]): Promise<ReadStateRecord | undefined> {
    const r = await this.#q<DocRow>(
      "reading read state",
      "SELECT doc FROM read_states WHERE analysis_id = $1 AND arm = $2",
      [analysisId, arm],
    );
    const row = r.rows[0];
    return row === undefined ? undefined : decodeStored<ReadStateRecord>(row.doc, "read state");
  }

  async putReadState(record: ReadStateRecord): Promise<void> {
    checkReadStateInput(record);
    const doc = encodeStored(record, "read state");
    const r = await this.#q(
      "writing read state",
      `INSERT INTO read_states (analysis_id, arm, at, updated_at, doc)
         SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM analyses WHERE id = $1)
         ON CONFLICT (analysis_id, arm) DO UPDATE
           SET at = EXCLUDED.at, updated_at = EXCLUDED.updated_at, doc = EXCLUDED.doc`,
      [record.analysisId, record.arm, record.at, record.updatedAt, doc],
    );
    if ((r.rowCount ?? 0) === 0) throw analysisNotFound(record.analysisId);
  }
  // --- end incremental read state ---

  async checkWritable(at: number): Promise<void> {
    await this.#q(
      "checking the store is writable",
      "INSERT INTO meta (key, value) VALUES ('ready-check', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
      [String(at)],
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#pool.end(), this.#lockPool.end()]).catch(() => undefined);
  }
}
