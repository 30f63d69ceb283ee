/**
 * @module slo/resource-quantity
 * Limits of resource SLIs as users write them: Kubernetes quantities (`500m` cores, `1Gi`,
 * `512Mi`, `2G` bytes, `1e9`), plain numbers, and percentages for ratios (`80%`). Returns the
 * value in the measure's base unit (cores, bytes, a plain number) or a message saying what is
 * wrong. Pure.
 */
import type { ResourceMeasure } from "./model.ts";

/** Kubernetes quantity suffixes and their factors (binary SI and decimal SI). */
const SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY =
  /^([+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;
const PERCENT = /^([+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*%$/;

/** What a measure's limit is written in, for hints. */
export const LIMIT_EXAMPLES: Readonly<Record<ResourceMeasure, string>> = {
  cpu: "cores: 500m, 0.5 or 2",
  memory: "bytes: 1Gi, 512Mi or 2G",
  saturation: "a ratio: 0.8 or 80%",
  gauge: "a number: 100, 1.5k or 2e6",
};

/** The base unit a measure's values are in (for messages). */
export const MEASURE_UNIT: Readonly<Record<ResourceMeasure, string>> = {
  cpu: "cores",
  memory: "bytes",
  saturation: "",
  gauge: "",
};

/**
 * Parses a limit for `measure`. Numbers are taken as they are; strings as a Kubernetes
 * quantity or (saturation and gauge only) a percentage.
 */
export function parseResourceQuantity(
  input: unknown,
  measure: ResourceMeasure,
): { ok: true; value: number; text: string } | { ok: false; message: string; hint: string } {
  const hint = `write the limit in ${LIMIT_EXAMPLES[measure]}`;
  if (typeof input === "number") {
    if (Number.isFinite(input) && input > 0) return { ok: true, value: input, text: String(input) };
    return { ok: false, message: `limit ${input} is not a positive number`, hint };
  }
  if (typeof input !== "string") return { ok: false, message: "limit is not a number or a quantity", hint };
  const text = input.trim();
  const pct = PERCENT.exec(text);
  if (pct !== null) {
    if (measure === "cpu" || measure === "memory") {
      return {
        ok: false,
        message: `limit ${JSON.stringify(text)} is a percentage, but ${measure} is measured in ${MEASURE_UNIT[measure]}`,
        hint: `${hint}; for a share of the pod's own limit use measure: saturation with a ratio query`,
      };
    }
    const v = Number(pct[1]) / 100;
    return v > 0
      ? { ok: true, value: v, text }
      : { ok: false, message: `limit ${text} is not positive`, hint };
  }
  const q = QUANTITY.exec(text);
  if (q === null) return { ok: false, message: `${JSON.stringify(text)} is not a quantity`, hint };
  const base = Number(q[1]);
  const value = q[2] !== undefined ? base * 10 ** Number(q[2].slice(1)) : base * (SUFFIX[q[3] ?? ""] ?? 1);
  if (!(Number.isFinite(value) && value > 0))
    return { ok: false, message: `limit ${text} is not positive`, hint };
  if (measure === "memory" && value < 1) {
    return {
      ok: false,
      message: `memory limit ${JSON.stringify(text)} is less than one byte (m means milli, not mega)`,
      hint: "write mebibytes as Mi (512Mi) and megabytes as M (500M)",
    };
  }
  return { ok: true, value, text };
}

/** A value of `measure` for people: `0.412 cores`, `812 MiB`, `0.93`. */
export function formatResourceValue(v: number, measure: ResourceMeasure): string {
  if (!Number.isFinite(v)) return String(v);
  if (measure === "memory") {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let x = v;
    let i = 0;
    while (Math.abs(x) >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return `${x.toPrecision(3)} ${units[i]}`;
  }
  const s = Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.001) ? v.toExponential(2) : v.toPrecision(3);
  return measure === "cpu" ? `${s} cores` : s;
}
