/**
 * @module store/store-contract
 * The one contract suite every Store adapter runs (undici's cache-store pattern):
 * `describeStoreContract("SqliteStore", () => …)` — memory, SQLite and PostgreSQL.
 * Imported only by tests.
 */
import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import type { SloVerdict } from "../domain/verdict.ts";
import type { AnalysisRecord, BaselineRecord, LookRecord, OutboxInput, Store } from "../app/store-port.ts";

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

/** An analysis as a controller's first look creates it, for store tests. */
export function newAnalysis(
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

function outboxItem(target: string, key: string, notBefore = 0): OutboxInput {
  return { target, key, payload: { text: key, at: notBefore }, notBefore };
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

/** The SlogateError code `fn` rejects with; undefined when it resolves. */
async function code(fn: () => Promise<unknown>): Promise<string | undefined> {
  let p: Promise<unknown>;
  try {
    p = fn();
  } catch (e) {
    return `threw synchronously instead of rejecting: ${String(e)}`;
  }
  try {
    await p;
  } catch (e) {
    return isSlogateError(e) ? e.code : `not a SlogateError: ${String(e)}`;
  }
  return undefined;
}

/** Registers the contract tests for one Store implementation. `make` returns a fresh store. */
export function describeStoreContract(name: string, make: () => Store | Promise<Store>): void {
  describe(`${name} (store contract)`, () => {
    it("creates an analysis open with no looks and reads it back", async () => {
      const s = await make();
      const a = await s.createAnalysis(newAnalysis("a1"));
      expect(a).toMatchObject({ id: "a1", status: "open", looks: 0, start: 1000, expectedLooks: 5 });
      expect(await s.getAnalysis("a1")).toEqual(a);
      expect(await s.getAnalysis("missing")).toBeUndefined();
    });

    it("refuses a second analysis with the same id and keeps the first", async () => {
      const s = await make();
      await s.createAnalysis(newAnalysis("a1"));
      await s.appendLook(look("a1", 1), { judgeState: { n: 1 }, updatedAt: 1100 });
      expect(await code(() => s.createAnalysis(newAnalysis("a1", 5000)))).toBe("CONFLICT");
      expect(await s.getAnalysis("a1")).toMatchObject({ start: 1000, looks: 1 });
    });

    it("appends looks in sequence with the judge state and last verdict", async () => {
      const s = await make();
      await s.createAnalysis(newAnalysis("a1"));
      await s.appendLook(look("a1", 1), { judgeState: { logE: 0.5 }, updatedAt: 1100 });
      const { analysis: a } = await s.appendLook(look("a1", 2, "fail"), {
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
      expect((await s.listLooks("a1")).map((l) => [l.seq, l.verdict.verdict])).toEqual([
        [1, "pass"],
        [2, "fail"],
      ]);
      expect((await s.listLooks("a1"))[1]!.verdict).toEqual(verdict("fail"));
    });

    it.each([
      ["a skipped sequence number", 3],
      ["a repeated sequence number", 1],
    ])("refuses %s at a new time and keeps the stored looks", async (_label, seq) => {
      const s = await make();
      await s.createAnalysis(newAnalysis("a1"));
      await s.appendLook(look("a1", 1), { judgeState: { n: 1 }, updatedAt: 1100 });
      const later = { ...look("a1", seq), at: 5000 };
      expect(await code(() => s.appendLook(later, { judgeState: { n: 9 }, updatedAt: 1300 }))).toBe(
        "CONFLICT",
      );
      expect(await s.listLooks("a1")).toHaveLength(1);
      expect(await s.getAnalysis("a1")).toMatchObject({ looks: 1, judgeState: { n: 1 } });
    });

    it("refuses a look for an unknown analysis", async () => {
      const s = await make();
      expect(await code(() => s.appendLook(look("nope", 1), { judgeState: {}, updatedAt: 1 }))).toBe(
        "NOT_FOUND",
      );
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
    ])("refuses %s without losing the stored state", async (_label, state) => {
      const s = await make();
      await s.createAnalysis(newAnalysis("a1"));
      await s.appendLook(look("a1", 1), { judgeState: { good: true }, updatedAt: 1100 });
      expect(await code(() => s.appendLook(look("a1", 2), { judgeState: state, updatedAt: 1200 }))).toBe(
        "STORE_ERROR",
      );
      expect(await s.getAnalysis("a1")).toMatchObject({ looks: 1, judgeState: { good: true } });
      expect(await s.listLooks("a1")).toHaveLength(1);
    });

    it.each([
      ["an empty analysis id", { ...look("a1", 1), analysisId: "" }],
      ["a non-finite time", { ...look("a1", 1), at: Number.NaN }],
      [
        "a verdict that is not one",
        { ...look("a1", 1), verdict: { verdict: "maybe" } as unknown as SloVerdict },
      ],
      ["a zero sequence number", { ...look("a1", 1), seq: 0 }],
    ])("refuses a look with %s", async (_label, bad) => {
      const s = await make();
      await s.createAnalysis(newAnalysis("a1"));
      expect(await code(() => s.appendLook(bad, { judgeState: {}, updatedAt: 1 }))).toBe("STORE_ERROR");
      expect(await s.getAnalysis("a1")).toMatchObject({ looks: 0 });
    });

    it("keeps non-finite numbers in judge state and histograms", async () => {
      const s = await make();
      await s.createAnalysis(newAnalysis("a1"));
      const { analysis: a } = await s.appendLook(look("a1", 1), {
        judgeState: { e: Infinity, lo: -Infinity, nan: Number.NaN },
        updatedAt: 1100,
      });
      expect(a.judgeState).toEqual({ e: Infinity, lo: -Infinity, nan: Number.NaN });
      await s.putBaseline(baseline("b1", "checkout-latency", 500));
      expect((await s.getBaseline("b1"))!.counts.histogram!.bounds).toEqual([0.1, 0.5, Infinity]);
    });

    it("closes an analysis in the same write as its deciding look", async () => {
      const s = await make();
      await s.createAnalysis(newAnalysis("a1"));
      const { analysis: a } = await s.appendLook(look("a1", 1, "fail"), {
        judgeState: { n: 1 },
        updatedAt: 1100,
        close: { outcome: "rolled-back", at: 1100 },
      });
      expect(a).toMatchObject({ looks: 1, status: "closed", outcome: "rolled-back", closedAt: 1100 });
      expect(await s.getAnalysis("a1")).toEqual(a);
    });

    it("closes an analysis once, refuses further looks and keeps the outcome", async () => {
      const s = await make();
      await s.createAnalysis(newAnalysis("a1"));
      await s.appendLook(look("a1", 1), { judgeState: {}, updatedAt: 1100 });
      const closed = await s.closeAnalysis("a1", "promoted", 1500);
      expect(closed).toMatchObject({ status: "closed", outcome: "promoted", closedAt: 1500 });
      expect(await s.closeAnalysis("a1", "rolled-back", 1600)).toMatchObject({
        outcome: "promoted",
        closedAt: 1500,
      });
      expect(await code(() => s.appendLook(look("a1", 2), { judgeState: {}, updatedAt: 1700 }))).toBe(
        "CONFLICT",
      );
      expect(await code(() => s.closeAnalysis("missing", "aborted", 1))).toBe("NOT_FOUND");
    });

    it("lists analyses newest first, filtered by status and SLO", async () => {
      const s = await make();
      await s.createAnalysis(newAnalysis("old", 100));
      await s.createAnalysis({ ...newAnalysis("other", 200), sloId: "other-slo" });
      await s.createAnalysis(newAnalysis("new", 300));
      await s.closeAnalysis("old", "aborted", 400);
      expect((await s.listAnalyses()).map((a) => a.id)).toEqual(["new", "other", "old"]);
      expect((await s.listAnalyses({ status: "open" })).map((a) => a.id)).toEqual(["new", "other"]);
      expect((await s.listAnalyses({ sloId: "checkout-latency" })).map((a) => a.id)).toEqual(["new", "old"]);
      expect((await s.listAnalyses({ limit: 1 })).map((a) => a.id)).toEqual(["new"]);
    });

    it("expires analyses by last update, with their looks and events", async () => {
      const s = await make();
      await s.createAnalysis(newAnalysis("old", 100));
      await s.appendLook(look("old", 1), { judgeState: {}, updatedAt: 150 });
      await s.appendEvent({ at: 150, kind: "flagger:event", analysisId: "old", payload: { m: "x" } });
      await s.appendEvent({ at: 150, kind: "flagger:event", payload: { m: "unrelated" } });
      await s.createAnalysis(newAnalysis("new", 1000));
      expect(await s.deleteAnalysesBefore(500)).toBe(1);
      expect(await s.getAnalysis("old")).toBeUndefined();
      expect(await s.listLooks("old")).toEqual([]);
      expect(await s.listEvents({ analysisId: "old" })).toEqual([]);
      expect(await s.listEvents()).toHaveLength(1);
      expect(await s.getAnalysis("new")).toBeDefined();
    });

    it("stores baselines and finds the newest one at a time", async () => {
      const s = await make();
      await s.putBaseline(baseline("b1", "slo-a", 100));
      await s.putBaseline(baseline("b2", "slo-a", 200));
      await s.putBaseline(baseline("b3", "slo-b", 300));
      expect((await s.latestBaseline("slo-a"))!.id).toBe("b2");
      expect((await s.latestBaseline("slo-a", 150))!.id).toBe("b1");
      expect(await s.latestBaseline("slo-a", 50)).toBeUndefined();
      expect((await s.listBaselines()).map((b) => b.id)).toEqual(["b3", "b2", "b1"]);
      expect((await s.listBaselines({ sloId: "slo-a", limit: 1 })).map((b) => b.id)).toEqual(["b2"]);
      expect(await s.listBaselines({ analysisId: "no-such-analysis" })).toEqual([]);
      await s.putBaseline({ ...baseline("b4", "slo-a", 50), analysisId: "flagger:ns/app:slo-a:1" });
      expect((await s.listBaselines({ analysisId: "flagger:ns/app:slo-a:1" })).map((b) => b.id)).toEqual([
        "b4",
      ]);
      expect(await s.getBaseline("b1")).toEqual(baseline("b1", "slo-a", 100));
      expect(await code(() => s.putBaseline(baseline("b1", "slo-a", 999)))).toBe("CONFLICT");
      expect((await s.getBaseline("b1"))!.capturedAt).toBe(100);
    });

    it.each([
      ["negative counts", { ...baseline("x", "s", 1), counts: { total: -1, bad: 0 } }],
      ["missing counts", { ...baseline("x", "s", 1), counts: null as unknown as BaselineRecord["counts"] }],
      ["an empty SLO id", { ...baseline("x", "", 1) }],
    ])("refuses a baseline with %s", async (_label, bad) => {
      const s = await make();
      expect(await code(() => s.putBaseline(bad))).toBe("STORE_ERROR");
      expect(await s.listBaselines()).toEqual([]);
    });

    it("expires old baselines but keeps each SLO's newest", async () => {
      const s = await make();
      await s.putBaseline(baseline("a-old", "slo-a", 100));
      await s.putBaseline(baseline("a-new", "slo-a", 200));
      await s.putBaseline(baseline("b-only", "slo-b", 100));
      expect(await s.deleteBaselinesBefore(1000)).toBe(1);
      expect((await s.listBaselines()).map((b) => b.id).sort()).toEqual(["a-new", "b-only"]);
    });

    it("pins a baseline to an analysis", async () => {
      const s = await make();
      await s.createAnalysis(newAnalysis("a1"));
      expect(await s.setAnalysisBaseline("a1", "b9", 1234)).toMatchObject({
        baselineId: "b9",
        updatedAt: 1234,
      });
    });

    it("appends events with increasing ids and lists the latest ones oldest first", async () => {
      const s = await make();
      const e1 = await s.appendEvent({ at: 1, kind: "k", analysisId: "a", payload: { n: 1 } });
      const e2 = await s.appendEvent({ at: 2, kind: "k", payload: { n: 2 } });
      const e3 = await s.appendEvent({ at: 3, kind: "k", analysisId: "a", payload: { n: 3 } });
      expect(e2.id).toBeGreaterThan(e1.id);
      expect((await s.listEvents()).map((e) => e.payload.n)).toEqual([1, 2, 3]);
      expect((await s.listEvents({ analysisId: "a" })).map((e) => e.id)).toEqual([e1.id, e3.id]);
      expect((await s.listEvents({ limit: 2 })).map((e) => e.payload.n)).toEqual([2, 3]);
      expect(await code(() => s.appendEvent({ at: 4, kind: "", payload: {} }))).toBe("STORE_ERROR");
      expect(await s.listEvents()).toHaveLength(3);
    });

    it("answers the writability check", async () => {
      const s = await make();
      expect(await code(() => s.checkWritable(1))).toBeUndefined();
      await s.close();
      expect(await code(() => s.checkWritable(2))).toBe("STORE_ERROR");
      expect(await code(() => s.getAnalysis("a1"))).toBe("STORE_ERROR");
    });

    it("returns the stored look for a look at an already-recorded time and changes nothing", async () => {
      const s = await make();
      await s.createAnalysis(newAnalysis("a1"));
      const first = await s.appendLook(look("a1", 1, "pass"), {
        judgeState: { n: 1 },
        updatedAt: 1100,
        notifications: [outboxItem("slack", "a1:1")],
      });
      expect(first.replayed).toBe(false);
      // The same time again, judged differently and with the next sequence number (a retry
      // after the answer was lost): the stored verdict comes back, the state stays.
      const again = await s.appendLook(
        { ...look("a1", 2, "fail"), at: look("a1", 1).at },
        { judgeState: { n: 99 }, updatedAt: 1200, notifications: [outboxItem("slack", "a1:2")] },
      );
      expect(again.replayed).toBe(true);
      expect(again.look).toEqual(first.look);
      expect(again.analysis).toEqual(first.analysis);
      expect(await s.getAnalysis("a1")).toEqual(first.analysis);
      expect(await s.listLooks("a1")).toHaveLength(1);
      expect(await s.pendingNotifications("slack")).toBe(1);
      // Also with the sequence number of the stored look, and after the analysis closed.
      await s.closeAnalysis("a1", "promoted", 1300);
      const late = await s.appendLook(look("a1", 1, "fail"), { judgeState: {}, updatedAt: 1400 });
      expect(late).toMatchObject({ replayed: true, look: first.look });
      expect(await s.getAnalysis("a1")).toMatchObject({ status: "closed", outcome: "promoted", looks: 1 });
      // A new time is still judged in sequence: refused on the closed analysis.
      expect(await code(() => s.appendLook(look("a1", 2), { judgeState: {}, updatedAt: 1500 }))).toBe(
        "CONFLICT",
      );
    });

    it("records a final look at the time of a non-final one, and replays that final look after", async () => {
      const s = await make();
      await s.createAnalysis(newAnalysis("a1"));
      const first = await s.appendLook(look("a1", 1, "pass"), { judgeState: { n: 1 }, updatedAt: 1100 });
      expect(first.look.verdict.final).toBe(false);
      const final = (seq: number, verdict: "pass" | "fail") => {
        const l = { ...look("a1", seq, verdict), at: look("a1", 1).at };
        return { ...l, verdict: { ...l.verdict, final: true } };
      };
      const upgraded = await s.appendLook(final(2, "pass"), { judgeState: { n: 2 }, updatedAt: 1200 });
      expect(upgraded.replayed).toBe(false);
      expect(await s.listLooks("a1")).toHaveLength(2);
      const retry = await s.appendLook(final(3, "fail"), { judgeState: { n: 3 }, updatedAt: 1300 });
      expect(retry).toMatchObject({ replayed: true, look: upgraded.look });
      expect(await s.listLooks("a1")).toHaveLength(2);
    });

    it("serializes work under one analysis lock and runs other analyses alongside", async () => {
      const s = await make();
      const log: string[] = [];
      const task = (id: string, name: string, ms: number): Promise<string> =>
        s.withAnalysisLock(id, async () => {
          log.push(`${name}+`);
          await new Promise((r) => setTimeout(r, ms));
          log.push(`${name}-`);
          return name;
        });
      const out = await Promise.all([task("a", "a1", 60), task("a", "a2", 1), task("b", "b1", 1)]);
      expect(out).toEqual(["a1", "a2", "b1"]);
      expect(log.indexOf("a1-")).toBeLessThan(log.indexOf("a2+"));
      expect(log.indexOf("b1+")).toBeLessThan(log.indexOf("a1-"));
      await expect(s.withAnalysisLock("a", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
      expect(await s.withAnalysisLock("a", () => Promise.resolve(7))).toBe(7);
    });

    it("gives a schedule tick to exactly one claimer", async () => {
      const s = await make();
      const claims = await Promise.all(
        ["r1", "r2", "r3", "r1"].map((owner) => s.claimTick("baseline:*/30 * * * *:1800", owner, 1800)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await s.claimTick("baseline:*/30 * * * *:3600", "r2", 3600)).toBe(true);
      // Claims are forgotten with retention, not before.
      await s.deleteAnalysesBefore(3000);
      expect(await s.claimTick("baseline:*/30 * * * *:3600", "r3", 3601)).toBe(false);
      expect(await s.claimTick("baseline:*/30 * * * *:1800", "r3", 3601)).toBe(true);
    });

    it("leases background work to one owner until the lease expires or is released", async () => {
      const s = await make();
      expect(await s.acquireLease("retention", "r1", 100, 60)).toBe(true);
      expect(await s.acquireLease("retention", "r2", 130, 60)).toBe(false);
      expect(await s.acquireLease("retention", "r1", 150, 60)).toBe(true); // renewal to 210
      expect(await s.acquireLease("retention", "r2", 200, 60)).toBe(false);
      expect(await s.acquireLease("retention", "r2", 210, 60)).toBe(true); // expired
      await s.releaseLease("retention", "r1"); // not r1's any more: no effect
      expect(await s.acquireLease("retention", "r1", 220, 60)).toBe(false);
      await s.releaseLease("retention", "r2");
      expect(await s.acquireLease("retention", "r1", 221, 60)).toBe(true);
      expect(await s.acquireLease("other", "r2", 221, 60)).toBe(true);
    });

    it("hands each queued notification to one claimer and takes it back when the lease runs out", async () => {
      const s = await make();
      expect(
        await s.enqueueNotifications(
          [outboxItem("slack", "k1"), outboxItem("slack", "k2"), outboxItem("alertmanager", "k1")],
          10,
        ),
      ).toBe(3);
      expect(
        await s.enqueueNotifications([outboxItem("slack", "k1"), outboxItem("slack", "k3", 50)], 11),
      ).toBe(1);
      expect(await s.pendingNotifications("slack")).toBe(3);
      const [a, b] = await Promise.all([
        s.claimNotifications("slack", "r1", 20, 30, 10),
        s.claimNotifications("slack", "r2", 20, 30, 10),
      ]);
      const keys = [...a, ...b].map((i) => i.key).sort();
      expect(keys).toEqual(["k1", "k2"]); // k3 is not due before 50
      const first = [...a, ...b].find((i) => i.key === "k1")!;
      expect(first).toMatchObject({ target: "slack", attempts: 1, createdAt: 10, payload: { text: "k1" } });
      const holder = a.includes(first) ? "r1" : "r2";
      const k2 = [...a, ...b].find((i) => i.key === "k2")!;
      const k2holder = a.includes(k2) ? "r1" : "r2";
      expect(
        await s.settleNotification(first.id, holder === "r1" ? "r2" : "r1", { delivered: true }, 21),
      ).toBe(false);
      expect(await s.settleNotification(first.id, holder, { delivered: true }, 21)).toBe(true);
      expect(await s.settleNotification(first.id, holder, { delivered: true }, 22)).toBe(false);
      // k2's claimer died: nobody gets it while the lease runs, someone does after.
      expect(await s.claimNotifications("slack", "r3", 40, 30, 10)).toEqual([]);
      const again = await s.claimNotifications("slack", "r3", 55, 30, 10);
      expect(again.map((i) => [i.key, i.attempts])).toEqual([
        ["k2", 2],
        ["k3", 1],
      ]);
      // The old claimer's late word no longer counts.
      expect(await s.settleNotification(k2.id, k2holder, { delivered: true }, 56)).toBe(false);
      expect(await s.settleNotification(k2.id, "r3", { retryAt: 100 }, 56)).toBe(true);
      expect(await s.settleNotification(again[1]!.id, "r3", { dropped: "rejected: 400" }, 56)).toBe(true);
      expect(await s.claimNotifications("slack", "r1", 99, 30, 10)).toEqual([]);
      expect(
        (await s.claimNotifications("slack", "r1", 100, 30, 10)).map((i) => [i.key, i.attempts]),
      ).toEqual([["k2", 3]]);
      expect(await s.pendingNotifications("slack")).toBe(1);
      expect(await s.pendingNotifications("alertmanager")).toBe(1);
      // A delivered key cannot be queued again, even after a restart or by another replica.
      expect(await s.enqueueNotifications([outboxItem("slack", "k1")], 200)).toBe(0);
    });

    it("queues a look's notifications in the same write as the look, and none when the write fails", async () => {
      const s = await make();
      await s.createAnalysis(newAnalysis("a1"));
      await s.appendLook(look("a1", 1), {
        judgeState: {},
        updatedAt: 1100,
        notifications: [outboxItem("slack", "v1")],
      });
      expect(
        await code(() =>
          s.appendLook(look("a1", 3), {
            judgeState: {},
            updatedAt: 1200,
            notifications: [outboxItem("slack", "v3")],
          }),
        ),
      ).toBe("CONFLICT");
      expect(
        await code(() =>
          s.appendLook(look("a1", 2), {
            judgeState: { n: 1n },
            updatedAt: 1200,
            notifications: [outboxItem("slack", "v2")],
          }),
        ),
      ).toBe("STORE_ERROR");
      expect((await s.claimNotifications("slack", "r1", 2000, 30, 10)).map((i) => i.key)).toEqual(["v1"]);
    });

    it.each([
      ["an empty target", { ...outboxItem("slack", "k"), target: "" }],
      ["an empty key", outboxItem("slack", "")],
      ["a NUL character in the key", outboxItem("slack", "a\u0000b")],
      [
        "a payload that is not an object",
        { ...outboxItem("slack", "k"), payload: [] as unknown as Record<string, unknown> },
      ],
      ["a payload with a bigint", { ...outboxItem("slack", "k"), payload: { n: 1n } }],
    ])("refuses a notification with %s and queues nothing", async (_label, bad) => {
      const s = await make();
      expect(await code(() => s.enqueueNotifications([outboxItem("slack", "fine"), bad], 1))).toBe(
        "STORE_ERROR",
      );
      expect(await s.pendingNotifications("slack")).toBe(0);
    });

    it("keeps named state records, replaces them by key and deletes them", async () => {
      const s = await make();
      await s.putState({ namespace: "alerts", key: "b", value: { firing: true, e: Infinity }, updatedAt: 1 });
      await s.putState({ namespace: "alerts", key: "a", value: { firing: true }, updatedAt: 2 });
      await s.putState({ namespace: "other", key: "a", value: { x: 1 }, updatedAt: 3 });
      await s.putState({ namespace: "alerts", key: "b", value: { firing: false }, updatedAt: 4 });
      expect(await s.listState("alerts")).toEqual([
        { namespace: "alerts", key: "a", value: { firing: true }, updatedAt: 2 },
        { namespace: "alerts", key: "b", value: { firing: false }, updatedAt: 4 },
      ]);
      expect(await s.getState("alerts", "b")).toEqual({
        namespace: "alerts",
        key: "b",
        value: { firing: false },
        updatedAt: 4,
      });
      expect(await s.getState("other", "b")).toBeUndefined();
      await s.deleteState("alerts", "a");
      await s.deleteState("alerts", "missing");
      expect(await s.getState("alerts", "a")).toBeUndefined();
      expect((await s.listState("alerts")).map((r) => r.key)).toEqual(["b"]);
      expect(await s.listState("other")).toHaveLength(1);
      expect(await code(() => s.putState({ namespace: "alerts", key: "", value: {}, updatedAt: 5 }))).toBe(
        "STORE_ERROR",
      );
    });

    // --- incremental read state (issue #13) ---
    it("keeps each arm's read state, replaces it, and drops it with its analysis", async () => {
      const s = await make();
      await s.createAnalysis(newAnalysis("rs", 1000));
      await s.createAnalysis(newAnalysis("keep", 5000));
      const state = { v: 1, rows: [[0, "0.1", 1060, 12, 3]], none: null, end: 1060 };
      expect(await s.getReadState("rs", "canary")).toBeUndefined();
      await s.putReadState({ analysisId: "rs", arm: "canary", at: 1060, state, updatedAt: 1 });
      await s.putReadState({ analysisId: "rs", arm: "stable", at: 1060, state: { v: 1 }, updatedAt: 1 });
      await s.putReadState({ analysisId: "keep", arm: "canary", at: 5060, state: { v: 2 }, updatedAt: 1 });
      expect(await s.getReadState("rs", "canary")).toEqual({
        analysisId: "rs",
        arm: "canary",
        at: 1060,
        state,
        updatedAt: 1,
      });
      await s.putReadState({
        analysisId: "rs",
        arm: "canary",
        at: 1120,
        state: { v: 1, end: 1120 },
        updatedAt: 2,
      });
      expect((await s.getReadState("rs", "canary"))?.state).toEqual({ v: 1, end: 1120 });
      expect((await s.getReadState("rs", "stable"))?.at).toBe(1060);
      expect(
        await code(() =>
          s.putReadState({ analysisId: "nope", arm: "canary", at: 1, state: {}, updatedAt: 1 }),
        ),
      ).toBe("NOT_FOUND");
      expect(
        await code(() =>
          s.putReadState({ analysisId: "rs", arm: "baseline" as "canary", at: 1, state: {}, updatedAt: 1 }),
        ),
      ).toBe("STORE_ERROR");
      expect(await s.deleteAnalysesBefore(2000)).toBe(1);
      expect(await s.getReadState("rs", "canary")).toBeUndefined();
      expect(await s.getReadState("rs", "stable")).toBeUndefined();
      expect((await s.getReadState("keep", "canary"))?.state).toEqual({ v: 2 });
    });
    // --- end incremental read state ---
  });
}
