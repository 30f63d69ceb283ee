/**
 * @module slo/duration
 * Durations as SLO files write them: Prometheus spellings (`30d`, `1h30m`, `500ms`), OpenSLO
 * shorthands (`1w`, `1M`, `1Q`, `1Y`) and latency thresholds with fractions (`1.5s`). Pure.
 */

const PROM_UNITS: Readonly<Record<string, number>> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

const PROM_DURATION = /^(?:[0-9]+(?:ms|s|m|h|d|w|y))+$/;
const PROM_PART = /([0-9]+)(ms|s|m|h|d|w|y)/g;

/** Parses a Prometheus duration (`30d`, `1h30m`) into seconds; undefined when malformed or 0. */
export function parsePrometheusDuration(text: string): number | undefined {
  if (!PROM_DURATION.test(text)) return undefined;
  let seconds = 0;
  for (const m of text.matchAll(PROM_PART)) {
    seconds += Number(m[1]) * (PROM_UNITS[m[2] ?? ""] ?? 0);
  }
  return seconds > 0 ? seconds : undefined;
}

/** OpenSLO duration shorthand units: minute, hour, day, week, month, quarter, year. */
const OPENSLO_UNITS: Readonly<Record<string, number>> = {
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  M: 30 * 86400,
  Q: 90 * 86400,
  Y: 365 * 86400,
};

/** Parses an OpenSLO duration shorthand (`28d`, `1w`, `1M`) into seconds. */
export function parseOpensloDuration(text: string): number | undefined {
  const m = /^([0-9]+)([mhdwMQY])$/.exec(text);
  if (m === null) return undefined;
  const seconds = Number(m[1]) * (OPENSLO_UNITS[m[2] ?? ""] ?? 0);
  return seconds > 0 ? seconds : undefined;
}

/** Parses a latency threshold (`500ms`, `1s`, `1.5s`, `0.25s`) into seconds. */
export function parseLatencyThreshold(text: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(ms|s)$/.exec(text.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  if (!(n > 0) || !Number.isFinite(n)) return undefined;
  return m[2] === "ms" ? shiftDecimal(n, -3) : n;
}

/**
 * Multiplies `n` by 10^places exactly as decimal text does (0.999 → 99.9 for places 2, never
 * 99.89999999999999). Falls back to float arithmetic for exponent notation.
 */
export function shiftDecimal(n: number, places: number): number {
  const text = String(n);
  if (/e/i.test(text)) return n * 10 ** places;
  const negative = text.startsWith("-");
  const [intPart = "0", fracPart = ""] = (negative ? text.slice(1) : text).split(".");
  let digits = intPart + fracPart;
  let point = intPart.length + places;
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits = digits + "0".repeat(point - digits.length);
  const out = Number(`${digits.slice(0, point) || "0"}.${digits.slice(point) || "0"}`);
  return negative ? -out : out;
}

/** 100 − p, exact in decimal (100 − 0.1 = 99.9 as written, no float noise). */
export function complementPercent(p: number): number {
  const text = String(p);
  const decimals = /e/i.test(text) ? 0 : (text.split(".")[1] ?? "").length;
  if (decimals === 0 && /e/i.test(text)) return 100 - p;
  const scale = 10 ** decimals;
  return shiftDecimal(100 * scale - Math.round(shiftDecimal(p, decimals)), -decimals);
}
