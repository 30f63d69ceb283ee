/**
 * @module store/sqlite-store
 * The embedded store: one `node:sqlite` database file in the data directory, WAL mode,
 * versioned schema migrations (`PRAGMA user_version`), every write in a transaction.
 * Records are kept as JSON documents next to the few columns queries need.
 */
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
import { decodeStored, encodeStored } from "./json-codec.ts";
import { checkAnalysisInput, checkBaselineInput, checkEventInput, checkLookInput } from "./record-checks.ts";
import type {
  BaselineQuery,
  AnalysisOutcome,
  AnalysisQuery,
  AnalysisRecord,
  BaselineRecord,
  EventRecord,
  LookRecord,
  LookUpdate,
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
  ): AnalysisRecord {
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
  }

  getAnalysis(id: string): AnalysisRecord | undefined {
    return this.#run("reading analysis", () => this.#readAnalysis(id));
  }

  listAnalyses(query: AnalysisQuery = {}): AnalysisRecord[] {
    return this.#run("listing analyses", () => {
      const rows = this.#sql(
        `SELECT doc FROM analyses WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR slo_id = ?2)
           ORDER BY created_at DESC, id DESC LIMIT ?3`,
      ).all(query.status ?? null, query.sloId ?? null, query.limit ?? 100) as unknown as DocRow[];
      return rows.map((r) => decodeStored<AnalysisRecord>(r.doc, "analysis"));
    });
  }

  appendLook(look: LookRecord, update: LookUpdate): AnalysisRecord {
    checkLookInput(look);
    const lookDoc = encodeStored(look, "look");
    // The judge state is checked when the analysis document is encoded, inside the
    // transaction: a state that cannot be stored rolls the look back too.
    return this.#tx("recording look", () => {
      const next = analysisAfterLook(this.#mustGet(look.analysisId), look, update);
      this.#sql("INSERT INTO looks (analysis_id, seq, at, doc) VALUES (?, ?, ?, ?)").run(
        look.analysisId,
        look.seq,
        look.at,
        lookDoc,
      );
      return this.#writeAnalysis(next);
    });
  }

  listLooks(analysisId: string): LookRecord[] {
    return this.#run("listing looks", () => {
      const rows = this.#sql("SELECT doc FROM looks WHERE analysis_id = ? ORDER BY seq").all(
        analysisId,
      ) as unknown as DocRow[];
      return rows.map((r) => decodeStored<LookRecord>(r.doc, "look"));
    });
  }

  closeAnalysis(id: string, outcome: AnalysisOutcome, at: number): AnalysisRecord {
    return this.#tx("closing analysis", () => {
      const current = this.#mustGet(id);
      if (current.status === "closed") return current;
      return this.#writeAnalysis(closedAnalysis(current, outcome, at));
    });
  }

  setAnalysisBaseline(id: string, baselineId: string, at: number): AnalysisRecord {
    return this.#tx("pinning baseline", () => {
      const current = this.#mustGet(id);
      return this.#writeAnalysis({ ...current, baselineId, updatedAt: at });
    });
  }

  deleteAnalysesBefore(before: number): number {
    return this.#tx("expiring analyses", () => {
      this.#sql("DELETE FROM events WHERE analysis_id IN (SELECT id FROM analyses WHERE updated_at < ?)").run(
        before,
      );
      return Number(this.#sql("DELETE FROM analyses WHERE updated_at < ?").run(before).changes);
    });
  }

  deleteBaselinesBefore(before: number): number {
    return this.#tx("expiring baselines", () => {
      const r = this.#sql(
        `DELETE FROM baselines WHERE captured_at < ? AND id NOT IN (
             SELECT b.id FROM baselines b WHERE b.captured_at = (
               SELECT MAX(c.captured_at) FROM baselines c WHERE c.slo_id = b.slo_id))`,
      ).run(before);
      return Number(r.changes);
    });
  }

  putBaseline(record: BaselineRecord): BaselineRecord {
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
  }

  getBaseline(id: string): BaselineRecord | undefined {
    return this.#run("reading baseline", () => {
      const row = this.#sql("SELECT doc FROM baselines WHERE id = ?").get(id) as DocRow | undefined;
      return row === undefined ? undefined : decodeStored<BaselineRecord>(row.doc, "baseline");
    });
  }

  latestBaseline(sloId: string, at?: number): BaselineRecord | undefined {
    return this.#run("reading baseline", () => {
      const row = this.#sql(
        "SELECT doc FROM baselines WHERE slo_id = ?1 AND (?2 IS NULL OR captured_at <= ?2) ORDER BY captured_at DESC, id DESC LIMIT 1",
      ).get(sloId, at ?? null) as DocRow | undefined;
      return row === undefined ? undefined : decodeStored<BaselineRecord>(row.doc, "baseline");
    });
  }

  listBaselines(query: BaselineQuery = {}): BaselineRecord[] {
    return this.#run("listing baselines", () => {
      const rows = this.#sql(
        "SELECT doc FROM baselines WHERE (?1 IS NULL OR slo_id = ?1) AND (?3 IS NULL OR json_extract(doc, '$.analysisId') = ?3) ORDER BY captured_at DESC, id DESC LIMIT ?2",
      ).all(query.sloId ?? null, query.limit ?? 100, query.analysisId ?? null) as unknown as DocRow[];
      return rows.map((r) => decodeStored<BaselineRecord>(r.doc, "baseline"));
    });
  }

  appendEvent(event: Omit<EventRecord, "id">): EventRecord {
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
  }

  listEvents(query: { readonly analysisId?: string; readonly limit?: number } = {}): EventRecord[] {
    return this.#run("listing events", () => {
      const rows = this.#sql(
        `SELECT doc FROM (SELECT id, doc FROM events WHERE (?1 IS NULL OR analysis_id = ?1) ORDER BY id DESC LIMIT ?2)
           ORDER BY id`,
      ).all(query.analysisId ?? null, query.limit ?? 1000) as unknown as DocRow[];
      return rows.map((r) => decodeStored<EventRecord>(r.doc, "event"));
    });
  }

  checkWritable(at: number): void {
    this.#tx("checking the store is writable", () => {
      this.#sql("INSERT OR REPLACE INTO meta (key, value) VALUES ('ready-check', ?)").run(String(at));
    });
  }

  close(): void {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
  }
}
