import { describe, expect, it } from "vitest";
import { judgeThreshold, type ThresholdState } from "./threshold-judge.ts";
import { looksFrom, repeat, type Step } from "./testdata/looks.ts";
import { errorSlo } from "./testdata/slo-fixtures.ts";
import type { LookData } from "../domain/counts.ts";
import type { SloVerdict } from "../domain/verdict.ts";

function runAll(looks: readonly LookData[], finalLast = false): SloVerdict[] {
  let state: ThresholdState | undefined;
  return looks.map((data, i) => {
    const out = judgeThreshold({
      slo: errorSlo("threshold"),
      data,
      now: data.at,
      final: finalLast && i === looks.length - 1,
      state,
    });
    state = out.state;
    return out.verdict;
  });
}

describe("threshold judge", () => {
  it.each<[string, Step[], boolean, string]>([
    [
      "the current step is above the 1 % limit",
      [...repeat(3, { canary: [600, 3], stable: [5400, 27] }), { canary: [600, 7], stable: [5400, 27] }],
      false,
      "fail",
    ],
    ["every step is within the limit", repeat(4, { canary: [600, 3], stable: [5400, 27] }), true, "pass"],
    [
      "the canary saw too few requests at the end",
      repeat(2, { canary: [100, 0], stable: [900, 3] }),
      true,
      "inconclusive",
    ],
    ["the canary has no series", repeat(2, { canary: null, stable: [900, 3] }), false, "nodata"],
  ])("when %s the verdict is %s", (_n, steps, final, verdict) => {
    expect(runAll(looksFrom(steps), final).at(-1)?.verdict).toBe(verdict);
  });

  it("judges a repeated final look without series like the look it repeats", () => {
    const looks = looksFrom(repeat(4, { canary: [600, 3], stable: [5400, 27] })).map((d) => ({
      ...d,
      series: undefined,
    }));
    const verdicts = runAll([...looks, looks[3]!], true);
    expect(verdicts.at(-1)?.verdict).toBe("pass");
    expect(verdicts.at(-1)?.final).toBe(true);
  });

  it("uses the increment since the previous look when no series is given", () => {
    const looks = looksFrom([
      { canary: [1000, 0], stable: [9000, 0] },
      { canary: [100, 5], stable: [900, 0] },
    ]).map((d) => ({ ...d, series: undefined }));
    const last = runAll(looks).at(-1);
    expect(last?.verdict).toBe("fail");
    expect(last?.checks[0]?.evidence.value).toBeCloseTo(0.05, 9);
  });
});
