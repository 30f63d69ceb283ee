/**
 * @module slo/problem
 * A problem found while reading SLO files: where it is (`file:line:col` and the YAML path),
 * what is wrong, and what to do about it. Validation collects all of them instead of stopping
 * at the first. Pure.
 */
import type { ErrorCode } from "../errors.ts";

export type ProblemSeverity = "error" | "warning";

/** One problem in one SLO file. `line`/`col` are 1-based; 0 when unknown. */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** YAML path of the offending node, e.g. `slos[1].objective`; empty for the whole file. */
  readonly path: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint: string;
  readonly severity: ProblemSeverity;
}

/** A YAML path as keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** Renders a path as `slos[1].sli.events.total`, or `[0].spec` for a top-level list. */
export function formatYamlPath(path: YamlPath): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? p : `.${p}`;
  }
  return out;
}

/** True when any problem is an error (warnings alone do not fail validation). */
export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === "error");
}

/** Orders problems by file, line, column; problems without a position come last in their file. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const line = (p: Problem): number => (p.line === 0 ? Number.MAX_SAFE_INTEGER : p.line);
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || line(a) - line(b) || a.col - b.col);
}

/** Renders `file:line:col: error: message (path) hint: …` — the human output of validation. */
export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  const path = p.path === "" ? "" : ` (${p.path})`;
  const hint = p.hint === "" ? "" : ` hint: ${p.hint}`;
  return `${where}: ${p.severity}: ${p.message}${path}${hint}`;
}
