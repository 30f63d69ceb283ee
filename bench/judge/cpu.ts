/**
 * @module bench/judge/cpu
 * CPU time per look: each judge on a latency SLO with 4 checks (relative, absolute, baseline,
 * distribution) and 30-bucket histograms, over realistic streams (the looks' data are built
 * first, so only judging is timed), measured with `process.threadCpuUsage` (this thread only:
 * model worker threads may run meanwhile) over many looks.
 */
import { getJudge } from "../../src/judge/registry.ts";
import type { LookData } from "../../src/domain/counts.ts";
import type { JudgeName } from "../../src/slo/model.ts";
import { simulateLooks } from "../../src/sim/looks.ts";
import { BUCKETS_30, latencySlo } from "../../src/judge/testdata/slo-fixtures.ts";
import { buildScenario, LOOK_SECONDS } from "./run.ts";
import { LookStream } from "./stream.ts";

/** Microseconds of CPU (user + system) per look, averaged over `analyses × looks` looks. */
export function cpuPerLook(
  judge: JudgeName,
  analyses: number,
  looks: number,
): { microsPerLook: number; looks: number; checks: number } {
  const scenario = buildScenario({
    key: "cpu",
    kind: "latency",
    effect: 1,
    split: [{ at: 0, canaryWeight: 0.1 }],
  });
  const baseline = {
    total: 180_000,
    bad: 6_000,
    capturedAt: -60,
    from: -3660,
    histogram: { bounds: BUCKETS_30, counts: BUCKETS_30.map((_, i) => 6000 + i) },
  };
  const streams: LookData[][] = [];
  for (let a = 0; a < analyses; a++) {
    const stream = new LookStream("latency", BUCKETS_30, 0.2);
    const list: LookData[] = [];
    for (const look of simulateLooks(scenario, { seed: `cpu-${a}`, lookSeconds: LOOK_SECONDS, looks })) {
      const d = stream.push(look);
      // Freeze this look's view of the (growing) series.
      list.push({
        ...d,
        baseline,
        series: d.series ? { canary: d.series.canary.slice(), stable: d.series.stable.slice() } : undefined,
      });
    }
    streams.push(list);
  }
  const slo = latencySlo(judge);
  const j = getJudge(judge);
  let checks = 0;
  const start = process.threadCpuUsage();
  let n = 0;
  for (const list of streams) {
    let state: unknown = undefined;
    for (const data of list) {
      const out = j.look({ slo, data, now: data.at, final: false, state });
      state = out.state;
      checks = out.verdict.checks.length;
      n++;
    }
  }
  const used = process.threadCpuUsage(start);
  return { microsPerLook: (used.user + used.system) / n, looks: n, checks };
}
