import { describe, expect, it } from "vitest";
import { counterIncrease, formatLe, scrapeTruth, simulateScrapes } from "./scrapes.ts";
import { expectedRequests } from "./scenario.ts";
import { SCENARIOS } from "./scenarios.ts";

const START = 1_700_000_000;

describe("per-scrape samples", () => {
  const sim = simulateScrapes(SCENARIOS.healthy, { seed: 11, start: START });

  it("is deterministic from the seed", () => {
    expect(simulateScrapes(SCENARIOS.healthy, { seed: 11, start: START }).series).toEqual(sim.series);
  });

  it("labels every series with service, pod and pod-template hash of its arm", () => {
    for (const s of sim.series) {
      expect(s.labels.service).toBe("checkout");
      expect(s.labels.rollouts_pod_template_hash).toBe(SCENARIOS.healthy[s.arm].hash);
      expect(sim.pods[s.arm]).toContain(s.labels.pod);
    }
    expect(sim.pods.stable).toHaveLength(3);
    expect(sim.pods.canary).toHaveLength(2);
  });

  it("canary series start after the analysis start, stable ones an hour before", () => {
    const first = (arm: "canary" | "stable"): number =>
      Math.min(...sim.series.filter((s) => s.arm === arm).map((s) => s.samples[0]!.t));
    expect(first("canary")).toBe(START + 15);
    expect(first("stable")).toBe(START - 3600);
  });

  it("pod restarts show up as counter resets", () => {
    const drops = (arm: "canary" | "stable"): number =>
      sim.series
        .filter((s) => s.arm === arm && s.metric === "http_requests_total" && s.labels.code === "200")
        .filter((s) => s.samples.some((x, i) => i > 0 && x.v < s.samples[i - 1]!.v)).length;
    expect(drops("stable")).toBe(1);
    expect(drops("canary")).toBe(1);
  });

  it("ground truth is consistent: buckets sum to the total and roughly match the expected traffic", () => {
    const truth = scrapeTruth(sim, "canary", START, START + 1800)!;
    expect(truth.buckets.reduce((a, b) => a + b, 0)).toBe(truth.total);
    const want = expectedRequests(SCENARIOS.healthy, "canary", 0, 1800);
    expect(Math.abs(truth.total - want)).toBeLessThan(5 * Math.sqrt(want));
    expect(truth.bad).toBeGreaterThan(0);
    expect(truth.bad).toBeLessThan(truth.total * 0.02);
  });

  it("ground truth over consecutive windows adds up", () => {
    const a = scrapeTruth(sim, "stable", START, START + 900)!;
    const b = scrapeTruth(sim, "stable", START + 900, START + 1800)!;
    const ab = scrapeTruth(sim, "stable", START, START + 1800)!;
    expect(a.total + b.total).toBe(ab.total);
    expect(a.bad + b.bad).toBe(ab.bad);
    expect(a.buckets.map((x, i) => x + b.buckets[i]!)).toEqual(ab.buckets);
  });

  it("a canary without pods exports nothing and has no truth", () => {
    const none = simulateScrapes(SCENARIOS["canary-no-data"], { seed: 1, start: START });
    expect(none.series.some((s) => s.arm === "canary")).toBe(false);
    expect(scrapeTruth(none, "canary", START, START + 600)).toBeNull();
  });

  it("spells le the Prometheus 2 or 3 way, and both in mixed mode", () => {
    expect([0.005, 1, 10, Infinity].map((b) => formatLe(b, "prometheus2"))).toEqual([
      "0.005",
      "1",
      "10",
      "+Inf",
    ]);
    expect([0.005, 1, 10, Infinity].map((b) => formatLe(b, "prometheus3"))).toEqual([
      "0.005",
      "1.0",
      "10.0",
      "+Inf",
    ]);
    const mixed = simulateScrapes(SCENARIOS.healthy, { seed: 11, start: START, leStyle: "mixed" });
    const les = new Set(mixed.series.map((s) => s.labels.le).filter((x) => x !== undefined));
    expect(les.has("1")).toBe(true);
    expect(les.has("1.0")).toBe(true);
    expect(scrapeTruth(mixed, "canary", START, START + 1800)!.buckets).toEqual(
      scrapeTruth(sim, "canary", START, START + 1800)!.buckets,
    );
  });

  it.each([
    [
      "a plain rise",
      [
        [10, 5],
        [20, 8],
        [30, 12],
      ],
      10,
      30,
      7,
    ],
    [
      "a reset counting the new value whole",
      [
        [10, 50],
        [20, 60],
        [30, 4],
      ],
      10,
      30,
      14,
    ],
    [
      "a series born after the start",
      [
        [20, 3],
        [30, 9],
      ],
      10,
      30,
      9,
    ],
    [
      "samples after the end ignored",
      [
        [10, 1],
        [20, 2],
        [40, 100],
      ],
      10,
      30,
      1,
    ],
  ] as const)("counter increase handles %s", (_n, pts, from, to, want) => {
    expect(
      counterIncrease(
        pts.map(([t, v]) => ({ t, v })),
        from,
        to,
      ),
    ).toBe(want);
  });
});
