/**
 * The read-path failure policy through the real service endpoints: whatever unreadable answer
 * the backend gives (fake backends on 127.0.0.1), the Argo endpoint and every Flagger webhook
 * that reads Prometheus answer 503 JSON (422 for a query the backend refuses as invalid) —
 * never a 2xx, never a verdict — and the store is left exactly as it was (no look, no
 * analysis, no baseline). A negative control at the end shows the same service and backend
 * judging and recording a look once the backend answers properly.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { startLocalServer, type LocalServer } from "../prometheus/local-server.ts";
import { BED_SERVICES, BED_START, bedSloYaml } from "../../src/testbed/gate-bed.ts";
import { memoryLogger, postJson, startHarnessService } from "../../src/testbed/service-harness.ts";

type Answer = (res: ServerResponse, requestBody: string) => void;

const json =
  (status: number, body: string): Answer =>
  (res) => {
    res.writeHead(status, { "Content-Type": "application/json" }).end(body);
  };

const matrix = (values: string): string =>
  `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"http_requests_total","pod":"p"},"values":${values}}]}}`;
const GOOD = matrix(`[[${BED_START - 30},"0"],[${BED_START + 300},"500"],[${BED_START + 600},"1000"]]`);

let redirectTarget: LocalServer;
let backend: LocalServer;
const VECTOR_1 = `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[${BED_START},"1"]}]}}`;
/** A good backend: `vector(1)` (the probe) answered as Prometheus does, every selection with GOOD. */
const good: Answer = (res, body) => json(200, body.includes("vector%281%29") ? VECTOR_1 : GOOD)(res, body);
let answer: Answer = good;
let gate: GateService;

const MB = 1024 * 1024;

/** The campaign: every answer slogate cannot read exactly, and the code it must give. */
const CASES: readonly (readonly [string, () => Answer, string, number])[] = [
  ["truncated JSON", () => json(200, GOOD.slice(0, -9)), "PROMETHEUS_BAD_RESPONSE", 503],
  [
    "an HTML login page with 200",
    () => (res) => {
      res.writeHead(200, { "Content-Type": "text/html" }).end("<html><body>Sign in</body></html>");
    },
    "PROMETHEUS_BAD_RESPONSE",
    503,
  ],
  [
    "a proxy's error body with 200",
    () => json(200, '{"error":"upstream connect error"}'),
    "PROMETHEUS_BAD_RESPONSE",
    503,
  ],
  [
    "the wrong resultType",
    () => json(200, '{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}'),
    "PROMETHEUS_BAD_RESPONSE",
    503,
  ],
  ["wrong value shapes", () => json(200, matrix("[[1,1],[2,2]]")), "PROMETHEUS_BAD_RESPONSE", 503],
  [
    "status error with 200",
    () => json(200, '{"status":"error","errorType":"internal","error":"boom"}'),
    "PROMETHEUS_QUERY_ERROR",
    503,
  ],
  [
    "NaN counter samples",
    () => json(200, matrix(`[[${BED_START + 10},"NaN"],[${BED_START + 300},"NaN"]]`)),
    "PROMETHEUS_BAD_RESPONSE",
    503,
  ],
  [
    "+Inf counter samples",
    () => json(200, matrix(`[[${BED_START + 10},"1"],[${BED_START + 300},"+Inf"]]`)),
    "PROMETHEUS_BAD_RESPONSE",
    503,
  ],
  [
    "-Inf counter samples",
    () => json(200, matrix(`[[${BED_START + 10},"-Inf"]]`)),
    "PROMETHEUS_BAD_RESPONSE",
    503,
  ],
  ...[301, 302, 307].map(
    (status) =>
      [
        `a ${status} redirect`,
        () => (res: ServerResponse) => {
          res.writeHead(status, { Location: `${redirectTarget.url}/api/v1/query` }).end();
        },
        "PROMETHEUS_HTTP_ERROR",
        503,
      ] as const,
  ),
  [
    "HTTP 500",
    () => json(500, '{"status":"error","errorType":"internal","error":"boom"}'),
    "PROMETHEUS_HTTP_ERROR",
    503,
  ],
  ["HTTP 429", () => json(429, "slow down"), "PROMETHEUS_HTTP_ERROR", 503],
  ["HTTP 401", () => json(401, "unauthorized"), "PROMETHEUS_HTTP_ERROR", 503],
  ["HTTP 403", () => json(403, "forbidden"), "PROMETHEUS_HTTP_ERROR", 503],
  ["HTTP 404", () => json(404, "404 page not found"), "PROMETHEUS_HTTP_ERROR", 503],
  ["HTTP 502", () => json(502, "<html>bad gateway</html>"), "PROMETHEUS_HTTP_ERROR", 503],
  [
    "a 100 MB answer",
    () => (res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('{"status":"success","data":{"resultType":"matrix","result":[');
      const chunk = Buffer.from(`${matrix(`[[1,"1"]]`).slice(58, -3)},`.repeat(1000));
      let sent = 0;
      const pump = (): void => {
        while (sent < 100 * MB) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
        res.end("]}}");
      };
      res.on("close", () => res.removeAllListeners("drain"));
      pump();
    },
    "PROMETHEUS_RESPONSE_TOO_LARGE",
    503,
  ],
  [
    "bad PromQL (400 bad_data)",
    () => json(400, '{"status":"error","errorType":"bad_data","error":"1:10: parse error"}'),
    "SLO_QUERY_INVALID",
    422,
  ],
];

beforeAll(async () => {
  redirectTarget = await startLocalServer((req, res) => good(res, req.body));
  backend = await startLocalServer((req, res) => answer(res, req.body));
  const dir = mkdtempSync(join(tmpdir(), "slogate-read-path-"));
  for (const s of [BED_SERVICES.healthy, BED_SERVICES.flaggerHealthy]) {
    writeFileSync(join(dir, `${s.service}.yaml`), bedSloYaml(s));
  }
  gate = await startHarnessService({
    prometheusUrl: backend.url,
    slosDir: dir,
    logger: memoryLogger(),
    configYaml: `prometheus:\n  maxResponseBytes: ${4 * MB}\nseries:\n  step: 0\n`,
    extraEnv: { SLOGATE_LOOK_TIMEOUT: "5s" },
  });
});
afterAll(async () => {
  await gate?.close();
  await backend?.close();
  await redirectTarget?.close();
});

/** Everything the store holds, for "unchanged" comparisons. */
async function snapshot(): Promise<unknown> {
  const s = gate.store;
  const analyses = await s.listAnalyses();
  return {
    analyses,
    looks: await Promise.all(analyses.map((a) => s.listLooks(a.id))),
    baselines: await s.listBaselines(),
    events: await s.listEvents(),
  };
}

const healthy = BED_SERVICES.healthy;
const podinfo = BED_SERVICES.flaggerHealthy;
const AT = BED_START + 600;

const argoLook = (slo: string) =>
  postJson(`${gate.url}/api/v1/verdict`, {
    slo: `${healthy.service}-${slo}`,
    canary: healthy.canary,
    stable: healthy.stable,
    start: BED_START,
    time: AT,
    count: 5,
  });

const flaggerHook = (type: string) =>
  postJson(`${gate.url}/api/v1/flagger/${type}`, {
    name: podinfo.service,
    namespace: "test",
    phase: "Progressing",
    checksum: "abc123",
    metadata: { slo: `${podinfo.service}-errors,${podinfo.service}-latency`, time: String(AT) },
  });

const FLAGGER_READING = [
  "confirm-rollout",
  "pre-rollout",
  "rollout",
  "confirm-traffic-increase",
  "confirm-promotion",
];

describe("an unreadable backend through the service", () => {
  it.each(CASES.map(([name, make, code, status]) => [name, status, code, make] as const))(
    "%s: every endpoint answers %d %s JSON, no verdict, store unchanged",
    async (_name, status, code, make) => {
      answer = make();
      const before = await snapshot();
      const redirectHits = redirectTarget.seen.length;
      const responses = [
        await argoLook("errors"),
        await argoLook("latency"),
        ...(await Promise.all(FLAGGER_READING.map(flaggerHook))),
      ];
      for (const r of responses) {
        const where = JSON.stringify(r.body).slice(0, 300);
        expect(r.status, where).toBe(status);
        expect(r.contentType).toMatch(/application\/json/);
        expect(r.body.verdict, where).toBeNull();
        expect(r.body.error.code, where).toBe(code);
        expect(r.body.error.hint).not.toBe("");
      }
      if (code === "SLO_QUERY_INVALID") {
        expect(responses[0]!.body.error.details.slo).toBe(`${healthy.service}-errors`);
      }
      // The rollback poll reads the stored state and queries nothing: with no failed look it
      // answers 412 (no rollback) whatever the backend does — never a 2xx.
      const rollback = await flaggerHook("rollback");
      expect(rollback.status).toBe(412);
      expect(rollback.body.verdict).toBe("no-rollback");
      expect(await snapshot()).toEqual(before);
      expect(redirectTarget.seen.length).toBe(redirectHits);
    },
    60_000,
  );

  it("judges and records a look once the backend answers properly (negative control)", async () => {
    answer = good;
    const before = (await snapshot()) as { analyses: unknown[] };
    expect(before.analyses).toEqual([]);
    const r = await argoLook("errors");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(["pass", "fail", "inconclusive", "nodata"]).toContain(r.body.verdict);
    const after = (await snapshot()) as { analyses: { looks: number }[] };
    expect(after.analyses).toHaveLength(1);
    expect(after.analyses[0]!.looks).toBe(1);
    const f = await flaggerHook("rollout");
    expect(f.status, JSON.stringify(f.body)).toBeLessThan(500);
    expect(redirectTarget.seen).toHaveLength(0);
  });
});
