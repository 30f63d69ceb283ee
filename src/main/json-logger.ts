/**
 * @module main/json-logger
 * The structured logger: one JSON object per line (`ts`, `level`, `msg`, fields), written
 * through a sink function so it can go to stdout, stderr or a test buffer.
 */
import type { Logger } from "../domain/verdict-event.ts";
import type { LogLevel } from "../config/service-config.ts";

const ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

function safeFields(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (fields === undefined) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v instanceof Error) {
      const e = v as Error & { code?: unknown; hint?: unknown };
      out[k] = {
        name: e.name,
        message: e.message,
        ...(e.code === undefined ? {} : { code: e.code }),
        ...(e.hint ? { hint: e.hint } : {}),
      };
    } else out[k] = v;
  }
  return out;
}

/** A Logger writing JSON lines at or above `level`. `now` returns epoch milliseconds. */
export function createJsonLogger(
  write: (line: string) => void,
  level: LogLevel = "info",
  now: () => number = Date.now,
  base: Record<string, unknown> = {},
): Logger {
  const min = ORDER[level];
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (ORDER[lvl] < min) return;
    let line: string;
    try {
      line = JSON.stringify({
        ts: new Date(now()).toISOString(),
        level: lvl,
        msg,
        ...base,
        ...safeFields(fields),
      });
    } catch {
      line = JSON.stringify({
        ts: new Date(now()).toISOString(),
        level: lvl,
        msg,
        ...base,
        fieldsError: "unserializable fields",
      });
    }
    write(line + "\n");
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}
