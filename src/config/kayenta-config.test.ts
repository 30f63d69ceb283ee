import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { parseServiceConfig } from "./read-service-config.ts";
import { DEFAULT_KAYENTA_CONFIG } from "./kayenta-config.ts";

function problemsOf(yaml: string, env: Record<string, string> = {}): string {
  try {
    parseServiceConfig(yaml, env);
  } catch (e) {
    if (isSlogateError(e, "CONFIG_INVALID")) return (e.details.problems as string[]).join("\n");
    throw e;
  }
  return "";
}

describe("the kayenta section", () => {
  it("is off by default", () => {
    expect(parseServiceConfig("", {}).kayenta).toEqual(DEFAULT_KAYENTA_CONFIG);
    expect(DEFAULT_KAYENTA_CONFIG.enabled).toBe(false);
  });

  it("reads the listener, the path secret from the environment, the judge and per-config overrides", () => {
    const c = parseServiceConfig(
      [
        "kayenta:",
        "  enabled: true",
        "  port: 8081",
        "  judge: kayenta",
        "  locationLabel: region",
        "  window: 15m",
        "  configs:",
        "    checkout: {judge: sequential, window: 30m, scopeLabel: server_group}",
        "    checkout-latency: {locationLabel: zone}",
      ].join("\n"),
      { SLOGATE_KAYENTA_SECRET: "a".repeat(24) },
    );
    expect(c.kayenta).toEqual({
      enabled: true,
      port: 8081,
      secret: "a".repeat(24),
      judge: "kayenta",
      locationLabel: "region",
      windowSeconds: 900,
      configs: {
        checkout: { judge: "sequential", scopeLabel: "server_group", windowSeconds: 1800 },
        "checkout-latency": { locationLabel: "zone" },
      },
    });
  });

  it.each([
    ["a short secret", "kayenta: {secret: short}", /at least 16 characters.*\(kayenta\.secret\)/],
    ["a secret that cannot travel in a path", `kayenta: {secret: "has/a/slash/in/it/x"}`, /kayenta\.secret/],
    ["an unknown judge", "kayenta: {judge: magic}", /kayenta\.judge/],
    [
      "a location label that is not a label name",
      "kayenta: {locationLabel: 'a-b'}",
      /kayenta\.locationLabel/,
    ],
    ["an unknown key", "kayenta: {enable: true}", /kayenta\.enable/],
    [
      "an unknown override key",
      "kayenta: {configs: {checkout: {scope: x}}}",
      /kayenta\.configs\.checkout\.scope/,
    ],
    ["a port out of range", "kayenta: {port: 70000}", /kayenta\.port/],
  ])("refuses %s", (_label, yaml, problem) => {
    expect(problemsOf(yaml)).toMatch(problem);
  });
});
