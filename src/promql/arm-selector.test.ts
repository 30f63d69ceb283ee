import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { buildArmMatchers, buildArmSelectors } from "./arm-selector.ts";
import { formatMatchers } from "./matchers.ts";

describe("arm selectors", () => {
  it("selects Argo arms by pod-template hash", () => {
    expect(
      buildArmSelectors(
        { mode: "label", label: "rollouts_pod_template_hash" },
        { canary: "7c9d5f6b8", stable: "6d4f8b9c7" },
      ),
    ).toEqual({
      canary: [{ name: "rollouts_pod_template_hash", op: "=", value: "7c9d5f6b8" }],
      stable: [{ name: "rollouts_pod_template_hash", op: "=", value: "6d4f8b9c7" }],
    });
  });

  it.each([
    ["canary", 'pod=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"'],
    ["stable", 'pod=~"podinfo-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"'],
  ] as const)("selects the Flagger %s by Flagger's pod-name pattern", (arm, want) => {
    expect(formatMatchers(buildArmMatchers({ mode: "flagger", label: "pod" }, arm, "podinfo"))).toBe(want);
  });

  it("escapes regex metacharacters of a Flagger target with dots", () => {
    expect(buildArmMatchers({ mode: "flagger", label: "pod" }, "canary", "web.v2")[0]?.value).toBe(
      "web\\.v2-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)",
    );
  });

  it("selects Flagger workloads by equality on a workload label", () => {
    expect(buildArmMatchers({ mode: "flagger", label: "deployment" }, "stable", "podinfo")).toEqual([
      { name: "deployment", op: "=", value: "podinfo-primary" },
    ]);
  });

  it.each([
    ["label", 'x"}) or vector(1) #'],
    ["label", ""],
    ["label", "a".repeat(64)],
    ["label", "-leading"],
    ["label", "has space"],
    ["label", "new\nline"],
    ["flagger", "Podinfo"],
    ["flagger", "pod.*"],
    ["flagger", 'x"}'],
    ["flagger", "podinfo-"],
  ] as const)("rejects the %s-mode value %j", (mode, value) => {
    let err: unknown;
    try {
      buildArmMatchers(
        { mode, label: mode === "label" ? "rollouts_pod_template_hash" : "pod" },
        "canary",
        value,
      );
    } catch (e) {
      err = e;
    }
    expect(isSlogateError(err, "LABEL_INVALID")).toBe(true);
  });

  it("rejects an invalid selection label", () => {
    expect(() =>
      buildArmMatchers({ mode: "label", label: "rollouts-pod-template-hash" }, "canary", "abc"),
    ).toThrow(/invalid label name/);
  });
});
