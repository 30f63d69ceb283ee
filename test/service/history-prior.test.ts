/**
 * The sequential judge's dispersion prior is learned from the stable arm's steps before the
 * analysis start (`LookData.history`, issue 18): at the first look the service reads the 60
 * one-minute steps before the start from a real Prometheus and the judge state records that
 * its prior came from history; later looks do not read it again; an analysis started before
 * any data (no history) falls back to the default prior.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueryObservation } from "../../src/prometheus/http-client.ts";
import type { GateService } from "../../src/main/gate-service.ts";
import { BED_SERVICES, BED_START, startGateBed, type GateBed } from "../../src/testbed/gate-bed.ts";
import { memoryLogger, postJson, startHarnessService } from "../../src/testbed/service-harness.ts";

let bed: GateBed;
let gate: GateService;
const queries: QueryObservation[] = [];
const svc = BED_SERVICES.healthy;

beforeAll(async () => {
  bed = await startGateBed(["healthy"]);
  gate = await startHarnessService({
    prometheusUrl: bed.prometheus.url,
    slosDir: bed.slosDir,
    logger: memoryLogger(),
    onQuery: (q) => void queries.push(q),
  });
}, 120_000);

afterAll(async () => {
  await gate?.close();
  await bed?.stop();
});

async function look(analysis: string, start: number, time: number): Promise<void> {
  const r = await postJson(`${gate.url}/api/v1/verdict`, {
    slo: `${svc.service}-errors`,
    canary: svc.canary,
    stable: svc.stable,
    analysis,
    start,
    time,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

async function priorOf(analysis: string): Promise<{ source: string; c2: number; looks: number }> {
  const a = await gate.store.getAnalysis(analysis);
  return (a?.judgeState as { dispersionPrior: { source: string; c2: number; looks: number } })
    .dispersionPrior;
}

describe("the dispersion prior from the stable arm's history", () => {
  it("is learned from the steps before the start at the first look, and not read again", async () => {
    const before = queries.length;
    await look("history-1", BED_START, BED_START + 180);
    const first = queries.slice(before);
    // The history: the raw samples of the stable arm's total and bad counters over the 60
    // one-minute steps before the start and the 300 s base lookback (3,900 s at the start).
    const history = (qs: QueryObservation[]) =>
      qs.filter(
        (q) => q.query.includes(`rollouts_pod_template_hash="${svc.stable}"`) && q.query.endsWith("[3900s]"),
      );
    expect(history(first)).toHaveLength(2);
    const prior = await priorOf("history-1");
    expect(prior.source).toBe("history");
    expect(Number.isFinite(prior.c2) && prior.c2 >= 0).toBe(true);
    expect(prior.looks).toBeGreaterThan(0);

    const mid = queries.length;
    await look("history-1", BED_START, BED_START + 360);
    const second = queries.slice(mid);
    expect(second.length).toBeGreaterThan(0);
    expect(history(second)).toHaveLength(0);
    expect(await priorOf("history-1")).toEqual(prior);
  });

  it("falls back to the default prior when the stable arm has no history before the start", async () => {
    // Three hours before the bed's data: the 60 steps before this start hold no sample.
    const start = BED_START - 3 * 3600;
    await look("history-none", start, start + 180);
    expect((await priorOf("history-none")).source).toBe("default");
  });
});
