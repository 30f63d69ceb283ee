import { describe, expect, it } from "vitest";
import { createJsonLogger } from "./json-logger.ts";

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
