/**
 * @module bench/judge
 * `npm run bench:judge`: Monte Carlo comparison of the judges on the synthetic traffic model
 * (deterministic seeds), with an oracle SPRT that knows the true effect. Prints a table and
 * writes bench/results/judge.md and bench/results/judge.json.
 *
 * Then the same on every realistic traffic model (`bench/judge/models.ts`): A/A and detection
 * per model, per-model `aaFalseFail[model]` and `medianLooksToDetect[model]` in judge.json.
 *
 * Sizes (env): BENCH_AA (A/A analyses, default 2000), BENCH_N (analyses per detection
 * scenario, default 200), BENCH_CPU (analyses × 60 looks for CPU time, default 30),
 * BENCH_MODEL_AA (A/A analyses per model, default 1000), BENCH_MODEL_N (detection analyses per
 * model and scenario, default 200), BENCH_MODELS (comma-separated model names, default all),
 * BENCH_MODEL_KAYENTA_AA (A/A analyses per model judged by kayenta too, default 200),
 * BENCH_SKIP_CLASSIC=1 (only the models), BENCH_WORKERS (worker threads for the models, default 1;
 * the models are independent and their results merge exactly).
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuPerLook } from "./judge/cpu.ts";
import {
  buildScenario,
  JUDGES,
  MAX_LOOKS,
  REQUESTS_PER_SECOND,
  runAnalysis,
  trueRatio,
  type BenchScenario,
} from "./judge/run.ts";
import type { SliKind } from "./judge/stream.ts";
import { Worker } from "node:worker_threads";
import {
  median,
  mergeModelResults,
  runModels,
  modelTables,
  within as rate,
  type ModelResults,
} from "./judge/model-runs.ts";
import { MODELS } from "./judge/models.ts";
import { errorSlo } from "../src/judge/testdata/slo-fixtures.ts";

const SKIP_CLASSIC = process.env.BENCH_SKIP_CLASSIC === "1";
const AA = SKIP_CLASSIC ? 0 : Number(process.env.BENCH_AA ?? 2000);
const N = Number(process.env.BENCH_N ?? 200);
const CPU_ANALYSES = Number(process.env.BENCH_CPU ?? 30);
const NAMES = [...JUDGES, "oracle"] as const;
const ALPHA = errorSlo().canary.alpha;

const AA_SPLIT = [
  { at: 0, canaryWeight: 0.1 },
  { at: 600, canaryWeight: 0.25 },
  { at: 1200, canaryWeight: 0.5 },
];

function detectionScenarios(): BenchScenario[] {
  const out: BenchScenario[] = [];
  for (const share of [0.05, 0.1, 0.5]) {
    const pct = `${Math.round(share * 100)}pct`;
    const split = [{ at: 0, canaryWeight: share }];
    for (const x of [1.5, 2, 3]) out.push({ key: `errors-x${x}-${pct}`, kind: "errors", effect: x, split });
    for (const p of [10, 20, 50])
      out.push({ key: `p95-plus${p}-${pct}`, kind: "latency", effect: 1 + p / 100, split });
  }
  return out;
}

function fmt(x: number | null, digits = 1): string {
  return x === null ? "never" : Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

const t0 = performance.now();
const cpu0 = process.cpuUsage();

// The models, in BENCH_WORKERS worker threads (default 1: in this thread, after the rest).
const WORKERS = Math.max(1, Math.floor(Number(process.env.BENCH_WORKERS ?? 1)));
const modelOpts = {
  aa: Number(process.env.BENCH_MODEL_AA ?? 1000),
  n: Number(process.env.BENCH_MODEL_N ?? 200),
  kayentaAa: Number(process.env.BENCH_MODEL_KAYENTA_AA ?? 200),
  only: process.env.BENCH_MODELS?.split(",").filter((x) => x !== ""),
  alpha: ALPHA,
};
const logModel = (m: string): void =>
  console.error(`${m} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
/** Relative cost of a model's run (pods and the combination draw and judge per pod). */
const cost = (name: string): number => (name.startsWith("pods") || name === "combined" ? 4 : 1);
const workerRuns: Promise<{ result: ModelResults; cpuSeconds: number }>[] = [];
if (WORKERS > 1) {
  const names = MODELS.map((m) => m.name).filter(
    (n) => !modelOpts.only?.length || modelOpts.only.includes(n),
  );
  const groups: string[][] = Array.from({ length: WORKERS }, () => []);
  const load = groups.map(() => 0);
  for (const n of [...names].sort((a, b) => cost(b) - cost(a))) {
    const i = load.indexOf(Math.min(...load));
    groups[i]?.push(n);
    load[i] = (load[i] ?? 0) + cost(n);
  }
  for (const g of groups.filter((x) => x.length > 0)) {
    const w = new Worker(new URL("./judge/model-worker.ts", import.meta.url), {
      workerData: { ...modelOpts, only: g },
    });
    workerRuns.push(
      new Promise((resolve, reject) => {
        w.on("message", (m: { log?: string; result?: ModelResults; cpuSeconds?: number }) => {
          if (m.log) logModel(m.log);
          if (m.result) resolve({ result: m.result, cpuSeconds: 0 });
        });
        w.on("error", reject);
        w.on("exit", (code) => {
          if (code !== 0) reject(new Error(`model worker exited with ${code}`));
        });
      }),
    );
  }
}

// A/A: both SLOs judged on the same streams, traffic stepping 10 → 25 → 50 %.
const aaScenario = buildScenario({ key: "aa", kind: "errors", effect: 1, split: AA_SPLIT });
const aaFails: Record<string, (number | null)[]> = {};
for (let i = 0; i < AA; i++) {
  const r = runAnalysis(aaScenario, ["errors", "latency"], `aa-${i}`, MAX_LOOKS, { errors: 2, latency: 1.2 });
  for (const [k, v] of Object.entries(r.failLook)) (aaFails[k] ??= []).push(v);
}
const aaSeconds = (performance.now() - t0) / 1000;
console.error(`A/A: ${AA} analyses × ${MAX_LOOKS} looks in ${aaSeconds.toFixed(0)} s`);

// Detection.
const det: Record<
  string,
  {
    kind: SliKind;
    ratio: number;
    looks: Record<string, (number | null)[]>;
    requests: Record<string, (number | null)[]>;
  }
> = {};
for (const sc of SKIP_CLASSIC ? [] : detectionScenarios()) {
  const scenario = buildScenario(sc);
  const ratio = trueRatio(sc);
  const entry = {
    kind: sc.kind,
    ratio,
    looks: {} as Record<string, (number | null)[]>,
    requests: {} as Record<string, (number | null)[]>,
  };
  for (let i = 0; i < N; i++) {
    const r = runAnalysis(scenario, [sc.kind], `${sc.key}-${i}`, MAX_LOOKS, {
      errors: ratio,
      latency: sc.effect,
    });
    for (const name of NAMES) {
      (entry.looks[name] ??= []).push(r.failLook[`${sc.kind}:${name}`] ?? null);
      (entry.requests[name] ??= []).push(r.failRequests[`${sc.kind}:${name}`] ?? null);
    }
    if (sc.kind === "errors")
      (entry.looks["oracle-no-margin"] ??= []).push(r.failLook["errors:oracle-no-margin"] ?? null);
  }
  det[sc.key] = entry;
  console.error(`${sc.key}: done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

const cpu = Object.fromEntries(JUDGES.map((j) => [j, cpuPerLook(j, CPU_ANALYSES, 60)]));
const models: ModelResults =
  WORKERS > 1
    ? mergeModelResults((await Promise.all(workerRuns)).map((r) => r.result))
    : runModels({ ...modelOpts, log: logModel });
const totalSeconds = (performance.now() - t0) / 1000;
// process.cpuUsage counts every thread of the process (the workers' too).
const benchCpu = process.cpuUsage(cpu0);

// JSON for machines.
const judgeAlpha: Record<string, number | null> = {
  sequential: ALPHA,
  kayenta: 0.02,
  threshold: null,
  oracle: ALPHA,
};
const json: Record<string, unknown> = {};
for (const name of NAMES) {
  const aa = (look: number): number =>
    Math.max(rate(aaFails[`errors:${name}`] ?? [], look), rate(aaFails[`latency:${name}`] ?? [], look));
  json[name] = {
    alpha: judgeAlpha[name],
    aaFalseFail: { "10": aa(10), "60": aa(60), "600": aa(600) },
    medianLooksToDetect: Object.fromEntries(
      Object.entries(det).map(([k, v]) => [k, median(v.looks[name] ?? [])]),
    ),
  };
}

for (const [name, byModel] of Object.entries(models.json)) {
  const entry = (json[name] ??= {
    alpha: judgeAlpha[name] ?? (name.startsWith("oracle") || name.startsWith("sequential") ? ALPHA : null),
    aaFalseFail: {},
    medianLooksToDetect: {},
  }) as { aaFalseFail: Record<string, unknown>; medianLooksToDetect: Record<string, unknown> };
  for (const [model, v] of Object.entries(byModel)) {
    entry.aaFalseFail[model] = v.aaFalseFail;
    entry.medianLooksToDetect[model] = v.medianLooksToDetect;
  }
}

// Tables.
const lines: string[] = [];
const push = (s = ""): void => {
  lines.push(s);
};
push("# Judge benchmark");
push();
push(
  `Command: \`npm run bench:judge\` (BENCH_AA=${AA}, BENCH_N=${N}, BENCH_CPU=${CPU_ANALYSES}). Synthetic traffic from \`src/sim\`: ${REQUESTS_PER_SECOND} req/s, one look per minute, up to ${MAX_LOOKS} looks, stable 0.5 % 5xx, latency log-normal (median 80 ms, σ 0.5; p95 ≈ 182 ms), 30 histogram buckets. SLOs: errors 99 % (limit 1 %), latency 95 % within 200 ms (slow = above the 0.2 s bucket; stable ≈ 3.3 % slow); α = ${ALPHA} per SLO, maxRegression relative 0.1, no baseline captured (so 3 checks for latency, 2 for errors). Seeds are deterministic. Wall time ${totalSeconds.toFixed(0)} s, CPU ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(0)} s (all threads; models in ${WORKERS} worker thread${WORKERS > 1 ? "s" : ""}${WORKERS > 1 ? " beside the main one" : ""}).`,
);
push();
push("## A/A false-fail rate (any fail within the first k looks)");
push();
push(
  `${AA} analyses per SLO, canary share 10 % → 25 % → 50 % at 10 and 20 minutes. The oracle rows are the SPRTs designed for a ×2 error ratio and a +20 % latency scale.`,
);
push();
push(
  "| judge | stated α | errors @10 | errors @60 | errors @600 | latency @10 | latency @60 | latency @600 |",
);
push("|---|---|---|---|---|---|---|---|");
for (const name of NAMES) {
  const e = aaFails[`errors:${name}`] ?? [];
  const l = aaFails[`latency:${name}`] ?? [];
  const a = judgeAlpha[name];
  push(
    `| ${name} | ${a === null ? "none" : name === "kayenta" ? `${a} per look` : a} | ${[10, 60, 600].map((k) => (rate(e, k) * 100).toFixed(2) + " %").join(" | ")} | ${[10, 60, 600].map((k) => (rate(l, k) * 100).toFixed(2) + " %").join(" | ")} |`,
  );
}
push();
push("## Time to detect");
push();
push(
  `${N} analyses per scenario. Cells: median looks to the first fail (\`never\` = not within ${MAX_LOOKS} in at least half the runs) · P(detect ≤ 10 looks) · P(≤ 60) · median canary requests at detection. The oracle is Wald's SPRT with the whole α = ${ALPHA} and one check: for errors it knows the true ratio of error rates (shown) and tests the same null as the sequential relative check (ratio ≤ 1.1) on the same counts; for latency it knows the true per-bucket ratios of the whole histogram (the "true ratio" column is the slow-share ratio at the 0.2 s threshold) and tests "identical distributions" — a lower bound for any test that keeps its A/A error rate.`,
);
push();
push(`| scenario | true ratio | ${NAMES.join(" | ")} |`);
push(`|---|---|${NAMES.map(() => "---").join("|")}|`);
for (const [key, v] of Object.entries(det)) {
  const cells = NAMES.map((name) => {
    const looks = v.looks[name] ?? [];
    return `${fmt(median(looks))} · ${(rate(looks, 10) * 100).toFixed(0)}% · ${(rate(looks, 60) * 100).toFixed(0)}% · ${fmt(median(v.requests[name] ?? []), 0)}`;
  });
  push(`| ${key} | ${v.ratio.toFixed(2)} | ${cells.join(" | ")} |`);
}
push();
push("## CPU time per look");
push();
push(
  `Latency SLO with a captured baseline (sequential: relative, absolute, baseline and distribution checks), 30-bucket histograms, ${CPU_ANALYSES} analyses × 60 looks, \`process.threadCpuUsage\` (the main thread only).`,
);
push();
push("| judge | checks | looks | CPU µs per look |");
push("|---|---|---|---|");
for (const j of JUDGES)
  push(`| ${j} | ${cpu[j]?.checks} | ${cpu[j]?.looks} | ${cpu[j]?.microsPerLook.toFixed(1)} |`);
push();
for (const l of modelTables(models, ALPHA)) push(l);
push("## Targets");
push();
const seq = json.sequential as {
  aaFalseFail: Record<string, number>;
  medianLooksToDetect: Record<string, number | null>;
};
const orc = json.oracle as typeof seq;
const kay = json.kayenta as typeof seq;
for (const k of ["10", "60", "600"]) {
  const v = seq.aaFalseFail[k] ?? 1;
  push(
    `- sequential A/A false-fail after ${k} looks: ${(v * 100).toFixed(2)} % ≤ α = ${ALPHA * 100} %: ${v <= ALPHA ? "met" : "MISSED"}`,
  );
}
for (const key of ["errors-x2-10pct", "p95-plus20-10pct"]) {
  const s = seq.medianLooksToDetect[key] ?? null;
  const o = orc.medianLooksToDetect[key] ?? null;
  const kk = kay.medianLooksToDetect[key] ?? null;
  const ro = s !== null && o !== null ? s / o : null;
  const rk = s !== null && kk !== null ? kk / s : kk === null && s !== null ? Infinity : null;
  const met = rk !== null && rk >= 3;
  // When a target is missed, how fast the limits themselves are against kayenta.
  const nm = median(det[key]?.looks["oracle-no-margin"] ?? []);
  const bound =
    met || kk === null || o === null
      ? ""
      : kk / o >= 3
        ? ` — the oracle reaches ${(kk / o).toFixed(2)}×: the gap is the sequential judge's`
        : ` — out of reach: the oracle itself is only ${(kk / o).toFixed(2)}× faster than kayenta${nm === null ? "" : `, and the same SPRT without the margin (null ratio 1) ${(kk / nm).toFixed(2)}× (median ${fmt(nm)} looks; 3× needs ≤ ${(kk / 3).toFixed(2)})`}`;
  push(
    `- ${key}: sequential ${fmt(s)} vs oracle ${fmt(o)} looks → ${ro === null ? "n/a" : ro.toFixed(2)}× (target ≤ 1.5×: ${ro !== null && ro <= 1.5 ? "met" : "MISSED"}); kayenta ${fmt(kk)} → sequential ${rk === null ? "n/a" : rk.toFixed(2)}× faster (target ≥ 3×: ${met ? "met" : "MISSED"}${bound})`,
  );
}
const c = cpu.sequential?.microsPerLook ?? Infinity;
push(
  `- CPU per look, sequential, 4 checks, 30 buckets: ${c.toFixed(1)} µs (target < 1000 µs: ${c < 1000 ? "met" : "MISSED"})`,
);
push();

const md = lines.join("\n");
console.log(md);
const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "judge.md"), md);
writeFileSync(join(here, "results", "judge.json"), JSON.stringify(json, null, 2) + "\n");
