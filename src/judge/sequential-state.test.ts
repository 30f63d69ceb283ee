import { describe, expect, it } from "vitest";
import { judgeSequential, type SequentialState } from "./sequential-judge.ts";
import { errorSlo } from "./testdata/slo-fixtures.ts";

const look = (at: number, k: number) => ({
  since: 0,
  at,
  canary: { total: 1000 * k, bad: 5 * k },
  stable: { total: 9000 * k, bad: 45 * k },
});

describe("sequential state", () => {
  it("loads a state stored before dispersion tempering and carries on from it", () => {
    const slo = errorSlo();
    let state: SequentialState | undefined;
    for (let k = 1; k <= 3; k++)
      state = judgeSequential({ slo, data: look(60 * k, k), now: 60 * k, final: false, state }).state;
    // What version 1 looked like before: no dispersion prior or sums.
    const { dispersionPrior: _p, ...rest } = state!;
    const { dispersion: _r, ...relative } = rest.relative;
    const { dispersion: _a, ...absolute } = rest.absolute;
    const old = JSON.parse(JSON.stringify({ ...rest, relative, absolute })) as SequentialState;
    const next = judgeSequential({ slo, data: look(240, 4), now: 240, final: false, state: old }).state;
    expect(next.looks).toBe(4);
    expect(next.startedAt).toBe(60);
    expect(next.relative.dispersion?.looks).toBe(1);
  });

  it("restarts on a state whose dispersion prior is not numbers", () => {
    const slo = errorSlo();
    const s = judgeSequential({ slo, data: look(60, 1), now: 60, final: false, state: undefined }).state;
    const bad = {
      ...s,
      dispersionPrior: { c2: "x", looks: 3, source: "default" },
    } as unknown as SequentialState;
    expect(judgeSequential({ slo, data: look(120, 2), now: 120, final: false, state: bad }).state.looks).toBe(
      1,
    );
  });

  it("takes its dispersion prior from the history before the deploy, else the SLO, else none", () => {
    const history = Array.from({ length: 30 }, (_, i) => ({
      t: -60 * (30 - i),
      total: 3000,
      bad: i % 2 === 0 ? 0 : 30,
    }));
    const fromHistory = judgeSequential({
      slo: errorSlo("sequential", { dispersion: 0.5 }),
      data: { ...look(60, 1), history: { stable: history } },
      now: 60,
      final: false,
      state: undefined,
    }).state.dispersionPrior;
    expect(fromHistory?.source).toBe("history");
    // Steps alternating 0 % and 1 % around 0.5 %: CV² ≈ 1 beyond binomial noise.
    expect(fromHistory?.c2).toBeGreaterThan(0.8);
    expect(fromHistory?.c2).toBeLessThan(1.1);
    const fromSlo = judgeSequential({
      slo: errorSlo("sequential", { dispersion: 0.5 }),
      data: look(60, 1),
      now: 60,
      final: false,
      state: undefined,
    }).state.dispersionPrior;
    expect(fromSlo).toEqual({ c2: 0.5, looks: 10, source: "slo" });
    const none = judgeSequential({
      slo: errorSlo(),
      data: look(60, 1),
      now: 60,
      final: false,
      state: undefined,
    }).state.dispersionPrior;
    expect(none).toEqual({ c2: 0, looks: 3, source: "default" });
  });
});
