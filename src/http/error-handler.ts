/**
 * @module http/error-handler
 * The one place errors become HTTP responses: SlogateError codes map to statuses, body-parser
 * failures to 400/413, anything else to 500. Bodies are always JSON and never carry a stack.
 * Every read-path failure (`PROMETHEUS_*`: unreachable, timeout, non-2xx, redirect, an
 * unreadable or oversized answer, NaN/±Inf counters) is 503 — the backend's own status stays
 * in `details.backendStatus`; an SLO whose query the backend refuses as invalid
 * (`SLO_QUERY_INVALID`) is 422.
 */
import type { ErrorRequestHandler, RequestHandler } from "express";
import { SlogateError, isSlogateError, type ErrorCode } from "../errors.ts";
import type { Logger } from "../domain/verdict-event.ts";

/** HTTP status per error code. */
export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  SLO_INVALID: 422,
  SLO_NOT_FOUND: 404,
  SLO_UNSUPPORTED: 422,
  PROMQL_INVALID: 400,
  LABEL_INVALID: 400,
  PROMETHEUS_UNAVAILABLE: 503,
  PROMETHEUS_TIMEOUT: 503,
  PROMETHEUS_BAD_RESPONSE: 503,
  PROMETHEUS_QUERY_ERROR: 503,
  PROMETHEUS_HTTP_ERROR: 503,
  PROMETHEUS_ABORTED: 503,
  LOOK_DEADLINE_EXCEEDED: 503,
  TOO_MANY_ANALYSES: 429,
  PROMETHEUS_RESPONSE_TOO_LARGE: 503,
  SLO_QUERY_INVALID: 422,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  STORE_ERROR: 503,
  CONFIG_INVALID: 500,
  NOTIFY_FAILED: 500,
  INTERNAL: 500,
};

/** The JSON error body: `{ error: { code, message, hint, details } }` (plus `verdict: null`). */
export function errorBody(e: SlogateError): Record<string, unknown> {
  return { verdict: null, error: e.toJSON() };
}

function fromBodyParser(err: unknown): SlogateError | undefined {
  const e = err as { type?: unknown; status?: unknown; limit?: unknown };
  if (err instanceof URIError && e.status === 400) {
    // The router could not percent-decode a path parameter.
    return new SlogateError("BAD_REQUEST", "the path has a malformed percent-encoding", {
      hint: "percent-encode the path once (e.g. encodeURIComponent of the id); ids never need encoding, see docs/service.md",
    });
  }
  if (e.type === "entity.too.large") {
    return new SlogateError("BAD_REQUEST", `request body larger than ${String(e.limit)} bytes`, {
      hint: "send a smaller body",
      details: { status: 413 },
    });
  }
  if (e.type === "entity.parse.failed") {
    return new SlogateError("BAD_REQUEST", "request body is not valid JSON", { hint: "send a JSON object" });
  }
  if (typeof e.type === "string" && typeof e.status === "number" && e.status >= 400 && e.status < 500) {
    return new SlogateError("BAD_REQUEST", `request rejected (${e.type})`, {
      hint: "send a JSON body with Content-Type: application/json",
      details: { status: e.status },
    });
  }
  return undefined;
}

/** Express error handler; register last. */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let e: SlogateError;
    if (isSlogateError(err)) e = err;
    else {
      e =
        fromBodyParser(err) ??
        new SlogateError("INTERNAL", "internal error", {
          hint: "this is a bug in slogate; the service log has the details",
        });
    }
    // Only a refused request carries its own 4xx (413 for a body over the limit); a backend's
    // status in the details (`backendStatus`) is never passed on: a backend failure is 503.
    const own = e.details.status;
    const status =
      e.code === "BAD_REQUEST" && typeof own === "number" && own >= 400 && own < 500
        ? own
        : STATUS_BY_CODE[e.code];
    const fields = { method: req.method, path: req.path, status, code: e.code, error: err as Error };
    if (status >= 500) logger.error("request failed", fields);
    else
      logger.info("request refused", {
        method: req.method,
        path: req.path,
        status,
        code: e.code,
        message: e.message,
      });
    if (res.headersSent) return;
    res.status(status).json(errorBody(e));
  };
}

/** 404 JSON for unknown routes. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(
    new SlogateError("NOT_FOUND", `no route ${req.method} ${req.path.slice(0, 200)}`, {
      hint: "see docs/service.md for the endpoints",
    }),
  );
};
