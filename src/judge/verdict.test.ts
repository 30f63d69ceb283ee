import { describe, expect, it } from "vitest";
import { errorSlo } from "./testdata/slo-fixtures.ts";
import type { CheckResult, CheckStatus } from "../domain/verdict.ts";
import { decideVerdict, scoreChecks } from "./verdict.ts";

function c(id: string, status: CheckStatus, critical = false, weight = 1): CheckResult {
  return { id, kind: "relative", status, critical, weight, reason: `${id} is ${status}`, evidence: {} };
}

describe("verdict from checks", () => {
  it.each<[string, CheckResult[], boolean, number, string]>([
    [
      "a failed critical check fails at any look",
      [c("a", "fail", true), c("b", "pass")],
      false,
      5000,
      "fail",
    ],
    [
      "one of two equal non-critical checks failing (score 50) fails",
      [c("a", "fail"), c("b", "pass")],
      false,
      5000,
      "fail",
    ],
    [
      "one of four equal non-critical checks failing (score 75) does not fail",
      [c("a", "fail"), c("b", "pass"), c("c", "pass"), c("d", "pass")],
      false,
      5000,
      "pass",
    ],
    [
      "nothing failed before the final look is a pass",
      [c("a", "inconclusive"), c("b", "nodata")],
      false,
      10,
      "pass",
    ],
    [
      "every check passing with enough traffic at the end is a pass",
      [c("a", "pass"), c("b", "pass")],
      true,
      5000,
      "pass",
    ],
    [
      "too little canary traffic at the end is inconclusive",
      [c("a", "pass"), c("b", "pass")],
      true,
      999,
      "inconclusive",
    ],
    [
      "an inconclusive check at the end is inconclusive",
      [c("a", "pass"), c("b", "inconclusive")],
      true,
      5000,
      "inconclusive",
    ],
    [
      "half the weight without data at the end is inconclusive",
      [c("a", "pass"), c("b", "nodata")],
      true,
      5000,
      "inconclusive",
    ],
    [
      "a minor check without data at the end still allows a pass",
      [c("a", "pass", false, 3), c("b", "nodata")],
      true,
      5000,
      "pass",
    ],
    ["no checks at all at the end is inconclusive", [], true, 5000, "inconclusive"],
    [
      "a failed non-critical check at the end (score 75) is inconclusive",
      [c("a", "fail"), c("b", "pass"), c("c", "pass"), c("d", "pass")],
      true,
      5000,
      "inconclusive",
    ],
  ])("%s", (_name, checks, final, canaryEvents, verdict) => {
    const v = decideVerdict({ slo: errorSlo(), judge: "sequential", final, checks, canaryEvents });
    expect(v.verdict).toBe(verdict);
    expect(v.final).toBe(final);
    expect(v.reason.length).toBeGreaterThan(0);
  });

  it.each<[CheckResult[], number]>([
    [[c("a", "pass", false, 3), c("b", "fail", false, 1)], 75],
    [[c("a", "pass"), c("b", "inconclusive"), c("c", "nodata")], 100],
    [[c("a", "nodata")], 0],
    [[c("a", "pass", false, Number.NaN), c("b", "fail", false, -1)], 0],
  ])("scores %j as %d", (checks, score) => {
    expect(scoreChecks(checks)).toBe(score);
  });
});
