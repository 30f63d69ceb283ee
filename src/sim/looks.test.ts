import { describe, expect, it } from "vitest";
import { simulateLooks } from "./looks.ts";
import { expectedRequests, canaryWeightAt, checkScenario } from "./scenario.ts";
import { SCENARIOS, type ScenarioName } from "./scenarios.ts";

describe("count-level looks", () => {
  it.each(Object.keys(SCENARIOS) as ScenarioName[])("scenario %s is valid", (name) => {
    expect(checkScenario(SCENARIOS[name])).toEqual([]);
  });

  it("the same seed replays the same looks", () => {
    const a = [...simulateLooks(SCENARIOS["error-spike"], { seed: 9, lookSeconds: 60, looks: 30 })];
    const b = [...simulateLooks(SCENARIOS["error-spike"], { seed: 9, lookSeconds: 60, looks: 30 })];
    const c = [...simulateLooks(SCENARIOS["error-spike"], { seed: 10, lookSeconds: 60, looks: 30 })];
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("the traffic split steps 10% → 25% → 50%", () => {
    const s = SCENARIOS.healthy;
    expect([-1, 0, 599, 600, 1200, 5000].map((t) => canaryWeightAt(s, t))).toEqual([
      0, 0.1, 0.1, 0.25, 0.5, 0.5,
    ]);
    const looks = [...simulateLooks(s, { seed: 1, lookSeconds: 300, looks: 6 })];
    expect(looks.map((l) => l.canaryShare)).toEqual([0.1, 0.1, 0.25, 0.25, 0.5, 0.5]);
  });

  it("buckets sum to the total and bad never exceeds it", () => {
    for (const l of simulateLooks(SCENARIOS["latency-regression"], { seed: 3, lookSeconds: 60, looks: 30 })) {
      for (const arm of [l.canary, l.stable]) {
        expect(arm).not.toBeNull();
        expect(arm!.buckets.reduce((x, y) => x + y, 0)).toBe(arm!.total);
        expect(arm!.bad).toBeLessThanOrEqual(arm!.total);
      }
    }
  });

  it("a canary without pods has no data, not zero traffic", () => {
    for (const l of simulateLooks(SCENARIOS["canary-no-data"], { seed: 1, lookSeconds: 60, looks: 5 })) {
      expect(l.canary).toBeNull();
      expect(l.stable!.total).toBeGreaterThan(0);
    }
  });

  it("counts average to the expected rates over many analyses", () => {
    const s = SCENARIOS["error-spike"];
    let canary = 0;
    let bad = 0;
    let stableBad = 0;
    let stable = 0;
    for (let seed = 0; seed < 200; seed++) {
      for (const l of simulateLooks(s, { seed, lookSeconds: 60, looks: 30 })) {
        canary += l.canary!.total;
        bad += l.canary!.bad;
        stable += l.stable!.total;
        stableBad += l.stable!.bad;
      }
    }
    expect(canary / 200 / expectedRequests(s, "canary", 0, 1800)).toBeCloseTo(1, 2);
    expect(bad / canary).toBeCloseTo(0.05, 3);
    expect(stableBad / stable).toBeCloseTo(0.005, 3);
  });

  it("a stable that degrades shows more errors after 15 minutes", () => {
    const looks = [...simulateLooks(SCENARIOS["stable-degrades"], { seed: 5, lookSeconds: 300, looks: 6 })];
    const ratio = (i: number): number => looks[i]!.stable!.bad / looks[i]!.stable!.total;
    expect(ratio(0)).toBeLessThan(0.015);
    expect(ratio(5)).toBeGreaterThan(0.025);
  });
});
