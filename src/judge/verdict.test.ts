import { describe, expect, it } from "vitest";
import { errorSlo } from "./testdata/slo-fixtures.ts";
import type { CheckResult, CheckStatus } from "../domain/verdict.ts";
import { decideVerdict, scoreChecks } from "./verdict.ts";

function c(
  id: string,
  status: CheckStatus,
  critical = false,
  weight = 1,
  kind: CheckResult["kind"] = "relative",
  evidence: CheckResult["evidence"] = {},
): CheckResult {
  return { id, kind, status, critical, weight, reason: `${id} is ${status}`, evidence };
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
      "one non-critical failure among inconclusive checks scores as among passing ones (75): not a fail",
      [c("a", "fail"), c("b", "inconclusive"), c("c", "inconclusive"), c("d", "inconclusive")],
      false,
      10,
      "pass",
    ],
    [
      "a failed baseline check while no relative check fails is the environment's: not a fail",
      [
        c("r", "inconclusive"),
        c("a", "inconclusive", true, 1, "absolute"),
        c("b", "fail", true, 1, "baseline", { baselineBadRatio: 0.001, canaryBadRatio: 0.01 }),
      ],
      false,
      10,
      "pass",
    ],
    [
      "a failed baseline check with a failed relative check counts against the canary",
      [c("r", "fail"), c("a", "pass", true, 1, "absolute"), c("b", "fail", false, 1, "baseline")],
      false,
      5000,
      "fail",
    ],
    [
      "a failed critical absolute check that stable fails too is the environment's: inconclusive at the end",
      [
        c("r", "pass"),
        c("a", "fail", true, 1, "absolute", { environmentShared: true }),
        c("b", "pass", false, 1, "baseline"),
      ],
      true,
      5000,
      "inconclusive",
    ],
    [
      "a failed critical absolute check that stable does not fail fails",
      [c("r", "pass"), c("a", "fail", true, 1, "absolute", { environmentShared: false })],
      false,
      5000,
      "fail",
    ],
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
    [[c("a", "fail", false, 1), c("b", "inconclusive", false, 3), c("c", "nodata")], 75],
    [[c("a", "nodata")], 0],
    [[c("a", "pass", false, Number.NaN), c("b", "fail", false, -1)], 0],
  ])("scores %j as %d", (checks, score) => {
    expect(scoreChecks(checks)).toBe(score);
  });

  it.each<[string, number, boolean, string]>([
    ["before the grace, waiting", 30, false, "pass"],
    ["after the grace", 60, false, "nodata"],
    ["at the final look, even within the grace", 10, true, "nodata"],
  ])("an arm without series: %s → %s", (_n, elapsed, final, verdict) => {
    const v = decideVerdict({
      slo: errorSlo(),
      judge: "sequential",
      final,
      checks: [c("a", "nodata"), c("b", "nodata", true, 1, "absolute")],
      canaryEvents: 0,
      noData: { arms: ["canary"], elapsedSeconds: elapsed, selectors: { canary: '{pod=~"web-abc.*"}' } },
    });
    expect(v.verdict).toBe(verdict);
    expect(v.reason).toContain('the canary selector {pod=~"web-abc.*"}');
  });

  it("does not hide a crossed bound behind missing data", () => {
    const v = decideVerdict({
      slo: errorSlo(),
      judge: "sequential",
      final: false,
      checks: [c("a", "fail", true)],
      canaryEvents: 0,
      noData: { arms: ["stable"], elapsedSeconds: 600 },
    });
    expect(v.verdict).toBe("fail");
  });
});
