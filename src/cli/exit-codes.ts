/**
 * @module cli/exit-codes
 * Exit codes scripts can trust: one per verdict, one for a backend that could not answer, one
 * for a configuration or SLO problem, and the usage error every command shares.
 */
import { isSlogateError } from "../errors.ts";
import type { Verdict } from "../domain/verdict.ts";

export const EXIT = {
  pass: 0,
  fail: 1,
  usage: 2,
  inconclusive: 3,
  nodata: 4,
  /** Prometheus (or the store) could not answer: retry later, never read as a verdict. */
  unavailable: 5,
  /** The configuration or an SLO file is wrong: fix it, retrying will not help. */
  config: 6,
  /** Anything else (a bug). */
  internal: 70,
} as const;

/** The exit code of a verdict. */
export function verdictExitCode(v: Verdict | undefined): number {
  return v === undefined ? EXIT.inconclusive : EXIT[v];
}

/** The exit code of an error that ended a command. */
export function errorExitCode(e: unknown): number {
  if (!isSlogateError(e)) return EXIT.internal;
  if (e.code.startsWith("PROMETHEUS_") || e.code === "LOOK_DEADLINE_EXCEEDED" || e.code === "STORE_ERROR")
    return EXIT.unavailable;
  if (
    e.code === "CONFIG_INVALID" ||
    e.code.startsWith("SLO_") ||
    e.code === "PROMQL_INVALID" ||
    e.code === "LABEL_INVALID" ||
    e.code === "BAD_REQUEST" ||
    e.code === "NOT_FOUND"
  )
    return EXIT.config;
  return EXIT.internal;
}

/** The table printed in `--help`. */
export const EXIT_HELP =
  "Exit status: 0 pass, 1 fail, 2 usage error, 3 inconclusive, 4 nodata (an arm has no series),\n" +
  "5 backend unavailable (retry later), 6 configuration or SLO error, 70 internal error.\n";
