/**
 * @module store/store-contract
 * The one contract suite every Store adapter runs (undici's cache-store pattern):
 * `describeStoreContract("SqliteStore", () => …)`. Imported only by tests.
 */
import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import type { SloVerdict } from "../domain/verdict.ts";
import type { AnalysisRecord, BaselineRecord, LookRecord, Store } from "../app/store-port.ts";

function verdict(v: SloVerdict["verdict"], final = false): SloVerdict {
  return {
    slo: "checkout-latency",
    judge: "sequential",
    verdict: v,
    final,
    score: v === "pass" ? 100 : 0,
    reason: `${v} for the test`,
    checks: [
      {
        id: "latency-relative",
        kind: "relative",
        status: v === "fail" ? "fail" : "pass",
        critical: true,
        weight: 1,
        reason: "numbers",
        evidence: { eValue: 3.5, canaryRate: 0.01, missing: null },
      },
    ],
  };
}

function newAnalysis(
  id: string,
  at = 1000,
): Omit<AnalysisRecord, "looks" | "lastVerdict" | "judgeState" | "status"> {
  return {
    id,
    sloId: "checkout-latency",
    controller: "argo",
    rollout: "shop/checkout",
    selectors: {
      canary: [{ name: "rollouts_pod_template_hash", op: "=", value: "abc" }],
      stable: [{ name: "rollouts_pod_template_hash", op: "=", value: "def" }],
    },
    start: at,
    expectedLooks: 5,
    createdAt: at,
    updatedAt: at,
  };
}

function look(analysisId: string, seq: number, v: SloVerdict["verdict"] = "pass"): LookRecord {
  return { analysisId, seq, at: 1000 + 60 * seq, verdict: verdict(v), recordedAt: 2000 + seq };
}

function baseline(id: string, sloId: string, capturedAt: number): BaselineRecord {
  return {
    id,
    sloId,
    from: capturedAt - 3600,
    to: capturedAt,
    capturedAt,
    counts: { total: 1000, bad: 3, histogram: { bounds: [0.1, 0.5, Infinity], counts: [900, 90, 10] } },
    selector: [{ name: "rollouts_pod_template_hash", op: "=", value: "def" }],
    source: "api",
  };
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isSlogateError(e) ? e.code : `not a SlogateError: ${String(e)}`;
  }
  return undefined;
}

/** Registers the contract tests for one Store implementation. `make` returns a fresh store. */
export function describeStoreContract(name: string, make: () => Store): void {
  describe(`${name} (store contract)`, () => {
    it("creates an analysis open with no looks and reads it back", () => {
      const s = make();
      const a = s.createAnalysis(newAnalysis("a1"));
      expect(a).toMatchObject({ id: "a1", status: "open", looks: 0, start: 1000, expectedLooks: 5 });
      expect(s.getAnalysis("a1")).toEqual(a);
      expect(s.getAnalysis("missing")).toBeUndefined();
    });

    it("refuses a second analysis with the same id and keeps the first", () => {
      const s = make();
      s.createAnalysis(newAnalysis("a1"));
      s.appendLook(look("a1", 1), { judgeState: { n: 1 }, updatedAt: 1100 });
      expect(code(() => s.createAnalysis(newAnalysis("a1", 5000)))).toBe("CONFLICT");
      expect(s.getAnalysis("a1")).toMatchObject({ start: 1000, looks: 1 });
    });

    it("appends looks in sequence with the judge state and last verdict", () => {
      const s = make();
      s.createAnalysis(newAnalysis("a1"));
      s.appendLook(look("a1", 1), { judgeState: { logE: 0.5 }, updatedAt: 1100 });
      const a = s.appendLook(look("a1", 2, "fail"), {
        judgeState: { logE: 4.2, arr: [1, 2] },
        updatedAt: 1200,
      });
      expect(a).toMatchObject({
        looks: 2,
        lastLookAt: 1120,
        lastVerdict: "fail",
        judgeState: { logE: 4.2, arr: [1, 2] },
        updatedAt: 1200,
      });
      expect(s.listLooks("a1").map((l) => [l.seq, l.verdict.verdict])).toEqual([
        [1, "pass"],
        [2, "fail"],
      ]);
      expect(s.listLooks("a1")[1]!.verdict).toEqual(verdict("fail"));
    });

    it.each([
      ["a skipped sequence number", 3],
      ["a repeated sequence number", 1],
    ])("refuses %s and keeps the stored looks", (_label, seq) => {
      const s = make();
      s.createAnalysis(newAnalysis("a1"));
      s.appendLook(look("a1", 1), { judgeState: { n: 1 }, updatedAt: 1100 });
      expect(code(() => s.appendLook(look("a1", seq), { judgeState: { n: 9 }, updatedAt: 1300 }))).toBe(
        "CONFLICT",
      );
      expect(s.listLooks("a1")).toHaveLength(1);
      expect(s.getAnalysis("a1")).toMatchObject({ looks: 1, judgeState: { n: 1 } });
    });

    it("refuses a look for an unknown analysis", () => {
      const s = make();
      expect(code(() => s.appendLook(look("nope", 1), { judgeState: {}, updatedAt: 1 }))).toBe("NOT_FOUND");
    });

    it.each([
      [
        "a judge state with a cycle",
        (() => {
          const o: Record<string, unknown> = {};
          o.self = o;
          return o;
        })(),
      ],
      ["a judge state with a bigint", { n: 1n }],
      ["a judge state with a function", { f: () => 1 }],
    ])("refuses %s without losing the stored state", (_label, state) => {
      const s = make();
      s.createAnalysis(newAnalysis("a1"));
      s.appendLook(look("a1", 1), { judgeState: { good: true }, updatedAt: 1100 });
      expect(code(() => s.appendLook(look("a1", 2), { judgeState: state, updatedAt: 1200 }))).toBe(
        "STORE_ERROR",
      );
      expect(s.getAnalysis("a1")).toMatchObject({ looks: 1, judgeState: { good: true } });
      expect(s.listLooks("a1")).toHaveLength(1);
    });

    it.each([
      ["an empty analysis id", { ...look("a1", 1), analysisId: "" }],
      ["a non-finite time", { ...look("a1", 1), at: Number.NaN }],
      [
        "a verdict that is not one",
        { ...look("a1", 1), verdict: { verdict: "maybe" } as unknown as SloVerdict },
      ],
      ["a zero sequence number", { ...look("a1", 1), seq: 0 }],
    ])("refuses a look with %s", (_label, bad) => {
      const s = make();
      s.createAnalysis(newAnalysis("a1"));
      expect(code(() => s.appendLook(bad, { judgeState: {}, updatedAt: 1 }))).toBe("STORE_ERROR");
      expect(s.getAnalysis("a1")).toMatchObject({ looks: 0 });
    });

    it("keeps non-finite numbers in judge state and histograms", () => {
      const s = make();
      s.createAnalysis(newAnalysis("a1"));
      const a = s.appendLook(look("a1", 1), {
        judgeState: { e: Infinity, lo: -Infinity, nan: Number.NaN },
        updatedAt: 1100,
      });
      expect(a.judgeState).toEqual({ e: Infinity, lo: -Infinity, nan: Number.NaN });
      s.putBaseline(baseline("b1", "checkout-latency", 500));
      expect(s.getBaseline("b1")!.counts.histogram!.bounds).toEqual([0.1, 0.5, Infinity]);
    });

    it("closes an analysis in the same write as its deciding look", () => {
      const s = make();
      s.createAnalysis(newAnalysis("a1"));
      const a = s.appendLook(look("a1", 1, "fail"), {
        judgeState: { n: 1 },
        updatedAt: 1100,
        close: { outcome: "rolled-back", at: 1100 },
      });
      expect(a).toMatchObject({ looks: 1, status: "closed", outcome: "rolled-back", closedAt: 1100 });
      expect(s.getAnalysis("a1")).toEqual(a);
    });

    it("closes an analysis once, refuses further looks and keeps the outcome", () => {
      const s = make();
      s.createAnalysis(newAnalysis("a1"));
      s.appendLook(look("a1", 1), { judgeState: {}, updatedAt: 1100 });
      const closed = s.closeAnalysis("a1", "promoted", 1500);
      expect(closed).toMatchObject({ status: "closed", outcome: "promoted", closedAt: 1500 });
      expect(s.closeAnalysis("a1", "rolled-back", 1600)).toMatchObject({
        outcome: "promoted",
        closedAt: 1500,
      });
      expect(code(() => s.appendLook(look("a1", 2), { judgeState: {}, updatedAt: 1700 }))).toBe("CONFLICT");
      expect(code(() => s.closeAnalysis("missing", "aborted", 1))).toBe("NOT_FOUND");
    });

    it("lists analyses newest first, filtered by status and SLO", () => {
      const s = make();
      s.createAnalysis(newAnalysis("old", 100));
      s.createAnalysis({ ...newAnalysis("other", 200), sloId: "other-slo" });
      s.createAnalysis(newAnalysis("new", 300));
      s.closeAnalysis("old", "aborted", 400);
      expect(s.listAnalyses().map((a) => a.id)).toEqual(["new", "other", "old"]);
      expect(s.listAnalyses({ status: "open" }).map((a) => a.id)).toEqual(["new", "other"]);
      expect(s.listAnalyses({ sloId: "checkout-latency" }).map((a) => a.id)).toEqual(["new", "old"]);
      expect(s.listAnalyses({ limit: 1 }).map((a) => a.id)).toEqual(["new"]);
    });

    it("expires analyses by last update, with their looks and events", () => {
      const s = make();
      s.createAnalysis(newAnalysis("old", 100));
      s.appendLook(look("old", 1), { judgeState: {}, updatedAt: 150 });
      s.appendEvent({ at: 150, kind: "flagger:event", analysisId: "old", payload: { m: "x" } });
      s.appendEvent({ at: 150, kind: "flagger:event", payload: { m: "unrelated" } });
      s.createAnalysis(newAnalysis("new", 1000));
      expect(s.deleteAnalysesBefore(500)).toBe(1);
      expect(s.getAnalysis("old")).toBeUndefined();
      expect(s.listLooks("old")).toEqual([]);
      expect(s.listEvents({ analysisId: "old" })).toEqual([]);
      expect(s.listEvents()).toHaveLength(1);
      expect(s.getAnalysis("new")).toBeDefined();
    });

    it("stores baselines and finds the newest one at a time", () => {
      const s = make();
      s.putBaseline(baseline("b1", "slo-a", 100));
      s.putBaseline(baseline("b2", "slo-a", 200));
      s.putBaseline(baseline("b3", "slo-b", 300));
      expect(s.latestBaseline("slo-a")!.id).toBe("b2");
      expect(s.latestBaseline("slo-a", 150)!.id).toBe("b1");
      expect(s.latestBaseline("slo-a", 50)).toBeUndefined();
      expect(s.listBaselines().map((b) => b.id)).toEqual(["b3", "b2", "b1"]);
      expect(s.listBaselines({ sloId: "slo-a", limit: 1 }).map((b) => b.id)).toEqual(["b2"]);
      expect(s.listBaselines({ analysisId: "no-such-analysis" })).toEqual([]);
      s.putBaseline({ ...baseline("b4", "slo-a", 50), analysisId: "flagger:ns/app:slo-a:1" });
      expect(s.listBaselines({ analysisId: "flagger:ns/app:slo-a:1" }).map((b) => b.id)).toEqual(["b4"]);
      expect(s.getBaseline("b1")).toEqual(baseline("b1", "slo-a", 100));
      expect(code(() => s.putBaseline(baseline("b1", "slo-a", 999)))).toBe("CONFLICT");
      expect(s.getBaseline("b1")!.capturedAt).toBe(100);
    });

    it.each([
      ["negative counts", { ...baseline("x", "s", 1), counts: { total: -1, bad: 0 } }],
      ["missing counts", { ...baseline("x", "s", 1), counts: null as unknown as BaselineRecord["counts"] }],
      ["an empty SLO id", { ...baseline("x", "", 1) }],
    ])("refuses a baseline with %s", (_label, bad) => {
      const s = make();
      expect(code(() => s.putBaseline(bad))).toBe("STORE_ERROR");
      expect(s.listBaselines()).toEqual([]);
    });

    it("expires old baselines but keeps each SLO's newest", () => {
      const s = make();
      s.putBaseline(baseline("a-old", "slo-a", 100));
      s.putBaseline(baseline("a-new", "slo-a", 200));
      s.putBaseline(baseline("b-only", "slo-b", 100));
      expect(s.deleteBaselinesBefore(1000)).toBe(1);
      expect(
        s
          .listBaselines()
          .map((b) => b.id)
          .sort(),
      ).toEqual(["a-new", "b-only"]);
    });

    it("pins a baseline to an analysis", () => {
      const s = make();
      s.createAnalysis(newAnalysis("a1"));
      expect(s.setAnalysisBaseline("a1", "b9", 1234)).toMatchObject({ baselineId: "b9", updatedAt: 1234 });
    });

    it("appends events with increasing ids and lists the latest ones oldest first", () => {
      const s = make();
      const e1 = s.appendEvent({ at: 1, kind: "k", analysisId: "a", payload: { n: 1 } });
      const e2 = s.appendEvent({ at: 2, kind: "k", payload: { n: 2 } });
      const e3 = s.appendEvent({ at: 3, kind: "k", analysisId: "a", payload: { n: 3 } });
      expect(e2.id).toBeGreaterThan(e1.id);
      expect(s.listEvents().map((e) => e.payload.n)).toEqual([1, 2, 3]);
      expect(s.listEvents({ analysisId: "a" }).map((e) => e.id)).toEqual([e1.id, e3.id]);
      expect(s.listEvents({ limit: 2 }).map((e) => e.payload.n)).toEqual([2, 3]);
      expect(code(() => s.appendEvent({ at: 4, kind: "", payload: {} }))).toBe("STORE_ERROR");
      expect(s.listEvents()).toHaveLength(3);
    });

    it("answers the writability check", () => {
      const s = make();
      expect(() => s.checkWritable(1)).not.toThrow();
      s.close();
      expect(code(() => s.checkWritable(2))).toBe("STORE_ERROR");
    });
  });
}
