/**
 * Raw samples decoded off the event loop: the worker gives the same series as the decoder on
 * the event loop, for a real Prometheus' answers; bodies the fast path does not read (another
 * layout) and a dead worker fall back to the general decoder with the same numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpPrometheusClient } from "../../src/prometheus/http-client.ts";
import { MatrixDecoder } from "../../src/prometheus/matrix-decoder.ts";
import { simulateScrapes } from "../../src/sim/scrapes.ts";
import { SCENARIOS } from "../../src/sim/scenarios.ts";
import { startPrometheus, type PrometheusBed } from "../../src/testbed/prometheus.ts";
import { startLocalServer, type LocalServer } from "./local-server.ts";

const START = 1_700_000_000;
const sim = simulateScrapes(SCENARIOS.healthy, { seed: 51, start: START, leStyle: "mixed" });
const SELECTION = 'http_request_duration_seconds_bucket{service="checkout"}[40m]';

const plain = (s: {
  labels: Record<string, string>;
  times: ArrayLike<number>;
  values: ArrayLike<number>;
}) => ({
  labels: s.labels,
  times: Array.from(s.times),
  values: Array.from(s.values),
});

describe("decoding raw samples in a worker thread", () => {
  let bed: PrometheusBed;
  let local: LocalServer;
  const decoder = new MatrixDecoder(1);
  beforeAll(async () => {
    bed = await startPrometheus({ history: sim.series });
    local = await startLocalServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      // Valid JSON, but not in Prometheus' exact layout (spaces): the general decoder reads it.
      res.end(
        '{ "status": "success", "data": { "resultType": "matrix", "result": [ { "metric": { "le": "1" }, "values": [ [ 1700000015, "3" ], [ 1700000030, "7.5" ] ] } ] } }',
      );
    });
  });
  afterAll(async () => {
    await decoder.close();
    await bed?.stop();
    await local?.close();
  });

  it("gives a real Prometheus' answer the same series as the event-loop decoder", async () => {
    const off = await new HttpPrometheusClient({ url: bed.url, decoder }).rawSamples(SELECTION, START + 1800);
    const on = await new HttpPrometheusClient({ url: bed.url }).rawSamples(SELECTION, START + 1800);
    if (off.type !== "matrix" || on.type !== "matrix") throw new Error("expected matrices");
    expect(off.series.length).toBeGreaterThan(20);
    expect(decoder.decoded).toBe(1);
    expect(off.series.map(plain)).toEqual(on.series.map(plain));
  });

  it("leaves a body in another layout to the general decoder", async () => {
    const r = await new HttpPrometheusClient({ url: local.url, decoder }).rawSamples("x[1m]", START + 60);
    if (r.type !== "matrix") throw new Error("expected a matrix");
    expect(decoder.decoded).toBe(1);
    expect(r.series.map(plain)).toEqual([
      { labels: { le: "1" }, times: [1700000015, 1700000030], values: [3, 7.5] },
    ]);
  });

  it("decodes again after its worker was stopped", async () => {
    const d = new MatrixDecoder(1);
    const client = new HttpPrometheusClient({ url: bed.url, decoder: d });
    const first = await client.rawSamples(SELECTION, START + 900);
    await d.close();
    const again = await client.rawSamples(SELECTION, START + 900);
    if (first.type !== "matrix" || again.type !== "matrix") throw new Error("expected matrices");
    expect(again.series.map(plain)).toEqual(first.series.map(plain));
    expect(d.decoded).toBe(2);
    await d.close();
  });
});
