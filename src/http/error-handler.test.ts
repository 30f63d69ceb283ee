import express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { SlogateError, type ErrorCode } from "../errors.ts";
import { createJsonLogger } from "../main/json-logger.ts";
import { STATUS_BY_CODE, createErrorHandler, notFoundHandler } from "./error-handler.ts";

function appThrowing(err: unknown) {
  const app = express();
  app.use(express.json({ limit: 100 }));
  app.post("/x", () => {
    throw err;
  });
  app.use(notFoundHandler);
  app.use(createErrorHandler(createJsonLogger(() => undefined)));
  return app;
}

describe("the error handler", () => {
  it.each(Object.entries(STATUS_BY_CODE) as [ErrorCode, number][])(
    "maps %s to %d with a JSON body",
    async (code, status) => {
      const r = await request(appThrowing(new SlogateError(code, "m", { hint: "h" }))).post("/x");
      expect(r.status).toBe(status);
      expect(r.type).toBe("application/json");
      expect(r.body).toEqual({ verdict: null, error: { code, message: "m", hint: "h", details: {} } });
    },
  );

  it.each([
    ["PROMETHEUS_BAD_RESPONSE", { status: 200 }],
    ["PROMETHEUS_HTTP_ERROR", { status: 401, backendStatus: 401 }],
    ["PROMETHEUS_HTTP_ERROR", { status: 429 }],
    ["PROMETHEUS_QUERY_ERROR", { status: 204 }],
  ] as const)("never passes a backend's status on: %s with details %j is 503", async (code, details) => {
    const r = await request(appThrowing(new SlogateError(code, "m", { details: { ...details } }))).post("/x");
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe(code);
  });

  it("answers any other error 500 INTERNAL without its message or stack", async () => {
    const r = await request(appThrowing(new TypeError("secret detail at /src/x.ts:1"))).post("/x");
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe("INTERNAL");
    expect(JSON.stringify(r.body)).not.toMatch(/secret detail|\.ts:\d/);
  });

  it.each([
    ["malformed JSON", "{oops", 400],
    ["a body over the limit", JSON.stringify({ pad: "x".repeat(500) }), 413],
  ])("answers %s with %d JSON", async (_label, body, status) => {
    const r = await request(appThrowing(new Error("unreached")))
      .post("/x")
      .set("content-type", "application/json")
      .send(body);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe("BAD_REQUEST");
  });

  it("answers an unknown route 404 JSON", async () => {
    const r = await request(appThrowing(new Error("unreached"))).get("/nowhere");
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("NOT_FOUND");
  });
});
