/**
 * @module store/record-checks
 * Input checks shared by both store adapters, run before anything is written, so bad input
 * is refused with BAD_REQUEST/STORE_ERROR and stored state stays as it was.
 */
import { SlogateError } from "../errors.ts";
import type {
  ReadStateRecord,
  AnalysisRecord,
  BaselineRecord,
  EventRecord,
  LookRecord,
  OutboxInput,
  StateRecord,
} from "../app/store-port.ts";

function fail(message: string): never {
  throw new SlogateError("STORE_ERROR", message, {
    hint: "the record was refused and nothing was written; check the caller's input",
  });
}

function id(value: unknown, what: string): void {
  if (typeof value !== "string" || value.length === 0 || value.length > 512 || value.includes("\u0000")) {
    fail(`${what} must be a non-empty string of at most 512 characters without NUL`);
  }
}

function time(value: unknown, what: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) fail(`${what} must be a finite number`);
}

/** Checks a new analysis record. */
export function checkAnalysisInput(r: Pick<AnalysisRecord, "id" | "sloId" | "start" | "createdAt">): void {
  id(r.id, "analysis id");
  id(r.sloId, "SLO id");
  time(r.start, "analysis start");
  time(r.createdAt, "analysis createdAt");
}

/** Checks a look before it is appended. */
export function checkLookInput(look: LookRecord): void {
  id(look.analysisId, "analysis id");
  if (!Number.isInteger(look.seq) || look.seq < 1) fail("look seq must be a positive integer");
  time(look.at, "look time");
  time(look.recordedAt, "look recordedAt");
  const v = look.verdict as unknown as { verdict?: unknown } | null;
  if (
    v === null ||
    typeof v !== "object" ||
    !["pass", "fail", "inconclusive", "nodata"].includes(v.verdict as string)
  ) {
    fail("look verdict must be an SloVerdict");
  }
}

/** Checks a baseline before it is stored. */
export function checkBaselineInput(b: BaselineRecord): void {
  id(b.id, "baseline id");
  id(b.sloId, "SLO id");
  time(b.from, "baseline from");
  time(b.to, "baseline to");
  time(b.capturedAt, "baseline capturedAt");
  const c = b.counts as unknown as { total?: unknown; bad?: unknown } | null;
  if (c === null || typeof c !== "object" || typeof c.total !== "number" || typeof c.bad !== "number") {
    fail("baseline counts must have numeric total and bad");
  }
  if (!(c.total >= 0 && c.bad >= 0)) fail("baseline counts must be non-negative");
}

/** Checks an event before it is appended. */
export function checkEventInput(e: Omit<EventRecord, "id">): void {
  time(e.at, "event time");
  id(e.kind, "event kind");
  if (e.analysisId !== undefined) id(e.analysisId, "analysis id");
  if (e.payload === null || typeof e.payload !== "object" || Array.isArray(e.payload)) {
    fail("event payload must be an object");
  }
}

function plainObject(value: unknown, what: string): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail(`${what} must be an object`);
}

/** Checks a notification before it is put in the outbox. */
export function checkOutboxInput(n: OutboxInput): void {
  id(n.target, "notification target");
  id(n.key, "notification key");
  time(n.notBefore, "notification notBefore");
  plainObject(n.payload, "notification payload");
}

/** Checks a state record before it is written. */
export function checkStateInput(r: StateRecord): void {
  id(r.namespace, "state namespace");
  id(r.key, "state key");
  time(r.updatedAt, "state updatedAt");
  plainObject(r.value, "state value");
}

/** Checks a read-state record (issue #13, incremental reads). */
export function checkReadStateInput(r: ReadStateRecord): void {
  id(r.analysisId, "read state analysisId");
  if (r.arm !== "canary" && r.arm !== "stable")
    fail(`read state arm ${JSON.stringify(r.arm)} is not canary or stable`);
  time(r.at, "read state at");
  time(r.updatedAt, "read state updatedAt");
  plainObject(r.state, "read state");
}
