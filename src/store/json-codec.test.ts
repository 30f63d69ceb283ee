import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { decodeStored, encodeStored } from "./json-codec.ts";

const cycle = (): Record<string, unknown> => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};

function storeErrorOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isSlogateError(e) ? e.code : "not a SlogateError";
  }
  return undefined;
}

describe("encodeStored and decodeStored", () => {
  it.each([
    ["a plain document", { a: 1, b: "x", c: [true, null, { d: 2.5 }] }],
    ["an infinite histogram bound", { buckets: [{ le: 0.1 }, { le: Number.POSITIVE_INFINITY }] }],
    ["a negative infinity and a NaN deep in arrays", { x: [[1, Number.NEGATIVE_INFINITY]], y: Number.NaN }],
    ["a top-level number that is not finite", Number.POSITIVE_INFINITY],
    ["a string that looks like the marker", { s: "$slogate:number" }],
    [
      "a document nested deeper than the fast path walks",
      JSON.parse("[".repeat(80) + "]".repeat(80)) as unknown,
    ],
  ])("round-trips %s exactly", (_label, value) => {
    expect(decodeStored(encodeStored(value, "test"), "test")).toEqual(value);
  });

  it.each([
    ["a plain object", { a: 1, b: [1, 2] }],
    ["a date (through its toJSON)", { at: new Date(0) }],
    ["undefined fields", { a: undefined, b: 1 }],
  ])("writes %s as JSON.stringify does", (_label, value) => {
    expect(encodeStored(value, "test")).toBe(JSON.stringify(value));
  });

  it.each([
    ["a cycle", cycle()],
    ["a bigint", { n: 1n }],
    ["a function", { f: () => 1 }],
    ["a symbol", { s: Symbol("x") }],
  ])("refuses %s with STORE_ERROR", (_label, value) => {
    expect(storeErrorOf(() => encodeStored(value, "test"))).toBe("STORE_ERROR");
  });

  it.each([
    ["truncated JSON", '{"a":'],
    ["a corrupt marked number", '{"x":{"$slogate:number":'],
  ])("refuses %s as corrupt", (_label, text) => {
    expect(storeErrorOf(() => decodeStored(text, "test"))).toBe("STORE_ERROR");
  });
});
