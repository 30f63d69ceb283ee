/**
 * Incremental reads on a real Prometheus: a look that reads only the samples since the
 * previous look (plus the overlap) counts exactly what a full read from the analysis start
 * counts — at every look, with the canary written as it is scraped (up to 20 s late), counter
 * resets (pod restarts), series created by their first error, both `le` spellings, a scrape
 * gap and a pod replaced mid-canary; 600 looks end where 1 look does, per pod too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadArmCounts } from "../../src/prometheus/read-arm.ts";
import { createReadArmCountsIncremental } from "../../src/prometheus/read-arm-incremental.ts";
import type { ArmRead } from "../../src/app/ports.ts";
import type { ArmCounts } from "../../src/domain/counts.ts";
import { HttpPrometheusClient } from "../../src/prometheus/http-client.ts";
import { buildArmMatchers } from "../../src/promql/arm-selector.ts";
import type { LabelMatcher } from "../../src/promql/matchers.ts";
import { scrapeTruth, simulateScrapes, type SimSeries } from "../../src/sim/scrapes.ts";
import { SCENARIOS } from "../../src/sim/scenarios.ts";
import type { SimArm } from "../../src/sim/scenario.ts";
import type { PrometheusBed } from "../../src/testbed/prometheus.ts";
import { BACKEND_KINDS, startMetricsBackend } from "../../src/testbed/metrics-backend.ts";
import type { Slo } from "../../src/slo/model.ts";
import { eventsSli, makeSlo } from "./slo-fixtures.ts";

const START = 1_700_000_000;
const END = START + 1800;
const SELECTION = { mode: "label", label: "rollouts_pod_template_hash" } as const;
const sim = simulateScrapes(SCENARIOS.healthy, { seed: 31, start: START, leStyle: "mixed" });
const canaryPods = sim.pods.canary;
const REPLACED_AT = START + 905;
const GAP = [START + 600, START + 750] as const;

/**
 * The canary as a cluster would show it: pod 0 replaced at REPLACED_AT (its series vanish and
 * a new pod's series appear, counting from where the old ones were), pod 1 unscraped in GAP.
 */
function canarySeries(): SimSeries[] {
  const out: SimSeries[] = [];
  for (const s of sim.series.filter((x) => x.arm === "canary")) {
    if (s.labels.pod === canaryPods[0]) {
      out.push({ ...s, samples: s.samples.filter((x) => x.t < REPLACED_AT) });
      out.push({
        ...s,
        labels: { ...s.labels, pod: `${s.labels.pod}-new` },
        samples: s.samples.filter((x) => x.t >= REPLACED_AT),
      });
    } else if (s.labels.pod === canaryPods[1]) {
      out.push({ ...s, samples: s.samples.filter((x) => x.t <= GAP[0] || x.t > GAP[1]) });
    } else out.push(s);
  }
  return out.filter((s) => s.samples.length > 0);
}

/** A probe gauge per pod: 0 every 7th (canary) or 11th (stable) scrape. */
function probeSeries(arm: SimArm): SimSeries[] {
  return sim.pods[arm].map((pod, i) => ({
    metric: "probe_success",
    arm,
    labels: { service: "checkout", pod, rollouts_pod_template_hash: SCENARIOS.healthy[arm].hash },
    samples: Array.from({ length: 121 }, (_, k) => ({
      t: START + k * 15,
      v: (k + i) % (arm === "canary" ? 7 : 11) === 3 ? 0 : 1,
    })),
  }));
}

const LATENCY = makeSlo("latency", "latency", {
  type: "latency",
  metric: "http_request_duration_seconds",
  matchers: [{ name: "service", op: "=", value: "checkout" }],
  thresholdSeconds: 0.25,
});
const ERRORS = makeSlo(
  "errors",
  "error-rate",
  eventsSli(
    'sum(rate(http_requests_total{service="checkout"}[{{.window}}]))',
    'sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{.window}}]))',
  ),
);
const GOOD = makeSlo(
  "errors-good",
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
const SLOS: [string, Slo][] = [
  ["latency histogram", LATENCY],
  ["error counters", ERRORS],
  ["good-request counters", GOOD],
  ["probe gauge", PROBE],
];
const ARMS = ["canary", "stable"] as const;

/** Counts without the per-pod breakdown (what the full read gives). */
function whole(c: ArmCounts | null): ArmCounts | null {
  if (c === null) return null;
  return c.histogram === undefined
    ? { total: c.total, bad: c.bad }
    : { total: c.total, bad: c.bad, histogram: c.histogram };
}

const arm = (a: SimArm): LabelMatcher[] => buildArmMatchers(SELECTION, a, SCENARIOS.healthy[a].hash);
const stableHistory = [...sim.series.filter((s) => s.arm === "stable"), ...probeSeries("stable")];
const canaryLive = [...canarySeries(), ...probeSeries("canary")];

describe.each(BACKEND_KINDS)("incremental reads while the canary is being scraped, on %s", (kind) => {
  let bed: PrometheusBed;
  let client: HttpPrometheusClient;
  beforeAll(async () => {
    bed = await startMetricsBackend(kind, { history: stableHistory });
    client = new HttpPrometheusClient({ url: bed.url });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it("give at every look the counts of a full read at that time, with samples up to 20 s late", async () => {
    const full = createReadArmCounts({ client });
    const inc = createReadArmCountsIncremental({ client });
    // Negative control: without the overlap the late samples are missed.
    const noOverlap = createReadArmCountsIncremental({ client, overlapSeconds: 0 });
    const states = new Map<string, unknown>();
    const blind = new Map<string, ArmRead>();
    const lastFull = new Map<string, ArmCounts | null>();
    let written = START - 1;
    let incremental = 0;
    for (let at = START + 15; at <= END; at += 15) {
      // Prometheus has the samples up to 20 s before the look; the rest arrive after it.
      await bed.write(canaryLive, written + 0.001, at - 20);
      written = at - 20;
      for (const [, slo] of SLOS) {
        for (const a of ARMS) {
          const key = `${slo.id}/${a}`;
          const range = { start: START, end: at };
          const got: ArmRead = await inc(slo, arm(a), range, states.get(key));
          const want = await full(slo, arm(a), range);
          expect(whole(got.counts), `${key} at +${at - START}s`).toEqual(want);
          lastFull.set(key, want);
          if (got.mode === "incremental") incremental++;
          states.set(key, got.state);
          blind.set(key, await noOverlap(slo, arm(a), range, blind.get(key)?.state));
        }
      }
    }
    for (const [, slo] of SLOS) {
      const key = `${slo.id}/canary`;
      expect(blind.get(key)?.counts?.total ?? 0, key).toBeLessThan(lastFull.get(key)?.total ?? 0);
    }
    // After the first look every read was incremental.
    expect(incremental).toBe((1800 / 15 - 1) * SLOS.length * ARMS.length);
  }, 240_000);
});

describe.each(BACKEND_KINDS)("incremental reads on a real %s", (kind) => {
  let bed: PrometheusBed;
  let client: HttpPrometheusClient;

  beforeAll(async () => {
    bed = await startMetricsBackend(kind, { history: stableHistory });
    await bed.write(canaryLive);
    client = new HttpPrometheusClient({ url: bed.url });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  describe.each(SLOS)("the %s", (_name, slo) => {
    it("counts the same after 600 looks as in one look, per pod too", async () => {
      const inc = createReadArmCountsIncremental({ client });
      for (const a of ARMS) {
        let state: unknown;
        let last: ArmRead | undefined;
        for (let k = 1; k <= 600; k++) {
          last = await inc(slo, arm(a), { start: START, end: START + 3 * k }, state);
          state = last.state;
        }
        const once = await inc(slo, arm(a), { start: START, end: END }, undefined);
        expect(once.mode).toBe("full");
        expect(last?.mode).toBe("incremental");
        expect(last?.counts).toEqual(once.counts);
        expect(once.counts?.total).toBeGreaterThan(0);
      }
    }, 240_000);

    it.each(ARMS)("splits the %s arm into pods whose counts add up to it", async (a) => {
      const inc = createReadArmCountsIncremental({ client });
      const r = await inc(slo, arm(a), { start: START, end: END }, undefined);
      const pods = r.counts?.pods ?? [];
      // The probe gauges are per pod too, but no probe pod was replaced.
      const replaced = a === "canary" && slo.sli.type !== "probe";
      const names = replaced ? [...canaryPods, `${canaryPods[0]}-new`] : sim.pods[a];
      expect(pods.map((p) => p.pod).sort()).toEqual([...names].sort());
      expect(pods.reduce((x, p) => x + p.total, 0)).toBe(r.counts?.total);
      expect(pods.reduce((x, p) => x + p.bad, 0)).toBe(r.counts?.bad);
      if (slo.sli.type === "latency") {
        const bounds = r.counts?.histogram?.bounds ?? [];
        const sum = bounds.map((_b, i) => pods.reduce((x, p) => x + (p.histogram?.counts[i] ?? 0), 0));
        expect(sum).toEqual(r.counts?.histogram?.counts);
        pods.forEach((p) => expect(p.histogram?.bounds).toEqual(bounds));
      }
    });
  });

  it("counts the stable arm's histogram and errors as the scrapes' ground truth", async () => {
    const inc = createReadArmCountsIncremental({ client });
    let state: unknown;
    let lat: ArmRead | undefined;
    for (let at = START + 60; at <= END; at += 60) {
      lat = await inc(LATENCY, arm("stable"), { start: START, end: at }, state);
      state = lat.state;
    }
    const truth = scrapeTruth(sim, "stable", START, END)!;
    expect(lat?.counts?.histogram).toEqual({ bounds: sim.scenario.buckets, counts: truth.buckets });
    expect(lat?.counts?.total).toBe(truth.total);
  });

  it.each([
    ["no state", undefined],
    ["a malformed state", { v: 1, key: "x", selections: 3 }],
    ["a state of another version", { v: 99 }],
  ])("reads in full once with %s", async (_n, prior) => {
    const inc = createReadArmCountsIncremental({ client });
    const range = { start: START, end: START + 1200 };
    const r = await inc(LATENCY, arm("canary"), range, prior);
    expect(r.mode).toBe("full");
    expect(whole(r.counts)).toEqual(await createReadArmCounts({ client })(LATENCY, arm("canary"), range));
    const next = await inc(LATENCY, arm("canary"), { start: START, end: START + 1260 }, r.state);
    expect(next.mode).toBe("incremental");
  });

  it.each([
    ["of another SLO", ERRORS, START, START + 600],
    ["of another analysis start", LATENCY, START + 60, START + 600],
    ["newer than the look", LATENCY, START, START + 1700],
  ])("reads in full with a state %s, and counts as a full read", async (_n, sloOfState, start, end) => {
    const inc = createReadArmCountsIncremental({ client });
    const stale = (await inc(sloOfState, arm("canary"), { start, end }, undefined)).state;
    const range = { start: START, end: START + 1500 };
    const r = await inc(LATENCY, arm("canary"), range, stale);
    expect(r.mode).toBe("full");
    expect(whole(r.counts)).toEqual(await createReadArmCounts({ client })(LATENCY, arm("canary"), range));
  });

  it("keeps no state larger than maxSeries rows, and counts all the same", async () => {
    const small = createReadArmCountsIncremental({ client, maxSeries: 10 });
    const range = { start: START, end: END };
    const r = await small(LATENCY, arm("stable"), range, undefined);
    expect(r.state).toBeNull();
    expect(r.rows).toBeGreaterThan(10);
    expect(whole(r.counts)).toEqual(await createReadArmCounts({ client })(LATENCY, arm("stable"), range));
  });

  it("reads event queries that are not sums of counters in full (Prometheus evaluates them), keeping no state", async () => {
    const ratioOfSums = makeSlo(
      "errors-ratio",
      "error-rate",
      eventsSli(
        'sum(rate(http_requests_total{service="checkout"}[{{.window}}])) * 1',
        'sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{.window}}])) * 1',
      ),
    );
    const inc = createReadArmCountsIncremental({ client });
    const range = { start: START, end: END };
    const r = await inc(ratioOfSums, arm("stable"), range, undefined);
    expect(r.state).toBeNull();
    const full = await createReadArmCounts({ client })(ratioOfSums, arm("stable"), range);
    // The backend evaluates the query each time; VictoriaMetrics sums series in no fixed
    // order, so the two evaluations may differ in the last bit.
    expect(r.counts?.bad).toBe(full?.bad);
    expect(r.counts?.total).toBeCloseTo(full?.total ?? NaN, 6);
    expect(r.counts?.total).toBeGreaterThan(0);
  });
});
