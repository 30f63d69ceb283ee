/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies of HTTP responses are untyped by nature */
/**
 * The verdict vocabulary on a real Prometheus and a real VictoriaMetrics (scenario data loaded by
 * the test bed), with
 * Argo looks every 1, 2 and 5 minutes over the whole 30-minute canary:
 * - stable and canary degrading together (a shared dependency, at 15m) never fail the canary,
 *   at any cadence, and the verdict names the environment;
 * - a real error spike still fails, at every cadence (negative control);
 * - a canary whose selector matches no series is `nodata` at every look after the grace and
 *   never `pass`, and the reason names the selector.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { BED_SERVICES, BED_START, startGateBed, type GateBed } from "../../src/testbed/gate-bed.ts";
import { BACKEND_KINDS } from "../../src/testbed/metrics-backend.ts";
import { postJson, startHarnessService } from "../../src/testbed/service-harness.ts";

const DURATION = 1800;

describe.each(BACKEND_KINDS)("on %s", (backend) => {
  let bed: GateBed;
  let gate: GateService;

  beforeAll(async () => {
    bed = await startGateBed(["environmentDegrades", "errors"], 7, { backend });
    gate = await startHarnessService({
      prometheusUrl: bed.prometheus.url,
      slosDir: bed.slosDir,
      configYaml: "series:\n  step: 0\n",
    });
  }, 120_000);
  afterAll(async () => {
    await gate?.close();
    await bed?.stop();
  });

  /** Looks every `minutes` over the canary (the last one final); stops after a fail. */
  async function looks(
    slo: string,
    canary: string,
    stable: string,
    minutes: number,
    analysis: string,
  ): Promise<any[]> {
    const count = DURATION / (60 * minutes);
    const out: any[] = [];
    for (let k = 1; k <= count; k++) {
      const r = await postJson(`${gate.url}/api/v1/verdict`, {
        slo,
        canary,
        stable,
        analysis,
        start: BED_START,
        time: BED_START + k * 60 * minutes,
        count,
      });
      expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(200);
      out.push(r.body);
      if (r.body.verdict === "fail") break;
    }
    return out;
  }

  describe("verdicts on scenario data, at 1-, 2- and 5-minute looks", () => {
    const env = BED_SERVICES.environmentDegrades;
    it.each([
      [1, "errors"],
      [2, "errors"],
      [5, "errors"],
      [1, "latency"],
      [2, "latency"],
      [5, "latency"],
    ] as const)(
      "stable and canary degrading together never fail the canary (every %d min, %s), and the verdict names the environment",
      async (minutes, name) => {
        const slo = `${env.service}-${name}`;
        const b = await postJson(`${gate.url}/api/v1/baselines`, {
          slo,
          stable: env.stable,
          time: BED_START,
        });
        expect(b.status, JSON.stringify(b.body)).toBe(201);
        const bodies = await looks(slo, env.canary, env.stable, minutes, `env-${name}-${minutes}`);
        const verdicts = bodies.map((x) => x.verdict);
        expect(verdicts, bodies.map((x) => x.reason).join("\n")).not.toContain("fail");
        const degraded = bodies.filter((x) => x.environment?.status === "degraded");
        expect(degraded.length, bodies.map((x) => JSON.stringify(x.environment)).join("\n")).toBeGreaterThan(
          0,
        );
        const last = bodies.at(-1);
        expect(last.final).toBe(true);
        expect(last.environment.status).toBe("degraded");
        expect(last.environment.canaryBadRatio).toBeGreaterThan(last.environment.baselineBadRatio);
        expect(last.environment.stableBadRatio).toBeGreaterThan(last.environment.baselineBadRatio);
        expect(last.verdict).toBe("inconclusive");
        expect(last.reason).toMatch(/environment got worse, not the canary/);
      },
      60_000,
    );

    it.each([1, 2, 5])(
      "a real error spike still fails every %d min (negative control)",
      async (minutes) => {
        const s = BED_SERVICES.errors;
        const bodies = await looks(`${s.service}-errors`, s.canary, s.stable, minutes, `spike-${minutes}`);
        expect(bodies.at(-1).verdict).toBe("fail");
        expect(bodies.at(-1).environment?.status).not.toBe("degraded");
      },
      60_000,
    );

    it.each([1, 5])(
      "a canary whose selector matches nothing is nodata after the grace, never pass (every %d min)",
      async (minutes) => {
        const s = BED_SERVICES.errors;
        const bodies = await looks(
          `${s.service}-errors`,
          "deadbeef9",
          s.stable,
          minutes,
          `nodata-${minutes}`,
        );
        expect(bodies.length).toBe(DURATION / (60 * minutes));
        for (const x of bodies) {
          expect(x.verdict).toBe("nodata");
          expect(x.reason).toContain('rollouts_pod_template_hash="deadbeef9"');
        }
        expect(bodies.at(-1).final).toBe(true);
      },
      60_000,
    );
  });
});
