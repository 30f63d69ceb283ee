import { describe, expect, it } from "vitest";
import {
  complementPercent,
  parseLatencyThreshold,
  parseOpensloDuration,
  parsePrometheusDuration,
  shiftDecimal,
} from "./duration.ts";

describe("durations", () => {
  it.each([
    ["30d", 2592000],
    ["1h30m", 5400],
    ["500ms", 0.5],
    ["4w", 2419200],
    ["1y", 31536000],
    ["0s", undefined],
    ["30 d", undefined],
    ["1.5h", undefined],
    ["", undefined],
  ])("Prometheus duration %j is %s seconds", (text, seconds) => {
    expect(parsePrometheusDuration(text)).toBe(seconds);
  });

  it.each([
    ["28d", 2419200],
    ["1w", 604800],
    ["1M", 2592000],
    ["1Q", 7776000],
    ["1Y", 31536000],
    ["1m", 60],
    ["1h30m", undefined],
    ["0d", undefined],
  ])("OpenSLO duration %j is %s seconds", (text, seconds) => {
    expect(parseOpensloDuration(text)).toBe(seconds);
  });

  it.each([
    ["500ms", 0.5],
    ["15ms", 0.015],
    ["1s", 1],
    ["1.5s", 1.5],
    [" 250 ms ", 0.25],
    ["1000ms", 1],
    ["0ms", undefined],
    ["1m", undefined],
    ["fast", undefined],
  ])("latency threshold %j is %s seconds", (text, seconds) => {
    expect(parseLatencyThreshold(text)).toBe(seconds);
  });
});

describe("exact decimal arithmetic", () => {
  it.each([
    [0.999, 2, 99.9],
    [0.9995, 2, 99.95],
    [0.95, 2, 95],
    [99.9, -2, 0.999],
    [15, -3, 0.015],
    [1.5, -3, 0.0015],
    [-0.07, 2, -7],
  ])("shifts %s by %i places to %s", (n, places, out) => {
    expect(shiftDecimal(n, places)).toBe(out);
  });

  it.each([
    [1, 99],
    [0.1, 99.9],
    [0.01, 99.99],
    [0.001, 99.999],
    [0.05, 99.95],
    [33.3, 66.7],
  ])("100 − %s is exactly %s", (p, out) => {
    expect(complementPercent(p)).toBe(out);
  });
});
