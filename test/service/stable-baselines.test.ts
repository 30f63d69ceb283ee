/* eslint-disable @typescript-eslint/no-unsafe-return -- JSON bodies of HTTP responses are untyped by nature */
/**
 * Baselines of stable only, on a real Prometheus (and a real VictoriaMetrics) loaded with a
 * canary failing 5 % of requests (stable 0.5 %): a scheduled (whole-service) capture taken while the rollout is in progress
 * leaves the canary's series out by the SLO's arm selection (Argo's pod-template hash, Flagger's
 * pod-name pattern), and so does a pre-rollout capture; a capture with no rollout in progress is
 * the negative control that shows the canary would pollute it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BaselineRecord } from "../../src/app/store-port.ts";
import type { GateService } from "../../src/main/gate-service.ts";
import { BED_SERVICES, BED_START, startGateBed, type GateBed } from "../../src/testbed/gate-bed.ts";
import { BACKEND_KINDS } from "../../src/testbed/metrics-backend.ts";
import { getJson, postJson, startHarnessService } from "../../src/testbed/service-harness.ts";

/** Late in the rollout: the 1 h window holds 30 min of history and the 30-minute canary. */
const T = BED_START + 1800;

describe.each(BACKEND_KINDS)("on %s", (backend) => {
  let bed: GateBed;
  let gate: GateService;

  beforeAll(async () => {
    bed = await startGateBed(["errors", "flaggerErrors"], undefined, { backend });
    gate = await startHarnessService({ prometheusUrl: bed.prometheus.url, slosDir: bed.slosDir });
  });

  afterAll(async () => {
    await gate?.close();
    await bed?.stop();
  });

  const ratio = (b: BaselineRecord): number => b.counts.bad / b.counts.total;

  async function capture(body: Record<string, unknown>): Promise<BaselineRecord> {
    const r = await postJson(`${gate.url}/api/v1/baselines`, { time: T, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.baseline;
  }

  /** Runs the node-cron task's capture at `T` and returns its new baseline of `slo`. */
  async function scheduled(slo: string): Promise<BaselineRecord> {
    const seen = new Set((await gate.store.listBaselines({ sloId: slo, limit: 1000 })).map((b) => b.id));
    await gate.captureAllBaselines(T);
    const fresh = (await gate.store.listBaselines({ sloId: slo, limit: 1000 })).filter(
      (b) => !seen.has(b.id),
    );
    expect(fresh).toHaveLength(1);
    expect(fresh[0]?.source).toBe("schedule");
    return fresh[0] as BaselineRecord;
  }

  describe("baselines of stable only", () => {
    it("Argo: a scheduled capture during a rollout with a bad canary is the stable arm's counts, not the polluted whole service", async () => {
      const s = BED_SERVICES.errors;
      const slo = `${s.service}-errors`;
      // Negative control: no rollout known, so the whole service, bad canary included.
      const polluted = await scheduled(slo);
      expect(polluted.selector).toEqual([]);
      expect(polluted.scope).toMatchObject({ kind: "service" });
      const stableOnly = await capture({ slo, stable: s.stable });
      expect(stableOnly.scope?.kind).toBe("stable");
      expect(ratio(polluted)).toBeGreaterThan(1.3 * ratio(stableOnly));

      const start = await postJson(`${gate.url}/api/v1/verdict`, {
        slo,
        canary: s.canary,
        stable: s.stable,
        phase: "start",
        time: BED_START,
      });
      expect(start.status, JSON.stringify(start.body)).toBe(200);
      const during = await scheduled(slo);
      expect(during.selector).toEqual([{ name: "rollouts_pod_template_hash", op: "!=", value: s.canary }]);
      expect(during.scope?.kind).toBe("service-without-canaries");
      expect(during.scope?.excluded).toEqual([start.body.analysis.id]);
      expect(during.counts.total).toBeCloseTo(stableOnly.counts.total, 6);
      expect(during.counts.bad).toBeCloseTo(stableOnly.counts.bad, 6);
      expect(ratio(during)).toBeLessThan(0.008);

      // The API and the analysis page say which selector a baseline used.
      const one = await getJson(`${gate.url}/api/v1/baselines/${during.id}`);
      expect(one.body.baseline.scope.note).toContain(`rollouts_pod_template_hash!="${s.canary}"`);
      const page = await fetch(start.body.link as string);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(`the stable arm only, {rollouts_pod_template_hash=&quot;${s.stable}&quot;}`);
    });

    it("Flagger: pre-rollout and scheduled captures during a rollout leave the canary's pods out", async () => {
      const s = BED_SERVICES.flaggerErrors;
      const slo = `${s.service}-errors`;
      const polluted = await scheduled(slo);
      expect(polluted.scope?.kind).toBe("service");
      const pre = await postJson(`${gate.url}/api/v1/flagger/pre-rollout`, {
        name: s.canary,
        namespace: "shop",
        phase: "Progressing",
        checksum: "rev1",
        metadata: { slo, time: String(T) },
      });
      expect(pre.status, JSON.stringify(pre.body)).toBe(200);
      const primary = (await getJson(`${gate.url}/api/v1/baselines/${pre.body.baselines[0].baseline}`)).body
        .baseline as BaselineRecord;
      expect(primary.selector).toEqual([
        { name: "pod", op: "=~", value: `${s.canary}-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)` },
      ]);
      expect(ratio(polluted)).toBeGreaterThan(1.3 * ratio(primary));
      expect(ratio(primary)).toBeLessThan(0.008);

      const during = await scheduled(slo);
      expect(during.selector).toEqual([
        { name: "pod", op: "!~", value: `${s.canary}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)` },
      ]);
      expect(during.counts.total).toBeCloseTo(primary.counts.total, 6);
      expect(during.counts.bad).toBeCloseTo(primary.counts.bad, 6);
    });

    it("a rolled-back canary stays out of the next scheduled baseline within the window", async () => {
      const s = BED_SERVICES.errors;
      const slo = `${s.service}-latency`;
      const start = await postJson(`${gate.url}/api/v1/verdict`, {
        slo,
        canary: s.canary,
        stable: s.stable,
        phase: "start",
        time: BED_START,
        analysis: "rolled-back-one",
      });
      expect(start.status, JSON.stringify(start.body)).toBe(200);
      const closed = await postJson(`${gate.url}/api/v1/analyses/close`, {
        analysis: start.body.analysis.id,
        outcome: "rolled-back",
      });
      expect(closed.status, JSON.stringify(closed.body)).toBe(200);
      const after = await scheduled(slo);
      expect(after.selector).toEqual([{ name: "rollouts_pod_template_hash", op: "!=", value: s.canary }]);
    });
  });
});
