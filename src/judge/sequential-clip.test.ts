import { describe, expect, it } from "vitest";
import { clipZ, CLIP_Z } from "./sequential-evidence.ts";
import { judgeSequential } from "./sequential-judge.ts";
import { errorSlo } from "./testdata/slo-fixtures.ts";

describe("per-look clipping scales with the look's length", () => {
  it.each([
    [0, CLIP_Z],
    [60, CLIP_Z],
    [600, CLIP_Z * Math.sqrt(10)],
  ])("a look of %d s is clipped at z = %d", (seconds, z) => {
    expect(clipZ(seconds)).toBeCloseTo(z, 12);
  });

  it("lets a single ten-minute look fail a clear regression (one-shot analysis)", () => {
    const slo = errorSlo();
    const data = {
      since: 0,
      at: 600,
      canary: { total: 3000, bad: 60 },
      stable: { total: 27000, bad: 135 },
    };
    const v = judgeSequential({ slo, data, now: 600, final: true, state: undefined }).verdict;
    expect(v.checks.find((c) => c.kind === "relative")?.status).toBe("fail");
    // The same counts as one minute's look are clipped to what a minute may add.
    const minute = judgeSequential({
      slo,
      data: { ...data, at: 60 },
      now: 60,
      final: false,
      state: undefined,
    }).verdict;
    expect(Number(minute.checks.find((c) => c.kind === "relative")?.evidence.eValue)).toBeLessThan(
      Number(v.checks.find((c) => c.kind === "relative")?.evidence.eValue),
    );
  });
});
