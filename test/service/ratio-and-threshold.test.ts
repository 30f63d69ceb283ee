/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- JSON bodies of HTTP responses are untyped by nature */
/**
 * Ratio-only SLIs gate canaries through the HTTP API, against a real Prometheus loaded with
 * synthetic canary scenarios (and the same against a real VictoriaMetrics, whose `rate` does not
 * extrapolate): a Sloth `raw.error_ratio_query` that divides two event sums (split
 * at load time into an events SLI, judged on exact counts by the sequential judge) and one that
 * cannot be split (grouped sums: judged on per-step ratio points by the kayenta judge). Each
 * passes a healthy canary and fails an error-spike canary.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { BED_SERVICES, BED_START, startGateBed, type GateBed } from "../../src/testbed/gate-bed.ts";
import { BACKEND_KINDS } from "../../src/testbed/metrics-backend.ts";
import { getJson, postJson, startHarnessService } from "../../src/testbed/service-harness.ts";

const LOOKS = 10;
const INTERVAL = 180;

/** Sloth file of one bed service with the two raw-ratio SLOs. */
function slothFile(service: string): string {
  const errors = `http_requests_total{service="${service}",code=~"5.."}`;
  const all = `http_requests_total{service="${service}"}`;
  return `version: prometheus/v1
service: ${service}
slos:
  - name: raw-split
    objective: 99
    sli:
      raw:
        error_ratio_query: |
          sum(rate(${errors}[{{.window}}]))
          /
          sum(rate(${all}[{{.window}}]))
    alerting:
      page_alert: { disable: true }
      ticket_alert: { disable: true }
  - name: raw-grouped
    objective: 99
    sli:
      raw:
        error_ratio_query: |
          sum by (service) (rate(${errors}[{{.window}}]))
          /
          sum by (service) (rate(${all}[{{.window}}]))
    alerting:
      page_alert: { disable: true }
      ticket_alert: { disable: true }
`;
}

describe.each(BACKEND_KINDS)("on %s", (backend) => {
  let bed: GateBed;
  let gate: GateService;
  let slosDir: string;

  beforeAll(async () => {
    bed = await startGateBed(["healthy", "errors"], undefined, { backend });
    slosDir = mkdtempSync(join(tmpdir(), "slogate-ratio-slos-"));
    for (const s of [BED_SERVICES.healthy, BED_SERVICES.errors]) {
      writeFileSync(join(slosDir, `${s.service}.yaml`), slothFile(s.service));
    }
    gate = await startHarnessService({ prometheusUrl: bed.prometheus.url, slosDir });
  });

  afterAll(async () => {
    await gate?.close();
    await bed?.stop();
    if (slosDir !== undefined) rmSync(slosDir, { recursive: true, force: true });
  });

  /** Runs the Argo looks of one analysis until a fail or the final look; returns the bodies. */
  async function run(slo: string, svc: { canary: string; stable: string }, analysis: string) {
    const bodies: any[] = [];
    for (let k = 1; k <= LOOKS; k++) {
      const r = await postJson(`${gate.url}/api/v1/verdict`, {
        slo,
        canary: svc.canary,
        stable: svc.stable,
        analysis,
        count: LOOKS,
        start: BED_START,
        time: BED_START + k * INTERVAL,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      bodies.push(r.body);
      if (r.body.verdict === "fail") break;
    }
    return bodies;
  }

  describe("ratio-only SLIs gate a canary", () => {
    it("the service loaded both SLOs: the splittable one as events, the other as a kayenta ratio", async () => {
      const r = await getJson(`${gate.url}/api/v1/slos`);
      expect(r.status).toBe(200);
      const judges = Object.fromEntries(r.body.slos.map((s: any) => [s.id, s.judge]));
      expect(judges).toMatchObject({
        "shop-healthy-raw-split": "sequential",
        "shop-healthy-raw-grouped": "kayenta",
        "shop-errors-raw-split": "sequential",
        "shop-errors-raw-grouped": "kayenta",
      });
    });

    it.each([
      ["split into events", "raw-split", "sequential"],
      ["a per-step ratio", "raw-grouped", "kayenta"],
    ])("a healthy canary passes the SLO %s (%s), the last look final", async (_what, name, judge) => {
      const s = BED_SERVICES.healthy;
      const bodies = await run(`${s.service}-${name}`, s, `healthy-${name}`);
      expect(bodies).toHaveLength(LOOKS);
      expect(bodies.map((b) => b.verdict)).toEqual(Array(LOOKS).fill("pass"));
      const last = bodies.at(-1);
      expect(last.final).toBe(true);
      expect(last.judge).toBe(judge);
      expect(last.analysis).toMatchObject({ status: "closed", outcome: "promoted" });
      expect(last.checks.some((c: any) => c.status === "pass")).toBe(true);
      if (judge === "kayenta") {
        // Points, not requests: one per minute of the 30-minute analysis.
        expect(last.arms.canary.total).toBe(30);
        expect(last.checks[0].evidence.canaryPoints).toBe(30);
      } else {
        expect(last.arms.canary.total).toBeGreaterThan(1000);
      }
    });

    it.each([
      ["split into events", "raw-split", "sequential"],
      ["a per-step ratio", "raw-grouped", "kayenta"],
    ])("an error-spike canary fails the SLO %s (%s) before the last look", async (_what, name, judge) => {
      const s = BED_SERVICES.errors;
      const bodies = await run(`${s.service}-${name}`, s, `errors-${name}`);
      const last = bodies.at(-1);
      expect(last.verdict).toBe("fail");
      expect(last.judge).toBe(judge);
      expect(bodies.length).toBeLessThan(LOOKS);
      expect(last.checks.some((c: any) => c.status === "fail")).toBe(true);
      expect(bodies.slice(0, -1).every((b) => b.verdict === "pass" && b.final === false)).toBe(true);
    });

    it("a ratio SLO's first look, before any full step, says it has no points rather than passing on them", async () => {
      const s = BED_SERVICES.healthy;
      const r = await postJson(`${gate.url}/api/v1/verdict`, {
        slo: `${s.service}-raw-grouped`,
        canary: s.canary,
        stable: s.stable,
        analysis: "early-grouped",
        start: BED_START,
        time: BED_START + 30,
        final: true,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.verdict).toBe("inconclusive");
      expect(r.body.checks.every((c: any) => c.status === "nodata")).toBe(true);
    });

    it("with per-step series turned off, a ratio SLO's look is refused with a reason, never judged on nothing", async () => {
      const off = await startHarnessService({
        prometheusUrl: bed.prometheus.url,
        slosDir,
        configYaml: "series:\n  step: 0\n",
      });
      try {
        const s = BED_SERVICES.healthy;
        const r = await postJson(`${off.url}/api/v1/verdict`, {
          slo: `${s.service}-raw-grouped`,
          canary: s.canary,
          stable: s.stable,
          start: BED_START,
          time: BED_START + 600,
        });
        expect(r.status).toBe(422);
        expect(JSON.stringify(r.body)).toContain("series.step");
        // The split SLO has event counts and is judged as usual.
        const split = await postJson(`${off.url}/api/v1/verdict`, {
          slo: `${s.service}-raw-split`,
          canary: s.canary,
          stable: s.stable,
          start: BED_START,
          time: BED_START + 600,
        });
        expect(split.status).toBe(200);
        expect(split.body.verdict).toBe("pass");
      } finally {
        await off.close();
      }
    });
  });
});
