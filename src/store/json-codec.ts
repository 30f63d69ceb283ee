/**
 * @module store/json-codec
 * JSON encoding for stored values that keeps non-finite numbers (a histogram's `+Inf` bound,
 * an e-value that overflowed) instead of turning them into `null`, and refuses values that
 * cannot round-trip (cycles, functions, bigints) before anything is written.
 */
import { SlogateError } from "../errors.ts";

const MARK = "$slogate:number";

/**
 * True when plain `JSON.stringify` gives exactly what the marking replacer would: no
 * non-finite number, bigint, function or symbol anywhere, no `toJSON`, no deeper than 64
 * levels (so cycles fall back too). Walking is much cheaper than a replacer, which takes
 * V8 off its fast serializer; a stored analysis is encoded at every look.
 */
function isPlainJson(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case "number":
      return Number.isFinite(v);
    case "string":
    case "boolean":
    case "undefined":
      return true;
    case "object": {
      if (v === null) return true;
      if (depth > 64) return false;
      if (Array.isArray(v)) {
        for (const x of v as unknown[]) if (!isPlainJson(x, depth + 1)) return false;
        return true;
      }
      if (typeof (v as { toJSON?: unknown }).toJSON === "function") return false;
      for (const k in v) {
        if (Object.hasOwn(v, k) && !isPlainJson((v as Record<string, unknown>)[k], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Encodes `value` as JSON text; throws STORE_ERROR when it cannot be stored faithfully. */
export function encodeStored(value: unknown, what: string): string {
  try {
    if (isPlainJson(value, 0)) return JSON.stringify(value) ?? "null";
    const text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === "number" && !Number.isFinite(v)) return { [MARK]: String(v) };
      if (typeof v === "bigint" || typeof v === "function" || typeof v === "symbol") {
        throw new TypeError(`a ${typeof v} cannot be stored`);
      }
      return v;
    });
    return text ?? "null";
  } catch (cause) {
    throw new SlogateError("STORE_ERROR", `cannot store ${what}: ${(cause as Error).message}`, {
      hint: "this is a bug in the component that produced the value; nothing was written",
      cause,
    });
  }
}

/** Decodes text written by `encodeStored`; throws STORE_ERROR on corrupt text. */
export function decodeStored<T>(text: string, what: string): T {
  try {
    // encodeStored writes the mark literally, so text without it needs no reviver (the fast path).
    if (!text.includes(MARK)) return JSON.parse(text) as T;
    return JSON.parse(text, (_key, v: unknown) => {
      if (v !== null && typeof v === "object" && !Array.isArray(v)) {
        const keys = Object.keys(v);
        if (keys.length === 1 && keys[0] === MARK) return Number((v as Record<string, string>)[MARK]);
      }
      return v;
    }) as T;
  } catch (cause) {
    throw new SlogateError("STORE_ERROR", `stored ${what} is corrupt: ${(cause as Error).message}`, {
      hint: "the store file was modified outside slogate; restore it from a backup or delete the record",
      cause,
    });
  }
}
