/**
 * @module bench/rules
 * `npm run bench:rules`: the evaluation cost of slogate's rules against the same SLOs in
 * Sloth's generated form, on one real Prometheus (the test bed), and the time to generate
 * everything for 1,000 SLOs.
 *
 * Setup: N SLOs (N = 50 and 200; half availability over `http_requests_total`, half latency
 * over a classic histogram) on services of 3 pods × 2 routes × 4 status codes (24 counter
 * series) and 3 pods × 2 routes × 8 buckets + count (54 histogram series), with uneven
 * (diurnal) traffic. History: 6 h of raw samples every 60 s, plus the 5-minute recordings both
 * rule sets chain from (slogate: bad and total events; both: the 5-minute ratio) over the same
 * 6 h, as if the rules had been running, so the long windows of both read real data. Each
 * rule set is loaded in turn (slogate, Sloth, slogate, Sloth) with its groups concatenated, in
 * order, into ONE group evaluated every 10 s: Prometheus evaluates a group's rules one after
 * the other, so its `evaluationTime` (`/api/v1/rules`) is the summed cost of all the rules,
 * not inflated by hundreds of groups competing for the CPU at once (this machine has 2 cores
 * shared with other work; with the generated 3 groups per SLO the sums were dominated by that
 * contention). After a warm-up cycle it is sampled each cycle; the ratio is
 * median(slogate) ÷ median(Sloth).
 *
 * Writes `bench/results/rules.json` (`evaluationTimeRatio` keyed by N, `generate1000Ms`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateArtifacts } from "../src/generate/generate-artifacts.ts";
import { renderRuleFile } from "../src/generate/render-rules.ts";
import type { RuleGroup } from "../src/generate/rule-group.ts";
import { generateSliRecordings, generateSloRuleGroups } from "../src/generate/slo-rules.ts";
import { generateSlothFormRuleGroups } from "../src/generate/sloth-form-rules.ts";
import { parseQueryTemplate } from "../src/promql/template.ts";
import type { SimSeries } from "../src/sim/scrapes.ts";
import type { Slo } from "../src/slo/model.ts";
import { startPrometheus, type PrometheusBed } from "../test/bed/prometheus.ts";
import { buildSlo } from "../test/generate/hand-built-slos.ts";
import { LIFECYCLE_FLAG, loadRuleFiles, ruleGroups } from "../test/generate/load-rules.ts";

const SIZES = [50, 200] as const;
const HISTORY_SECONDS = 6 * 3600;
const STEP = 60;
const EVAL_INTERVAL_S = 10;
const SAMPLES_PER_PHASE = 3;
const PODS = 3;
const ROUTES = ["/api/items", "/api/orders"];
const CODES: readonly [string, number][] = [
  ["200", 0.875],
  ["201", 0.1],
  ["404", 0.02],
  ["500", 0.005],
];
const BUCKETS: readonly [string, number][] = [
  ["0.05", 0.2],
  ["0.1", 0.45],
  ["0.25", 0.8],
  ["0.5", 0.95],
  ["1", 0.99],
  ["2.5", 0.997],
  ["5", 0.999],
  ["+Inf", 1],
];

/** SLO i: service svc-⌊i/2⌋, availability (even i) or latency (odd i). */
function syntheticSlo(i: number): Slo {
  const service = `svc-${Math.floor(i / 2)}`;
  const labels = { team: `team-${Math.floor(i / 2) % 8}`, tier: String(1 + (i % 3)) };
  if (i % 2 === 0) {
    return buildSlo(service, "availability", {
      labels,
      sli: {
        type: "events",
        bad: parseQueryTemplate(
          `sum(rate(http_requests_total{service="${service}",code=~"5.."}[{{.window}}]))`,
        ),
        total: parseQueryTemplate(`sum(rate(http_requests_total{service="${service}"}[{{.window}}]))`),
      },
    });
  }
  return buildSlo(service, "latency", {
    kind: "latency",
    objectivePercent: 99,
    labels,
    sli: {
      type: "latency",
      metric: "http_request_duration_seconds",
      matchers: [{ name: "service", op: "=", value: service }],
      thresholdSeconds: 0.5,
    },
  });
}

/** Requests per STEP of one raw series at time t: diurnal-shaped, 1–4 rps base. */
function requestsAt(seed: number, t: number): number {
  const base = 1 + (seed % 4);
  return Math.round(base * STEP * (1 + 0.8 * Math.sin((2 * Math.PI * t) / HISTORY_SECONDS + seed)));
}

interface Synthetic {
  readonly series: SimSeries[];
  readonly rawSeries: number;
}

/** Raw series for the services of `slos`, and the 5-minute recordings both rule sets read. */
function synthesize(slos: readonly Slo[], now: number): Synthetic {
  const times: number[] = [];
  for (let t = now - HISTORY_SECONDS; t <= now; t += STEP) times.push(t);
  const series: SimSeries[] = [];
  let rawSeries = 0;
  const services = new Map<string, { total: number[]; bad: number[]; slow: number[] }>();
  let seed = 0;
  for (const slo of slos) {
    if (services.has(slo.service)) continue;
    const agg = { total: times.map(() => 0), bad: times.map(() => 0), slow: times.map(() => 0) };
    services.set(slo.service, agg);
    for (let p = 0; p < PODS; p++) {
      for (const route of ROUTES) {
        seed++;
        const perStep = times.map((t) => requestsAt(seed, t));
        const cumulative = (share: number): number[] => {
          let c = 0;
          return perStep.map((n) => (c += Math.round(n * share)));
        };
        const labels = { service: slo.service, pod: `${slo.service}-${p}`, route };
        for (const [code, share] of CODES) {
          const values = cumulative(share);
          series.push({
            metric: "http_requests_total",
            labels: { ...labels, code },
            arm: "stable",
            samples: times.map((t, k) => ({ t, v: values[k]! })),
          });
          values.forEach((v, k) => {
            agg.total[k]! += v;
            if (code === "500") agg.bad[k]! += v;
          });
        }
        for (const [le, share] of BUCKETS) {
          const values = cumulative(share);
          series.push({
            metric: "http_request_duration_seconds_bucket",
            labels: { ...labels, le },
            arm: "stable",
            samples: times.map((t, k) => ({ t, v: values[k]! })),
          });
          if (le === "0.5") values.forEach((v, k) => (agg.slow[k]! -= v));
          if (le === "+Inf") values.forEach((v, k) => (agg.slow[k]! += v));
        }
        const count = cumulative(1);
        series.push({
          metric: "http_request_duration_seconds_count",
          labels,
          arm: "stable",
          samples: times.map((t, k) => ({ t, v: count[k]! })),
        });
        rawSeries += CODES.length + BUCKETS.length + 1;
      }
    }
  }
  // The 5-minute recordings, with the exact labels the rules give them.
  const lag = 300 / STEP;
  for (const slo of slos) {
    const agg = services.get(slo.service)!;
    const bad = slo.sli.type === "latency" ? agg.slow : agg.bad;
    const rate = (xs: number[], k: number): number => (xs[k]! - xs[k - lag]!) / 300;
    const rules = generateSliRecordings(slo).rules;
    const labelsOf = (name: string): Record<string, string> => {
      const r = rules.find((x) => x.kind === "record" && x.record === name);
      return { ...r!.labels };
    };
    const ks = times.map((_, k) => k).filter((k) => k >= lag);
    const rec = (metric: string, f: (k: number) => number): void => {
      series.push({
        metric,
        labels: labelsOf(metric),
        arm: "stable",
        samples: ks.map((k) => ({ t: times[k]!, v: f(k) })),
      });
    };
    rec("slo:sli_bad_events:rate5m", (k) => rate(bad, k));
    rec("slo:sli_total_events:rate5m", (k) => rate(agg.total, k));
    rec("slo:sli_error:ratio_rate5m", (k) => rate(bad, k) / rate(agg.total, k));
  }
  return { series, rawSeries };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Loads one rule set and samples its summed group evaluation time, seconds. */
async function measure(
  bed: PrometheusBed,
  name: string,
  generated: RuleGroup[],
): Promise<{ samples: number[]; rules: number }> {
  const groups: RuleGroup[] = [{ name, rules: generated.flatMap((g) => g.rules) }];
  await loadRuleFiles(
    bed,
    [{ name: "bench.yml", content: renderRuleFile({ name: "bench", groups }, "bench") }],
    `${EVAL_INTERVAL_S}s`,
  );
  const names = new Set(groups.map((g) => g.name));
  const loadedAt = Date.now();
  const samples: number[] = [];
  // Warm-up: wait until every group has evaluated once after the reload.
  for (;;) {
    const gs = (await ruleGroups(bed)).filter((g) => names.has(g.name));
    if (gs.length === names.size && gs.every((g) => Date.parse(g.lastEvaluation) > loadedAt)) break;
    await sleep(500);
  }
  let mark = Date.now();
  while (samples.length < SAMPLES_PER_PHASE) {
    await sleep(EVAL_INTERVAL_S * 1000 + 200);
    const gs = (await ruleGroups(bed)).filter((g) => names.has(g.name));
    if (!gs.every((g) => Date.parse(g.lastEvaluation) > mark)) continue;
    const bad = gs.flatMap((g) => g.rules).filter((r) => r.health === "err");
    if (bad.length > 0) throw new Error(`rule errors: ${bad[0]?.lastError ?? ""}`);
    samples.push(gs.reduce((a, g) => a + g.evaluationTime, 0));
    mark = Date.now();
  }
  return { samples, rules: groups.reduce((a, g) => a + g.rules.length, 0) };
}

async function main(): Promise<void> {
  const maxN = Math.max(...SIZES);
  const all = Array.from({ length: maxN }, (_, i) => syntheticSlo(i));
  const now = Math.floor(Date.now() / 1000);
  const t0 = performance.now();
  const data = synthesize(all, now);
  const bed = await startPrometheus({ args: [LIFECYCLE_FLAG] });
  const perN: Record<string, unknown> = {};
  const ratio: Record<string, number> = {};
  try {
    await bed.write(data.series);
    console.log(
      `loaded ${data.series.length} series (${data.rawSeries} raw) × ${HISTORY_SECONDS / STEP + 1} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    for (const n of SIZES) {
      const slos = all.slice(0, n);
      const ours = slos.flatMap((s) => generateSloRuleGroups(s, { defaultTeam: "platform" }));
      const sloth = slos.flatMap((s) => generateSlothFormRuleGroups(s));
      const o: number[] = [];
      const s: number[] = [];
      let rulesOurs = 0;
      let rulesSloth = 0;
      for (let round = 0; round < 2; round++) {
        const a = await measure(bed, `bench-slogate-${n}`, ours);
        o.push(...a.samples);
        rulesOurs = a.rules;
        const b = await measure(bed, `bench-sloth-form-${n}`, sloth);
        s.push(...b.samples);
        rulesSloth = b.rules;
        console.log(
          `N=${n} round ${round + 1}: slogate ${a.samples.map((x) => x.toFixed(4)).join(" ")} s; Sloth form ${b.samples.map((x) => x.toFixed(4)).join(" ")} s`,
        );
      }
      ratio[String(n)] = Number((median(o) / median(s)).toFixed(4));
      perN[String(n)] = {
        slogateEvaluationSeconds: { median: median(o), samples: o },
        slothFormEvaluationSeconds: { median: median(s), samples: s },
        rules: { slogate: rulesOurs, slothForm: rulesSloth },
        rawSeries: Math.round((data.rawSeries * n) / maxN),
      };
      console.log(
        `N=${n}: evaluationTime slogate ÷ Sloth form = ${ratio[String(n)]} (medians ${median(o).toFixed(4)} s / ${median(s).toFixed(4)} s)`,
      );
    }
  } finally {
    await bed.stop();
  }

  const thousand = Array.from({ length: 1000 }, (_, i) => syntheticSlo(i));
  const times: number[] = [];
  let files = 0;
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    files = generateArtifacts(thousand).length;
    times.push(performance.now() - start);
  }
  const generate1000Ms = Number(median(times).toFixed(1));
  console.log(
    `generate 1000 SLOs (${files} files): median ${generate1000Ms} ms, first run ${times[0]!.toFixed(1)} ms`,
  );

  const result = {
    evaluationTimeRatio: ratio,
    generate1000Ms,
    generate1000FirstRunMs: Number(times[0]!.toFixed(1)),
    details: perN,
    setup: {
      historyHours: HISTORY_SECONDS / 3600,
      sampleIntervalSeconds: STEP,
      evaluationIntervalSeconds: EVAL_INTERVAL_S,
      seriesPerService: {
        counters: PODS * ROUTES.length * CODES.length,
        histogram: PODS * ROUTES.length * (BUCKETS.length + 1),
      },
      samplesPerRuleSet: SAMPLES_PER_PHASE * 2,
      prometheus: "2.42 (test bed)",
      command: "npm run bench:rules",
      ranAt: new Date().toISOString(),
    },
  };
  const dir = join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "rules.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `wrote bench/results/rules.json: ${JSON.stringify(result.evaluationTimeRatio)}, generate1000Ms ${generate1000Ms}`,
  );
}

await main();
