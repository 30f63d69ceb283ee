/**
 * @module slo/objective
 * The objective spellings of slogate's own format:
 * - `99.9`, `"99.9%"`, `">= 99.9%"`, `"≥ 99.9%"`: percentage of good events;
 * - `"< 1%"`, `"<= 1%"`, `"≤ 1%"`: at most that percentage of bad events (good = 100 − x);
 * - `"p95 < 500ms"`, `"p99.9 <= 1s"`: latency quantile below a threshold, the same promise as
 *   "at least 95 % of requests faster than 500 ms". Pure.
 */
import { complementPercent, parseLatencyThreshold, shiftDecimal } from "./duration.ts";

/** A parsed objective. */
export interface Objective {
  /** Percentage of good events promised. */
  readonly goodPercent: number;
  /** For `pNN < X`: the quantile (0.95) and threshold in seconds. */
  readonly quantile?: number;
  readonly thresholdSeconds?: number;
  /** How the objective was written: good events, bad events, or a latency quantile. */
  readonly form: "good" | "bad" | "quantile";
}

export type ObjectiveResult =
  | { readonly ok: true; readonly objective: Objective }
  | { readonly ok: false; readonly message: string; readonly hint: string };

const HINT =
  'write the objective as 99.9 or ">= 99.9%" (good events), "< 1%" (bad events) or "p95 < 500ms" (latency)';
const NUMBER = "([0-9]+(?:\\.[0-9]+)?)";
const GOOD = new RegExp(`^(?:>=|≥)?\\s*${NUMBER}\\s*%?$`);
const BAD = new RegExp(`^(?:<=|<|≤)\\s*${NUMBER}\\s*%$`);
const QUANTILE = new RegExp(`^p${NUMBER}\\s*(?:<=|<|≤)\\s*(.+)$`);

/** Parses an objective as written in a slogate v1 file. */
export function parseObjective(value: unknown): ObjectiveResult {
  if (typeof value === "number") return checkPercent(value, "good", value);
  if (typeof value !== "string") {
    return { ok: false, message: `objective must be a number or a string, got ${typeof value}`, hint: HINT };
  }
  const text = value.trim();
  let m = GOOD.exec(text);
  if (m !== null) return checkPercent(Number(m[1]), "good", text);
  m = BAD.exec(text);
  if (m !== null) {
    const bad = Number(m[1]);
    if (!(bad > 0 && bad < 100)) {
      return {
        ok: false,
        message: `objective ${JSON.stringify(text)}: the bad-event percentage must be between 0 and 100 (exclusive)`,
        hint: HINT,
      };
    }
    return checkPercent(complementPercent(bad), "bad", text);
  }
  m = QUANTILE.exec(text);
  if (m !== null) {
    const p = Number(m[1]);
    const threshold = parseLatencyThreshold(m[2] ?? "");
    if (threshold === undefined) {
      return {
        ok: false,
        message: `objective ${JSON.stringify(text)}: ${JSON.stringify(m[2])} is not a latency threshold`,
        hint: "write the threshold with a unit, e.g. 500ms or 1.5s",
      };
    }
    const r = checkPercent(p, "quantile", text);
    if (!r.ok) return r;
    return {
      ok: true,
      objective: {
        goodPercent: p,
        quantile: shiftDecimal(p, -2),
        thresholdSeconds: threshold,
        form: "quantile",
      },
    };
  }
  return { ok: false, message: `objective ${JSON.stringify(text)} is not understood`, hint: HINT };
}

function checkPercent(p: number, form: Objective["form"], written: unknown): ObjectiveResult {
  if (!(p > 0 && p < 100) || !Number.isFinite(p)) {
    return {
      ok: false,
      message: `objective ${JSON.stringify(written)} is out of range: the percentage of good events must be above 0 and below 100`,
      hint:
        p >= 100
          ? "100 % leaves no error budget; use e.g. 99.99"
          : "an objective is a percentage such as 99.9 (not a fraction such as 0.999)",
    };
  }
  if (p < 1) {
    return {
      ok: false,
      message: `objective ${JSON.stringify(written)} promises less than 1 % good events`,
      hint: "objectives are percentages: write 99.9, not 0.999",
    };
  }
  return { ok: true, objective: { goodPercent: p, form } };
}
