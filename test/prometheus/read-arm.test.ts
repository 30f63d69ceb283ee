import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadArmCounts, createReadArmSeries } from "../../src/prometheus/read-arm.ts";
import { isSlogateError } from "../../src/errors.ts";
import { parseQueryTemplate } from "../../src/promql/placeholders.ts";
import type { ArmCounts } from "../../src/domain/counts.ts";
import { HttpPrometheusClient } from "../../src/prometheus/http-client.ts";
import { buildArmMatchers } from "../../src/promql/arm-selector.ts";
import type { LabelMatcher } from "../../src/promql/matchers.ts";
import { createRng, samplePoisson } from "../../src/sim/random.ts";
import { scrapeTruth, simulateScrapes, type SimScrapes, type SimSeries } from "../../src/sim/scrapes.ts";
import { SCENARIOS, defineScenario } from "../../src/sim/scenarios.ts";
import type { SimArm } from "../../src/sim/scenario.ts";
import { histogramQuantile } from "../../src/stats/histogram-quantile.ts";
import { freePort } from "../../src/testbed/free-port.ts";
import { BACKEND_KINDS, startMetricsBackend } from "../../src/testbed/metrics-backend.ts";
import type { PrometheusBed } from "../../src/testbed/prometheus.ts";
import { startLocalServer, type LocalServer } from "./local-server.ts";
import type { ThresholdOp } from "../../src/slo/model.ts";
import { eventsSli, makeSlo } from "./slo-fixtures.ts";

const START = 1_700_000_000;
const SELECTION = { mode: "label", label: "rollouts_pod_template_hash" } as const;

/** Healthy traffic with both `le` spellings; canary loaded live, stable backfilled. */
const healthy = simulateScrapes(SCENARIOS.healthy, { seed: 21, start: START, leStyle: "mixed" });
/** A second service whose canary exports nothing. */
const noData = simulateScrapes(defineScenario({ ...SCENARIOS["canary-no-data"], service: "orders" }), {
  seed: 22,
  start: START,
});

/** A probe gauge per arm: 0 every 7th scrape on the canary, every 11th on stable. */
function probeSeries(): SimSeries[] {
  return (["canary", "stable"] as const).map((arm) => ({
    metric: "probe_success",
    arm,
    labels: { service: "checkout", rollouts_pod_template_hash: SCENARIOS.healthy[arm].hash },
    samples: Array.from({ length: 121 }, (_, k) => ({
      t: START + k * 15,
      v: k % (arm === "canary" ? 7 : 11) === 3 ? 0 : 1,
    })),
  }));
}

/** A consumer-lag gauge per arm, every 15 s: Poisson around 40 (canary) and 30 (stable). */
function lagSeries(): SimSeries[] {
  const rng = createRng("lag");
  return (["canary", "stable"] as const).map((arm) => ({
    metric: "consumer_lag",
    arm,
    labels: { service: "checkout", rollouts_pod_template_hash: SCENARIOS.healthy[arm].hash },
    samples: Array.from({ length: 121 }, (_, k) => ({
      t: START + k * 15,
      v: samplePoisson(rng, arm === "canary" ? 40 : 30),
    })),
  }));
}
const LAG = lagSeries();

/** Truth of a threshold SLI on the lag: points every `step` in (from, to], bad when `breaks`. */
function lagTruth(arm: SimArm, from: number, to: number, step: number, breaks: (v: number) => boolean) {
  const samples = LAG.find((s) => s.arm === arm)!.samples;
  let total = 0;
  let bad = 0;
  for (let t = from + step; t <= to; t += step) {
    // Prometheus' instant value: the latest sample at or before t, within 5 minutes.
    const last = samples.filter((x) => x.t <= t && x.t > t - 300).at(-1);
    if (last === undefined) continue;
    total += 1;
    if (breaks(last.v)) bad += 1;
  }
  return { total, bad };
}

const LATENCY = makeSlo("latency", "latency", {
  type: "latency",
  metric: "http_request_duration_seconds",
  matchers: [{ name: "service", op: "=", value: "checkout" }],
  thresholdSeconds: 0.25,
});
const ERRORS_INJECTED = makeSlo(
  "errors",
  "error-rate",
  eventsSli(
    'sum(rate(http_requests_total{service="checkout"}[{{.window}}]))',
    'sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{.window}}]))',
  ),
);
const ERRORS_PLACEHOLDER = makeSlo(
  "errors-selector",
  "error-rate",
  eventsSli(
    'sum by (pod) (increase(http_requests_total{service="checkout",{{.selector}}}[{{.window}}]))',
    'sum(increase(http_requests_total{service="checkout",code!~"5..",{{.selector}}}[{{.window}}]))',
    "good",
  ),
);
const PROBE = makeSlo("probe", "availability", {
  type: "probe",
  metric: "probe_success",
  matchers: [{ name: "service", op: "=", value: "checkout" }],
});

function truthOf(
  sim: SimScrapes,
  arm: SimArm,
  from: number,
  to: number,
  threshold = 0.25,
): ArmCounts & { errors: number } {
  const t = scrapeTruth(sim, arm, from, to)!;
  const bounds = sim.scenario.buckets;
  const bad = t.buckets.reduce((a, c, i) => a + ((bounds[i] ?? 0) > threshold ? c : 0), 0);
  return { total: t.total, bad, errors: t.bad, histogram: { bounds, counts: t.buckets } };
}

describe.each(BACKEND_KINDS)("reading arm counts from a real %s", (kind) => {
  let bed: PrometheusBed;
  let client: HttpPrometheusClient;
  const arm = (a: SimArm): LabelMatcher[] => buildArmMatchers(SELECTION, a, SCENARIOS.healthy[a].hash);

  beforeAll(async () => {
    bed = await startMetricsBackend(kind, {
      history: [
        ...healthy.series.filter((s) => s.arm === "stable"),
        ...noData.series,
        ...probeSeries(),
        ...LAG,
      ],
    });
    await bed.write(healthy.series.filter((s) => s.arm === "canary"));
    client = new HttpPrometheusClient({ url: bed.url });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  const WINDOWS: [string, number, number][] = [
    ["the whole analysis", START, START + 1800],
    ["the first ten minutes", START, START + 600],
    ["a window across both pod restarts", START + 310, START + 1510],
    ["a window not aligned to scrapes", START + 7, START + 1234],
  ];

  describe.each(["canary", "stable"] as const)("the %s arm", (a) => {
    it.each(WINDOWS)("latency histogram over %s equals the ground truth exactly", async (_n, from, to) => {
      const read = createReadArmCounts({ client });
      const got = await read(LATENCY, arm(a), { start: from, end: to });
      const want = truthOf(healthy, a, from, to);
      expect(got).toEqual({ total: want.total, bad: want.bad, histogram: want.histogram });
    });

    it.each(WINDOWS)(
      "request and error counts over %s equal the ground truth exactly",
      async (_n, from, to) => {
        const read = createReadArmCounts({ client });
        const want = truthOf(healthy, a, from, to);
        expect(await read(ERRORS_INJECTED, arm(a), { start: from, end: to })).toEqual({
          total: want.total,
          bad: want.errors,
        });
        expect(await read(ERRORS_PLACEHOLDER, arm(a), { start: from, end: to })).toEqual({
          total: want.total,
          bad: want.errors,
        });
      },
    );

    it("per-step series equal the ground truth of every step and add up to the whole", async () => {
      const series = createReadArmSeries({ client });
      const steps = await series(LATENCY, arm(a), { start: START, end: START + 1800, step: 60 });
      expect(steps).toHaveLength(30);
      steps.forEach((s, k) => {
        const want = truthOf(healthy, a, START + k * 60, START + (k + 1) * 60);
        expect(s).toEqual({
          t: START + (k + 1) * 60,
          total: want.total,
          bad: want.bad,
          histogram: want.histogram,
        });
      });
      const ev = await series(ERRORS_INJECTED, arm(a), { start: START, end: START + 1800, step: 300 });
      const whole = truthOf(healthy, a, START, START + 1800);
      expect(ev.reduce((x, s) => x + s.total, 0)).toBe(whole.total);
      expect(ev.reduce((x, s) => x + s.bad, 0)).toBe(whole.errors);
    });
  });

  it("counts probe samples and failed probes exactly", async () => {
    const read = createReadArmCounts({ client });
    // Samples at START+15 … START+600: 40 samples; k = 1..40, failures where k % 7 === 3.
    const failures = Array.from({ length: 40 }, (_, i) => i + 1).filter((k) => k % 7 === 3).length;
    expect(await read(PROBE, arm("canary"), { start: START, end: START + 600 })).toEqual({
      total: 40,
      bad: failures,
    });
  });

  const THRESHOLDS: [ThresholdOp, number, (v: number) => boolean][] = [
    ["lte", 35, (v) => v > 35],
    ["lt", 35, (v) => v >= 35],
    ["gt", 33, (v) => v <= 33],
    ["gte", 33, (v) => v < 33],
  ];
  describe.each(["canary", "stable"] as const)("a threshold SLI on the %s arm", (a) => {
    it.each(THRESHOLDS)(
      "op %s %d counts evaluation points and breaking points equal to the truth from the samples",
      async (op, value, breaks) => {
        const slo = makeSlo("lag", "availability", {
          type: "threshold",
          query: parseQueryTemplate('max(consumer_lag{service="checkout"})'),
          op,
          value,
          stepSeconds: 60,
        });
        const read = createReadArmCounts({ client });
        for (const [from, to] of [
          [START, START + 1800],
          [START + 7, START + 1234],
        ] as const) {
          const want = lagTruth(a, from, to, 60, breaks);
          expect(want.bad).toBeGreaterThan(0);
          expect(want.bad).toBeLessThan(want.total);
          expect(await read(slo, arm(a), { start: from, end: to })).toEqual(want);
        }
        const steps = await createReadArmSeries({ client })(slo, arm(a), {
          start: START,
          end: START + 1800,
          step: 300,
        });
        expect(steps).toHaveLength(6);
        steps.forEach((s, k) => {
          expect(s).toEqual({
            t: START + (k + 1) * 300,
            ...lagTruth(a, START + k * 300, START + (k + 1) * 300, 60, breaks),
          });
        });
      },
    );
  });

  it("returns null for an arm without series, and zero errors when only the error series is missing", async () => {
    const read = createReadArmCounts({ client });
    const orders = buildArmMatchers(SELECTION, "canary", SCENARIOS.healthy.canary.hash);
    const slo = makeSlo(
      "orders",
      "error-rate",
      eventsSli(
        'sum(rate(http_requests_total{service="orders"}[{{.window}}]))',
        'sum(rate(http_requests_total{service="orders",code="599"}[{{.window}}]))',
      ),
    );
    expect(await read(slo, orders, { start: START, end: START + 1800 })).toBeNull();
    expect(
      await read(
        {
          ...LATENCY,
          sli: {
            ...LATENCY.sli,
            matchers: [{ name: "service", op: "=", value: "orders" }],
          } as typeof LATENCY.sli,
        },
        orders,
        { start: START, end: START + 1800 },
      ),
    ).toBeNull();
    const stable = buildArmMatchers(SELECTION, "stable", SCENARIOS.healthy.stable.hash);
    const got = await read(slo, stable, { start: START, end: START + 1800 });
    expect(got?.bad).toBe(0);
    expect(got?.total).toBe(scrapeTruth(noData, "stable", START, START + 1800)!.total);
  });

  it("reads a ratio SLI as per-step ratio points and refuses to invent counts for it", async () => {
    const slo = makeSlo("ratio", "error-rate", {
      type: "ratio",
      badRatio: parseQueryTemplate(
        'sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{.window}}])) / sum(rate(http_requests_total{service="checkout"}[{{.window}}]))',
      ),
    });
    const steps = await createReadArmSeries({ client })(slo, arm("stable"), {
      start: START,
      end: START + 1800,
      step: 300,
    });
    expect(steps.map((s) => s.t)).toEqual([1, 2, 3, 4, 5, 6].map((k) => START + k * 300));
    for (const s of steps) {
      expect(s.total).toBe(1);
      expect(s.bad).toBeGreaterThan(0);
      expect(s.bad).toBeLessThan(0.02);
    }
    const err = await createReadArmCounts({ client })(slo, arm("stable"), {
      start: START,
      end: START + 1800,
    }).catch((e: unknown) => e);
    expect(isSlogateError(err, "SLO_UNSUPPORTED")).toBe(true);
  });

  it("falls back to value × window for queries that are not plain counter sums (approximate)", async () => {
    const read = createReadArmCounts({ client });
    const slo = makeSlo(
      "errors-fallback",
      "error-rate",
      eventsSli(
        'sum(rate(http_requests_total{service="checkout"}[{{.window}}])) * 1',
        'sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{.window}}])) * 1',
      ),
    );
    const got = (await read(slo, arm("stable"), { start: START + 300, end: START + 1500 }))!;
    const want = truthOf(healthy, "stable", START + 300, START + 1500);
    expect(Math.abs(got.total / want.total - 1)).toBeLessThan(0.05);
  });

  it.each([0.5, 0.9, 0.95, 0.99, 0.999])(
    "our histogram quantile of the read buckets matches Prometheus' histogram_quantile(%d) on the same data",
    async (q) => {
      // A window with no restart and every bucket series alive at its start: there the exact
      // counts are also the plain difference of two instant reads, which Prometheus can do.
      const from = START + 60;
      const to = START + 1200;
      const read = createReadArmCounts({ client });
      const got = (await read(LATENCY, arm("canary"), { start: from, end: to }))!;
      const sel =
        'http_request_duration_seconds_bucket{service="checkout",rollouts_pod_template_hash="7c9d5f6b8"}';
      const promql = `histogram_quantile(${q}, sum by (le) (${sel} @ ${to}) - sum by (le) (${sel} @ ${from}))`;
      const r = await client.query(promql, to);
      expect(r.type).toBe("vector");
      const theirs = r.type === "vector" ? r.samples[0]!.v : NaN;
      const ours = histogramQuantile(q, got.histogram!);
      expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(1e-12 * Math.abs(theirs));
    },
  );
});

describe("reading arm counts when the backend cannot answer", () => {
  const servers: LocalServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const range = { start: START, end: START + 600 };
  const canary = buildArmMatchers(SELECTION, "canary", "7c9d5f6b8");

  it.each([
    ["a stopped Prometheus", "down", "PROMETHEUS_UNAVAILABLE"],
    [
      "a 500",
      JSON.stringify({ status: "error", errorType: "internal", error: "boom" }),
      "PROMETHEUS_HTTP_ERROR",
    ],
    [
      "a vector where a matrix belongs",
      JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } }),
      "PROMETHEUS_BAD_RESPONSE",
    ],
    ["malformed JSON", "{", "PROMETHEUS_BAD_RESPONSE"],
  ] as const)("rejects on %s instead of resolving zero or null", async (_n, body, code) => {
    let url: string;
    if (body === "down") {
      url = `http://127.0.0.1:${await freePort()}`;
    } else {
      const s = await startLocalServer((_req, res) => {
        res
          .writeHead(code === "PROMETHEUS_HTTP_ERROR" ? 500 : 200, { "Content-Type": "application/json" })
          .end(body);
      });
      servers.push(s);
      url = s.url;
    }
    const client = new HttpPrometheusClient({ url, retries: 1, backoffMs: 5 });
    for (const slo of [LATENCY, ERRORS_INJECTED, PROBE]) {
      const err = await createReadArmCounts({ client })(slo, canary, range).catch((e: unknown) => e);
      expect(isSlogateError(err, code)).toBe(true);
    }
  });
});
