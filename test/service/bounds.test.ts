/**
 * Bounded by construction: open analyses per SLO are capped (429 with what to do), the
 * per-analysis status series in /metrics are capped and dropped when an analysis closes, and
 * /metrics can be put behind its own token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { BED_SERVICES, BED_START, startGateBed, type GateBed } from "../../src/testbed/gate-bed.ts";
import { postJson, startHarnessService } from "../../src/testbed/service-harness.ts";

const METRICS_TOKEN = "metrics-token-0123456789abcdef";
let bed: GateBed;
let gate: GateService;
beforeAll(async () => {
  bed = await startGateBed(["healthy"]);
  gate = await startHarnessService({
    prometheusUrl: bed.prometheus.url,
    slosDir: bed.slosDir,
    configYaml: `limits:\n  maxOpenAnalysesPerSlo: 3\n  maxAnalysisSeries: 2\nauth:\n  metricsTokens: [${METRICS_TOKEN}]\n`,
  });
});
afterAll(async () => {
  await gate?.close();
  await bed?.stop();
});

const s = BED_SERVICES.healthy;
const look = (analysis: string) =>
  postJson(`${gate.url}/api/v1/verdict`, {
    slo: `${s.service}-errors`,
    canary: s.canary,
    stable: s.stable,
    analysis,
    start: BED_START,
    time: BED_START + 300,
  });

async function metrics(token?: string): Promise<{ status: number; text: string }> {
  const r = await fetch(
    `${gate.url}/metrics`,
    token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  );
  return { status: r.status, text: await r.text() };
}

describe("bounds", () => {
  it("caps open analyses per SLO with a 429 that names the setting, and frees a place on close", async () => {
    for (const id of ["cap-1", "cap-2", "cap-3"]) expect((await look(id)).status).toBe(200);
    const over = await look("cap-4");
    expect(over.status).toBe(429);
    expect(over.body.verdict).toBeNull();
    expect(over.body.error.code).toBe("TOO_MANY_ANALYSES");
    expect(over.body.error.hint).toMatch(/limits\.maxOpenAnalysesPerSlo/);
    expect(await gate.store.getAnalysis("cap-4")).toBeUndefined();
    // A look of an analysis already open is not refused.
    expect(
      (
        await postJson(`${gate.url}/api/v1/verdict`, {
          slo: `${s.service}-errors`,
          canary: s.canary,
          stable: s.stable,
          analysis: "cap-1",
          time: BED_START + 600,
        })
      ).status,
    ).toBe(200);
    const closed = await postJson(`${gate.url}/api/v1/analyses/close`, {
      analysis: "cap-1",
      outcome: "aborted",
    });
    expect(closed.status).toBe(200);
    expect((await look("cap-4")).status).toBe(200);
  });

  it("keeps /metrics behind its own token when auth.metricsTokens is set", async () => {
    expect((await metrics()).status).toBe(401);
    expect((await metrics("wrong-token-0123456789abcdef")).status).toBe(401);
    expect((await metrics(METRICS_TOKEN)).status).toBe(200);
  });

  it("caps the per-analysis status series and counts what it left out", async () => {
    const m = await metrics(METRICS_TOKEN);
    const series = m.text.split("\n").filter((l) => l.startsWith("slogate_analysis_status{"));
    expect(series.length).toBe(2);
    const dropped = /^slogate_analysis_status_dropped_total (\d+)/m.exec(m.text);
    expect(Number(dropped?.[1])).toBeGreaterThan(0);
  });
});
