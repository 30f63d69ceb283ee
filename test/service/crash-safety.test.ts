/**
 * Crash safety of looks: `slogate serve` (a real process on SQLite) is killed with SIGKILL at
 * random moments during bursts of looks, dozens of times, and restarted on the same data dir;
 * the controller replay retries every look that got no answer with the same `time`, as Argo
 * re-measures. Afterwards every analysis' looks — sequence numbers, verdicts, evidence — equal
 * those of an uninterrupted run on the same data: no look lost, none counted twice.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/store/sqlite-store.ts";
import { BED_SERVICES, BED_START, startGateBed, type GateBed } from "../../src/testbed/gate-bed.ts";
import { freePort } from "../../src/testbed/free-port.ts";
import { spawnServe } from "../../src/testbed/serve-process.ts";

const LOOKS = 10;
const INTERVAL = 180;
const SERVICES = [
  BED_SERVICES.healthy,
  BED_SERVICES.latency,
  BED_SERVICES.errors,
  BED_SERVICES.stableDegrades,
];
const SLO_NAMES = ["errors", "latency"];
/** Every (service, SLO) pair is one Argo metric, hence one analysis. */
const METRICS = SERVICES.flatMap((s) => SLO_NAMES.map((n) => ({ s, slo: `${s.service}-${n}` })));

let bed: GateBed;
const dirs: string[] = [];
beforeAll(async () => {
  bed = await startGateBed(["healthy", "latency", "errors", "stableDegrades"]);
});
afterAll(async () => {
  await bed?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<void>;
}

async function serve(dataDir: string, port: number): Promise<Served> {
  const p = spawnServe({
    port,
    dataDir,
    prometheusUrl: bed.prometheus.url,
    slosDir: bed.slosDir,
    env: { SLOGATE_BASELINE_SCHEDULE: "" },
  });
  await p.listening();
  return { child: p.child, url: p.url, exited: p.exit.then(() => undefined) };
}

interface Answer {
  readonly verdict: string;
  readonly final: boolean;
}

/** One Argo measurement; undefined when the service gave no answer (killed mid-request). */
async function measure(url: string, m: (typeof METRICS)[number], k: number): Promise<Answer | undefined> {
  try {
    const r = await fetch(`${url}/api/v1/verdict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        slo: m.slo,
        canary: m.s.canary,
        stable: m.s.stable,
        start: BED_START,
        time: BED_START + k * INTERVAL,
        count: LOOKS,
      }),
      signal: AbortSignal.timeout(15_000),
    });
    if (r.status !== 200) return undefined;
    return (await r.json()) as Answer;
  } catch {
    return undefined;
  }
}

/**
 * Runs every metric's looks as Argo does (one look per interval, stop at the first fail or
 * the final look), in bursts: all metrics' look k at once. `chaos` kills and restarts the
 * service while bursts are in flight.
 */
async function replay(dataDir: string, chaos: { kills: number } | undefined): Promise<number> {
  const port = await freePort();
  let served = await serve(dataDir, port);
  let kills = 0;
  const next = new Map(METRICS.map((m) => [m.slo, 1]));
  const done = new Set<string>();
  let rounds = 0;
  while (done.size < METRICS.length) {
    if (++rounds > 400) throw new Error("replay did not finish in 400 bursts");
    const burst = METRICS.filter((m) => !done.has(m.slo)).map(async (m) => {
      const k = next.get(m.slo)!;
      const a = await measure(served.url, m, k);
      if (a === undefined) return; // no answer: retried with the same time next burst
      if (a.verdict === "fail" || a.final || k >= LOOKS) done.add(m.slo);
      else next.set(m.slo, k + 1);
    });
    let killer: Promise<void> | undefined;
    if (chaos !== undefined && kills < chaos.kills) {
      const victim = served;
      killer = new Promise((ok) =>
        setTimeout(
          () => {
            victim.child.kill("SIGKILL");
            ok();
          },
          Math.floor(Math.random() * 60),
        ),
      );
    }
    await Promise.all(burst);
    if (killer !== undefined) {
      await killer;
      await served.exited;
      kills++;
      served = await serve(dataDir, port);
    }
  }
  served.child.kill("SIGTERM");
  await served.exited;
  return kills;
}

/** Every analysis' looks as stored, without the wall-clock `recordedAt`. */
async function storedLooks(dataDir: string): Promise<Record<string, unknown[]>> {
  const store = SqliteStore.open(dataDir);
  try {
    const out: Record<string, unknown[]> = {};
    for (const a of await store.listAnalyses({ limit: 1000 })) {
      out[a.id] = (await store.listLooks(a.id)).map(({ recordedAt: _r, ...l }) => l);
    }
    return out;
  } finally {
    await store.close();
  }
}

describe("looks survive SIGKILL at random moments", () => {
  it("dozens of kills mid-burst give the same looks as an uninterrupted run", async () => {
    const reference = mkdtempSync(join(tmpdir(), "slogate-crash-ref-"));
    const chaotic = mkdtempSync(join(tmpdir(), "slogate-crash-"));
    dirs.push(reference, chaotic);
    await replay(reference, undefined);
    const kills = await replay(chaotic, { kills: 30 });
    expect(kills).toBe(30);
    const want = await storedLooks(reference);
    const got = await storedLooks(chaotic);
    expect(Object.keys(want)).toHaveLength(METRICS.length);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const id of Object.keys(want)) expect(got[id], id).toEqual(want[id]);
    // The reference is not trivial: some analyses failed, some passed at their final look.
    const last = Object.values(want).map(
      (ls) => (ls.at(-1) as { verdict: { verdict: string } }).verdict.verdict,
    );
    expect(last).toContain("fail");
    expect(last).toContain("pass");
  }, 600_000);
});
