import { derivedId } from "../app/derived-id.ts";
import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import {
  analysisId,
  armValue,
  objectName,
  optionalCount,
  optionalFlag,
  optionalTime,
  selectorValue,
} from "./request-fields.ts";

function refused(fn: () => unknown): boolean {
  try {
    fn();
  } catch (e) {
    return isSlogateError(e, "BAD_REQUEST");
  }
  return false;
}

describe("selector values", () => {
  it.each(["6d4f8b9c7", "a", "primary-6d4f8b9c7", "v1.2_3", "A".repeat(63)])("accepts %j", (v) => {
    expect(selectorValue(v, "canary")).toBe(v);
  });
  it.each([
    'x"}) or vector(1) #',
    ".*",
    "abc\ndef",
    "-leading",
    "trailing-",
    "a b",
    "a".repeat(64),
    "",
    "ü",
    "a{b}",
    "a\\b",
  ])("refuses %j", (v) => {
    expect(refused(() => selectorValue(v, "canary"))).toBe(true);
  });
  it("refuses non-strings", () => {
    expect(refused(() => selectorValue({ a: 1 }, "canary"))).toBe(true);
    expect(refused(() => selectorValue(["a"], "canary"))).toBe(true);
  });
});

describe("arm values", () => {
  it("accepts a label map with valid names and values", () => {
    expect(armValue({ pod_template_hash: "abc", app: "shop" }, "canary")).toEqual({
      pod_template_hash: "abc",
      app: "shop",
    });
  });
  it.each([
    [{ "bad-name": "x" }],
    [{ ok: 'x"' }],
    [{}],
    [Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`l${i}`, "v"]))],
  ])("refuses %j", (v) => {
    expect(refused(() => armValue(v, "canary"))).toBe(true);
  });
  it.each([
    '{"__proto__": "abc"}',
    '{"constructor": "abc"}',
    '{"prototype": "abc"}',
    '{"__name__": "up"}',
    '{"__meta_x": "a"}',
    '{"app": "a", "__proto__": "b"}',
  ])("refuses the arm map %s (as JSON.parse gives it)", (json) => {
    expect(refused(() => armValue(JSON.parse(json), "canary"))).toBe(true);
  });
  it("returns a map without a prototype, holding exactly the labels sent", () => {
    const m = armValue(JSON.parse('{"app": "shop"}'), "canary");
    expect(Object.getPrototypeOf(m)).toBeNull();
    expect(Object.entries(m)).toEqual([["app", "shop"]]);
  });
});

describe("other fields", () => {
  it.each([
    [1700000000, 1700000000],
    ["1700000000.5", 1700000000.5],
    ["2023-11-14T22:13:20Z", 1700000000],
    [undefined, undefined],
    ["", undefined],
  ])("time %j is %j", (v, want) => {
    expect(optionalTime(v, "time")).toBe(want);
  });
  it.each([1700000000000, "tomorrow", "2023-11-14", { t: 1 }])("refuses time %j", (v) => {
    expect(refused(() => optionalTime(v, "time"))).toBe(true);
  });
  it.each([
    ["10", 10],
    [1, 1],
  ])("count %j", (v, want) => {
    expect(optionalCount(v, "count")).toBe(want);
  });
  it.each([0, -1, 1.5, "ten", 1e9])("refuses count %j", (v) => {
    expect(refused(() => optionalCount(v, "count"))).toBe(true);
  });
  it.each([
    [true, true],
    ["false", false],
    ["1", true],
  ])("flag %j", (v, want) => {
    expect(optionalFlag(v, "final")).toBe(want);
  });
  it("refuses a flag that is not one", () => {
    expect(refused(() => optionalFlag("yes", "final"))).toBe(true);
  });
  it.each([
    "argo:shop-latency:abc:def",
    "flagger:shop:podinfo:podinfo-errors:rev1",
    "argo:s:pod=a,version=v1.2:pod=b",
    "0f9e2c44-1b5e-4f7e-9a7e-1c2b3d4e5f60",
    "x".repeat(256),
  ])("accepts analysis id %j", (v) => {
    expect(analysisId(v, "analysis")).toBe(v);
  });
  it.each([
    "a b",
    "../../etc",
    "x/../../etc/passwd",
    "flagger:shop/podinfo:podinfo-errors:rev1",
    "a..b",
    "x".repeat(257),
    "id\n",
    "id\u0000",
    "id%2F",
    "-leading",
    ".hidden",
    "ü",
    "a\\b",
  ])("refuses analysis id %j", (v) => {
    expect(refused(() => analysisId(v, "analysis"))).toBe(true);
  });
  it.each([
    ["flagger", ["shop", "podinfo", "podinfo-errors", "rev1"], "flagger:shop:podinfo:podinfo-errors:rev1"],
    ["argo", ["s", "pod=a"], "argo:s:pod=a"],
  ] as const)("derives %s ids as prefix:parts when they follow the grammar", (prefix, parts, want) => {
    expect(derivedId(prefix, parts)).toBe(want);
  });
  it("derives a hashed id when the joined parts would not follow the grammar, the same every time", () => {
    const long = derivedId("argo", ["s", "x".repeat(300)]);
    expect(long).toMatch(/^argo:sha256-[0-9a-f]{32}$/);
    expect(derivedId("argo", ["s", "x".repeat(300)])).toBe(long);
    expect(derivedId("flagger", ["ns", "n", "s", "a..b"])).toMatch(/^flagger:sha256-/);
    expect(analysisId(long, "analysis")).toBe(long);
  });
  it.each(["podinfo", "my.app-1"])("accepts object name %j", (v) => {
    expect(objectName(v, "name")).toBe(v);
  });
  it.each(["PodInfo", "pod_info", "-x", 'x"'])("refuses object name %j", (v) => {
    expect(refused(() => objectName(v, "name"))).toBe(true);
  });
});
