/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- Canary objects read from YAML and JSON bodies are untyped by nature */
/**
 * Flagger as it really behaves (./flagger/flagger-replay.ts, rules cited in
 * docs/controllers.md), driving the real slogate service over HTTP with the shipped
 * deploy/flagger/canary.yaml as written — URLs, metadata, token, timeouts, threshold — against
 * a real Prometheus, and the same against a real VictoriaMetrics. Each scenario asserts what
 * Flagger does next (promote, wait, roll back, keep going) and what the user sees about why
 * (events, hook bodies).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanaryReplay } from "./flagger/flagger-replay.ts";
import {
  contractService,
  deployDoc,
  startContractBed,
  T0,
  type ContractBed,
  type ContractServiceName,
} from "./contract-bed.ts";
import { BACKEND_KINDS } from "../../src/testbed/metrics-backend.ts";

describe.each(BACKEND_KINDS)("on %s", (backend) => {
  let bed: ContractBed;

  beforeAll(async () => {
    bed = await startContractBed(13, backend);
  }, 120_000);

  afterAll(async () => {
    await bed?.stop();
  });

  /** The shipped Canary for one bed service: only the service's name is the scenario's. */
  function canaryFor(service: string): any {
    const c = structuredClone(deployDoc("flagger/canary.yaml", "Canary", "payments"));
    c.metadata.name = service;
    c.spec.targetRef.name = service;
    for (const w of c.spec.analysis.webhooks)
      w.metadata.slo = String(w.metadata.slo).replaceAll("payments", service);
    return c;
  }

  let revisions = 1;

  /** A new revision of one bed service's target (a new checksum each time), detected at `t`. */
  function replay(
    name: ContractServiceName,
    t: number,
    opts: { callSeconds?: number; canary?: any } = {},
  ): CanaryReplay {
    bed.clock.t = t;
    const r = new CanaryReplay(opts.canary ?? canaryFor(contractService(name).service), {
      clock: bed.clock,
      baseUrl: () => bed.url(),
      ...(opts.callSeconds === undefined ? {} : { callSeconds: opts.callSeconds }),
    });
    r.targetSpec = `revision-${++revisions}`;
    return r;
  }

  const calls = (r: CanaryReplay, type: string) => r.calls.filter((c) => c.type === type);
  const auth = { Authorization: "Bearer change-me-to-a-long-random-token" };

  async function analysisOf(r: CanaryReplay, slo: string): Promise<any> {
    const pre = calls(r, "pre-rollout")[0]!;
    const entry = JSON.parse(pre.body).baselines.find((b: any) => b.slo === slo);
    // The link names the first process' address; after a restart the service listens elsewhere.
    // Its signature was made with the first process' key (no pages.secret here): use the bearer.
    const link = new URL(entry.link as string);
    const res = await fetch(`${bed.url()}${link.pathname}`, {
      headers: { ...auth, Accept: "application/json" },
    });
    expect(res.status).toBe(200);
    return res.json();
  }

  describe("Flagger with deploy/flagger/canary.yaml as shipped", () => {
    it("a good canary: baseline at weight 0, a look per iteration, the final look promotes; rollback polls take no look", async () => {
      const r = replay("flaggerGood", T0 - 60);
      const phase = await r.run(T0 + 1500);
      expect(phase).toBe("Succeeded");
      expect(r.failedChecks).toBe(0);
      // Hook order per iteration, as Flagger calls them.
      const order = r.calls.map((c) => c.type);
      expect(order.slice(0, 3)).toEqual(["rollback", "pre-rollout", "rollback"]);
      expect(order.filter((t) => t === "confirm-promotion")).toHaveLength(1);
      expect(order.at(-1)).toBe("post-rollout");
      for (const c of r.calls.filter((x) => x.type !== "rollback" && x.type !== "event")) {
        expect(c.status, `${c.type}: ${c.body}`).toBe(200);
      }
      for (const c of calls(r, "rollback")) {
        expect(c.status).toBe(412); // inverted: not a rollback
        expect(c.body.length).toBeLessThanOrEqual(1024);
      }
      // Every hook after confirm-rollout carries the checksum of the Progressing status.
      expect(new Set(r.calls.map((c) => c.payload.checksum)).size).toBe(1);
      expect(r.calls[0]!.payload).toMatchObject({
        name: "pay-good",
        namespace: "shop",
        phase: "Progressing",
      });
      expect(r.calls[0]!.payload.metadata).toEqual({
        slo: "pay-good-latency,pay-good-errors",
        token: "change-me-to-a-long-random-token",
      });
      for (const slo of ["pay-good-latency", "pay-good-errors"]) {
        const a = await analysisOf(r, slo);
        expect(a.analysis).toMatchObject({ status: "closed", outcome: "promoted", controller: "flagger" });
        expect(a.baseline).not.toBeNull();
        // Looks: one per rollout hook and the final one; the rollback polls added none.
        expect(a.looks).toHaveLength(calls(r, "rollout").length + calls(r, "confirm-promotion").length);
        expect(a.looks.at(-1).verdict).toMatchObject({ verdict: "pass", final: true });
      }
      expect(r.eventCalls.length).toBeGreaterThan(10);
      for (const e of r.eventCalls) expect(e.status, e.body).toBe(200);
    });

    it("hooks seconds apart in one iteration (rollout, confirm-traffic-increase, confirm-promotion): a look per interval, not per hook", async () => {
      // The shipped Canary plus a confirm-traffic-increase gate on the same SLOs, each call taking
      // 3 s as an HTTP round trip does: three look hooks reach slogate within one iteration.
      const canary = canaryFor(contractService("flaggerGood").service);
      const gate = canary.spec.analysis.webhooks.find((w: any) => w.type === "rollout");
      canary.spec.analysis.webhooks.push({
        ...structuredClone(gate),
        name: "slogate-traffic",
        type: "confirm-traffic-increase",
        url: String(gate.url).replace("/rollout", "/confirm-traffic-increase"),
      });
      const r = replay("flaggerGood", T0 - 60, { callSeconds: 3, canary });
      expect(await r.run(T0 + 1500)).toBe("Succeeded");
      const rollouts = calls(r, "rollout");
      const increases = calls(r, "confirm-traffic-increase");
      const promotions = calls(r, "confirm-promotion");
      expect(increases.length).toBeGreaterThanOrEqual(4);
      expect(promotions).toHaveLength(1);
      for (const c of [...rollouts, ...increases, ...promotions]) expect(c.status, c.body).toBe(200);
      for (const slo of ["pay-good-latency", "pay-good-errors"]) {
        const a = await analysisOf(r, slo);
        // One look per iteration, taken by its first look hook: at weight 0 that is
        // confirm-traffic-increase (the pre-rollout hook opened the analysis without a look),
        // afterwards the rollout hook; confirm-traffic-increase 3 s after it answered the stored
        // look, and confirm-promotion upgraded the last one to final at that look's time. Taking a
        // look on every hook would have made 1 + 2 × rollouts + 1.
        expect(a.looks.map((l: any) => l.at)).toEqual([
          increases[0]!.at,
          ...rollouts.map((c) => c.at),
          rollouts.at(-1)!.at,
        ]);
        expect(a.looks.at(-1).verdict).toMatchObject({ verdict: "pass", final: true });
        expect(a.looks.at(-2).verdict).toMatchObject({ final: false });
      }
      // Each answer names the look it stands on: the weight-0 gate took look 1, the next gate
      // (3 s after that iteration's rollout hook) answered that hook's look 2.
      expect(JSON.parse(increases[0]!.body).results.map((x: any) => x.analysis.look)).toEqual([1, 1]);
      expect(JSON.parse(increases[1]!.body).results.map((x: any) => x.analysis.look)).toEqual([2, 2]);
      expect(JSON.parse(promotions[0]!.body).results.map((x: any) => x.final)).toEqual([true, true]);
    });

    it("rollback polling reads the state: no Prometheus query, no look, whatever the number of polls", async () => {
      const r = replay("flaggerGood", T0 + 10);
      await r.run(T0 + 10 + 3 * 60);
      expect(r.phase).toBe("Progressing");
      const slo = "pay-good-errors";
      const before = (await analysisOf(r, slo)).looks.length;
      const queries = bed.queries();
      const rollback = r.canary.spec.analysis.webhooks.find((w: any) => w.type === "rollback");
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${bed.url()}/api/v1/flagger/rollback`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            name: "pay-good",
            namespace: "shop",
            phase: "Progressing",
            checksum: r.checksum(),
            metadata: rollback.metadata,
          }),
        });
        expect(res.status).toBe(412);
        const body = (await res.json()) as any;
        expect(body.message).toMatch(
          /^no rollback: pay-good-latency last verdict pass after \d+ looks; pay-good-errors last verdict pass after \d+ looks$/,
        );
      }
      expect(bed.queries()).toBe(queries);
      expect((await analysisOf(r, slo)).looks.length).toBe(before);
    });

    it("a bad canary: the rollout hook answers 412 with a one-line reason, the next rollback poll rolls back, the halt event is kept", async () => {
      const r = replay("flaggerBad", T0 - 60);
      expect(await r.run(T0 + 1500)).toBe("Failed");
      const refused = calls(r, "rollout").find((c) => c.status !== 200)!;
      expect(refused.status).toBe(412);
      expect(Buffer.byteLength(refused.body)).toBeLessThanOrEqual(1024);
      expect(refused.body).not.toContain("\n");
      const body = JSON.parse(refused.body);
      expect(body.verdict).toBe("fail");
      expect(body.message).toMatch(/pay-bad-errors: fail/);
      expect(body.link).toMatch(/\/analyses\/flagger:shop:pay-bad:pay-bad-errors:/);
      // Flagger's own event quotes the body; slogate accepts and keeps it.
      const halt = r.events.find((e) =>
        e.message.startsWith("Halt pay-bad.shop advancement external check slogate-gate failed"),
      )!;
      expect(halt.message).toContain(refused.body);
      const sent = r.eventCalls.find((e) => e.payload.metadata.eventMessage === halt.message)!;
      expect(sent.status, sent.body).toBe(200);
      expect(sent.payload.metadata.timestamp).toMatch(/^\d{13}$/);
      // The rollback hook, polled at the start of the next iteration, says "roll back".
      const rollbacks = calls(r, "rollback");
      expect(rollbacks.at(-1)!.status).toBe(200);
      expect(rollbacks.at(-1)!.at).toBeGreaterThan(refused.at);
      expect(r.events.map((e) => e.message)).toContain("Rolling back pay-bad.shop manual webhook invoked");
      const a = await analysisOf(r, "pay-bad-errors");
      expect(a.analysis).toMatchObject({ status: "closed", outcome: "rolled-back" });
      // Events are kept with the analysis of the first SLO the hook names.
      const first = await analysisOf(r, "pay-bad-latency");
      expect(
        first.events.some((e: any) =>
          String(e.payload?.metadata?.eventMessage ?? "").startsWith("Halt pay-bad.shop"),
        ),
      ).toBe(true);
    });

    it("no data (a target no series carries): never promoted, confirm-promotion keeps refusing", async () => {
      const r = replay("flaggerNone", T0 - 60);
      expect(await r.run(T0 + 20 * 60)).not.toBe("Succeeded");
      expect(["WaitingPromotion", "Failed"]).toContain(r.phase);
      for (const c of calls(r, "confirm-promotion")) {
        expect(c.status).toBe(412);
        expect(JSON.parse(c.body).message).toMatch(/pay-none-(latency|errors): (inconclusive|nodata)/);
      }
    });

    it("low traffic: the rollout goes on, confirm-promotion is re-asked every iteration and refuses with the reason", async () => {
      const r = replay("flaggerLow", T0 - 60);
      expect(await r.run(T0 + 20 * 60)).toBe("WaitingPromotion");
      const promos = calls(r, "confirm-promotion");
      expect(promos.length).toBeGreaterThanOrEqual(5);
      for (let i = 1; i < promos.length; i++) expect(promos[i]!.at - promos[i - 1]!.at).toBe(60);
      for (const c of promos) {
        expect(c.status).toBe(412);
        expect(JSON.parse(c.body)).toMatchObject({ verdict: "inconclusive" });
      }
      expect(
        r.events.filter((e) => /waiting for promotion approval slogate-promotion$/.test(e.message)),
      ).toHaveLength(1);
      expect(r.failedChecks).toBe(0);
    });

    it("a 30 s backend outage: one rollout hook fails (503, never 2xx), one failed check, and the canary goes on to promotion", async () => {
      const r = replay("flaggerGood", T0 + 20);
      const from = T0 + 20 + 4 * 60 - 5;
      bed.proxy.failing = () => bed.clock.t >= from && bed.clock.t < from + 30;
      try {
        expect(await r.run(T0 + 1500)).toBe("Succeeded");
      } finally {
        bed.proxy.failing = () => false;
      }
      const during = r.calls.filter((c) => c.at >= from && c.at < from + 30 && c.type === "rollout");
      expect(during).toHaveLength(1);
      expect(during[0]!.status).toBe(503);
      expect(during[0]!.error).toBe(
        "POST http://slogate.monitoring.svc:8080/api/v1/flagger/rollout giving up after 1 attempt(s)",
      );
      expect(r.failedChecks).toBe(1);
    });

    it("a 5 min backend outage: failed checks reach the threshold and Flagger rolls back; no hook answered 2xx meanwhile", async () => {
      const r = replay("flaggerGood", T0 + 30);
      const from = T0 + 30 + 4 * 60 - 5;
      bed.proxy.failing = () => bed.clock.t >= from && bed.clock.t < from + 300;
      try {
        expect(await r.run(T0 + 1500)).toBe("Failed");
      } finally {
        bed.proxy.failing = () => false;
      }
      const during = r.calls.filter((c) => c.at >= from && c.at < from + 300 && c.type === "rollout");
      expect(during.length).toBe(2);
      for (const c of during) expect(c.status).toBe(503);
      expect(r.events.map((e) => e.message)).toContain(
        "Rolling back pay-good.shop failed checks threshold reached 2",
      );
      expect(calls(r, "rollback").every((c) => c.status === 412)).toBe(true);
    });

    it("slogate restarted mid-rollout: the refused hooks count one failed check, the analysis continues with no lost look", async () => {
      const r = replay("flaggerGood", T0 + 40);
      const down = T0 + 40 + 4 * 60; // an iteration finds slogate down; it is back for the next one
      expect(
        await r.run(T0 + 1500, async (t) => {
          if (t === down) await bed.stopGate();
          if (t === down + 60) await bed.startGate();
        }),
      ).toBe("Succeeded");
      const refused = r.calls.filter((c) => c.status === 0);
      expect(refused.map((c) => c.type)).toEqual(["rollback", "rollout"]);
      expect(r.failedChecks).toBe(1);
      const a = await analysisOf(r, "pay-good-latency");
      const judged = calls(r, "rollout").filter((c) => c.status === 200).length + 1;
      expect(a.looks).toHaveLength(judged);
      expect(a.looks.map((l: any) => l.seq)).toEqual(Array.from({ length: judged }, (_, i) => i + 1));
    });

    it("with a confirm-rollout hook: it carries the checksum before the revision is recorded, and the analysis' baseline is the pre-rollout one", async () => {
      const r = replay("flaggerGood", T0 + 50);
      const shippedPre = r.canary.spec.analysis.webhooks.find((w: any) => w.type === "pre-rollout");
      r.canary.spec.analysis.webhooks.unshift({
        ...structuredClone(shippedPre),
        name: "slogate-ready",
        type: "confirm-rollout",
        url: String(shippedPre.url).replace("pre-rollout", "confirm-rollout"),
      });
      const before = r.checksum();
      await r.run(T0 + 50 + 3 * 60);
      const confirm = calls(r, "confirm-rollout");
      expect(confirm).toHaveLength(1);
      expect(confirm[0]!.status).toBe(200);
      expect(confirm[0]!.payload.checksum).toBe(before);
      const later = r.calls.filter((c) => c.type !== "confirm-rollout").map((c) => c.payload.checksum);
      expect(new Set(later)).toEqual(new Set([r.checksum()]));
      expect(r.checksum()).not.toBe(before);
      const pre = JSON.parse(calls(r, "pre-rollout")[0]!.body);
      for (const b of pre.baselines) {
        const a = await analysisOf(r, b.slo);
        expect(a.baseline?.id).toBe(b.baseline);
        expect(a.analysis.id).toContain(r.checksum());
      }
    });

    it("event hooks: every payload Flagger sends is accepted, even an eventMessage far over 1,000 characters", async () => {
      const hook = canaryFor("pay-good").spec.analysis.webhooks.find((w: any) => w.type === "event");
      const res = await fetch(`${bed.url()}/api/v1/flagger/event`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          name: "pay-good",
          namespace: "shop",
          phase: "Progressing",
          checksum: "b4c6d8",
          metadata: {
            eventMessage: `Halt pay-good.shop advancement external check other-hook failed ${"x".repeat(20_000)}`,
            eventType: "Warning",
            timestamp: String(T0 * 1000),
            ...hook.metadata,
          },
        }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).recorded).toBe(true);
    });
  });
});
