import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { baselineQuantile } from "./baseline-quantile.ts";
import { createJsonLogger } from "./json-logger.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { parseDurationArg, parseTimeArg } from "./time-arg.ts";

describe("baselineQuantile", () => {
  const h = { bounds: [0.1, 0.5, 1, Infinity], counts: [50, 30, 15, 5] };
  it.each([
    [0.5, 0.1],
    [0.65, 0.3],
    [0.9, 0.8333333333],
    [0.99, 1],
  ])("the %s quantile interpolates inside its bucket like histogram_quantile (%s s)", (q, want) => {
    expect(baselineQuantile(h, q)).toBeCloseTo(want, 6);
  });
  it("is undefined for an empty histogram", () => {
    expect(baselineQuantile({ bounds: [1, Infinity], counts: [0, 0] }, 0.5)).toBeUndefined();
  });
});

describe("KeyedLock", () => {
  it("runs work for one key one at a time and other keys alongside", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = (key: string, name: string, ms: number) =>
      lock.run(key, async () => {
        log.push(`${name}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}-`);
      });
    await Promise.all([task("a", "a1", 20), task("a", "a2", 1), task("b", "b1", 1)]);
    expect(log.indexOf("a1-")).toBeLessThan(log.indexOf("a2+"));
    expect(log.indexOf("b1+")).toBeLessThan(log.indexOf("a1-"));
  });
  it("keeps going after a failed task", async () => {
    const lock = new KeyedLock();
    await expect(lock.run("k", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(lock.run("k", () => Promise.resolve(7))).resolves.toBe(7);
  });
});

describe("createJsonLogger", () => {
  it("writes one JSON line per entry at or above the level, errors without stacks", () => {
    const lines: string[] = [];
    const log = createJsonLogger(
      (l) => void lines.push(l),
      "info",
      () => 0,
      { app: "slogate" },
    );
    log.debug("hidden");
    log.info("hello", { n: 1 });
    log.error("failed", { error: new Error("x") });
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({
      ts: "1970-01-01T00:00:00.000Z",
      level: "info",
      msg: "hello",
      app: "slogate",
      n: 1,
    });
    expect(JSON.parse(lines[1]!).error).toEqual({ name: "Error", message: "x" });
    expect(lines[1]).not.toMatch(/at .*:\d+/);
  });
  it("survives fields that cannot be serialized", () => {
    const lines: string[] = [];
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    createJsonLogger((l) => void lines.push(l)).warn("odd", { cyclic });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ msg: "odd", fieldsError: "unserializable fields" });
  });
});

describe("time and duration arguments", () => {
  const now = 1_700_000_000;
  it.each([
    ["now", now],
    ["-15m", now - 900],
    ["1699999000", 1699999000],
    ["2023-11-14T22:13:20Z", now],
  ])("%s", (text, want) => {
    expect(parseTimeArg(text, now, "time")).toBe(want);
  });
  it.each(["yesterday", "-15x", "", "2023-13-99T00:00:00Z"])("refuses %j", (text) => {
    let err: unknown;
    try {
      parseTimeArg(text, now, "time");
    } catch (e) {
      err = e;
    }
    expect(isSlogateError(err, "BAD_REQUEST")).toBe(true);
  });
  it.each([
    ["1m", 60],
    ["90", 90],
    ["1h30m", 5400],
  ])("duration %s is %d s", (text, want) => {
    expect(parseDurationArg(text, "interval")).toBe(want);
  });
  it("refuses a zero duration", () => {
    expect(() => parseDurationArg("0", "interval")).toThrow(/not a duration/);
  });
});
