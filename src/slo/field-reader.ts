/**
 * @module slo/field-reader
 * Typed reading of one YAML document's plain data with every problem recorded at its
 * `file:line:col` and YAML path: wrong types, missing and unknown fields (with a "did you
 * mean" hint). The three input-format parsers share it. Pure.
 */
import type { ErrorCode } from "../errors.ts";
import type { Problem, ProblemSeverity, YamlPath } from "./problem.ts";
import { formatYamlPath } from "./problem.ts";
import type { Position, YamlDocument } from "./yaml-source.ts";

/** Problems reported per file at most; beyond, one summary problem (bounded work on junk). */
export const MAX_PROBLEMS_PER_FILE = 100;
const ERROR_COUNTS = new WeakMap<Problem[], { scanned: number; errors: number }>();
const PROBLEM_COUNTS = new WeakMap<Problem[], Map<string, number>>();

/** A plain YAML mapping. */
export type YamlMap = Record<string, unknown>;

/** Reads fields of one document and records problems. */
export class FieldReader {
  readonly doc: YamlDocument;
  readonly problems: Problem[];

  constructor(doc: YamlDocument, problems: Problem[]) {
    this.doc = doc;
    this.problems = problems;
  }

  /**
   * Records a problem at `path` (at the key itself when `onKey`). After
   * MAX_PROBLEMS_PER_FILE problems in one file, further ones are summarised in a single one.
   */
  report(
    path: YamlPath,
    message: string,
    hint: string,
    options: { code?: ErrorCode; severity?: ProblemSeverity; onKey?: boolean; at?: Position } = {},
  ): void {
    const perFile = PROBLEM_COUNTS.get(this.problems) ?? new Map<string, number>();
    PROBLEM_COUNTS.set(this.problems, perFile);
    const n = (perFile.get(this.doc.file) ?? 0) + 1;
    perFile.set(this.doc.file, n);
    if (n > MAX_PROBLEMS_PER_FILE + 1) return;
    if (n === MAX_PROBLEMS_PER_FILE + 1) {
      this.problems.push({
        file: this.doc.file,
        line: 0,
        col: 0,
        path: "",
        code: options.code ?? "SLO_INVALID",
        message: `more than ${MAX_PROBLEMS_PER_FILE} problems in this file; the rest are not shown`,
        hint: "fix the problems above and validate again",
        severity: "error",
      });
      return;
    }
    const pos = options.at ?? this.doc.position(path, options.onKey ?? false);
    this.problems.push({
      file: this.doc.file,
      line: pos.line,
      col: pos.col,
      path: formatYamlPath(path),
      code: options.code ?? "SLO_INVALID",
      message,
      hint,
      severity: options.severity ?? "error",
    });
  }

  /** The value at `path` in the document's data. */
  get(path: YamlPath): unknown {
    let v: unknown = this.doc.value;
    for (const p of path) {
      if (v === null || typeof v !== "object") return undefined;
      v = (v as Record<string | number, unknown>)[p];
    }
    return v;
  }

  /** The mapping at `path`, or undefined (reported when present with another type, or required). */
  map(path: YamlPath, required = false): YamlMap | undefined {
    const v = this.get(path);
    if (v === undefined || v === null) {
      if (required) this.missing(path);
      return undefined;
    }
    if (typeof v !== "object" || Array.isArray(v)) {
      this.report(path, `expected a mapping, got ${describe(v)}`, `write ${last(path)} as key: value pairs`);
      return undefined;
    }
    return v as YamlMap;
  }

  /** The sequence at `path`, or undefined (reported when present with another type, or required). */
  list(path: YamlPath, required = false): unknown[] | undefined {
    const v = this.get(path);
    if (v === undefined || v === null) {
      if (required) this.missing(path);
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.report(path, `expected a list, got ${describe(v)}`, `write ${last(path)} as a YAML list (- item)`);
      return undefined;
    }
    return v as unknown[];
  }

  /** A string field; numbers and booleans are accepted as their text when `coerce`. */
  string(path: YamlPath, required = false, coerce = false): string | undefined {
    const v = this.get(path);
    if (v === undefined || v === null) {
      if (required) this.missing(path);
      return undefined;
    }
    if (typeof v === "string") return v;
    if (coerce && (typeof v === "number" || typeof v === "boolean")) return String(v);
    this.report(
      path,
      `expected a string, got ${describe(v)}`,
      typeof v === "object" ? `write ${last(path)} as one text value` : `quote the value of ${last(path)}`,
    );
    return undefined;
  }

  /** A non-empty string field. */
  nonEmptyString(path: YamlPath, required = false): string | undefined {
    const s = this.string(path, required);
    if (s !== undefined && s.trim() === "") {
      this.report(path, `${last(path)} is empty`, `give ${last(path)} a value`);
      return undefined;
    }
    return s;
  }

  /** A finite number field (numeric strings are not accepted). */
  number(path: YamlPath, required = false): number | undefined {
    const v = this.get(path);
    if (v === undefined || v === null) {
      if (required) this.missing(path);
      return undefined;
    }
    if (typeof v === "number" && Number.isFinite(v)) return v;
    this.report(path, `expected a number, got ${describe(v)}`, `write ${last(path)} as a plain number`);
    return undefined;
  }

  /** A boolean field. */
  boolean(path: YamlPath): boolean | undefined {
    const v = this.get(path);
    if (v === undefined || v === null) return undefined;
    if (typeof v === "boolean") return v;
    this.report(path, `expected true or false, got ${describe(v)}`, `write ${last(path)}: true or false`);
    return undefined;
  }

  /** A mapping of strings (labels, annotations); scalar values are taken as text. */
  stringMap(path: YamlPath): Record<string, string> {
    const m = this.map(path);
    const out: Record<string, string> = {};
    if (m === undefined) return out;
    for (const k of Object.keys(m)) {
      const s = this.string([...path, k], false, true);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }

  /** Reports every key of the mapping at `path` that is not in `allowed`. */
  onlyKeys(path: YamlPath, allowed: readonly string[], context = ""): void {
    const m = this.get(path);
    if (m === null || typeof m !== "object" || Array.isArray(m)) return;
    for (const k of Object.keys(m)) {
      if (allowed.includes(k)) continue;
      const near = closest(k, allowed);
      this.report(
        [...path, k],
        `unknown field ${JSON.stringify(k)}${context === "" ? "" : ` in ${context}`}`,
        near === undefined
          ? `allowed fields: ${allowed.join(", ")}`
          : `did you mean ${JSON.stringify(near)}? allowed fields: ${allowed.join(", ")}`,
        { onKey: true },
      );
    }
  }

  /** Number of errors recorded so far (by every reader sharing the list); a mark to compare. */
  errorCount(): number {
    // Counted incrementally per list, so calling it per SLO stays linear in the problems.
    const c = ERROR_COUNTS.get(this.problems) ?? { scanned: 0, errors: 0 };
    for (; c.scanned < this.problems.length; c.scanned++) {
      if (this.problems[c.scanned]?.severity === "error") c.errors++;
    }
    ERROR_COUNTS.set(this.problems, c);
    return c.errors;
  }

  /** Reports a required field that is absent (at its parent). */
  missing(path: YamlPath, hint = ""): void {
    this.report(path, `missing required field ${JSON.stringify(last(path))}`, hint || `add ${last(path)}`);
  }
}

/** Describes a value's YAML type for messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${JSON.stringify(v) ?? typeof v}`;
}

function last(path: YamlPath): string {
  const l = path[path.length - 1];
  return l === undefined ? "the document" : String(l);
}

/** The allowed name nearest to `name` (edit distance ≤ 2 or case-insensitive/underscore match). */
function closest(name: string, allowed: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[_-]/g, "");
  const same = allowed.find((a) => norm(a) === norm(name));
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestD = 3;
  for (const a of allowed) {
    const d = editDistance(name.toLowerCase(), a.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] ?? 3;
}
