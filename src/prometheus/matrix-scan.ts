/**
 * @module prometheus/matrix-scan
 * A one-pass decoder for the answer Prometheus gives to a range selection (`x{…}[W]`): the
 * bytes of `{"status":"success","data":{"resultType":"matrix","result":[…]}}` go straight
 * into per-series `Float64Array`s of times and values, with no `JSON.parse`, no array per
 * sample and no string per value.
 *
 * It is a fast path, never a second opinion: it accepts only the exact layout Prometheus
 * writes (no whitespace, keys in Prometheus' order, plain decimal numbers and label strings
 * without escapes) and returns `undefined` for anything else — a warning, an unusual
 * number, an escaped label, a body another backend laid out differently, a malformed body —
 * so the caller decodes those with `JSON.parse` and the wire checks, which give the same
 * numbers or the same typed error. What it does accept decodes to exactly what that path
 * gives: decimals of at most 15 significant digits are computed as integer ÷ 10^k (one
 * correctly rounded division, the same double as `Number(text)`); other values go through
 * `parseSampleValue`. Pure.
 */
import { parseSampleValue } from "./wire.ts";

/** One series of raw samples: times (unix seconds) and values, ascending in time. */
export interface SampleSeries {
  readonly labels: Record<string, string>;
  readonly times: Float64Array;
  readonly values: Float64Array;
}

const enc = new TextEncoder();
const PREFIX = enc.encode('{"status":"success","data":{"resultType":"matrix","result":[');
const METRIC = enc.encode('{"metric":{');
const VALUES = enc.encode(',"values":[');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const RBRACE = 0x7d;
const DOT = 0x2e;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** 10^k for k ≤ 22: all exact doubles. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Thrown inside the scan to give up (one shared instance); never escapes `scanMatrix`. */
class GiveUp extends Error {
  override readonly name = "GiveUp";
}
const GIVE_UP = new GiveUp("not in the layout the fast path reads");

/** `parseSampleValue`, giving up (to the general path and its error) where it throws. */
function sampleValue(text: string): number {
  try {
    return parseSampleValue(text);
  } catch {
    throw GIVE_UP;
  }
}

let timesScratch = new Float64Array(1024);
let valuesScratch = new Float64Array(1024);

function grow(): void {
  const t = new Float64Array(timesScratch.length * 2);
  t.set(timesScratch);
  timesScratch = t;
  const v = new Float64Array(valuesScratch.length * 2);
  v.set(valuesScratch);
  valuesScratch = v;
}

/**
 * Decodes a matrix answer, or returns `undefined` when the body is not in the exact layout
 * this fast path reads (the caller then decodes it the general way).
 */
export function scanMatrix(body: Uint8Array): SampleSeries[] | undefined {
  try {
    return scan(body);
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

/** Where the last `readString` / `readDecimal` stopped (just past what it read). */
let stop = 0;

/** Whether `bytes` occur in `b` at `i`. */
function matches(b: Uint8Array, i: number, bytes: Uint8Array): boolean {
  if (i + bytes.length > b.length) return false;
  for (let j = 0; j < bytes.length; j++) if (b[i + j] !== bytes[j]) return false;
  return true;
}

/** A JSON string without escapes or control characters at `i` (its opening quote); sets `stop`. */
function readString(b: Uint8Array, i: number): string {
  if (b[i] !== QUOTE) throw GIVE_UP;
  const from = i + 1;
  let to = from;
  let ascii = true;
  for (;;) {
    const c = b[to];
    if (c === undefined || c === BACKSLASH || c < 0x20) throw GIVE_UP;
    if (c === QUOTE) break;
    if (c >= 0x80) ascii = false;
    to++;
  }
  stop = to + 1;
  if (ascii) {
    let s = "";
    for (let j = from; j < to; j++) s += String.fromCharCode(b[j] ?? 0);
    return s;
  }
  try {
    return utf8.decode(b.subarray(from, to));
  } catch {
    throw GIVE_UP;
  }
}

/**
 * A plain decimal `-?(0|[1-9][0-9]*)(\.[0-9]+)?` of at most 15 significant digits at `i`,
 * followed by the byte `end`; sets `stop` to the position of `end`. NaN (and `stop`
 * unchanged) when the text there is not of that form.
 */
function readDecimal(b: Uint8Array, i: number, end: number): number {
  let neg = false;
  if (b[i] === MINUS) {
    neg = true;
    i++;
  }
  const intFrom = i;
  let mant = 0;
  let digits = 0;
  let c = b[i] ?? 0;
  while (c >= ZERO && c <= NINE) {
    mant = mant * 10 + (c - ZERO);
    if (mant !== 0) digits++;
    c = b[++i] ?? 0;
  }
  if (i === intFrom || (b[intFrom] === ZERO && i - intFrom > 1)) return NaN;
  let scale = 0;
  if (c === DOT) {
    const fracFrom = ++i;
    c = b[i] ?? 0;
    while (c >= ZERO && c <= NINE) {
      mant = mant * 10 + (c - ZERO);
      if (mant !== 0) digits++;
      scale++;
      c = b[++i] ?? 0;
    }
    if (i === fracFrom) return NaN;
  }
  if (c !== end || digits > 15 || scale > 22) return NaN;
  stop = i;
  const v = scale === 0 ? mant : mant / (POW10[scale] ?? NaN);
  return neg ? -v : v;
}

function scan(b: Uint8Array): SampleSeries[] {
  const n = b.length;
  if (!matches(b, 0, PREFIX)) throw GIVE_UP;
  let i = PREFIX.length;
  const out: SampleSeries[] = [];
  if (b[i] === RBRACKET) {
    i++;
  } else {
    for (;;) {
      if (!matches(b, i, METRIC)) throw GIVE_UP;
      i += METRIC.length;
      const labels: Record<string, string> = {};
      if (b[i] === RBRACE) {
        i++;
      } else {
        for (;;) {
          const k = readString(b, i);
          i = stop;
          if (k === "__proto__" || b[i] !== COLON) throw GIVE_UP;
          labels[k] = readString(b, i + 1);
          i = stop;
          if (b[i] === COMMA) {
            i++;
            continue;
          }
          if (b[i] !== RBRACE) throw GIVE_UP;
          i++;
          break;
        }
      }
      if (!matches(b, i, VALUES)) throw GIVE_UP;
      i += VALUES.length;
      let count = 0;
      if (b[i] === RBRACKET) {
        i++;
      } else {
        for (;;) {
          if (b[i] !== LBRACKET) throw GIVE_UP;
          const t = readDecimal(b, i + 1, COMMA);
          if (Number.isNaN(t)) throw GIVE_UP;
          i = stop + 1; // past the comma
          let v = NaN;
          const c = b[i + 1] ?? 0;
          if (b[i] === QUOTE && ((c >= ZERO && c <= NINE) || c === MINUS)) {
            v = readDecimal(b, i + 1, QUOTE);
            if (!Number.isNaN(v)) i = stop + 1; // past the closing quote
          }
          if (Number.isNaN(v)) {
            v = sampleValue(readString(b, i));
            i = stop;
          }
          if (b[i] !== RBRACKET) throw GIVE_UP;
          i++;
          if (count === timesScratch.length) grow();
          timesScratch[count] = t;
          valuesScratch[count] = v;
          count++;
          if (b[i] === COMMA) {
            i++;
            continue;
          }
          if (b[i] !== RBRACKET) throw GIVE_UP;
          i++;
          break;
        }
      }
      if (b[i] !== RBRACE) throw GIVE_UP;
      i++;
      out.push({ labels, times: timesScratch.slice(0, count), values: valuesScratch.slice(0, count) });
      if (b[i] === COMMA) {
        i++;
        continue;
      }
      if (b[i] !== RBRACKET) throw GIVE_UP;
      i++;
      break;
    }
  }
  if (b[i] !== RBRACE || b[i + 1] !== RBRACE) throw GIVE_UP;
  i += 2;
  // Only a trailing newline may follow (warnings or other keys: the general path reads them).
  while (i < n && (b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x20 || b[i] === 0x09)) i++;
  if (i !== n) throw GIVE_UP;
  return out;
}
