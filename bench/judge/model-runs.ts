/**
 * @module bench/judge/model-runs
 * Runs the per-model benchmark (`models.ts`) and formats its tables: A/A false-fail per model,
 * SLI and judge at 10 / 60 / 600 looks, median looks to detect errors ×2 and p95 +20 % at
 * 10 % canary, and the targets per model.
 */
import { NO_EFFECT } from "../../src/sim/traffic-model.ts";
import {
  DETECTIONS,
  detectionModel,
  MODELS,
  ORACLES,
  oracleNull,
  runModelAnalysis,
  VARIANTS,
} from "./models.ts";
import { MAX_LOOKS } from "./run.ts";
import type { SliKind } from "./stream.ts";

const MARKS = [10, 60, 600] as const;
const KINDS: readonly SliKind[] = ["errors", "latency"];

/** Per judge name, per model. */
export interface ModelResults {
  readonly aa: number;
  readonly kayentaAa: number;
  readonly n: number;
  readonly seconds: Record<string, number>;
  readonly json: Record<
    string,
    Record<
      string,
      {
        aaFalseFail: Record<string, unknown>;
        medianLooksToDetect: Record<string, number | null>;
      }
    >
  >;
  readonly thresholds: Record<string, Record<string, number>>;
}

/** Median of looks-to-detect (null = never, counted as infinite); null when it is never. */
export function median(values: readonly (number | null)[]): number | null {
  const s = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m =
    s.length % 2 === 1
      ? (s[(s.length - 1) / 2] ?? Infinity)
      : ((s[s.length / 2 - 1] ?? Infinity) + (s[s.length / 2] ?? Infinity)) / 2;
  return Number.isFinite(m) ? m : null;
}

/** Share of runs that ended (detected or failed) within `k` looks. */
export function within(values: readonly (number | null)[], k: number): number {
  return values.filter((v) => v !== null && v <= k).length / Math.max(1, values.length);
}

/** Threshold c with #(max ≥ c) = ⌊α·n⌋: the calibrated oracle's A/A rate is ⌊α·n⌋/n ≤ α. */
function calibrate(maxima: readonly number[], alpha: number): number {
  const s = [...maxima].sort((a, b) => b - a);
  const k = Math.floor(alpha * s.length);
  const v = s[k] ?? 0;
  return v + Math.max(1e-9, Math.abs(v) * 1e-12);
}

/** Runs every model (or those in `only`). */
export function runModels(opts: {
  aa: number;
  n: number;
  only?: readonly string[] | undefined;
  /** A/A analyses judged by kayenta too (a smaller sample bounds the run time). */
  kayentaAa: number;
  alpha: number;
  log: (msg: string) => void;
}): ModelResults {
  const names = [...VARIANTS.map((v) => v.name), ...ORACLES];
  const json: ModelResults["json"] = Object.fromEntries(names.map((n) => [n, {}]));
  const thresholds: ModelResults["thresholds"] = {};
  const seconds: Record<string, number> = {};
  const oracleEffect = {
    errors: DETECTIONS[0]!.effect,
    latency: DETECTIONS[1]!.effect,
  };
  for (const model of MODELS) {
    if (opts.only && opts.only.length > 0 && !opts.only.includes(model.name)) continue;
    const t0 = performance.now();
    const fails: Record<string, (number | null)[]> = {};
    const maxima: Record<string, number[][]> = {};
    for (let i = 0; i < opts.aa; i++) {
      const skip = i >= opts.kayentaAa ? ["kayenta"] : [];
      const r = runModelAnalysis(
        model,
        NO_EFFECT,
        KINDS,
        `aa-${model.name}-${i}`,
        MAX_LOOKS,
        oracleEffect,
        MARKS,
        undefined,
        skip,
      );
      for (const [k, v] of Object.entries(r.failLook))
        if (!(skip.length > 0 && k.endsWith(":kayenta"))) (fails[k] ??= []).push(v);
      for (const [k, v] of Object.entries(r.oracleMax)) (maxima[k] ??= []).push(v);
    }
    // The same A/A at a constant 10 % share (the detection streams' split), sequential judges
    // only: a long low share is where per-arm noise is asymmetric between the arms (the ramp
    // to 50 % hid a drift to 100 % false fails there; docs/judge.md).
    const fails10: Record<string, (number | null)[]> = {};
    const seqOnly = VARIANTS.filter((v) => v.judge !== "sequential").map((v) => v.name);
    for (let i = 0; i < opts.aa; i++) {
      const r = runModelAnalysis(
        detectionModel(model),
        NO_EFFECT,
        KINDS,
        `aa10-${model.name}-${i}`,
        MAX_LOOKS,
        oracleEffect,
        [],
        undefined,
        seqOnly,
        true,
      );
      for (const [k, v] of Object.entries(r.failLook))
        if (!seqOnly.some((n) => k.endsWith(`:${n}`)) && !ORACLES.some((o) => k.endsWith(`:${o}`)))
          (fails10[k] ??= []).push(v);
    }
    // Error oracles with a margin are calibrated at their null's boundary: streams whose
    // canary error ratio is r₀ × stable's (the least favourable null), oracle lanes only.
    const boundary: Record<string, number[]> = {};
    const byNull = new Map<number, string>();
    for (const o of ORACLES) {
      const r0 = oracleNull(o);
      if (r0 === 1) continue;
      // Oracles of the same null share one set of boundary streams.
      const same = byNull.get(r0);
      if (same !== undefined) {
        boundary[`errors:${o}`] = boundary[`errors:${same}`] ?? [];
        continue;
      }
      byNull.set(r0, o);
      for (let i = 0; i < opts.aa; i++) {
        const r = runModelAnalysis(
          model,
          { errorMultiplier: r0, latencyScale: 1 },
          ["errors"],
          `boundary-${o}-${model.name}-${i}`,
          MAX_LOOKS,
          oracleEffect,
          MARKS,
          undefined,
          VARIANTS.map((v) => v.name),
        );
        const m = r.oracleMax[`errors:${o}`] ?? [];
        (boundary[`errors:${o}`] ??= []).push(m[m.length - 1] ?? 0);
      }
    }
    const th: Record<string, number> = {};
    for (const [k, list] of Object.entries(maxima)) {
      const c = calibrate(boundary[k] ?? list.map((m) => m[m.length - 1] ?? 0), opts.alpha);
      th[k] = c;
      // The oracle's A/A fail look: the first mark whose running maximum reached c.
      fails[k] = list.map((m) => {
        const j = m.findIndex((x) => x >= c);
        return j < 0 ? null : (MARKS[j] ?? null);
      });
    }
    thresholds[model.name] = th;
    const det: Record<string, Record<string, (number | null)[]>> = {};
    for (const d of DETECTIONS) {
      const dm = detectionModel(model);
      const looks: Record<string, (number | null)[]> = {};
      for (let i = 0; i < opts.n; i++) {
        const r = runModelAnalysis(
          dm,
          d.effect,
          [d.kind],
          `${d.key}-${model.name}-${i}`,
          MAX_LOOKS,
          oracleEffect,
          [],
          th,
        );
        for (const name of names) (looks[name] ??= []).push(r.failLook[`${d.kind}:${name}`] ?? null);
      }
      det[d.key] = looks;
    }
    for (const name of names) {
      const aaOf = (kind: SliKind): Record<string, number> =>
        Object.fromEntries(MARKS.map((k) => [String(k), within(fails[`${kind}:${name}`] ?? [], k)]));
      const e = aaOf("errors");
      const l = aaOf("latency");
      const c10 = fails10[`errors:${name}`]
        ? {
            constant10: Object.fromEntries(
              KINDS.map((kind) => [
                kind,
                Object.fromEntries(
                  MARKS.map((k) => [String(k), within(fails10[`${kind}:${name}`] ?? [], k)]),
                ),
              ]),
            ),
          }
        : {};
      json[name]![model.name] = {
        aaFalseFail: {
          ...Object.fromEntries(MARKS.map((k) => [String(k), Math.max(e[k] ?? 0, l[k] ?? 0)])),
          errors: e,
          latency: l,
          ...c10,
        },
        medianLooksToDetect: Object.fromEntries(
          DETECTIONS.map((d) => [d.key, median(det[d.key]?.[name] ?? [])]),
        ),
      };
    }
    seconds[model.name] = (performance.now() - t0) / 1000;
    opts.log(`model ${model.name}: done in ${seconds[model.name]!.toFixed(0)} s`);
  }
  return { aa: opts.aa, kayentaAa: Math.min(opts.aa, opts.kayentaAa), n: opts.n, seconds, json, thresholds };
}

function pc(x: unknown): string {
  return typeof x === "number" ? `${(x * 100).toFixed(1)}` : "–";
}

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined ? "never" : Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/** Markdown lines: the per-model tables and targets. */
export function modelTables(r: ModelResults, alpha: number): string[] {
  const out: string[] = [];
  const names = [...VARIANTS.map((v) => v.name), ...ORACLES];
  const models = MODELS.filter((m) => r.json.sequential?.[m.name]);
  out.push("## Realistic traffic models");
  out.push("");
  out.push(
    `${r.aa} A/A analyses × ${MAX_LOOKS} looks per model (kayenta: the first ${r.kayentaAa} only, to bound the run time; traffic 10 → 25 → 50 %; the rows "A/A at 10 %" are ${r.aa} more per model at a constant 10 % share, sequential judges only), ${r.n} detection analyses per model and scenario (constant 10 % canary; the ramp model keeps its ramp). Models: \`src/sim/traffic-model.ts\`. The judges get the 60 one-minute stable steps before the deploy (\`LookData.history\`) and, on pod models, per-pod counts (\`ArmCounts.pods\`). \`sequential\` uses the shipped default margins (relative 0.1 for errors — r₀ = 1.1 — and latency; errors had 0.5 pp, r₀ = 1.5, before this run), \`sequential-tight\` is now the same SLOs (kept as a key). Oracles: SPRT knowing the true effect (errors: null r₀ of \`sequential\` (\`oracle\`), of \`sequential-tight\` (\`oracle-tight\`) or 1 (\`oracle-no-margin\`); latency: identical distributions, the same for all three) and, on pod models, each pod's true error multiplier and latency scale, with the threshold calibrated on the model's own streams at the null's boundary — for errors with a margin, ${r.aa} streams whose canary error ratio is r₀ × stable's; otherwise the A/A streams — so that its false-fail rate there at 600 looks is ⌊α·n⌋/n (its A/A rate below is then ≤ that).`,
  );
  out.push("");
  for (const m of models)
    out.push(`- \`${m.name}\`: ${m.description} (${(r.seconds[m.name] ?? 0).toFixed(0)} s)`);
  out.push("");
  out.push(
    "A/A false-fail % (errors @10/60/600 · latency @10/60/600) and median looks to detect (errors ×2 · p95 +20 %):",
  );
  out.push("");
  out.push(`| model | ${names.join(" | ")} |`);
  out.push(`|---|${names.map(() => "---").join("|")}|`);
  for (const m of models) {
    const aaCells = names.map((n) => {
      const v = r.json[n]?.[m.name]?.aaFalseFail as
        { errors: Record<string, number>; latency: Record<string, number> } | undefined;
      if (!v) return "–";
      return `${MARKS.map((k) => pc(v.errors[k])).join("/")} · ${MARKS.map((k) => pc(v.latency[k])).join("/")}`;
    });
    out.push(`| ${m.name} A/A | ${aaCells.join(" | ")} |`);
    const c10Cells = names.map((n) => {
      const v = (r.json[n]?.[m.name]?.aaFalseFail as { constant10?: Record<SliKind, Record<string, number>> })
        ?.constant10;
      if (!v) return "–";
      return `${MARKS.map((k) => pc(v.errors[k])).join("/")} · ${MARKS.map((k) => pc(v.latency[k])).join("/")}`;
    });
    out.push(`| ${m.name} A/A at 10 % | ${c10Cells.join(" | ")} |`);
    const detCells = names.map((n) => {
      const v = r.json[n]?.[m.name]?.medianLooksToDetect;
      return v ? DETECTIONS.map((d) => fmt(v[d.key])).join(" · ") : "–";
    });
    out.push(`| ${m.name} detect | ${detCells.join(" | ")} |`);
  }
  out.push("");
  out.push(
    "Targets per model (sequential, default margins; detection against the calibrated oracle of the same null):",
  );
  out.push("");
  for (const m of models) {
    const s = r.json.sequential?.[m.name];
    const o = r.json.oracle?.[m.name];
    const k = r.json.kayenta?.[m.name];
    if (!s || !o || !k) continue;
    const aa = s.aaFalseFail as {
      errors: Record<string, number>;
      latency: Record<string, number>;
      constant10?: Record<SliKind, Record<string, number>>;
    };
    const worst = Math.max(
      ...MARKS.flatMap((x) => [
        aa.errors[x] ?? 1,
        aa.latency[x] ?? 1,
        aa.constant10?.errors[x] ?? 0,
        aa.constant10?.latency[x] ?? 0,
      ]),
    );
    const bound = m.name === "independent" ? 1.5 : 2;
    const parts = DETECTIONS.map((d) => {
      const sv = s.medianLooksToDetect[d.key] ?? null;
      const ov = o.medianLooksToDetect[d.key] ?? null;
      const kv = k.medianLooksToDetect[d.key] ?? null;
      const ratio = sv !== null && ov !== null ? sv / ov : null;
      const okOracle = ratio !== null && ratio <= bound;
      const okKayenta = sv !== null && (kv === null || sv < kv);
      return `${d.key} ${fmt(sv)} vs oracle ${fmt(ov)} (${ratio === null ? "n/a" : ratio.toFixed(2)}×, ≤ ${bound}×: ${okOracle ? "met" : "MISSED"}), kayenta ${fmt(kv)} (faster: ${okKayenta ? "met" : "MISSED"})`;
    });
    out.push(
      `- ${m.name}: A/A worst (both traffic designs) ${(worst * 100).toFixed(1)} % ≤ ${alpha * 100} %: ${worst <= alpha ? "met" : "MISSED"}; ${parts.join("; ")}`,
    );
  }
  out.push("");
  return out;
}

/** Results of disjoint model subsets as one (every model appears in one part only). */
export function mergeModelResults(parts: readonly ModelResults[]): ModelResults {
  const first = parts[0];
  if (!first) throw new Error("no model results to merge");
  const json: ModelResults["json"] = {};
  const seconds: Record<string, number> = {};
  const thresholds: ModelResults["thresholds"] = {};
  for (const p of parts) {
    for (const [name, byModel] of Object.entries(p.json)) Object.assign((json[name] ??= {}), byModel);
    Object.assign(seconds, p.seconds);
    Object.assign(thresholds, p.thresholds);
  }
  return { aa: first.aa, kayentaAa: first.kayentaAa, n: first.n, seconds, json, thresholds };
}
