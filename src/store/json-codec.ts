/**
 * @module store/json-codec
 * JSON encoding for stored values that keeps non-finite numbers (a histogram's `+Inf` bound,
 * an e-value that overflowed) instead of turning them into `null`, and refuses values that
 * cannot round-trip (cycles, functions, bigints) before anything is written.
 */
import { SlogateError } from "../errors.ts";

const MARK = "$slogate:number";

/** Encodes `value` as JSON text; throws STORE_ERROR when it cannot be stored faithfully. */
export function encodeStored(value: unknown, what: string): string {
  try {
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
