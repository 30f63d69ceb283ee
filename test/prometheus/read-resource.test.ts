/**
 * The resource reader (`src/prometheus/read-resource.ts`) against a real Prometheus: one
 * range query per arm, one entry per pod named by the pod label, containers of a pod summed per
 * step, non-finite points (a 0/0 saturation step) dropped, pods born mid-range kept from their
 * first step, nothing queried before the first full step, `null` for an arm without series, and
 * a query without the pod label refused as the SLO's error. Expected values are computed from
 * the samples written, not from Prometheus.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSlogateError } from "../../src/errors.ts";
import { HttpPrometheusClient } from "../../src/prometheus/http-client.ts";
import { createReadArmGauges } from "../../src/prometheus/read-resource.ts";
import { parseQueryTemplate } from "../../src/promql/placeholders.ts";
import type { ResourceSli, Slo } from "../../src/slo/model.ts";
import type { SimSeries } from "../../src/sim/scrapes.ts";
import { resourceSlo } from "../../src/judge/testdata/resource-slo.ts";
import { startPrometheus, type PrometheusBed } from "../../src/testbed/prometheus.ts";

const START = 1_700_000_000;
const HASH = { canary: "c1", stable: "s1" } as const;

/** Working-set bytes: a gauge sampled every 15 s; value = base + k (k = scrape index). */
function gauge(pod: string, container: string, arm: "canary" | "stable", base: number, from = 0): SimSeries {
  return {
    metric: "mem_bytes",
    arm,
    labels: { pod, container, hash: HASH[arm] },
    samples: Array.from({ length: 41 - from }, (_, i) => ({
      t: START + (from + i) * 15,
      v: base + from + i,
    })),
  };
}

/** Memory limit per pod: 0 for pod-b between 120 and 180 s (a 0/0 ratio there). */
function limit(pod: string, arm: "canary" | "stable"): SimSeries {
  return {
    metric: "mem_limit_bytes",
    arm,
    labels: { pod, hash: HASH[arm] },
    samples: Array.from({ length: 41 }, (_, k) => ({
      t: START + k * 15,
      v: pod === "pod-b" && START + k * 15 > START + 120 && START + k * 15 <= START + 180 ? 0 : 1000,
    })),
  };
}

const SERIES: SimSeries[] = [
  gauge("pod-a", "app", "canary", 100),
  gauge("pod-a", "sidecar", "canary", 10),
  gauge("pod-b", "app", "canary", 200),
  // Born at 300 s: its first full step ends at 360 s.
  gauge("pod-c", "app", "canary", 300, 20),
  gauge("pod-s", "app", "stable", 150),
  limit("pod-a", "canary"),
  limit("pod-b", "canary"),
];

let bed: PrometheusBed;
let client: HttpPrometheusClient;

beforeAll(async () => {
  bed = await startPrometheus({ history: SERIES });
  client = new HttpPrometheusClient({ url: bed.url });
}, 60_000);

afterAll(async () => {
  await bed?.stop();
});

function slo(query: string, over: Partial<ResourceSli> = {}): Slo {
  return resourceSlo({ measure: "memory", query: parseQueryTemplate(query), stepSeconds: 60, ...over });
}

const arm = (a: "canary" | "stable") => [{ name: "hash", op: "=" as const, value: HASH[a] }];

/** Value of a gauge written above at time t (the last sample at or before t). */
const at = (base: number, t: number): number => base + Math.floor((t - START) / 15);

describe("read-resource on a real Prometheus", () => {
  it("returns one entry per pod, containers of a pod summed, pods born mid-range from their first step", async () => {
    const read = createReadArmGauges({ client });
    const got = await read(slo("sum by (pod, container) (mem_bytes)"), arm("canary"), {
      start: START,
      end: START + 600,
    });
    expect(got?.map((p) => p.pod)).toEqual(["pod-a", "pod-b", "pod-c"]);
    const steps = Array.from({ length: 10 }, (_, i) => START + (i + 1) * 60);
    expect(got?.[0]?.points).toEqual(steps.map((t) => ({ t, v: at(100, t) + at(10, t) })));
    expect(got?.[1]?.points).toEqual(steps.map((t) => ({ t, v: at(200, t) })));
    expect(got?.[2]?.points).toEqual(
      steps.filter((t) => t >= START + 300).map((t) => ({ t, v: at(300, t) })),
    );
  });

  it("injects the arm's matchers into every selector and drops non-finite points (0/0)", async () => {
    const read = createReadArmGauges({ client });
    const got = await read(
      slo('sum by (pod) (mem_bytes{container="app"}) / sum by (pod) (mem_limit_bytes)', {
        measure: "saturation",
      }),
      arm("canary"),
      { start: START, end: START + 600 },
    );
    // pod-c has no limit series: the division drops it.
    expect(got?.map((p) => p.pod)).toEqual(["pod-a", "pod-b"]);
    const b = got?.[1]?.points ?? [];
    // Steps at 180 s: limit 0 → +Inf (dropped); 120 s: limit 1000 (the 0 starts after 120 s).
    expect(b.map((p) => p.t - START)).toEqual([60, 120, 240, 300, 360, 420, 480, 540, 600]);
    expect(b[0]?.v).toBeCloseTo(at(200, START + 60) / 1000, 12);
    const stable = await read(slo("sum by (pod) (mem_bytes)"), arm("stable"), {
      start: START,
      end: START + 600,
    });
    expect(stable?.map((p) => p.pod)).toEqual(["pod-s"]);
  });

  it("reads nothing before the first full step, and null for an arm without series", async () => {
    let asked = 0;
    const counting = {
      queryRange: (...a: Parameters<HttpPrometheusClient["queryRange"]>) => {
        asked++;
        return client.queryRange(...a);
      },
    };
    const read = createReadArmGauges({ client: counting });
    expect(
      await read(slo("sum by (pod) (mem_bytes)"), arm("canary"), { start: START, end: START + 59 }),
    ).toEqual([]);
    expect(asked).toBe(0);
    const none = await read(slo("sum by (pod) (mem_bytes)"), [{ name: "hash", op: "=", value: "nosuch" }], {
      start: START,
      end: START + 600,
    });
    expect(none).toBeNull();
    expect(asked).toBe(1);
  });

  it("refuses a result without the pod label as the SLO's configuration error", async () => {
    const read = createReadArmGauges({ client });
    const e = await read(slo("sum(mem_bytes)"), arm("canary"), { start: START, end: START + 600 }).catch(
      (x: unknown) => x,
    );
    expect(isSlogateError(e, "SLO_QUERY_INVALID")).toBe(true);
    expect(String((e as Error).message)).toMatch(/has no pod label/);
  });

  it("passes on a query Prometheus cannot execute (many-to-many) as an error, never as data", async () => {
    const read = createReadArmGauges({ client });
    const e = await read(
      slo("sum by (pod) (mem_bytes) / on (pod) sum by (pod, container) (mem_bytes)"),
      arm("canary"),
      { start: START, end: START + 600 },
    ).catch((x: unknown) => x);
    expect(isSlogateError(e, "PROMETHEUS_QUERY_ERROR")).toBe(true);
    expect(String((e as Error).message)).toMatch(/many-to-many/);
  });
});
