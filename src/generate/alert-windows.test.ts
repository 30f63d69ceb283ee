import { describe, expect, it } from "vitest";
import { formatPromqlNumber } from "../slo/decimal.ts";
import { burnWindowsFor, recordedWindowsFor } from "./alert-windows.ts";
import { formatPromDuration } from "./prometheus-duration.ts";

const DAY = 86_400;

describe("multi-window multi-burn-rate windows", () => {
  it.each([
    [30, ["14.4", "6", "3", "1"]],
    [28, ["13.44", "5.6", "2.8", "(14 / 15)"]],
    [7, ["3.36", "1.4", "0.7", "(7 / 30)"]],
  ])("a %d-day period burns at the SRE Workbook factors %j", (days, factors) => {
    expect(burnWindowsFor(days * DAY).map((w) => formatPromqlNumber(w.burnFactor))).toEqual(factors);
  });

  it("pages on 5m/1h and 30m/6h, tickets on 2h/1d and 6h/3d", () => {
    const ws = burnWindowsFor(30 * DAY).map(
      (w) =>
        `${w.tier} ${formatPromDuration(w.shortWindowSeconds)}/${formatPromDuration(w.longWindowSeconds)}`,
    );
    expect(ws).toEqual(["page 5m/1h", "page 30m/6h", "ticket 2h/1d", "ticket 6h/3d"]);
  });

  it.each([
    [30, ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]],
    [28, ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "28d"]],
    [1, ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]],
  ])("a %d-day SLO records the windows %j", (days, windows) => {
    expect(recordedWindowsFor(days * DAY).map(formatPromDuration)).toEqual(windows);
  });
});

describe("Prometheus durations", () => {
  it.each([
    [300, "5m"],
    [3600, "1h"],
    [5400, "90m"],
    [86_400, "1d"],
    [30 * DAY, "30d"],
    [7 * DAY, "7d"],
    [90, "90s"],
  ])("%d seconds is %s", (s, text) => {
    expect(formatPromDuration(s)).toBe(text);
  });

  it.each([[0], [-5], [1.5]])("%d seconds is rejected with SLO_INVALID", (s) => {
    expect(() => formatPromDuration(s)).toThrow(expect.objectContaining({ code: "SLO_INVALID" }));
  });
});
