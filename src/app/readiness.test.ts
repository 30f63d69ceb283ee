import { describe, expect, it } from "vitest";
import { SlogateError } from "../errors.ts";
import type { SloCatalogStatus, SloLookup } from "./ports.ts";
import { cachedReadiness, type ReadinessDeps } from "./readiness.ts";
import type { Store } from "./store-port.ts";

const status: SloCatalogStatus = {
  valid: true,
  everValid: true,
  lastLoadAt: 0,
  served: 2,
  problems: [],
  loadErrors: 0,
  retired: [],
};
const catalog = { status: () => status } as unknown as SloLookup;

function deps(probe: () => Promise<void>): ReadinessDeps & { writes: () => number } {
  let writes = 0;
  const store = {
    checkWritable: () => {
      writes++;
    },
  } as unknown as Store;
  return { store, catalog, probePrometheus: probe, writes: () => writes };
}

describe("cachedReadiness (/readyz)", () => {
  it("probes at most once per maxAge, however often it is asked", async () => {
    let t = 0;
    let probes = 0;
    const d = deps(() => {
      probes++;
      return Promise.resolve();
    });
    const ready = cachedReadiness(d, { maxAgeMs: 5000, answerWithinMs: 900, nowMs: () => t });
    for (let i = 0; i < 20; i++) {
      expect((await ready()).ready).toBe(true);
      t += 200; // 20 asks over 4 s
    }
    expect(probes).toBe(1);
    expect(d.writes()).toBe(1);
    t += 2000;
    await ready();
    expect(probes).toBe(2);
  });

  it("answers within answerWithinMs while a probe hangs: not ready before any result", async () => {
    const d = deps(() => new Promise(() => undefined));
    const ready = cachedReadiness(d, { maxAgeMs: 5000, answerWithinMs: 50, nowMs: () => Date.now() });
    const t0 = performance.now();
    const r = await ready();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.ready).toBe(false);
    expect(r.checks.probe?.ok).toBe(false);
  });

  it("says not ready with the reason when Prometheus cannot answer", async () => {
    const d = deps(() =>
      Promise.reject(new SlogateError("PROMETHEUS_UNAVAILABLE", "connection refused", { hint: "start it" })),
    );
    const r = await cachedReadiness(d, { maxAgeMs: 5000, answerWithinMs: 900, nowMs: () => 0 })();
    expect(r.ready).toBe(false);
    expect(r.checks.prometheus).toMatchObject({ ok: false, error: { code: "PROMETHEUS_UNAVAILABLE" } });
    expect(r.checks.store?.ok).toBe(true);
  });
});
