import { describe, expect, it } from "vitest";
import { SlogateError } from "../errors.ts";
import { errorExitCode, EXIT, verdictExitCode } from "./exit-codes.ts";

describe("exit codes", () => {
  it.each([
    ["pass", 0],
    ["fail", 1],
    ["inconclusive", 3],
    ["nodata", 4],
  ] as const)("a %s verdict exits %d", (v, code) => {
    expect(verdictExitCode(v)).toBe(code);
  });

  it.each([
    ["PROMETHEUS_UNAVAILABLE", EXIT.unavailable],
    ["PROMETHEUS_BAD_RESPONSE", EXIT.unavailable],
    ["LOOK_DEADLINE_EXCEEDED", EXIT.unavailable],
    ["STORE_ERROR", EXIT.unavailable],
    ["CONFIG_INVALID", EXIT.config],
    ["SLO_QUERY_INVALID", EXIT.config],
    ["SLO_NOT_FOUND", EXIT.config],
    ["INTERNAL", EXIT.internal],
  ] as const)("a %s error exits %d", (code, want) => {
    expect(errorExitCode(new SlogateError(code, "x"))).toBe(want);
  });

  it("an error that is not slogate's is internal", () => {
    expect(errorExitCode(new Error("boom"))).toBe(EXIT.internal);
  });
});
