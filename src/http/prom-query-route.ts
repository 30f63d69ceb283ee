/**
 * @module http/prom-query-route
 * slogate's Prometheus-compatible instant-query endpoint, `GET /api/v1/query?query=…` (and
 * `POST` with a form body, as Prometheus accepts), for Flagger's `prometheus` metric provider
 * (flagger `pkg/metrics/providers/prometheus.go`): Flagger fails a check on a status ≥ 400,
 * reads `data.result[].value[1]` of the last series as a JSON string, and probes with
 * `vector(1)`. Translation only: parse the query (`promql/verdict-query`), run the use case
 * (`app/prom-query`), answer Prometheus' JSON — errors too:
 * `{"status":"error","errorType":"bad_data"|"execution"|"unavailable"|"internal","error":"…"}`.
 *
 * Auth: the service's tokens (`auth.tokens`), as `Authorization: Bearer <token>` (a Secret
 * with `token`) or HTTP basic auth with the token as the password (a Secret with `username`
 * and `password`) — the two forms Flagger's `secretRef` sends. Open when no token is set.
 */
import express, { Router, type ErrorRequestHandler, type RequestHandler } from "express";
import { answerVerdictQuery } from "../app/prom-query.ts";
import { SlogateError, isSlogateError } from "../errors.ts";
import { parseVerdictQuery } from "../promql/verdict-query.ts";
import { tokenMatches } from "./bearer-auth.ts";
import { STATUS_BY_CODE } from "./error-handler.ts";
import type { HttpDeps } from "./http-deps.ts";
import { optionalText, optionalTime } from "./request-fields.ts";

/** Prometheus' error body. */
function promError(status: number, message: string): Record<string, unknown> {
  const errorType =
    status === 422 ? "execution" : status === 503 ? "unavailable" : status < 500 ? "bad_data" : "internal";
  return { status: "error", errorType, error: message };
}

/** The credential of a request: a bearer token, or the password of basic auth. */
function presented(header: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer !== null) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic === null) return undefined;
  const decoded = Buffer.from(basic[1] ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function auth(tokens: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (tokens.length === 0) return next();
    const p = presented(req.get("authorization") ?? "");
    if (p !== undefined && tokenMatches(p, tokens)) return next();
    res
      .status(401)
      .json(
        promError(
          401,
          "missing or invalid credentials: send Authorization: Bearer <token> (a secretRef with token) or basic auth with a token of auth.tokens as the password (a secretRef with username and password)",
        ),
      );
  };
}

/** Routes of the query endpoint; register before the JSON body parser (POST is a form). */
export function promQueryRouter(deps: HttpDeps): Router {
  const router = Router();
  const handle: RequestHandler = async (req, res) => {
    const fields = {
      ...(req.query as Record<string, unknown>),
      ...((req.body ?? {}) as Record<string, unknown>),
    };
    const text = optionalText(fields.query, "query") ?? "";
    const at = optionalTime(fields.time, "time") ?? deps.now();
    const q = parseVerdictQuery(text);
    if (q.kind === "constant") {
      res.json({
        status: "success",
        data: { resultType: "vector", result: [{ metric: {}, value: [at, String(q.value)] }] },
      });
      return;
    }
    const a = await answerVerdictQuery(
      { ...deps.gate, buildArmMatchers: deps.buildArmMatchers },
      q.labels,
      at,
    );
    res.json({
      status: "success",
      data: { resultType: "vector", result: [{ metric: a.labels, value: [at, String(a.value)] }] },
      infos: a.infos,
    });
  };
  const form = express.urlencoded({ extended: false, limit: deps.bodyLimitBytes, parameterLimit: 20 });
  router.get("/api/v1/query", auth(deps.tokens), handle);
  router.post("/api/v1/query", auth(deps.tokens), form, handle);
  const errors: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const parser = err as { status?: unknown; type?: unknown };
    const e = isSlogateError(err)
      ? err
      : typeof parser.type === "string" && typeof parser.status === "number" && parser.status < 500
        ? new SlogateError("BAD_REQUEST", `request rejected (${parser.type})`, {
            hint: "send the query as a URL parameter or an application/x-www-form-urlencoded body",
          })
        : new SlogateError("INTERNAL", "internal error", { hint: "see the service log", cause: err });
    const status = STATUS_BY_CODE[e.code] ?? 500;
    if (status >= 500) deps.gate.logger.warn("query failed", { path: req.path, code: e.code, error: e });
    res.status(status).json(promError(status, `${e.message}${e.hint === "" ? "" : ` (${e.hint})`}`));
  };
  router.use("/api/v1/query", errors);
  return router;
}
