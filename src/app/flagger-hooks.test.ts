import { describe, expect, it } from "vitest";
import type { Verdict } from "../domain/verdict.ts";
import { combineVerdicts, flaggerProceeds, type FlaggerWebhookType } from "./flagger-hooks.ts";

describe("combineVerdicts (several SLOs in one Flagger hook)", () => {
  it.each<[Verdict[], Verdict]>([
    [["pass", "pass"], "pass"],
    [["pass", "fail"], "fail"],
    [["nodata", "fail"], "fail"],
    [["pass", "nodata"], "nodata"],
    [["inconclusive", "nodata"], "nodata"],
    [["pass", "inconclusive"], "inconclusive"],
  ])("%j is %s", (vs, want) => {
    expect(combineVerdicts(vs)).toBe(want);
  });
});

describe("flaggerProceeds (Flagger goes on only on 200–202)", () => {
  it.each<[FlaggerWebhookType, Verdict, boolean]>([
    ["rollout", "pass", true],
    ["rollout", "fail", false],
    ["rollout", "nodata", false],
    ["confirm-traffic-increase", "nodata", false],
    ["confirm-traffic-increase", "pass", true],
    ["confirm-promotion", "pass", true],
    ["confirm-promotion", "inconclusive", false],
    ["confirm-promotion", "nodata", false],
    ["rollback", "fail", true],
    ["rollback", "nodata", false],
    ["rollback", "pass", false],
  ])("%s with %s proceeds: %s", (type, verdict, want) => {
    expect(flaggerProceeds(type, verdict)).toBe(want);
  });
});
