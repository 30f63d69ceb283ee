/**
 * @module errors
 * One base error with a stable machine-readable `code`, a human `hint` saying what to do,
 * and the wrapped `cause`. Every layer throws these; the HTTP layer maps codes to statuses.
 */

/** Stable error codes. Add new ones here; never rename an existing one. */
export type ErrorCode =
  | "SLO_INVALID"
  | "SLO_NOT_FOUND"
  | "SLO_UNSUPPORTED"
  | "PROMQL_INVALID"
  | "LABEL_INVALID"
  | "PROMETHEUS_UNAVAILABLE"
  | "PROMETHEUS_TIMEOUT"
  | "PROMETHEUS_BAD_RESPONSE"
  | "PROMETHEUS_QUERY_ERROR"
  | "PROMETHEUS_HTTP_ERROR"
  | "PROMETHEUS_ABORTED"
  | "LOOK_DEADLINE_EXCEEDED"
  | "TOO_MANY_ANALYSES"
  | "PROMETHEUS_RESPONSE_TOO_LARGE"
  | "SLO_QUERY_INVALID"
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "NOT_FOUND"
  | "CONFLICT"
  | "STORE_ERROR"
  | "CONFIG_INVALID"
  | "NOTIFY_FAILED"
  | "INTERNAL";

/** The base error of slogate. `hint` tells the user what to do about it. */
export class SlogateError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SlogateError";
    this.code = code;
    this.hint = options.hint ?? "";
    this.details = options.details ?? {};
  }

  /** JSON shape used in HTTP bodies and `--format json` output. Never includes a stack. */
  toJSON(): { code: ErrorCode; message: string; hint: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, hint: this.hint, details: { ...this.details } };
  }
}

/** True when `e` is a SlogateError, optionally with one of the given codes. */
export function isSlogateError(e: unknown, ...codes: ErrorCode[]): e is SlogateError {
  return e instanceof SlogateError && (codes.length === 0 || codes.includes(e.code));
}
