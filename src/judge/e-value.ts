/**
 * @module judge/e-value
 * E-values as reports can carry them. An e-process' log e-value is exact and finite, but its
 * e-value overflows a double beyond e^709 (a hard regression over many events), which
 * printed `Infinity` in reasons and became `null` in JSON evidence. So:
 * - evidence `eValue` is capped at `E_VALUE_CAP` (1e300, finite; the cap is far above any
 *   threshold 1/α, so a capped value still reads as "crossed");
 * - evidence `log10EValue` is the exact base-10 logarithm (finite, never capped);
 * - reasons print the e-value from its logarithm (`1.23e+4567` when it is beyond a double).
 * Pure.
 */

/** Largest e-value put in evidence; larger ones are reported as this (see `log10EValue`). */
export const E_VALUE_CAP = 1e300;

/** The e-value for evidence: exp(logE), capped at `E_VALUE_CAP`; null when logE is NaN. */
export function eValueOf(logE: number): number | null {
  if (Number.isNaN(logE)) return null;
  if (logE >= Math.log(E_VALUE_CAP)) return E_VALUE_CAP;
  return Math.exp(logE);
}

/** log10 of the e-value, rounded to 6 decimals; null when logE is NaN or infinite. */
export function log10EValueOf(logE: number): number | null {
  if (!Number.isFinite(logE)) return null;
  return Math.round((logE / Math.LN10) * 1e6) / 1e6;
}

/** The e-value in 3 significant digits, for reasons; exact in magnitude beyond a double. */
export function formatEValue(logE: number): string {
  if (Number.isNaN(logE)) return "NaN";
  if (logE === Infinity) return "∞";
  if (logE === -Infinity) return "0";
  if (Math.abs(logE) < 700) return Math.exp(logE).toPrecision(3);
  const l10 = logE / Math.LN10;
  let exponent = Math.floor(l10);
  let mantissa = 10 ** (l10 - exponent);
  if (Number(mantissa.toPrecision(3)) >= 10) {
    mantissa /= 10;
    exponent += 1;
  }
  return `${mantissa.toPrecision(3)}e${exponent >= 0 ? "+" : ""}${exponent}`;
}
