import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { getJudge, JUDGE_NAMES, judgeLook } from "./registry.ts";
import { looksFrom, repeat } from "./testdata/looks.ts";
import { errorSlo } from "./testdata/slo-fixtures.ts";

describe("judge registry", () => {
  it.each(JUDGE_NAMES.map((n) => [n]))("finds the %s judge by name", (name) => {
    expect(getJudge(name).name).toBe(name);
  });

  it("rejects an unknown judge with SLO_INVALID and a hint", () => {
    try {
      getJudge("magic");
      expect.fail("no error");
    } catch (e) {
      expect(isSlogateError(e, "SLO_INVALID")).toBe(true);
      expect((e as { hint: string }).hint).toMatch(/sequential, kayenta, threshold/);
    }
  });

  it.each(JUDGE_NAMES.map((n) => [n]))("judgeLook uses the SLO's configured judge (%s)", (name) => {
    const data = looksFrom(repeat(1, { canary: [600, 3], stable: [5400, 27] }))[0]!;
    const out = judgeLook({ slo: errorSlo(name), data, now: 60, final: false, state: undefined });
    expect(out.verdict.judge).toBe(name);
    expect(JSON.parse(JSON.stringify(out.state))).toEqual(out.state);
  });

  it("starts afresh when handed another judge's state", () => {
    const data = looksFrom(repeat(1, { canary: [600, 3], stable: [5400, 27] }))[0]!;
    const kayenta = judgeLook({ slo: errorSlo("kayenta"), data, now: 60, final: false, state: undefined });
    const out = judgeLook({ slo: errorSlo("sequential"), data, now: 60, final: false, state: kayenta.state });
    expect(out.verdict.verdict).toBe("pass");
  });
});
