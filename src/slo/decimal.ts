/**
 * @module slo/decimal
 * Exact arithmetic for objectives, error budgets and burn-rate thresholds. Numbers are kept as
 * reduced fractions of big integers, built from the decimal spelling the user wrote (`99.9` is
 * 999/10, not the nearest binary float), so the error budget of 99.9 prints as `0.001` — never
 * `0.0009999999999999432` as float subtraction gives. Results that are not terminating decimals
 * (a 28-day period's 14/15 burn factor) print as a PromQL division of two integers. Pure.
 */
import { SlogateError } from "../errors.ts";

/** An exact rational number `num / den`, reduced, with `den > 0`. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** Builds the reduced fraction `num / den`. Throws on a zero denominator. */
export function rational(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) {
    throw new SlogateError("INTERNAL", "division by zero in exact decimal arithmetic", {
      hint: "this is a bug in slogate; please report the SLO file that triggered it",
    });
  }
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den) || 1n;
  return { num: (sign * num) / g, den: (sign * den) / g };
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$|^([+-]?)\.(\d+)(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a decimal number exactly. A JS number is read through its shortest round-trip
 * spelling (`String(99.9)` is `"99.9"`), which is the number the user wrote in YAML.
 */
export function parseDecimal(value: number | string): Rational {
  const text = typeof value === "number" ? String(value) : value.trim();
  const m = DECIMAL.exec(text);
  if (m === null || (typeof value === "number" && !Number.isFinite(value))) {
    throw new SlogateError("SLO_INVALID", `not a finite decimal number: ${JSON.stringify(text)}`, {
      hint: "write objectives and thresholds as plain decimals, e.g. 99.9 or 0.25",
    });
  }
  const sign = (m[1] ?? m[5]) === "-" ? -1n : 1n;
  const intPart = m[2] ?? "0";
  const fracPart = m[3] ?? m[6] ?? "";
  const exp = Number(m[4] ?? m[7] ?? "0");
  let num = BigInt(intPart + fracPart) * sign;
  let den = 10n ** BigInt(fracPart.length);
  if (exp > 0) num *= 10n ** BigInt(exp);
  else if (exp < 0) den *= 10n ** BigInt(-exp);
  return rational(num, den);
}

/** a + b, exactly. */
export function add(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

/** a − b, exactly. */
export function sub(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den - b.num * a.den, a.den * b.den);
}

/** a × b, exactly. */
export function mul(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

/** a ÷ b, exactly. Throws when b is zero. */
export function div(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den, a.den * b.num);
}

/** −1, 0 or 1 as a is below, equal to or above b. */
export function compare(a: Rational, b: Rational): number {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** The nearest float (for plotting and checks; never for printing thresholds). */
export function toNumber(r: Rational): number {
  return Number(formatDecimal(r) ?? String(Number(r.num) / Number(r.den)));
}

/**
 * The exact decimal spelling of `r` (`0.001`, `14.4`, `3`), or `undefined` when `r` is not a
 * terminating decimal (its reduced denominator has a prime factor other than 2 and 5).
 */
export function formatDecimal(r: Rational): string | undefined {
  let d = r.den;
  let twos = 0;
  let fives = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    twos++;
  }
  while (d % 5n === 0n) {
    d /= 5n;
    fives++;
  }
  if (d !== 1n) return undefined;
  const digits = Math.max(twos, fives);
  const scaled = (r.num * 10n ** BigInt(digits)) / r.den;
  const negative = scaled < 0n;
  const abs = (negative ? -scaled : scaled).toString().padStart(digits + 1, "0");
  const intPart = abs.slice(0, abs.length - digits);
  const fracPart = abs.slice(abs.length - digits).replace(/0+$/, "");
  return `${negative ? "-" : ""}${intPart}${fracPart === "" ? "" : `.${fracPart}`}`;
}

/**
 * `r` as a PromQL number literal: the exact decimal when there is one, else the exact
 * division `(num / den)` (PromQL folds it to the nearest float, with no decimal noise in the
 * file). For 28-day windows this prints `(14 / 15)` rather than `0.9333333333333333`.
 */
export function formatPromqlNumber(r: Rational): string {
  return formatDecimal(r) ?? `(${r.num.toString()} / ${r.den.toString()})`;
}

const HUNDRED = rational(100n);

/** The objective as a ratio of good events: 99.9 → 0.999. */
export function objectiveRatio(objectivePercent: number): Rational {
  return div(parseDecimal(objectivePercent), HUNDRED);
}

/** The error budget as a ratio of bad events: 99.9 → exactly 0.001. */
export function errorBudgetRatio(objectivePercent: number): Rational {
  return div(sub(HUNDRED, parseDecimal(objectivePercent)), HUNDRED);
}
