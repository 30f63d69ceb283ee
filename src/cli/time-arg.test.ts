import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { parseDurationArg, parseTimeArg } from "./time-arg.ts";

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
