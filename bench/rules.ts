/**
 * @module bench/rules
 * `npm run bench:rules`: the evaluation cost of slogate's rules against the same SLOs in
 * Sloth's generated form, on one real Prometheus (the test bed), and the time to generate
 * everything for 1,000 SLOs.
 *
 * Setup: N SLOs (N = 50 and 200; half availability over `http_requests_total`, half latency
 * over a classic histogram) on services of 3 pods × 2 routes × 4 status codes (24 counter
 * series) and 3 pods × 2 routes × 8 buckets + count (54 histogram series), with uneven
 * (diurnal) traffic. History: 24 h of raw samples every 60 s, plus the recordings the rule sets
 * chain from, as if the rules had been running with a 1-minute global interval (the 5-minute
 * rates and ratio every minute; slogate's 5-minute counts every 4 minutes), so the long
 * windows of both read real data.
 *
 * Measure: each rule set is loaded in turn (slogate, Sloth, slogate, Sloth). The rules of each
 * evaluation interval are concatenated, in order, into one group (slogate: the global-interval
 * rules and the 4-minute long-window rules; Sloth: everything at the global interval), all
 * evaluated every 10 s here: Prometheus runs a group's rules one after the other, so a group's
 * `evaluationTime` (`/api/v1/rules`) is the summed cost of its rules, not inflated by hundreds
 * of groups competing for this machine's 2 shared cores. After a warm-up cycle it is sampled
 * each cycle. `evaluationTimeRatio` = slogate ÷ Sloth of evaluation seconds per minute in
 * production (global-interval groups once a minute, slogate's long-window groups every
 * 4 minutes); `evaluationTimeRatioPerEvaluation` = the same with every group evaluated once.
 *
 * Writes `bench/results/rules.json` (`evaluationTimeRatio` keyed by N, `generate1000Ms`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateArtifacts } from "../src/generate/generate-artifacts.ts";
import { renderRuleFile } from "../src/generate/render-rules.ts";
import type { RuleGroup } from "../src/generate/rule-group.ts";
import {
  generateLongSliRecordings,
  generateSliRecordings,
  generateSloRuleGroups,
} from "../src/generate/slo-rules.ts";
import { generateSlothFormRuleGroups } from "../src/generate/sloth-form-rules.ts";
import { parseQueryTemplate } from "../src/promql/placeholders.ts";
import type { SimSeries } from "../src/sim/scrapes.ts";
import type { Slo } from "../src/slo/model.ts";
import { startPrometheus, type PrometheusBed } from "../src/testbed/prometheus.ts";
import { buildSlo } from "../src/generate/testdata/hand-built-slos.ts";
import { LIFECYCLE_FLAG, loadRuleFiles, ruleGroups } from "../test/generate/load-rules.ts";

const SIZES = [50, 200] as const;
const HISTORY_SECONDS = 24 * 3600;
const STEP = 60;
const EVAL_INTERVAL_S = 10;
const SAMPLES_PER_PHASE = 3;
const ROUNDS = 2;
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

interface RawSeries {
  readonly metric: string;
  readonly labels: Record<string, string>;
  readonly seed: number;
  readonly share: number;
  /** Which per-service aggregate it feeds. */
  readonly role: "bad" | "good-latency" | "total" | "none";
  readonly service: string;
}

/**
 * Writes the history through remote write, a slice of time at a time (the whole history does
 * not fit in memory at once): raw series of the services of `slos`, then the 5-minute
 * recordings of every SLO with the exact labels its rules give them.
 */
async function writeHistory(
  bed: PrometheusBed,
  slos: readonly Slo[],
  now: number,
): Promise<{ series: number; raw: number; samples: number }> {
  const times: number[] = [];
  for (let t = now - HISTORY_SECONDS; t <= now; t += STEP) times.push(t);
  const raw: RawSeries[] = [];
  const agg = new Map<string, { total: Float64Array; bad: Float64Array; fast: Float64Array }>();
  let seed = 0;
  for (const slo of slos) {
    if (agg.has(slo.service)) continue;
    agg.set(slo.service, {
      total: new Float64Array(times.length),
      bad: new Float64Array(times.length),
      fast: new Float64Array(times.length),
    });
    for (let p = 0; p < PODS; p++) {
      for (const route of ROUTES) {
        seed++;
        const labels = { service: slo.service, pod: `${slo.service}-${p}`, route };
        for (const [code, share] of CODES) {
          raw.push({
            metric: "http_requests_total",
            labels: { ...labels, code },
            seed,
            share,
            role: code === "500" ? "bad" : "total",
            service: slo.service,
          });
        }
        for (const [le, share] of BUCKETS) {
          raw.push({
            metric: "http_request_duration_seconds_bucket",
            labels: { ...labels, le },
            seed,
            share,
            role: le === "0.5" ? "good-latency" : "none",
            service: slo.service,
          });
        }
        raw.push({
          metric: "http_request_duration_seconds_count",
          labels,
          seed,
          share: 1,
          role: "none",
          service: slo.service,
        });
      }
    }
  }
  const value = new Float64Array(raw.length);
  let samples = 0;
  const SLICE = 120;
  for (let k0 = 0; k0 < times.length; k0 += SLICE) {
    const ks = times.slice(k0, k0 + SLICE).map((_, i) => k0 + i);
    const slice: SimSeries[] = raw.map((r, i) => ({
      metric: r.metric,
      labels: r.labels,
      arm: "stable",
      samples: ks.map((k) => {
        value[i] = value[i]! + Math.round(requestsAt(r.seed, times[k]!) * r.share);
        const a = agg.get(r.service)!;
        if (r.role === "bad") a.bad[k] = a.bad[k]! + value[i];
        if (r.role === "bad" || r.role === "total") a.total[k] = a.total[k]! + value[i];
        if (r.role === "good-latency") a.fast[k] = a.fast[k]! + value[i];
        return { t: times[k]!, v: value[i] };
      }),
    }));
    samples += slice.length * ks.length;
    await bed.write(slice);
  }
  // The 5-minute recordings, with the exact labels the rules give them.
  const lag = 300 / STEP;
  const ks = times.map((_, k) => k).filter((k) => k >= lag);
  const recorded: SimSeries[] = [];
  for (const slo of slos) {
    const a = agg.get(slo.service)!;
    const rate = (xs: Float64Array, k: number): number => (xs[k]! - xs[k - lag]!) / 300;
    // Latency: bad = requests above 0.5 s = total - fast (total from the code counters equals _count).
    const bad = (k: number): number =>
      slo.sli.type === "latency" ? rate(a.total, k) - rate(a.fast, k) : rate(a.bad, k);
    const rules = [...generateSliRecordings(slo).rules, ...(generateLongSliRecordings(slo)?.rules ?? [])];
    const labelsOf = (name: string): Record<string, string> => ({
      ...rules.find((x) => x.kind === "record" && x.record === name)!.labels,
    });
    const rec = (metric: string, f: (k: number) => number, every = 1): void => {
      const at = ks.filter((k) => k % every === 0);
      samples += at.length;
      recorded.push({
        metric,
        labels: labelsOf(metric),
        arm: "stable",
        samples: at.map((k) => ({ t: times[k]!, v: f(k) })),
      });
    };
    rec("slo:sli_bad_events:rate5m", bad);
    rec("slo:sli_total_events:rate5m", (k) => rate(a.total, k));
    rec("slo:sli_error:ratio_rate5m", (k) => bad(k) / rate(a.total, k));
    // slogate's long-window group samples the 5-minute counts every 4 minutes.
    rec("slo:sli_bad_events:increase5m", (k) => bad(k) * 300, 240 / STEP);
    rec("slo:sli_total_events:increase5m", (k) => rate(a.total, k) * 300, 240 / STEP);
  }
  await bed.write(recorded);
  return { series: raw.length + recorded.length, raw: raw.length, samples };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Rules that run at one interval in production, and how often that is per minute. */
interface RuleClass {
  readonly name: string;
  readonly perMinute: number;
  readonly groups: readonly RuleGroup[];
}

/** One sample: seconds per evaluation of each class, and weighted by production frequency. */
interface Sample {
  readonly perClass: Record<string, number>;
  /** Σ evaluationTime: every class evaluated once. */
  readonly perEvaluation: number;
  /** Σ evaluationTime × evaluations per minute: evaluation seconds per minute of wall time. */
  readonly perMinute: number;
}

/**
 * Loads one rule set, each class concatenated into one group (all evaluated every
 * EVAL_INTERVAL_S here), and samples the groups' `evaluationTime` after a warm-up cycle.
 */
async function measure(
  bed: PrometheusBed,
  prefix: string,
  classes: readonly RuleClass[],
): Promise<{ samples: Sample[]; rules: number }> {
  const groups: RuleGroup[] = classes.map((c) => ({
    name: `${prefix}-${c.name}`,
    rules: c.groups.flatMap((g) => g.rules),
  }));
  await loadRuleFiles(
    bed,
    [{ name: "bench.yml", content: renderRuleFile({ name: "bench", groups }, "bench") }],
    `${EVAL_INTERVAL_S}s`,
  );
  const names = new Set(groups.map((g) => g.name));
  const loadedAt = Date.now();
  const samples: Sample[] = [];
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
    const perClass: Record<string, number> = {};
    let perEvaluation = 0;
    let perMinute = 0;
    for (const c of classes) {
      const t = gs.find((g) => g.name === `${prefix}-${c.name}`)?.evaluationTime ?? 0;
      perClass[c.name] = t;
      perEvaluation += t;
      perMinute += t * c.perMinute;
    }
    samples.push({ perClass, perEvaluation, perMinute });
    mark = Date.now();
  }
  return { samples, rules: groups.reduce((a, g) => a + g.rules.length, 0) };
}

async function main(): Promise<void> {
  const maxN = Math.max(...SIZES);
  const all = Array.from({ length: maxN }, (_, i) => syntheticSlo(i));
  const now = Math.floor(Date.now() / 1000);
  const t0 = performance.now();
  const bed = await startPrometheus({ args: [LIFECYCLE_FLAG] });
  const perN: Record<string, unknown> = {};
  const ratio: Record<string, number> = {};
  const perEvaluationRatio: Record<string, number> = {};
  let rawSeries: number;
  try {
    const data = await writeHistory(bed, all, now);
    rawSeries = data.raw;
    console.log(
      `loaded ${data.series} series (${data.raw} raw), ${data.samples} samples, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    for (const n of SIZES) {
      const slos = all.slice(0, n);
      const ours = slos.flatMap((x) => generateSloRuleGroups(x, { defaultTeam: "platform" }));
      const oursClasses: RuleClass[] = [
        { name: "global-interval", perMinute: 1, groups: ours.filter((g) => g.interval === undefined) },
        { name: "long-windows-4m", perMinute: 60 / 240, groups: ours.filter((g) => g.interval === "4m") },
      ];
      const slothClasses: RuleClass[] = [
        {
          name: "global-interval",
          perMinute: 1,
          groups: slos.flatMap((x) => generateSlothFormRuleGroups(x)),
        },
      ];
      const o: Sample[] = [];
      const s: Sample[] = [];
      let rulesOurs = 0;
      let rulesSloth = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const a = await measure(bed, `bench-slogate-${n}`, oursClasses);
        o.push(...a.samples);
        rulesOurs = a.rules;
        const b = await measure(bed, `bench-sloth-form-${n}`, slothClasses);
        s.push(...b.samples);
        rulesSloth = b.rules;
        const show = (xs: Sample[]): string =>
          xs
            .map((x) =>
              Object.values(x.perClass)
                .map((v) => v.toFixed(4))
                .join("+"),
            )
            .join(" ");
        console.log(
          `N=${n} round ${round + 1}: slogate ${show(a.samples)} s; Sloth form ${show(b.samples)} s`,
        );
      }
      const med = (xs: Sample[], f: (x: Sample) => number): number => median(xs.map(f));
      ratio[String(n)] = Number((med(o, (x) => x.perMinute) / med(s, (x) => x.perMinute)).toFixed(4));
      perEvaluationRatio[String(n)] = Number(
        (med(o, (x) => x.perEvaluation) / med(s, (x) => x.perEvaluation)).toFixed(4),
      );
      perN[String(n)] = {
        slogate: {
          evaluationSecondsPerMinute: med(o, (x) => x.perMinute),
          evaluationSecondsPerEvaluation: med(o, (x) => x.perEvaluation),
          samples: o,
        },
        slothForm: {
          evaluationSecondsPerMinute: med(s, (x) => x.perMinute),
          evaluationSecondsPerEvaluation: med(s, (x) => x.perEvaluation),
          samples: s,
        },
        rules: { slogate: rulesOurs, slothForm: rulesSloth },
        rawSeries: Math.round((rawSeries * n) / maxN),
      };
      console.log(
        `N=${n}: evaluation time per minute slogate ÷ Sloth form = ${ratio[String(n)]}; per evaluation of every group = ${perEvaluationRatio[String(n)]}`,
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
    evaluationTimeRatioPerEvaluation: perEvaluationRatio,
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
      samplesPerRuleSet: SAMPLES_PER_PHASE * ROUNDS,
      productionGlobalIntervalSeconds: 60,
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
