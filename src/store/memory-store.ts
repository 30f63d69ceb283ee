/**
 * @module store/memory-store
 * The in-memory twin of `SqliteStore`: same contract, same encoding (values are kept as the
 * JSON text SQLite would hold, so both behave alike), nothing survives the process. Locks,
 * ticks, leases and the outbox coordinate within this process only.
 */
import { finalOver } from "./analysis-transitions.ts";
import { SlogateError } from "../errors.ts";
import { attempt } from "./attempt.ts";
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

interface OutboxRow {
  item: OutboxItem;
  owner: string | undefined;
  leaseUntil: number;
  done: boolean;
  settledAt: number | undefined;
}

/** A Store kept in process memory (tests, `slogate analyze`, and `store: memory` configs). */
export class MemoryStore implements Store {
  readonly #analyses = new Map<string, string>();
  readonly #looks = new Map<string, string[]>();
  /** Index of each analysis' stored looks by time (the idempotent-look rule without a scan). */
  readonly #lookAt = new Map<string, Map<number, string>>();
  readonly #baselines = new Map<string, string>();
  #events: string[] = [];
  #nextEventId = 1;
  readonly #locks = new KeyedLock();
  readonly #ticks = new Map<string, number>();
  readonly #leases = new Map<string, { owner: string; until: number }>();
  readonly #outbox: OutboxRow[] = [];
  readonly #outboxKeys = new Set<string>();
  #nextOutboxId = 1;
  readonly #state = new Map<string, string>();
  /** Incremental read states by analysis id + arm (issue #13). */
  readonly #readStates = new Map<string, string>();
  #closed = false;

  #open(): void {
    if (this.#closed) throw new SlogateError("STORE_ERROR", "store is closed", { hint: "this is a bug" });
  }

  #readAnalysis(id: string): AnalysisRecord | undefined {
    const text = this.#analyses.get(id);
    return text === undefined ? undefined : decodeStored<AnalysisRecord>(text, "analysis");
  }

  #mustGet(id: string): AnalysisRecord {
    const a = this.#readAnalysis(id);
    if (a === undefined) throw analysisNotFound(id);
    return a;
  }

  #enqueue(items: readonly OutboxInput[], at: number): number {
    let n = 0;
    for (const i of items) {
      const key = `${i.target}\u0000${i.key}`;
      if (this.#outboxKeys.has(key)) continue;
      this.#outboxKeys.add(key);
      const item: OutboxItem = decodeStored(
        encodeStored({ ...i, id: this.#nextOutboxId++, attempts: 0, createdAt: at }, "notification"),
        "notification",
      );
      this.#outbox.push({ item, owner: undefined, leaseUntil: 0, done: false, settledAt: undefined });
      n++;
    }
    return n;
  }

  createAnalysis(
    record: Omit<AnalysisRecord, "looks" | "lastVerdict" | "judgeState" | "status">,
  ): Promise<AnalysisRecord> {
    return attempt(() => {
      this.#open();
      checkAnalysisInput(record);
      if (this.#analyses.has(record.id)) throw alreadyExists("analysis", record.id);
      const full: AnalysisRecord = { ...record, status: "open", looks: 0 };
      this.#analyses.set(record.id, encodeStored(full, "analysis"));
      this.#looks.set(record.id, []);
      this.#lookAt.set(record.id, new Map());
      return this.#readAnalysis(record.id)!;
    });
  }

  getAnalysis(id: string): Promise<AnalysisRecord | undefined> {
    return attempt(() => {
      this.#open();
      return this.#readAnalysis(id);
    });
  }

  listAnalyses(query: AnalysisQuery = {}): Promise<AnalysisRecord[]> {
    return attempt(() => {
      this.#open();
      const all = [...this.#analyses.values()].map((t) => decodeStored<AnalysisRecord>(t, "analysis"));
      return all
        .filter(
          (a) =>
            (query.status === undefined || a.status === query.status) &&
            (query.sloId === undefined || a.sloId === query.sloId),
        )
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        .slice(0, query.limit ?? 100);
    });
  }

  appendLook(look: LookRecord, update: LookUpdate): Promise<AppendedLook> {
    return attempt(() => {
      this.#open();
      checkLookInput(look);
      const current = this.#readAnalysis(look.analysisId);
      if (current === undefined) throw analysisNotFound(look.analysisId, "create the analysis first");
      const stored = this.#looks.get(look.analysisId)!;
      const byTime = this.#lookAt.get(look.analysisId)!;
      const same = byTime.get(look.at);
      const before = same === undefined ? undefined : decodeStored<LookRecord>(same, "look");
      if (before !== undefined && !finalOver(look, before)) {
        return { analysis: current, look: before, replayed: true };
      }
      const next = analysisAfterLook(current, look, update);
      const lookText = encodeStored(look, "look");
      const nextText = encodeStored(next, "analysis");
      for (const n of update.notifications ?? []) checkOutboxInput(n);
      encodeStored(update.notifications ?? [], "notification");
      stored.push(lookText);
      byTime.set(look.at, lookText);
      this.#analyses.set(look.analysisId, nextText);
      this.#enqueue(update.notifications ?? [], update.updatedAt);
      return {
        analysis: this.#readAnalysis(look.analysisId)!,
        look: decodeStored<LookRecord>(lookText, "look"),
        replayed: false,
      };
    });
  }

  listLooks(analysisId: string): Promise<LookRecord[]> {
    return attempt(() => {
      this.#open();
      return (this.#looks.get(analysisId) ?? []).map((t) => decodeStored<LookRecord>(t, "look"));
    });
  }

  closeAnalysis(id: string, outcome: AnalysisOutcome, at: number): Promise<AnalysisRecord> {
    return attempt(() => {
      this.#open();
      const current = this.#mustGet(id);
      if (current.status === "closed") return current;
      this.#analyses.set(id, encodeStored(closedAnalysis(current, outcome, at), "analysis"));
      return this.#readAnalysis(id)!;
    });
  }

  setAnalysisBaseline(id: string, baselineId: string, at: number): Promise<AnalysisRecord> {
    return attempt(() => {
      this.#open();
      const current = this.#mustGet(id);
      this.#analyses.set(id, encodeStored({ ...current, baselineId, updatedAt: at }, "analysis"));
      return this.#readAnalysis(id)!;
    });
  }

  deleteAnalysesBefore(before: number): Promise<number> {
    return attempt(() => {
      this.#open();
      let n = 0;
      for (const [id, text] of [...this.#analyses]) {
        if (decodeStored<AnalysisRecord>(text, "analysis").updatedAt < before) {
          this.#analyses.delete(id);
          this.#looks.delete(id);
          this.#lookAt.delete(id);
          this.#readStates.delete(`${id}\u0000canary`);
          this.#readStates.delete(`${id}\u0000stable`);
          this.#events = this.#events.filter((e) => decodeStored<EventRecord>(e, "event").analysisId !== id);
          n++;
        }
      }
      for (const [key, at] of [...this.#ticks]) if (at < before) this.#ticks.delete(key);
      for (let i = this.#outbox.length - 1; i >= 0; i--) {
        const row = this.#outbox[i]!;
        if (row.done && row.settledAt !== undefined && row.settledAt < before) {
          this.#outbox.splice(i, 1);
          this.#outboxKeys.delete(`${row.item.target}\u0000${row.item.key}`);
        }
      }
      return n;
    });
  }

  deleteBaselinesBefore(before: number): Promise<number> {
    return attempt(() => {
      this.#open();
      const all = [...this.#baselines.values()].map((t) => decodeStored<BaselineRecord>(t, "baseline"));
      const newest = new Map<string, BaselineRecord>();
      for (const b of all) {
        const cur = newest.get(b.sloId);
        if (cur === undefined || b.capturedAt > cur.capturedAt) newest.set(b.sloId, b);
      }
      let n = 0;
      for (const b of all) {
        if (b.capturedAt < before && newest.get(b.sloId)?.id !== b.id) {
          this.#baselines.delete(b.id);
          n++;
        }
      }
      return n;
    });
  }

  putBaseline(record: BaselineRecord): Promise<BaselineRecord> {
    return attempt(() => {
      this.#open();
      checkBaselineInput(record);
      if (this.#baselines.has(record.id)) throw alreadyExists("baseline", record.id);
      this.#baselines.set(record.id, encodeStored(record, "baseline"));
      return decodeStored<BaselineRecord>(this.#baselines.get(record.id)!, "baseline");
    });
  }

  getBaseline(id: string): Promise<BaselineRecord | undefined> {
    return attempt(() => {
      this.#open();
      const text = this.#baselines.get(id);
      return text === undefined ? undefined : decodeStored<BaselineRecord>(text, "baseline");
    });
  }

  async latestBaseline(sloId: string, at?: number): Promise<BaselineRecord | undefined> {
    const all = await this.listBaselines({ sloId, limit: Number.MAX_SAFE_INTEGER });
    return all.find((b) => at === undefined || b.capturedAt <= at);
  }

  listBaselines(query: BaselineQuery = {}): Promise<BaselineRecord[]> {
    return attempt(() => {
      this.#open();
      return [...this.#baselines.values()]
        .map((t) => decodeStored<BaselineRecord>(t, "baseline"))
        .filter((b) => query.sloId === undefined || b.sloId === query.sloId)
        .filter((b) => query.analysisId === undefined || b.analysisId === query.analysisId)
        .sort((a, b) => b.capturedAt - a.capturedAt || (a.id < b.id ? 1 : -1))
        .slice(0, query.limit ?? 100);
    });
  }

  appendEvent(event: Omit<EventRecord, "id">): Promise<EventRecord> {
    return attempt(() => {
      this.#open();
      checkEventInput(event);
      const full: EventRecord = { ...event, id: this.#nextEventId };
      const text = encodeStored(full, "event");
      this.#nextEventId++;
      this.#events.push(text);
      return decodeStored<EventRecord>(text, "event");
    });
  }

  listEvents(query: { readonly analysisId?: string; readonly limit?: number } = {}): Promise<EventRecord[]> {
    return attempt(() => {
      this.#open();
      const all = this.#events
        .map((t) => decodeStored<EventRecord>(t, "event"))
        .filter((e) => query.analysisId === undefined || e.analysisId === query.analysisId);
      return all.slice(Math.max(0, all.length - (query.limit ?? 1000)));
    });
  }

  async withAnalysisLock<T>(analysisId: string, fn: () => Promise<T>): Promise<T> {
    this.#open();
    return this.#locks.run(analysisId, fn);
  }

  claimTick(key: string, _owner: string, at: number): Promise<boolean> {
    return attempt(() => {
      this.#open();
      if (this.#ticks.has(key)) return false;
      this.#ticks.set(key, at);
      return true;
    });
  }

  acquireLease(name: string, owner: string, at: number, ttlSeconds: number): Promise<boolean> {
    return attempt(() => {
      this.#open();
      const cur = this.#leases.get(name);
      if (cur !== undefined && cur.owner !== owner && cur.until > at) return false;
      this.#leases.set(name, { owner, until: at + ttlSeconds });
      return true;
    });
  }

  releaseLease(name: string, owner: string): Promise<void> {
    return attempt(() => {
      this.#open();
      if (this.#leases.get(name)?.owner === owner) this.#leases.delete(name);
    });
  }

  enqueueNotifications(items: readonly OutboxInput[], at: number): Promise<number> {
    return attempt(() => {
      this.#open();
      for (const i of items) checkOutboxInput(i);
      encodeStored(items, "notification");
      return this.#enqueue(items, at);
    });
  }

  claimNotifications(
    target: string,
    owner: string,
    at: number,
    leaseSeconds: number,
    limit: number,
  ): Promise<OutboxItem[]> {
    return attempt(() => {
      this.#open();
      const out: OutboxItem[] = [];
      for (const row of this.#outbox) {
        if (out.length >= limit) break;
        if (row.done || row.item.target !== target || row.item.notBefore > at) continue;
        if (row.owner !== undefined && row.leaseUntil > at) continue;
        row.owner = owner;
        row.leaseUntil = at + leaseSeconds;
        row.item = { ...row.item, attempts: row.item.attempts + 1 };
        out.push(row.item);
      }
      return out;
    });
  }

  settleNotification(
    id: number,
    owner: string,
    outcome: { readonly delivered: true } | { readonly retryAt: number } | { readonly dropped: string },
    at: number,
  ): Promise<boolean> {
    return attempt(() => {
      this.#open();
      const row = this.#outbox.find((r) => r.item.id === id);
      if (row === undefined || row.done || row.owner !== owner) return false;
      if ("retryAt" in outcome) {
        row.owner = undefined;
        row.leaseUntil = 0;
        row.item = { ...row.item, notBefore: outcome.retryAt };
      } else {
        row.done = true;
        row.settledAt = at;
      }
      return true;
    });
  }

  pendingNotifications(target: string): Promise<number> {
    return attempt(() => {
      this.#open();
      return this.#outbox.filter((r) => !r.done && r.item.target === target).length;
    });
  }

  putState(record: StateRecord): Promise<void> {
    return attempt(() => {
      this.#open();
      checkStateInput(record);
      this.#state.set(`${record.namespace}\u0000${record.key}`, encodeStored(record, "state"));
    });
  }

  listState(namespace: string): Promise<StateRecord[]> {
    return attempt(() => {
      this.#open();
      return [...this.#state.values()]
        .map((t) => decodeStored<StateRecord>(t, "state"))
        .filter((r) => r.namespace === namespace)
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    });
  }

  getState(namespace: string, key: string): Promise<StateRecord | undefined> {
    return attempt(() => {
      this.#open();
      const t = this.#state.get(`${namespace}\u0000${key}`);
      return t === undefined ? undefined : decodeStored<StateRecord>(t, "state");
    });
  }

  deleteState(namespace: string, key: string): Promise<void> {
    return attempt(() => {
      this.#open();
      this.#state.delete(`${namespace}\u0000${key}`);
    });
  }

  // --- incremental read state (issue #13) ---
  getReadState(analysisId: string, arm: ReadStateRecord["arm"]): Promise<ReadStateRecord | undefined> {
    return attempt(() => {
      this.#open();
      const text = this.#readStates.get(`${analysisId}\u0000${arm}`);
      return text === undefined ? undefined : decodeStored<ReadStateRecord>(text, "read state");
    });
  }

  putReadState(record: ReadStateRecord): Promise<void> {
    return attempt(() => {
      this.#open();
      checkReadStateInput(record);
      this.#mustGet(record.analysisId);
      this.#readStates.set(`${record.analysisId}\u0000${record.arm}`, encodeStored(record, "read state"));
    });
  }
  // --- end incremental read state ---

  checkWritable(_at: number): Promise<void> {
    return attempt(() => this.#open());
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}
