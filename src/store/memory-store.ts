/**
 * @module store/memory-store
 * The in-memory twin of `SqliteStore`: same contract, same encoding (values are kept as the
 * JSON text SQLite would hold, so both behave alike), nothing survives the process.
 */
import { SlogateError } from "../errors.ts";
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

/** A Store kept in process memory (tests, `slogate analyze`, and `store: memory` configs). */
export class MemoryStore implements Store {
  readonly #analyses = new Map<string, string>();
  readonly #looks = new Map<string, string[]>();
  readonly #baselines = new Map<string, string>();
  #events: string[] = [];
  #nextEventId = 1;
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

  createAnalysis(
    record: Omit<AnalysisRecord, "looks" | "lastVerdict" | "judgeState" | "status">,
  ): AnalysisRecord {
    this.#open();
    checkAnalysisInput(record);
    if (this.#analyses.has(record.id)) throw alreadyExists("analysis", record.id);
    const full: AnalysisRecord = { ...record, status: "open", looks: 0 };
    this.#analyses.set(record.id, encodeStored(full, "analysis"));
    this.#looks.set(record.id, []);
    return this.#readAnalysis(record.id)!;
  }

  getAnalysis(id: string): AnalysisRecord | undefined {
    this.#open();
    return this.#readAnalysis(id);
  }

  listAnalyses(query: AnalysisQuery = {}): AnalysisRecord[] {
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
  }

  appendLook(look: LookRecord, update: LookUpdate): AnalysisRecord {
    this.#open();
    checkLookInput(look);
    const current = this.#readAnalysis(look.analysisId);
    if (current === undefined) throw analysisNotFound(look.analysisId, "create the analysis first");
    const next = analysisAfterLook(current, look, update);
    const lookText = encodeStored(look, "look");
    const nextText = encodeStored(next, "analysis");
    this.#looks.get(look.analysisId)!.push(lookText);
    this.#analyses.set(look.analysisId, nextText);
    return this.#readAnalysis(look.analysisId)!;
  }

  listLooks(analysisId: string): LookRecord[] {
    this.#open();
    return (this.#looks.get(analysisId) ?? []).map((t) => decodeStored<LookRecord>(t, "look"));
  }

  closeAnalysis(id: string, outcome: AnalysisOutcome, at: number): AnalysisRecord {
    this.#open();
    const current = this.#mustGet(id);
    if (current.status === "closed") return current;
    this.#analyses.set(id, encodeStored(closedAnalysis(current, outcome, at), "analysis"));
    return this.#readAnalysis(id)!;
  }

  setAnalysisBaseline(id: string, baselineId: string, at: number): AnalysisRecord {
    this.#open();
    const current = this.#mustGet(id);
    this.#analyses.set(id, encodeStored({ ...current, baselineId, updatedAt: at }, "analysis"));
    return this.#readAnalysis(id)!;
  }

  deleteAnalysesBefore(before: number): number {
    this.#open();
    let n = 0;
    for (const [id, text] of [...this.#analyses]) {
      if (decodeStored<AnalysisRecord>(text, "analysis").updatedAt < before) {
        this.#analyses.delete(id);
        this.#looks.delete(id);
        this.#events = this.#events.filter((e) => decodeStored<EventRecord>(e, "event").analysisId !== id);
        n++;
      }
    }
    return n;
  }

  deleteBaselinesBefore(before: number): number {
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
  }

  putBaseline(record: BaselineRecord): BaselineRecord {
    this.#open();
    checkBaselineInput(record);
    if (this.#baselines.has(record.id)) throw alreadyExists("baseline", record.id);
    this.#baselines.set(record.id, encodeStored(record, "baseline"));
    return this.getBaseline(record.id)!;
  }

  getBaseline(id: string): BaselineRecord | undefined {
    this.#open();
    const text = this.#baselines.get(id);
    return text === undefined ? undefined : decodeStored<BaselineRecord>(text, "baseline");
  }

  latestBaseline(sloId: string, at?: number): BaselineRecord | undefined {
    return this.listBaselines({ sloId, limit: Number.MAX_SAFE_INTEGER }).find(
      (b) => at === undefined || b.capturedAt <= at,
    );
  }

  listBaselines(query: BaselineQuery = {}): BaselineRecord[] {
    this.#open();
    return [...this.#baselines.values()]
      .map((t) => decodeStored<BaselineRecord>(t, "baseline"))
      .filter((b) => query.sloId === undefined || b.sloId === query.sloId)
      .filter((b) => query.analysisId === undefined || b.analysisId === query.analysisId)
      .sort((a, b) => b.capturedAt - a.capturedAt || (a.id < b.id ? 1 : -1))
      .slice(0, query.limit ?? 100);
  }

  appendEvent(event: Omit<EventRecord, "id">): EventRecord {
    this.#open();
    checkEventInput(event);
    const full: EventRecord = { ...event, id: this.#nextEventId };
    const text = encodeStored(full, "event");
    this.#nextEventId++;
    this.#events.push(text);
    return decodeStored<EventRecord>(text, "event");
  }

  listEvents(query: { readonly analysisId?: string; readonly limit?: number } = {}): EventRecord[] {
    this.#open();
    const all = this.#events
      .map((t) => decodeStored<EventRecord>(t, "event"))
      .filter((e) => query.analysisId === undefined || e.analysisId === query.analysisId);
    return all.slice(Math.max(0, all.length - (query.limit ?? 1000)));
  }

  checkWritable(_at: number): void {
    this.#open();
  }

  close(): void {
    this.#closed = true;
  }
}
