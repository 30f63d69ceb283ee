/**
 * Looks and backtests through the incremental reader on a real Prometheus, with the reader
 * state in a real SQLite file: every look records the same arm counts as looks that read in
 * full; a restart (store closed and reopened, a new reader) continues from the stored state;
 * a lost state costs one full read; a backtest takes the same path.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeLook } from "../../src/app/analyze-look.ts";
import { backtest } from "../../src/app/backtest.ts";
import type { AnalyzeLookDeps } from "../../src/app/deps.ts";
import type { LookRecord, Store } from "../../src/app/store-port.ts";
import { judgeLook } from "../../src/judge/registry.ts";
import { HttpPrometheusClient } from "../../src/prometheus/http-client.ts";
import { createReadArmCounts } from "../../src/prometheus/read-arm.ts";
import { createReadArmCountsIncremental } from "../../src/prometheus/read-arm-incremental.ts";
import { buildArmMatchers } from "../../src/promql/arm-selector.ts";
import { simulateScrapes } from "../../src/sim/scrapes.ts";
import { SCENARIOS } from "../../src/sim/scenarios.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { SqliteStore } from "../../src/store/sqlite-store.ts";
import { startPrometheus, type PrometheusBed } from "../../src/testbed/prometheus.ts";
import { makeSlo } from "./slo-fixtures.ts";

const START = 1_700_000_000;
const SELECTION = { mode: "label", label: "rollouts_pod_template_hash" } as const;
const sim = simulateScrapes(SCENARIOS.healthy, { seed: 41, start: START, leStyle: "mixed" });
const SLO = makeSlo("latency", "latency", {
  type: "latency",
  metric: "http_request_duration_seconds",
  matchers: [{ name: "service", op: "=", value: "checkout" }],
  thresholdSeconds: 0.25,
});
const selectors = {
  canary: buildArmMatchers(SELECTION, "canary", SCENARIOS.healthy.canary.hash),
  stable: buildArmMatchers(SELECTION, "stable", SCENARIOS.healthy.stable.hash),
};

/** Log lines of `look judged`, with their read modes. */
type Logged = { msg: string; fields?: Record<string, unknown> };

describe("looks through the incremental reader", () => {
  let bed: PrometheusBed;
  let client: HttpPrometheusClient;
  const dirs: string[] = [];

  beforeAll(async () => {
    bed = await startPrometheus({ history: sim.series.filter((s) => s.arm === "stable") });
    await bed.write(sim.series.filter((s) => s.arm === "canary"));
    client = new HttpPrometheusClient({ url: bed.url });
  });
  afterAll(async () => {
    await bed?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function depsOf(store: Store, incremental: boolean, log: Logged[]): AnalyzeLookDeps {
    const note = (msg: string, fields?: Record<string, unknown>): void => {
      log.push({ msg, ...(fields === undefined ? {} : { fields }) });
    };
    return {
      store,
      readArmCounts: createReadArmCounts({ client }),
      ...(incremental ? { readArmCountsFrom: createReadArmCountsIncremental({ client }) } : {}),
      seriesStepSeconds: 0,
      judge: judgeLook,
      logger: { debug: note, info: note, warn: note, error: note },
      listeners: [],
      link: (id) => `test:${id}`,
      wallClock: () => Date.now() / 1000,
    };
  }

  const modes = (log: Logged[]): unknown[] =>
    log.filter((l) => l.msg === "look judged").map((l) => l.fields?.readMode);

  const look = (deps: AnalyzeLookDeps, id: string, at: number): Promise<{ look: LookRecord }> =>
    analyzeLook(deps, { slo: SLO, analysisId: id, selectors, controller: "cli", at, start: START });

  it("records the counts of full reads, continues after a restart from the stored state, and reads in full once when the state is lost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-inc-"));
    dirs.push(dir);
    const fullLog: Logged[] = [];
    const reference = depsOf(new MemoryStore(), false, fullLog);
    const log: Logged[] = [];
    let store = SqliteStore.open(dir);
    let deps = depsOf(store, true, log);
    const got: LookRecord[] = [];
    const want: LookRecord[] = [];
    for (let k = 1; k <= 30; k++) {
      const at = START + 60 * k;
      if (k === 11) {
        // A restart: the process (reader and store connection) is gone, the file stays.
        await store.close();
        store = SqliteStore.open(dir);
        deps = depsOf(store, true, log);
      }
      if (k === 21) {
        // The state is lost (e.g. a store restored from an older backup without it).
        const raw = new (await import("node:sqlite")).DatabaseSync(join(dir, "slogate.db"));
        raw.exec("DELETE FROM read_states");
        raw.close();
      }
      got.push((await look(deps, "a", at)).look);
      want.push((await look(reference, "a", at)).look);
    }
    expect(got.map((l) => l.arms)).toEqual(want.map((l) => l.arms));
    expect(got[29]?.arms?.canary?.total).toBeGreaterThan(0);
    const m = modes(log);
    const both = (x: string) => ({ canary: x, stable: x });
    expect(m[0]).toEqual(both("full"));
    expect(m[10]).toEqual(both("incremental"));
    expect(m[20]).toEqual(both("full"));
    expect(m.filter((x) => JSON.stringify(x) === JSON.stringify(both("incremental")))).toHaveLength(28);
    expect(modes(fullLog).every((x) => x === undefined)).toBe(true);
    expect((await store.getReadState("a", "canary"))?.at).toBe(START + 1800);
    await store.close();
  }, 120_000);

  it("backtests through the same path: the same looks as a backtest reading in full", async () => {
    const log: Logged[] = [];
    const req = { slo: SLO, selectors, from: START, to: START + 1800, intervalSeconds: 30 };
    const inc = await backtest(
      { ...depsOf(new MemoryStore(), true, log), scratchStore: () => new MemoryStore() },
      req,
    );
    const full = await backtest(
      { ...depsOf(new MemoryStore(), false, []), scratchStore: () => new MemoryStore() },
      req,
    );
    expect(inc.looks.map((l) => l.arms)).toEqual(full.looks.map((l) => l.arms));
    expect(inc.looks.length).toBe(60);
    expect(
      modes(log)
        .slice(1)
        .every((x) => JSON.stringify(x) === '{"canary":"incremental","stable":"incremental"}'),
    ).toBe(true);
  }, 120_000);
});
