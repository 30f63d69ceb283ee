/**
 * @module test/prometheus/bench-read-arm
 * Prints timings (not a test): the count-level simulator's throughput, and how long reading
 * one arm takes from a real Prometheus for a small and a large deployment.
 *
 *   node test/prometheus/bench-read-arm.ts
 */
import { createReadArmCounts, createReadArmSeries } from "../../src/prometheus/read-arm.ts";
import { HttpPrometheusClient } from "../../src/prometheus/http-client.ts";
import { buildArmMatchers } from "../../src/promql/arm-selector.ts";
import { simulateLooks } from "../../src/sim/looks.ts";
import { simulateScrapes } from "../../src/sim/scrapes.ts";
import { SCENARIOS, defineScenario } from "../../src/sim/scenarios.ts";
import { startPrometheus } from "../../src/testbed/prometheus.ts";
import { eventsSli, makeSlo } from "./slo-fixtures.ts";

const START = 1_700_000_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

{
  const t0 = performance.now();
  let looks = 0;
  for (let seed = 0; seed < 2000; seed++) {
    for (const _l of simulateLooks(SCENARIOS["latency-regression"], { seed, lookSeconds: 60, looks: 600 }))
      looks++;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(
    `sim: ${looks} looks (2000 analyses x 600) in ${s.toFixed(2)} s = ${((s / looks) * 1e6).toFixed(2)} us/look`,
  );
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

const cases = [
  { name: "small: 3+2 pods, 30 min", scenario: SCENARIOS.healthy },
  {
    name: "large: 30+20 pods, 2 h, 500 req/s",
    scenario: defineScenario({
      name: "large",
      requestsPerSecond: 500,
      durationSeconds: 7200,
      historySeconds: 600,
      stable: { pods: 30 },
      canary: { pods: 20 },
    }),
  },
];

for (const c of cases) {
  const sim = simulateScrapes(c.scenario, { seed: 1, start: START });
  const samples = sim.series.reduce((a, s) => a + s.samples.length, 0);
  const bed = await startPrometheus({ history: sim.series });
  try {
    const client = new HttpPrometheusClient({ url: bed.url });
    const counts = createReadArmCounts({ client });
    const series = createReadArmSeries({ client });
    const arm = buildArmMatchers(
      { mode: "label", label: "rollouts_pod_template_hash" },
      "canary",
      c.scenario.canary.hash,
    );
    const range = { start: START, end: START + c.scenario.durationSeconds };
    const time = async (f: () => Promise<unknown>): Promise<number> => {
      const t = performance.now();
      await f();
      return performance.now() - t;
    };
    const runs = {
      latency: [] as number[],
      errors: [] as number[],
      steps: [] as number[],
      both: [] as number[],
    };
    for (let i = 0; i < 7; i++) {
      runs.latency.push(await time(() => counts(LATENCY, arm, range)));
      runs.errors.push(await time(() => counts(ERRORS, arm, range)));
      runs.steps.push(await time(() => series(LATENCY, arm, { ...range, step: 60 })));
      const stable = buildArmMatchers(
        { mode: "label", label: "rollouts_pod_template_hash" },
        "stable",
        c.scenario.stable.hash,
      );
      runs.both.push(
        await time(() => Promise.all([counts(LATENCY, arm, range), counts(LATENCY, stable, range)])),
      );
    }
    console.log(
      `${c.name} (${sim.series.length} series, ${samples} samples): median of 7 — ` +
        `latency counts ${median(runs.latency).toFixed(1)} ms, events counts ${median(runs.errors).toFixed(1)} ms, ` +
        `latency per-minute series ${median(runs.steps).toFixed(1)} ms, canary+stable latency concurrently ${median(runs.both).toFixed(1)} ms`,
    );
  } finally {
    await bed.stop();
  }
}
