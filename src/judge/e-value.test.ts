import { describe, expect, it } from "vitest";
import { E_VALUE_CAP, eValueOf, formatEValue, log10EValueOf } from "./e-value.ts";
import { judgeSequential } from "./sequential-judge.ts";
import { looksFrom, repeat } from "./testdata/looks.ts";
import { errorSlo } from "./testdata/slo-fixtures.ts";

describe("e-values in reports", () => {
  it.each([
    [0, "1.00", 1, 0],
    [Math.log(40.6), "40.6", 40.6, 1.608526],
    [1000, "1.97e+434", E_VALUE_CAP, 434.294482],
    [1e6, "3.03e+434294", E_VALUE_CAP, 434294.481903],
    [-1000, "5.08e-435", Math.exp(-1000), -434.294482],
  ])("log e-value %d reads %s, evidence %d, log10 %d", (logE, text, value, log10) => {
    expect(formatEValue(logE)).toBe(text);
    expect(eValueOf(logE)).toBeCloseTo(value, 6);
    expect(log10EValueOf(logE)).toBeCloseTo(log10, 6);
  });

  it("keeps a huge regression's e-value finite in evidence and readable in reasons", () => {
    // Half the canary's requests fail over a million requests: log e-value far beyond 709.
    const looks = looksFrom(repeat(3, { canary: [400_000, 200_000], stable: [400_000, 2_000] }));
    let state;
    let verdict;
    for (const data of looks) {
      const out = judgeSequential({ slo: errorSlo(), data, now: data.at, final: false, state });
      state = JSON.parse(JSON.stringify(out.state));
      verdict = out.verdict;
    }
    const json = JSON.stringify(verdict);
    expect(json).not.toMatch(/Infinity|NaN/);
    const parsed = JSON.parse(json) as {
      verdict: string;
      checks: { id: string; status: string; reason: string; evidence: Record<string, unknown> }[];
    };
    expect(parsed.verdict).toBe("fail");
    const rel = parsed.checks.find((c) => c.id === "errors-relative")!;
    // Per-look evidence is bounded (tempered, clipped e-processes), so three looks stay far
    // below the cap; the evidence is finite and its log10 agrees with it.
    expect(rel.status).toBe("fail");
    const e = rel.evidence.eValue as number;
    expect(Number.isFinite(e) && e > 30 && e <= E_VALUE_CAP).toBe(true);
    expect(rel.evidence.log10EValue as number).toBeCloseTo(Math.log10(e), 6);
    expect(rel.reason).toMatch(/e-value \d\.\d\de\+\d+ ≥/);
  });
});
