import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { simulateScrapes } from "../sim/scrapes.ts";
import { SCENARIOS } from "../sim/scenarios.ts";
import { startPrometheus, type PrometheusBed } from "./prometheus.ts";
import { snappyEncodeLiteral } from "./remote-write.ts";

const START = 1_700_000_000;

async function instant(bed: PrometheusBed, q: string, t: number): Promise<number> {
  const r = await fetch(`${bed.url}/api/v1/query?query=${encodeURIComponent(q)}&time=${t}`);
  const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
  return Number(body.data.result[0]?.value[1] ?? NaN);
}

describe("the Prometheus test bed", () => {
  const sim = simulateScrapes(SCENARIOS.healthy, { seed: 2, start: START });
  const beds: PrometheusBed[] = [];
  afterAll(async () => {
    await Promise.all(beds.map((b) => b.stop()));
  });

  it("serves backfilled history and remote-written live samples, then stops and cleans up", async () => {
    const bed = await startPrometheus({ history: sim.series.filter((s) => s.arm === "stable") });
    beds.push(bed);
    expect(bed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await bed.write(sim.series.filter((s) => s.arm === "canary"));
    const want = sim.series.filter((s) => s.metric === "http_requests_total").length;
    expect(await instant(bed, "count(http_requests_total)", START + 1800)).toBe(want);
    const lastCanary = sim.series
      .filter((s) => s.arm === "canary" && s.metric === "http_request_duration_seconds_count")
      .reduce((a, s) => a + s.samples[s.samples.length - 1]!.v, 0);
    expect(
      await instant(
        bed,
        'sum(http_request_duration_seconds_count{rollouts_pod_template_hash="7c9d5f6b8"})',
        START + 1800,
      ),
    ).toBe(lastCanary);
    await bed.stop();
    expect(existsSync(bed.dataDir)).toBe(false);
    await expect(fetch(`${bed.url}/-/ready`)).rejects.toThrow();
    await bed.stop();
  });

  it("runs two beds side by side on different ports", async () => {
    const [a, b] = await Promise.all([startPrometheus(), startPrometheus()]);
    beds.push(a, b);
    expect(a.port).not.toBe(b.port);
    expect((await fetch(`${a.url}/-/ready`)).status).toBe(200);
    expect((await fetch(`${b.url}/-/ready`)).status).toBe(200);
  });

  it.each([
    [0, [0]],
    [3, [3, 2 << 2, 0, 1, 2]],
    [100, [100, 60 << 2, 99, ...Array.from({ length: 100 }, (_, i) => i)]],
    [300, [0xac, 0x02, 61 << 2, 0x2b, 0x01, ...Array.from({ length: 300 }, (_, i) => i % 256)]],
  ])("snappy-frames %d bytes as one literal with the right length header", (n, want) => {
    const input = Uint8Array.from(Array.from({ length: n }, (_, i) => i % 256));
    expect([...snappyEncodeLiteral(input)]).toEqual(want);
  });
});
