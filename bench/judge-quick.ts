/**
 * @module bench/judge-quick
 * A quick slice of `bench:judge`'s realistic-traffic section for trying a change to the judge:
 * the chosen judge variants only, no oracles and no kayenta unless asked, on the chosen models,
 * with the same seeds as the full benchmark (so its runs are a prefix of the full one's). Prints
 * per model and SLI kind the A/A false-fail % within 10 / 60 / 600 looks and the median looks to
 * detect errors ×2 or p95 +20 % at the detection streams' 10 % share. Nothing is written.
 *
 * Env: BENCH_MODELS (comma-separated model names; default all), BENCH_KINDS (errors,latency),
 * BENCH_VARIANTS (default sequential), BENCH_AA (200), BENCH_N (30), BENCH_CONSTANT10=1 for the
 * A/A at a constant 10 % share (the full benchmark's "A/A at 10 %" rows).
 */
import { NO_EFFECT } from "../src/sim/traffic-model.ts";
import { median, within } from "./judge/model-runs.ts";
import { DETECTIONS, MODELS, VARIANTS, detectionModel, runModelAnalysis } from "./judge/models.ts";
import { MAX_LOOKS as LOOKS } from "./judge/run.ts";
import type { SliKind } from "./judge/stream.ts";

const list = (v: string | undefined, fallback: readonly string[]): string[] => {
  const xs = (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return xs.length > 0 ? xs : [...fallback];
};
const models = list(
  process.env.BENCH_MODELS,
  MODELS.map((m) => m.name),
);
const kinds = list(process.env.BENCH_KINDS, ["errors", "latency"]) as SliKind[];
const variants = list(process.env.BENCH_VARIANTS, ["sequential"]);
const aa = Number(process.env.BENCH_AA ?? 200);
const n = Number(process.env.BENCH_N ?? 30);
const constant10 = process.env.BENCH_CONSTANT10 === "1";

for (const name of [...models, ...variants]) {
  if (!MODELS.some((m) => m.name === name) && !VARIANTS.some((v) => v.name === name)) {
    console.error(`unknown model or variant "${name}"; models: ${MODELS.map((m) => m.name).join(", ")}`);
    process.exit(2);
  }
}
for (const k of kinds as string[]) {
  if (k !== "errors" && k !== "latency") {
    console.error(`unknown SLI kind "${k}"; use errors, latency`);
    process.exit(2);
  }
}
if (!(Number.isInteger(aa) && aa >= 0 && Number.isInteger(n) && n >= 0)) {
  console.error("BENCH_AA and BENCH_N must be whole numbers ≥ 0");
  process.exit(2);
}

const skip = VARIANTS.map((v) => v.name).filter((v) => !variants.includes(v));
const oracleEffect = { errors: DETECTIONS[0]!.effect, latency: DETECTIONS[1]!.effect };
const pct = (x: number): string => (100 * x).toFixed(1);

console.log(
  `A/A ${aa} × ${LOOKS} looks (${constant10 ? "constant 10 % share" : "10 → 25 → 50 %"}), ${n} detection analyses; variants ${variants.join(", ")}`,
);
for (const model of MODELS.filter((m) => models.includes(m.name))) {
  const t0 = performance.now();
  const aaModel = constant10 ? detectionModel(model) : model;
  const fails: Record<string, (number | null)[]> = {};
  for (let i = 0; i < aa; i++) {
    const seed = `${constant10 ? "aa10" : "aa"}-${model.name}-${i}`;
    const r = runModelAnalysis(
      aaModel,
      NO_EFFECT,
      kinds,
      seed,
      LOOKS,
      oracleEffect,
      [],
      undefined,
      skip,
      true,
    );
    for (const [k, v] of Object.entries(r.failLook)) (fails[k] ??= []).push(v);
  }
  const detected: Record<string, (number | null)[]> = {};
  for (const d of DETECTIONS.filter((x) => kinds.includes(x.kind))) {
    for (let i = 0; i < n; i++) {
      const r = runModelAnalysis(
        detectionModel(model),
        d.effect,
        [d.kind],
        `${d.key}-${model.name}-${i}`,
        LOOKS,
        oracleEffect,
        [],
        undefined,
        skip,
        true,
      );
      for (const [k, v] of Object.entries(r.failLook)) (detected[k] ??= []).push(v);
    }
  }
  for (const v of variants) {
    const cells = kinds.map((k) => {
      const f = fails[`${k}:${v}`] ?? [];
      const m = median(detected[`${k}:${v}`] ?? []);
      return `${k} A/A ${pct(within(f, 10))}/${pct(within(f, 60))}/${pct(within(f, 600))} detect ${m ?? "never"}`;
    });
    console.log(`${model.name} ${v} | ${cells.join(" | ")}`);
  }
  console.log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
