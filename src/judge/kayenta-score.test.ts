import { describe, expect, it } from "vitest";
import type { Verdict } from "../domain/verdict.ts";
import { argoKayentaPhase, kayentaScore, kayentaThresholdsProblem } from "./kayenta-score.ts";

const THRESHOLDS = [
  { pass: 90, marginal: 75 },
  { pass: 100, marginal: 99 },
  { pass: 2, marginal: 1 },
  { pass: 95, marginal: 75 },
];

describe("kayentaScore", () => {
  it.each(THRESHOLDS)(
    "maps every verdict onto the phase Argo must reach (pass $pass, marginal $marginal)",
    (t) => {
      const expected: Record<Verdict, string> = {
        pass: "Successful",
        inconclusive: "Inconclusive",
        nodata: "Inconclusive",
        fail: "Failed",
      };
      for (const v of Object.keys(expected) as Verdict[]) {
        expect(argoKayentaPhase(kayentaScore(v, t), t), v).toBe(expected[v]);
      }
    },
  );

  it.each([
    [{ pass: 90, marginal: 0 }, "0 < marginal < pass"],
    [{ pass: 75, marginal: 75 }, "0 < marginal < pass"],
    [{ pass: 75, marginal: 80 }, "0 < marginal < pass"],
    [{ pass: 101, marginal: 80 }, "pass ≤ 100"],
    [{ pass: 90.5, marginal: 80 }, "integers"],
  ])("refuses thresholds %j that cannot carry three outcomes", (t, message) => {
    expect(kayentaThresholdsProblem(t)).toContain(message);
  });

  it.each(THRESHOLDS)("accepts pass $pass, marginal $marginal", (t) => {
    expect(kayentaThresholdsProblem(t)).toBeUndefined();
  });
});
