/**
 * @module http/bearer-auth
 * Optional bearer-token authentication. Tokens are compared in constant time (SHA-256 of both
 * sides, then `timingSafeEqual`), so neither content nor length leaks through timing.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { SlogateError } from "../errors.ts";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/** True when `presented` equals one of `tokens` (every token is compared). */
export function tokenMatches(presented: string, tokens: readonly string[]): boolean {
  const p = digest(presented);
  let ok = false;
  for (const t of tokens) ok = timingSafeEqual(p, digest(t)) || ok;
  return ok;
}

function flaggerToken(body: unknown): string | undefined {
  const m = (body as { metadata?: unknown } | null | undefined)?.metadata;
  const t = m !== null && typeof m === "object" ? (m as Record<string, unknown>).token : undefined;
  return typeof t === "string" && t !== "" ? t : undefined;
}

/**
 * Middleware requiring `Authorization: Bearer <token>` when `tokens` is not empty. Flagger
 * webhooks (`/v1/flagger/...` under `/api`), which cannot send headers, may instead carry the
 * token as `metadata.token` in their body.
 */
export function bearerAuth(tokens: readonly string[], setting = "auth.tokens"): RequestHandler {
  return (req, _res, next) => {
    if (tokens.length === 0) return next();
    const header = req.get("authorization") ?? "";
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const presented = m?.[1] ?? (req.path.startsWith("/v1/flagger/") ? flaggerToken(req.body) : undefined);
    if (presented === undefined || !tokenMatches(presented, tokens)) {
      return next(
        new SlogateError("UNAUTHORIZED", "missing or invalid bearer token", {
          hint: `send Authorization: Bearer <token> with a token from the service's ${setting}`,
        }),
      );
    }
    next();
  };
}
