/**
 * Where Prometheus and VictoriaMetrics answer the same data differently — each difference that
 * docs/prometheus.md ("Backends: Prometheus and VictoriaMetrics") names, asserted on both real
 * backends loaded with the same samples, so the documentation cannot drift from the backends
 * the suites run on. What slogate does about each is tested where it matters (read-arm, client).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSlogateError } from "../../src/errors.ts";
import { HttpPrometheusClient } from "../../src/prometheus/http-client.ts";
import type { SimSeries } from "../../src/sim/scrapes.ts";
import { BACKEND_KINDS, startMetricsBackend, type BackendKind } from "../../src/testbed/metrics-backend.ts";
import type { PrometheusBed } from "../../src/testbed/prometheus.ts";

const T = 1_700_000_000;

/** A counter scraped every 15 s from T to T+120 (+10 per scrape), and histogram buckets with both `le` spellings. */
const SERIES: SimSeries[] = [
  {
    metric: "c_total",
    arm: "stable",
    labels: {},
    samples: Array.from({ length: 9 }, (_, k) => ({ t: T + 15 * k, v: 10 * k })),
  },
  ...["1", "1.0", "+Inf"].map((le): SimSeries => ({
    metric: "h_bucket",
    arm: "stable",
    labels: { le },
    samples: [
      { t: T, v: 1 },
      { t: T + 15, v: 2 },
    ],
  })),
];

const beds = new Map<BackendKind, PrometheusBed>();
beforeAll(async () => {
  for (const kind of BACKEND_KINDS) {
    const bed = await startMetricsBackend(kind);
    await bed.write(SERIES);
    beds.set(kind, bed);
  }
}, 60_000);
afterAll(async () => {
  for (const b of beds.values()) await b.stop();
});

const client = (kind: BackendKind): HttpPrometheusClient =>
  new HttpPrometheusClient({ url: beds.get(kind)!.url });

async function instant(kind: BackendKind, q: string, t: number): Promise<number[]> {
  const r = await client(kind).query(q, t);
  if (r.type === "vector") return r.samples.map((s) => s.v);
  if (r.type === "scalar") return [r.v];
  throw new Error(`unexpected ${r.type}`);
}

describe("Prometheus and VictoriaMetrics on the same samples", () => {
  it("a range selection x[60s] includes the sample exactly 60 s back on Prometheus, not on VictoriaMetrics", async () => {
    const times = async (kind: BackendKind): Promise<number[]> => {
      const r = await client(kind).rawSamples("c_total[60s]", T + 120);
      return r.type === "matrix" ? Array.from(r.series[0]?.times ?? []) : [];
    };
    expect(await times("prometheus")).toEqual([60, 75, 90, 105, 120].map((x) => T + x));
    expect(await times("victoria-metrics")).toEqual([75, 90, 105, 120].map((x) => T + x));
  });

  it("increase() extrapolates on Prometheus and is the plain difference on VictoriaMetrics", async () => {
    // Window (60, 110]: VictoriaMetrics takes the last sample before it (t=60, 40) to the last
    // in it (t=105, 70): 30 exactly. Prometheus takes the samples in [60, 110] (40 … 70 over 45 s)
    // and extrapolates to the window's end: 30 × 50/45.
    const [p] = await instant("prometheus", "increase(c_total[50s])", T + 110);
    const [v] = await instant("victoria-metrics", "increase(c_total[50s])", T + 110);
    expect(v).toBe(30);
    expect(p).toBeCloseTo((30 * 50) / 45, 9);
  });

  it("the last sample is repeated for 5 minutes on both; exactly at 5 minutes only Prometheus still has it", async () => {
    for (const kind of BACKEND_KINDS) {
      expect(await instant(kind, "c_total", T + 120 + 299)).toEqual([80]);
      expect(await instant(kind, "c_total", T + 120 + 301)).toEqual([]);
    }
    expect(await instant("prometheus", "c_total", T + 120 + 300)).toEqual([80]);
    expect(await instant("victoria-metrics", "c_total", T + 120 + 300)).toEqual([]);
  });

  it("scalars: Prometheus answers a scalar, VictoriaMetrics a one-sample vector", async () => {
    expect((await client("prometheus").query("1 + 1", T)).type).toBe("scalar");
    expect(await client("victoria-metrics").query("1 + 1", T)).toMatchObject({
      type: "vector",
      samples: [{ v: 2 }],
    });
  });

  it('neither normalises le: le="1" and le="1.0" stay two series (slogate parses le as a number)', async () => {
    for (const kind of BACKEND_KINDS) {
      const r = await client(kind).query("count by (le) (h_bucket)", T + 15);
      expect(r.type === "vector" && r.samples.map((s) => s.labels.le).sort()).toEqual(["+Inf", "1", "1.0"]);
    }
  });

  it("bad PromQL: Prometheus says 400 bad_data, VictoriaMetrics 422 — the client reports both as SLO_QUERY_INVALID", async () => {
    for (const kind of BACKEND_KINDS) {
      const e = await client(kind)
        .query("sum(rate(c_total[5m]", T)
        .catch((x: unknown) => x);
      expect(isSlogateError(e, "SLO_QUERY_INVALID"), String(e)).toBe(true);
      if (isSlogateError(e)) {
        expect(e.details.backendStatus).toBe(kind === "prometheus" ? 400 : 422);
        expect(e.details.errorType).toBe("bad_data");
      }
    }
    // An execution error stays PROMETHEUS_QUERY_ERROR (negative control for the pattern).
    const e = await client("victoria-metrics")
      .query('label_replace(c_total, "x", "$1", "__name__", "(")', T)
      .catch((x: unknown) => x);
    expect(isSlogateError(e) && e.code).not.toBe("SLO_QUERY_INVALID");
  });

  it("/api/v1/status/buildinfo: Prometheus gives its version, VictoriaMetrics an empty object (slogate does not use it)", async () => {
    const info = async (kind: BackendKind): Promise<unknown> =>
      ((await (await fetch(`${beds.get(kind)!.url}/api/v1/status/buildinfo`)).json()) as { data: unknown })
        .data;
    expect(await info("prometheus")).toMatchObject({ version: expect.any(String) });
    expect(await info("victoria-metrics")).toEqual({});
  });
});
