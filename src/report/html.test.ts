import { describe, expect, it } from "vitest";
import { duration, esc, latency, number, percent, utc } from "./html.ts";

describe("html formatting", () => {
  it("escapes the five characters that matter in text and attributes", () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });

  it.each([
    [1_700_000_000, "2023-11-14 22:13:20 UTC"],
    [Number.NaN, "—"],
    [undefined, "—"],
    [1e20, "—"],
  ])("utc(%s) is %s", (s, want) => {
    expect(utc(s)).toBe(want);
  });

  it.each([
    [0, "0s"],
    [59.6, "1m"],
    [90, "1m 30s"],
    [3600, "1h"],
    [3900, "1h 5m"],
    [86400 * 2 + 3 * 3600, "2d 3h"],
    [-5, "0s"],
  ])("duration(%d) is %s", (s, want) => {
    expect(duration(s)).toBe(want);
  });

  it.each([
    [0, "0%"],
    [0.05, "5.00%"],
    [0.2345, "23.4%"],
    [0.000123, "0.012%"],
    [null, "n/a"],
    [Number.NaN, "n/a"],
  ])("percent(%s) is %s", (x, want) => {
    expect(percent(x)).toBe(want);
  });

  it.each([
    [25476, "25,476"],
    [88.49, "88.5"],
    [1.8e17, "1.80e+17"],
    [0.000036, "3.60e-5"],
    [Infinity, "∞"],
    [null, "—"],
  ])("number(%s) is %s", (x, want) => {
    expect(number(x)).toBe(want);
  });

  it.each([
    [0.25, "250 ms"],
    [1.5, "1.5 s"],
    [null, "n/a"],
  ])("latency(%s) is %s", (x, want) => {
    expect(latency(x)).toBe(want);
  });
});
