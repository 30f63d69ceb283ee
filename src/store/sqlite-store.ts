/**
 * @module store/sqlite-store
 * The embedded store: one `node:sqlite` database file in the data directory, WAL mode,
 * versioned schema migrations (`PRAGMA user_version`), every write in a transaction.
 * Records are kept as JSON documents next to the few columns queries need. One replica:
 * analysis locks are in-process; ticks, leases and the outbox live in the file, so they
 * survive a restart (PostgreSQL is the store for several replicas).
 */
import { finalOver } from "./analysis-transitions.ts";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { SlogateError, isSlogateError } from "../errors.ts";
import {
  alreadyExists,
  analysisAfterLook,
  analysisNotFound,
  closedAnalysis,
} from "./analysis-transitions.ts";
import { attempt } from "./attempt.ts";
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
  ReadStateRecord,
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
} from "../app/store-port.ts";

/** Schema migrations; index + 1 is the schema version. Append only, never edit a shipped one. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE analyses (
     id TEXT PRIMARY KEY, slo_id TEXT NOT NULL, status TEXT NOT NULL,
     created_at REAL NOT NULL, updated_at REAL NOT NULL, looks INTEGER NOT NULL, doc TEXT NOT NULL);
   CREATE INDEX analyses_updated ON analyses(updated_at);
   CREATE TABLE looks (
     analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
     at REAL NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (analysis_id, seq));
   CREATE TABLE baselines (
     id TEXT PRIMARY KEY, slo_id TEXT NOT NULL, captured_at REAL NOT NULL, doc TEXT NOT NULL);
   CREATE INDEX baselines_slo ON baselines(slo_id, captured_at);
   CREATE TABLE events (
     id INTEGER PRIMARY KEY AUTOINCREMENT, analysis_id TEXT, at REAL NOT NULL, doc TEXT NOT NULL);
   CREATE INDEX events_analysis ON events(analysis_id, id);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 2: looks found by time (the idempotent-look rule), scheduled ticks claimed once, leases,
  // the notification outbox, and named state documents (firing alerts, reader state).
  `CREATE INDEX looks_at ON looks(analysis_id, at);
   CREATE TABLE ticks (key TEXT PRIMARY KEY, owner TEXT NOT NULL, at REAL NOT NULL);
   CREATE INDEX ticks_at ON ticks(at);
   CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until REAL NOT NULL);
   CREATE TABLE outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, key TEXT NOT NULL,
     not_before REAL NOT NULL, created_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
     owner TEXT, lease_until REAL, settled_at REAL, outcome TEXT, doc TEXT NOT NULL,
     UNIQUE (target, key));
   CREATE INDEX outbox_due ON outbox(target, settled_at, not_before, id);
   CREATE TABLE state (
     namespace TEXT NOT NULL, key TEXT NOT NULL, updated_at REAL NOT NULL, doc TEXT NOT NULL,
     PRIMARY KEY (namespace, key));`,
  // 3 (issue #13, incremental reads): the arm reader's state per analysis and arm.
  `CREATE TABLE read_states (
     analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
     arm TEXT NOT NULL, at REAL NOT NULL, updated_at REAL NOT NULL, doc TEXT NOT NULL,
     PRIMARY KEY (analysis_id, arm));`,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function storeError(message: string, cause: unknown): SlogateError {
  return new SlogateError("STORE_ERROR", `${message}: ${(cause as Error).message}`, {
    hint: "check that the data directory is writable and the disk is not full; the stored state is unchanged",
    cause,
  });
}

interface DocRow {
  doc: string;
}

/** A Store in a SQLite file `slogate.db` inside `dataDir` (or at `:memory:`). */
export class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  /** Prepared statements by SQL text: each is compiled once per connection, not per call. */
  readonly #statements = new Map<string, StatementSync>();
  readonly #locks = new KeyedLock();
  readonly path: string;

  /** Opens (creating and migrating when needed) the database in `dataDir`. */
  static open(dataDir: string): SqliteStore {
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (cause) {
      throw storeError(`cannot create data directory ${dataDir}`, cause);
    }
    return new SqliteStore(join(dataDir, "slogate.db"));
  }

  constructor(path: string) {
    this.path = path;
    try {
      this.#db = new DatabaseSync(path);
      this.#db.exec("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
      // WAL with synchronous=NORMAL: a commit survives a crash of the process (what a restart
      // between looks needs) without an fsync per look; only an OS crash may lose the last one.
      if (path !== ":memory:") this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    } catch (cause) {
      throw new SlogateError("STORE_ERROR", `cannot open store ${path}: ${(cause as Error).message}`, {
        hint: "the file is not a SQLite database or is not readable; slogate did not modify it — move it away or fix its permissions",
        cause,
      });
    }
    this.#migrate();
  }

  #migrate(): void {
    let version: number;
    try {
      version = (this.#db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
    } catch (cause) {
      this.#db.close();
      throw new SlogateError("STORE_ERROR", `cannot read store ${this.path}: ${(cause as Error).message}`, {
        hint: "the file is not a SQLite database; slogate did not modify it — move it away to start a new store",
        cause,
      });
    }
    if (version > SCHEMA_VERSION) {
      this.#db.close();
      throw new SlogateError(
        "STORE_ERROR",
        `store ${this.path} has schema version ${version}, newer than this slogate (${SCHEMA_VERSION})`,
        {
          hint: "run a newer slogate, or point --data-dir at another directory",
        },
      );
    }
    for (let v = version; v < SCHEMA_VERSION; v++) {
      this.#tx(`migrating store to schema ${v + 1}`, () => {
        this.#db.exec(MIGRATIONS[v]!);
        this.#db.exec(`PRAGMA user_version = ${v + 1}`);
      });
    }
  }

  /** Runs `fn` in a transaction; rolls back on any error (re-thrown as STORE_ERROR unless already a SlogateError). */
  #tx<T>(what: string, fn: () => T): T {
    try {
      this.#sql("BEGIN IMMEDIATE").run();
    } catch (cause) {
      throw storeError(`${what} failed`, cause);
    }
    try {
      const out = fn();
      this.#sql("COMMIT").run();
      return out;
    } catch (cause) {
      try {
        this.#sql("ROLLBACK").run();
      } catch {
        // the transaction is already gone (SQLite rolled it back itself)
      }
      if (isSlogateError(cause)) throw cause;
      throw storeError(`${what} failed`, cause);
    }
  }

  #run<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      if (isSlogateError(cause)) throw cause;
      throw storeError(`${what} failed`, cause);
    }
  }

  #sql(text: string): StatementSync {
    let st = this.#statements.get(text);
    if (st === undefined) {
      st = this.#db.prepare(text);
      this.#statements.set(text, st);
    }
    return st;
  }

  #readAnalysis(id: string): AnalysisRecord | undefined {
    const row = this.#sql("SELECT doc FROM analyses WHERE id = ?").get(id) as DocRow | undefined;
    return row === undefined ? undefined : decodeStored<AnalysisRecord>(row.doc, "analysis");
  }

  /** Writes `a` and returns it as stored (decoded from the written document, no re-read). */
  #writeAnalysis(a: AnalysisRecord): AnalysisRecord {
    const doc = encodeStored(a, "analysis");
    this.#sql("UPDATE analyses SET status = ?, updated_at = ?, looks = ?, doc = ? WHERE id = ?").run(
      a.status,
      a.updatedAt,
      a.looks,
      doc,
      a.id,
    );
    return decodeStored<AnalysisRecord>(doc, "analysis");
  }

  #mustGet(id: string): AnalysisRecord {
    const a = this.#readAnalysis(id);
    if (a === undefined) throw analysisNotFound(id);
    return a;
  }

  createAnalysis(
    record: Omit<AnalysisRecord, "looks" | "lastVerdict" | "judgeState" | "status">,
  ): Promise<AnalysisRecord> {
    return attempt(() => {
      checkAnalysisInput(record);
      const full: AnalysisRecord = { ...record, status: "open", looks: 0 };
      const doc = encodeStored(full, "analysis");
      return this.#tx("creating analysis", () => {
        if (this.#readAnalysis(record.id) !== undefined) throw alreadyExists("analysis", record.id);
        this.#sql(
          "INSERT INTO analyses (id, slo_id, status, created_at, updated_at, looks, doc) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ).run(full.id, full.sloId, full.status, full.createdAt, full.updatedAt, 0, doc);
        return this.#readAnalysis(record.id)!;
      });
    });
  }

  getAnalysis(id: string): Promise<AnalysisRecord | undefined> {
    return attempt(() => {
      return this.#run("reading analysis", () => this.#readAnalysis(id));
    });
  }

  listAnalyses(query: AnalysisQuery = {}): Promise<AnalysisRecord[]> {
    return attempt(() => {
      return this.#run("listing analyses", () => {
        const rows = this.#sql(
          `SELECT doc FROM analyses WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR slo_id = ?2)
             ORDER BY created_at DESC, id DESC LIMIT ?3`,
        ).all(query.status ?? null, query.sloId ?? null, query.limit ?? 100) as unknown as DocRow[];
        return rows.map((r) => decodeStored<AnalysisRecord>(r.doc, "analysis"));
      });
    });
  }

  appendLook(look: LookRecord, update: LookUpdate): Promise<AppendedLook> {
    return attempt(() => {
      checkLookInput(look);
      const lookDoc = encodeStored(look, "look");
      const notifications = update.notifications ?? [];
      for (const n of notifications) checkOutboxInput(n);
      // The judge state is checked when the analysis document is encoded, inside the
      // transaction: a state that cannot be stored rolls the look back too.
      return this.#tx("recording look", () => {
        const current = this.#mustGet(look.analysisId);
        const same = this.#sql(
          "SELECT doc FROM looks WHERE analysis_id = ? AND at = ? ORDER BY seq DESC LIMIT 1",
        ).get(look.analysisId, look.at) as DocRow | undefined;
        const stored = same === undefined ? undefined : decodeStored<LookRecord>(same.doc, "look");
        if (stored !== undefined && !finalOver(look, stored)) {
          return { analysis: current, look: stored, replayed: true };
        }
        const next = analysisAfterLook(current, look, update);
        this.#sql("INSERT INTO looks (analysis_id, seq, at, doc) VALUES (?, ?, ?, ?)").run(
          look.analysisId,
          look.seq,
          look.at,
          lookDoc,
        );
        const analysis = this.#writeAnalysis(next);
        this.#enqueue(notifications, update.updatedAt);
        return { analysis, look: decodeStored<LookRecord>(lookDoc, "look"), replayed: false };
      });
    });
  }

  /** Inserts outbox items (inside a transaction); keys already present are skipped. */
  #enqueue(items: readonly OutboxInput[], at: number): number {
    let n = 0;
    for (const i of items) {
      const r = this.#sql(
        `INSERT INTO outbox (target, key, not_before, created_at, doc) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (target, key) DO NOTHING`,
      ).run(i.target, i.key, i.notBefore, at, encodeStored(i, "notification"));
      n += Number(r.changes);
    }
    return n;
  }

  listLooks(analysisId: string): Promise<LookRecord[]> {
    return attempt(() => {
      return this.#run("listing looks", () => {
        const rows = this.#sql("SELECT doc FROM looks WHERE analysis_id = ? ORDER BY seq").all(
          analysisId,
        ) as unknown as DocRow[];
        return rows.map((r) => decodeStored<LookRecord>(r.doc, "look"));
      });
    });
  }

  closeAnalysis(id: string, outcome: AnalysisOutcome, at: number): Promise<AnalysisRecord> {
    return attempt(() => {
      return this.#tx("closing analysis", () => {
        const current = this.#mustGet(id);
        if (current.status === "closed") return current;
        return this.#writeAnalysis(closedAnalysis(current, outcome, at));
      });
    });
  }

  setAnalysisBaseline(id: string, baselineId: string, at: number): Promise<AnalysisRecord> {
    return attempt(() => {
      return this.#tx("pinning baseline", () => {
        const current = this.#mustGet(id);
        return this.#writeAnalysis({ ...current, baselineId, updatedAt: at });
      });
    });
  }

  deleteAnalysesBefore(before: number): Promise<number> {
    return attempt(() => {
      return this.#tx("expiring analyses", () => {
        this.#sql(
          "DELETE FROM events WHERE analysis_id IN (SELECT id FROM analyses WHERE updated_at < ?)",
        ).run(before);
        this.#sql("DELETE FROM ticks WHERE at < ?").run(before);
        this.#sql("DELETE FROM outbox WHERE settled_at < ?").run(before);
        return Number(this.#sql("DELETE FROM analyses WHERE updated_at < ?").run(before).changes);
      });
    });
  }

  deleteBaselinesBefore(before: number): Promise<number> {
    return attempt(() => {
      return this.#tx("expiring baselines", () => {
        const r = this.#sql(
          `DELETE FROM baselines WHERE captured_at < ? AND id NOT IN (
               SELECT b.id FROM baselines b WHERE b.captured_at = (
                 SELECT MAX(c.captured_at) FROM baselines c WHERE c.slo_id = b.slo_id))`,
        ).run(before);
        return Number(r.changes);
      });
    });
  }

  putBaseline(record: BaselineRecord): Promise<BaselineRecord> {
    return attempt(() => {
      checkBaselineInput(record);
      const doc = encodeStored(record, "baseline");
      return this.#tx("storing baseline", () => {
        if (this.#sql("SELECT 1 FROM baselines WHERE id = ?").get(record.id) !== undefined) {
          throw alreadyExists("baseline", record.id);
        }
        this.#sql("INSERT INTO baselines (id, slo_id, captured_at, doc) VALUES (?, ?, ?, ?)").run(
          record.id,
          record.sloId,
          record.capturedAt,
          doc,
        );
        return decodeStored<BaselineRecord>(doc, "baseline");
      });
    });
  }

  getBaseline(id: string): Promise<BaselineRecord | undefined> {
    return attempt(() => {
      return this.#run("reading baseline", () => {
        const row = this.#sql("SELECT doc FROM baselines WHERE id = ?").get(id) as DocRow | undefined;
        return row === undefined ? undefined : decodeStored<BaselineRecord>(row.doc, "baseline");
      });
    });
  }

  latestBaseline(sloId: string, at?: number): Promise<BaselineRecord | undefined> {
    return attempt(() => {
      return this.#run("reading baseline", () => {
        const row = this.#sql(
          "SELECT doc FROM baselines WHERE slo_id = ?1 AND (?2 IS NULL OR captured_at <= ?2) ORDER BY captured_at DESC, id DESC LIMIT 1",
        ).get(sloId, at ?? null) as DocRow | undefined;
        return row === undefined ? undefined : decodeStored<BaselineRecord>(row.doc, "baseline");
      });
    });
  }

  listBaselines(query: BaselineQuery = {}): Promise<BaselineRecord[]> {
    return attempt(() => {
      return this.#run("listing baselines", () => {
        const rows = this.#sql(
          "SELECT doc FROM baselines WHERE (?1 IS NULL OR slo_id = ?1) AND (?3 IS NULL OR json_extract(doc, '$.analysisId') = ?3) ORDER BY captured_at DESC, id DESC LIMIT ?2",
        ).all(query.sloId ?? null, query.limit ?? 100, query.analysisId ?? null) as unknown as DocRow[];
        return rows.map((r) => decodeStored<BaselineRecord>(r.doc, "baseline"));
      });
    });
  }

  appendEvent(event: Omit<EventRecord, "id">): Promise<EventRecord> {
    return attempt(() => {
      checkEventInput(event);
      encodeStored(event, "event");
      return this.#tx("recording event", () => {
        const r = this.#sql("INSERT INTO events (analysis_id, at, doc) VALUES (?, ?, '{}')").run(
          event.analysisId ?? null,
          event.at,
        );
        const full: EventRecord = { ...event, id: Number(r.lastInsertRowid) };
        const doc = encodeStored(full, "event");
        this.#sql("UPDATE events SET doc = ? WHERE id = ?").run(doc, full.id);
        return decodeStored<EventRecord>(doc, "event");
      });
    });
  }

  listEvents(query: { readonly analysisId?: string; readonly limit?: number } = {}): Promise<EventRecord[]> {
    return attempt(() => {
      return this.#run("listing events", () => {
        const rows = this.#sql(
          `SELECT doc FROM (SELECT id, doc FROM events WHERE (?1 IS NULL OR analysis_id = ?1) ORDER BY id DESC LIMIT ?2)
             ORDER BY id`,
        ).all(query.analysisId ?? null, query.limit ?? 1000) as unknown as DocRow[];
        return rows.map((r) => decodeStored<EventRecord>(r.doc, "event"));
      });
    });
  }

  checkWritable(at: number): Promise<void> {
    return attempt(() => {
      this.#tx("checking the store is writable", () => {
        this.#sql("INSERT OR REPLACE INTO meta (key, value) VALUES ('ready-check', ?)").run(String(at));
      });
    });
  }

  withAnalysisLock<T>(analysisId: string, fn: () => Promise<T>): Promise<T> {
    if (!this.#db.isOpen)
      return Promise.reject(storeError("locking analysis failed", new Error("store is closed")));
    return this.#locks.run(analysisId, fn);
  }

  claimTick(key: string, owner: string, at: number): Promise<boolean> {
    return attempt(() =>
      this.#tx("claiming schedule tick", () => {
        const r = this.#sql(
          "INSERT INTO ticks (key, owner, at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
        ).run(key, owner, at);
        return Number(r.changes) === 1;
      }),
    );
  }

  acquireLease(name: string, owner: string, at: number, ttlSeconds: number): Promise<boolean> {
    return attempt(() =>
      this.#tx("acquiring lease", () => {
        const r = this.#sql(
          `INSERT INTO leases (name, owner, until) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET owner = ?2, until = ?3
             WHERE leases.owner = ?2 OR leases.until <= ?4`,
        ).run(name, owner, at + ttlSeconds, at);
        return Number(r.changes) === 1;
      }),
    );
  }

  releaseLease(name: string, owner: string): Promise<void> {
    return attempt(() =>
      this.#tx("releasing lease", () => {
        this.#sql("DELETE FROM leases WHERE name = ? AND owner = ?").run(name, owner);
      }),
    );
  }

  enqueueNotifications(items: readonly OutboxInput[], at: number): Promise<number> {
    return attempt(() => {
      for (const i of items) checkOutboxInput(i);
      return this.#tx("queueing notifications", () => this.#enqueue(items, at));
    });
  }

  claimNotifications(
    target: string,
    owner: string,
    at: number,
    leaseSeconds: number,
    limit: number,
  ): Promise<OutboxItem[]> {
    return attempt(() =>
      this.#tx("claiming notifications", () => {
        const rows = this.#sql(
          `SELECT id, not_before, created_at, attempts, doc FROM outbox
             WHERE target = ? AND settled_at IS NULL AND not_before <= ? AND (owner IS NULL OR lease_until <= ?)
             ORDER BY id LIMIT ?`,
        ).all(target, at, at, limit) as unknown as OutboxRowSql[];
        const claim = this.#sql(
          "UPDATE outbox SET owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ?",
        );
        return rows.map((r) => {
          claim.run(owner, at + leaseSeconds, r.id);
          return outboxItem(r, r.attempts + 1);
        });
      }),
    );
  }

  settleNotification(
    id: number,
    owner: string,
    outcome: { readonly delivered: true } | { readonly retryAt: number } | { readonly dropped: string },
    at: number,
  ): Promise<boolean> {
    return attempt(() =>
      this.#tx("settling notification", () => {
        const r =
          "retryAt" in outcome
            ? this.#sql(
                "UPDATE outbox SET owner = NULL, lease_until = NULL, not_before = ? WHERE id = ? AND owner = ? AND settled_at IS NULL",
              ).run(outcome.retryAt, id, owner)
            : this.#sql(
                "UPDATE outbox SET settled_at = ?, outcome = ? WHERE id = ? AND owner = ? AND settled_at IS NULL",
              ).run(at, "delivered" in outcome ? "delivered" : `dropped: ${outcome.dropped}`, id, owner);
        return Number(r.changes) === 1;
      }),
    );
  }

  pendingNotifications(target: string): Promise<number> {
    return attempt(() =>
      this.#run("counting notifications", () => {
        const row = this.#sql("SELECT COUNT(*) AS n FROM outbox WHERE target = ? AND settled_at IS NULL").get(
          target,
        ) as { n: number };
        return Number(row.n);
      }),
    );
  }

  putState(record: StateRecord): Promise<void> {
    return attempt(() => {
      checkStateInput(record);
      const doc = encodeStored(record, "state");
      this.#tx("writing state", () => {
        this.#sql(
          `INSERT INTO state (namespace, key, updated_at, doc) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (namespace, key) DO UPDATE SET updated_at = ?3, doc = ?4`,
        ).run(record.namespace, record.key, record.updatedAt, doc);
      });
    });
  }

  listState(namespace: string): Promise<StateRecord[]> {
    return attempt(() =>
      this.#run("reading state", () => {
        const rows = this.#sql("SELECT doc FROM state WHERE namespace = ? ORDER BY key").all(
          namespace,
        ) as unknown as DocRow[];
        return rows.map((r) => decodeStored<StateRecord>(r.doc, "state"));
      }),
    );
  }

  getState(namespace: string, key: string): Promise<StateRecord | undefined> {
    return attempt(() =>
      this.#run("reading state", () => {
        const row = this.#sql("SELECT doc FROM state WHERE namespace = ? AND key = ?").get(namespace, key) as
          DocRow | undefined;
        return row === undefined ? undefined : decodeStored<StateRecord>(row.doc, "state");
      }),
    );
  }

  deleteState(namespace: string, key: string): Promise<void> {
    return attempt(() =>
      this.#tx("deleting state", () => {
        this.#sql("DELETE FROM state WHERE namespace = ? AND key = ?").run(namespace, key);
      }),
    );
  }

  // --- incremental read state (issue #13) ---
  getReadState(analysisId: string, arm: ReadStateRecord["arm"]): Promise<ReadStateRecord | undefined> {
    return attempt(() =>
      this.#run("reading read state", () => {
        const row = this.#sql("SELECT doc FROM read_states WHERE analysis_id = ? AND arm = ?").get(
          analysisId,
          arm,
        ) as DocRow | undefined;
        return row === undefined ? undefined : decodeStored<ReadStateRecord>(row.doc, "read state");
      }),
    );
  }

  putReadState(record: ReadStateRecord): Promise<void> {
    return attempt(() => {
      checkReadStateInput(record);
      const doc = encodeStored(record, "read state");
      this.#tx("writing read state", () => {
        this.#mustGet(record.analysisId);
        this.#sql(
          `INSERT INTO read_states (analysis_id, arm, at, updated_at, doc) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (analysis_id, arm) DO UPDATE SET at = ?3, updated_at = ?4, doc = ?5`,
        ).run(record.analysisId, record.arm, record.at, record.updatedAt, doc);
      });
    });
  }
  // --- end incremental read state ---

  close(): Promise<void> {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }
}

interface OutboxRowSql {
  id: number;
  not_before: number;
  created_at: number;
  attempts: number;
  doc: string;
}

/** The outbox item of a row (its document holds target, key and payload). */
function outboxItem(r: OutboxRowSql, attempts: number): OutboxItem {
  const input = decodeStored<OutboxInput>(r.doc, "notification");
  return {
    ...input,
    id: Number(r.id),
    notBefore: Number(r.not_before),
    attempts,
    createdAt: Number(r.created_at),
  };
}
