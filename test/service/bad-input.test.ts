/**
 * Bad input never crashes the service: random JSON bodies, query strings and Flagger
 * payloads (fast-check) always get a JSON answer with a 4xx or, when Prometheus would have
 * to be asked, 503 — never a 500, never a pass (Prometheus is down here).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { freePort } from "../../src/testbed/free-port.ts";
import { BED_SERVICES, bedSloYaml } from "../../src/testbed/gate-bed.ts";
import {
  getJson,
  postJson,
  startHarnessService,
  type JsonResponse,
} from "../../src/testbed/service-harness.ts";

let gate: GateService;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "slogate-bad-input-"));
  for (const s of [BED_SERVICES.healthy, BED_SERVICES.flaggerHealthy]) {
    writeFileSync(join(dir, `${s.service}.yaml`), bedSloYaml(s));
  }
  gate = await startHarnessService({
    prometheusUrl: `http://127.0.0.1:${await freePort()}`,
    slosDir: dir,
    extraEnv: { SLOGATE_LOOK_TIMEOUT: "2s" },
  });
});
afterAll(async () => {
  await gate?.close();
});

const ALLOWED = new Set([400, 401, 404, 409, 413, 422, 503]);

function check(r: JsonResponse): void {
  expect(ALLOWED.has(r.status), `status ${r.status}: ${JSON.stringify(r.body)}`).toBe(true);
  expect(r.contentType).toMatch(/application\/json/);
  expect(r.body.verdict).toBeNull();
  expect(typeof r.body.error.code).toBe("string");
}

const field = fc.oneof(
  fc.constantFrom(
    "shop-healthy-errors",
    "podinfo-latency",
    "7c9d5f6b8",
    "6d4f8b9c7",
    "podinfo",
    "1700000000",
    "10",
    "true",
  ),
  fc.string({ maxLength: 80 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const verdictBody = fc.record(
  {
    slo: field,
    canary: field,
    stable: field,
    analysis: field,
    time: field,
    start: field,
    count: field,
    end: field,
    final: field,
    rollout: field,
  },
  { requiredKeys: [] },
);

describe("bad input", () => {
  it("random verdict bodies get a JSON 4xx or 503, never a 500 or a pass", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(verdictBody, fc.jsonValue({ maxDepth: 3 })), async (body) => {
        check(await postJson(`${gate.url}/api/v1/verdict`, body));
      }),
      { numRuns: 150 },
    );
  });

  it("random query strings get a JSON 4xx or 503", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom("slo", "canary", "stable", "time", "start", "count", "final", "x"),
          fc.string({ maxLength: 40 }),
        ),
        async (q) => {
          check(await getJson(`${gate.url}/api/v1/verdict`, q));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("random Flagger payloads for every webhook type get a JSON answer, never a 500", async () => {
    const type = fc.constantFrom(
      "confirm-rollout",
      "pre-rollout",
      "rollout",
      "confirm-traffic-increase",
      "confirm-promotion",
      "post-rollout",
      "rollback",
      "event",
      "bogus",
    );
    const payload = fc.record(
      {
        name: field,
        namespace: field,
        phase: field,
        checksum: field,
        metadata: fc.oneof(
          fc.dictionary(fc.constantFrom("slo", "target", "time", "eventType", "x"), field),
          field,
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(type, payload, async (t, body) => {
        const r = await postJson(`${gate.url}/api/v1/flagger/${t}`, body);
        expect(r.contentType).toMatch(/application\/json/);
        // post-rollout / event may legitimately succeed without Prometheus.
        if (r.status === 200) expect(["post-rollout", "event"]).toContain(t);
        else check(r);
      }),
      { numRuns: 150 },
    );
  });

  it("raw bodies that are not JSON objects get a JSON 400", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (raw) => {
        const r = await postJson(`${gate.url}/api/v1/verdict`, raw);
        check(r);
      }),
      { numRuns: 100 },
    );
  });
});
