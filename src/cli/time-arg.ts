/**
 * @module cli/time-arg
 * Times and durations as the command line takes them: `now`, `-15m` (relative to now),
 * Unix seconds, or RFC 3339; durations like `1m`, `90s`, `1h30m`.
 */
import { SlogateError } from "../errors.ts";
import { parsePrometheusDuration } from "../slo/duration.ts";

/** Parses a time argument relative to `now` (Unix seconds). */
export function parseTimeArg(text: string, now: number, name: string): number {
  const t = text.trim();
  if (t === "now") return now;
  if (t.startsWith("-")) {
    const d = parsePrometheusDuration(t.slice(1));
    if (d !== undefined) return now - d;
  }
  if (/^[0-9]+(\.[0-9]+)?$/.test(t)) return Number(t);
  if (/^\d{4}-\d{2}-\d{2}T/.test(t) && Number.isFinite(Date.parse(t))) return Date.parse(t) / 1000;
  throw new SlogateError("BAD_REQUEST", `--${name}: ${JSON.stringify(text)} is not a time`, {
    hint: "use now, a relative time like -15m, Unix seconds, or RFC 3339 like 2026-11-17T10:00:00Z",
  });
}

/** Parses a duration argument into seconds. */
export function parseDurationArg(text: string, name: string): number {
  const d = /^[0-9]+$/.test(text.trim()) ? Number(text) : parsePrometheusDuration(text.trim());
  if (d === undefined || !(d > 0)) {
    throw new SlogateError("BAD_REQUEST", `--${name}: ${JSON.stringify(text)} is not a duration`, {
      hint: "use a duration like 30s, 1m, 1h30m",
    });
  }
  return d;
}
