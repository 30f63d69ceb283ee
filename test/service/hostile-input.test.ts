/**
 * Hostile input against the HTTP API (supertest on the real express app, the real arm reader
 * over a fake Prometheus on 127.0.0.1 that answers good data, an in-memory store): random
 * methods, paths (malformed percent-encodings, `..`, encoded `/`, control characters) and
 * bodies (random JSON, arm maps with `__proto__`/`constructor`/`prototype`/`__name__` keys,
 * raw text) never yield a 500 — every answer is JSON — and a refused request (4xx/5xx) never
 * changes stored state.
 */
import fc from "fast-check";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judgeLook } from "../../src/judge/registry.ts";
import { createHttpApp } from "../../src/http/create-http-app.ts";
import { armMatchersOf } from "../../src/main/arm-readers.ts";
import { createJsonLogger } from "../../src/main/json-logger.ts";
import { createReadArmCounts } from "../../src/prometheus/read-arm.ts";
import { SloCatalog } from "../../src/catalog/slo-catalog.ts";
import { HttpPrometheusClient } from "../../src/prometheus/http-client.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { errorSlo } from "../../src/judge/testdata/slo-fixtures.ts";
import { startLocalServer, type LocalServer } from "../prometheus/local-server.ts";
import type { Express } from "express";

const T0 = 1_700_000_000;
const MATRIX = `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"http_requests_total","pod":"p"},"values":[[${T0 - 30},"0"],[${T0 + 300},"500"]]}]}}`;
const VECTOR_1 = `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[${T0},"1"]}]}}`;

let backend: LocalServer;
let app: Express;
let store: MemoryStore;

beforeAll(async () => {
  backend = await startLocalServer((req, res) => {
    res
      .writeHead(200, { "Content-Type": "application/json" })
      .end(req.body.includes("vector%281%29") ? VECTOR_1 : MATRIX);
  });
  const logger = createJsonLogger(() => undefined);
  const argoSlo = errorSlo();
  const base = errorSlo();
  const flaggerSlo = {
    ...base,
    id: "podinfo-errors",
    service: "podinfo",
    canary: { ...base.canary, selection: { mode: "flagger" as const, label: "pod" } },
  };
  const client = new HttpPrometheusClient({ url: backend.url, retries: 0 });
  store = new MemoryStore();
  app = createHttpApp({
    gate: {
      store,
      catalog: SloCatalog.of([argoSlo, flaggerSlo], logger, () => T0),
      readArmCounts: createReadArmCounts({ client }),
      seriesStepSeconds: 0,
      probePrometheus: async (signal) => {
        await client.query("vector(1)", undefined, signal);
      },
      judge: judgeLook,
      logger,
      listeners: [],
      link: (id) => `http://slogate/api/v1/analyses/${encodeURIComponent(id)}`,
      wallClock: () => T0,
    },
    buildArmMatchers: armMatchersOf,
    now: () => T0 + 600,
    readiness: () => Promise.resolve({ ready: true, checks: {}, slos: { valid: true, served: 2 } }),
    tokens: [],
    bodyLimitBytes: 64 * 1024,
    baselineWindowSeconds: 3600,
  });
});
afterAll(async () => {
  await backend?.close();
});

async function snapshot(): Promise<string> {
  const analyses = await store.listAnalyses({ limit: 100_000 });
  return JSON.stringify({
    analyses,
    looks: await Promise.all(analyses.map((a) => store.listLooks(a.id))),
    baselines: await store.listBaselines({ limit: 100_000 }),
    events: await store.listEvents({ limit: 100_000 }),
  });
}

const segment = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom("api", "v1", "verdict", "flagger", "analyses", "baselines", "slos", "close"),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "rollout",
      "pre-rollout",
      "confirm-promotion",
      "event",
      "post-rollout",
      "bogus",
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "%",
      "%zz",
      "%E0%A4%A",
      "%C0%AF",
      "%00",
      "%FF",
      "%2F",
      "%2e%2e",
      "..",
      ".",
      "%0A",
      "%25",
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }).map(encodeURIComponent) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "argo:checkout-errors:a:b",
      "x%2F..%2F..%2Fetc%2Fpasswd",
      "__proto__",
      "constructor",
    ),
  },
);
const path = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("/api/v1/analyses/", "/api/v1/baselines/", "/api/v1/flagger/", "/api/v1/verdict/"),
      segment,
    )
    .map(([prefix, s]) => prefix + s),
  fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/api/v1/${s.join("/")}`),
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join("/")}`),
);
const hostileKey = fc.constantFrom(
  "__proto__",
  "constructor",
  "prototype",
  "__name__",
  "app",
  "pod",
  "bad-name",
  "",
);
const armMap = fc
  .array(fc.tuple(hostileKey, fc.constantFrom("abc", "7c9d5f6b8", 'x"}', "")), { minLength: 0, maxLength: 3 })
  .map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`);
const verdictBody = fc
  .record({
    slo: fc.constantFrom('"checkout-errors"', '"podinfo-errors"', '"nope"', "1"),
    canary: fc.oneof(armMap, fc.constantFrom('"7c9d5f6b8"', '"__proto__"', "null")),
    stable: fc.oneof(armMap, fc.constantFrom('"6d4f8b9c7"')),
    analysis: fc.constantFrom(
      '"a1"',
      '"x/../../etc/passwd"',
      '"a..b"',
      '"ok:id"',
      `"${"x".repeat(300)}"`,
      "null",
    ),
    time: fc.constantFrom(`${T0 + 600}`, '"soon"', "null"),
    start: fc.constantFrom(`${T0}`, "null"),
  })
  .map(
    (r) =>
      `{${Object.entries(r)
        .map(([k, v]) => `"${k}":${v}`)
        .join(",")}}`,
  );
const flaggerBody = fc
  .record({
    name: fc.constantFrom('"podinfo"', '"Pod Info"', '"__proto__"'),
    namespace: fc.constantFrom('"test"', '"../x"'),
    checksum: fc.constantFrom('"abc"', '"a..b"', '"x/y"'),
    metadata: fc.oneof(
      armMap,
      fc.constantFrom('{"slo":"podinfo-errors"}', '{"slo":"podinfo-errors","__proto__":{"slo":"x"}}'),
    ),
  })
  .map(
    (r) =>
      `{${Object.entries(r)
        .map(([k, v]) => `"${k}":${v}`)
        .join(",")}}`,
  );
const body = fc.oneof(
  verdictBody,
  flaggerBody,
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 100 }),
);

describe("hostile input over the HTTP API", () => {
  it("random methods, paths and bodies never answer 500, and refused ones change nothing", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("get", "post"), path, body, async (method, p, b) => {
        const before = await snapshot();
        const req =
          method === "get"
            ? request(app).get(p)
            : request(app).post(p).set("content-type", "application/json").send(b);
        const r = await req;
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect(
          r.status,
          `${method.toUpperCase()} ${p} ${b.slice(0, 200)} → ${r.status} ${r.text.slice(0, 300)}`,
        ).not.toBe(500);
        expect(r.type).toMatch(/json|text\/plain/);
        if (r.status >= 400) {
          expect(r.type).toBe("application/json");
          expect(typeof r.body.error?.hint).toBe("string");
          expect(await snapshot(), `${method.toUpperCase()} ${p} → ${r.status} changed the store`).toBe(
            before,
          );
        }
      }),
      { numRuns: 600, seed: 5 },
    );
    // Not vacuous: requests were refused in several ways and some went through.
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(404)).toBeGreaterThan(0);
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
  }, 120_000);

  it.each([
    ["/api/v1/analyses/%E0%A4%A", 400],
    ["/api/v1/analyses/%", 400],
    ["/api/v1/baselines/%zz", 400],
    ["/api/v1/flagger/%C0%AF", 400],
    ["/api/v1/analyses/x%2F..%2F..%2Fetc%2Fpasswd", 400],
    ["/api/v1/analyses/a..b", 400],
    ["/api/v1/analyses/nope", 404],
  ])("GET %s → %d JSON", async (p, status) => {
    const r = await request(app).get(p);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(status === 400 ? "BAD_REQUEST" : "NOT_FOUND");
  });

  it("decodes an id in the path exactly once", async () => {
    const look = await request(app)
      .post("/api/v1/verdict")
      .send({
        slo: "checkout-errors",
        canary: "c1",
        stable: "s1",
        analysis: "once:a%41",
        start: T0,
        time: T0 + 600,
      });
    // "once:a%41" is not a valid id (% is not in the grammar).
    expect(look.status, look.text).toBe(400);
    const ok = await request(app)
      .post("/api/v1/verdict")
      .send({
        slo: "checkout-errors",
        canary: "c1",
        stable: "s1",
        analysis: "once:aA",
        start: T0,
        time: T0 + 600,
      });
    expect(ok.status, ok.text).toBe(200);
    // …and "%2541" decodes once to "%41", never twice to "A".
    expect((await request(app).get("/api/v1/analyses/once:a%2541")).status).toBe(400);
    expect((await request(app).get("/api/v1/analyses/once:a%41")).status).toBe(200);
    expect((await request(app).get("/api/v1/analyses/once:aA")).status).toBe(200);
  });

  it("refuses an arm map with __proto__ instead of matching the whole service", async () => {
    const before = await snapshot();
    const r = await request(app)
      .post("/api/v1/verdict")
      .set("content-type", "application/json")
      .send('{"slo":"checkout-errors","canary":{"__proto__":"x"},"stable":"s1","analysis":"proto-1"}');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/__proto__/);
    expect(await snapshot()).toBe(before);
  });
});
