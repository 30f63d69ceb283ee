/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- Argo objects read from YAML and JSON bodies are untyped by nature */
/**
 * Argo Rollouts as it really behaves (./argo/argo-replay.ts, rules cited in
 * docs/controllers.md), driving the real slogate service over HTTP with the shipped
 * deploy/argo/ manifests as written — URLs, bodies, headers, args, Secret — against a real
 * Prometheus, and the same against a real VictoriaMetrics. Each scenario asserts what Argo
 * does next (promote, pause, abort, keep going) and what the user sees about why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startExprEval, type ExprEval } from "./argo/expr-eval.ts";
import { RolloutReplay, type ReplayEnv } from "./argo/argo-replay.ts";
import {
  contractService,
  deployDoc,
  deployDocs,
  startContractBed,
  T0,
  type ContractBed,
  type ContractServiceName,
} from "./contract-bed.ts";
import { BACKEND_KINDS } from "../../src/testbed/metrics-backend.ts";

describe.each(BACKEND_KINDS)("on %s", (backend) => {
  let bed: ContractBed;
  let expr: ExprEval;

  beforeAll(async () => {
    expr = startExprEval();
    bed = await startContractBed(undefined, backend);
  }, 120_000);

  afterAll(async () => {
    expr?.close();
    await bed?.stop();
  });

  /** The cluster's Secrets: the ones shipped in deploy/. */
  function secrets(): ReplayEnv["secrets"] {
    const out: Record<string, Record<string, Record<string, string>>> = {};
    for (const file of ["argo/token-secret.yaml", "kubernetes/slogate.yaml"]) {
      for (const d of deployDocs(file).filter((x) => x.kind === "Secret")) {
        (out[d.metadata.namespace] ??= {})[d.metadata.name] = d.stringData;
      }
    }
    return out;
  }

  /** The shipped Rollout for one bed service: only the `service` arg is the scenario's. */
  function rolloutFor(service: string): any {
    const r = structuredClone(deployDoc("argo/rollout.yaml", "Rollout", "checkout"));
    const lists: any[][] = [
      r.spec.strategy.canary.analysis.args,
      ...r.spec.strategy.canary.steps.map((s: any) => s.analysis?.args ?? []),
    ];
    for (const args of lists) for (const a of args) if (a.name === "service") a.value = service;
    return r;
  }

  const shippedTemplates = () => deployDocs("argo/analysis-template.yaml");

  /** A replayed rollout of one bed service, starting at `t`. */
  function replay(
    name: ContractServiceName,
    t: number,
    templates: any[] = shippedTemplates(),
    canaryHash?: string,
  ): RolloutReplay {
    const s = contractService(name);
    bed.clock.t = t;
    const env: ReplayEnv = { clock: bed.clock, baseUrl: () => bed.url(), expr, secrets: secrets() };
    return new RolloutReplay(rolloutFor(s.service), templates, env, {
      latest: canaryHash ?? s.canary,
      stable: s.stable,
    });
  }

  const valueOf = (m: { value?: string }) => JSON.parse(m.value ?? "null");
  const lastOf = (r: RolloutReplay, metric: string) =>
    r
      .measurements()
      .filter((m) => m.metric === metric)
      .at(-1)!;

  describe("Argo Rollouts with deploy/argo/ as shipped", () => {
    it("a good canary: baseline and start before the first weight, a look a minute, promoted by the final step", async () => {
      const r = replay("argoGood", T0);
      expect(await r.run(T0 + 1500)).toBe("promoted");
      const runs = r.runs.map((x) => x.name);
      expect(runs).toEqual(["checkout-7c9d5f6b8-2-0", "checkout-7c9d5f6b8-2", "checkout-7c9d5f6b8-2-7"]);
      const [start, background, final] = r.runs;
      for (const m of start!.measurements()) {
        expect(m.phase).toBe("Successful");
        expect(valueOf(m)).toMatchObject({ verdict: "started", baseline: { id: expect.any(String) } });
        expect(m.at).toBe(T0); // before any weight: the analysis starts with the canary's traffic
      }
      expect(background!.measurements().every((m) => m.phase === "Successful")).toBe(true);
      expect(background!.results.map((x) => x.count)).toEqual([11, 11]); // 10 min of pauses, a look a minute
      expect(background!.phase).toBe("Successful"); // terminated when the steps finished
      for (const m of final!.measurements()) {
        const v = valueOf(m);
        expect(v).toMatchObject({
          verdict: "pass",
          final: true,
          analysis: { status: "closed", outcome: "promoted" },
        });
        expect(v.analysis.start).toBe(T0);
        expect(v.link).toMatch(/\/analyses\//);
      }
      // The wire format: POST, JSON, the token from the Secret in the Rollout's namespace.
      const req = start!.measurements()[0]!.request;
      expect(req.method).toBe("POST");
      expect(req.headers).toEqual({
        Authorization: "Bearer change-me-to-a-long-random-token",
        "Content-Type": "application/json",
      });
      expect(JSON.parse(req.body!)).toEqual({
        phase: "start",
        slo: "ck-good-latency",
        canary: "7c9d5f6b8",
        stable: "6d4f8b9c7",
        rollout: "shop/checkout",
      });
    });

    it("a bad canary: the background look fails, Argo aborts, and the measurement carries the reason and link", async () => {
      const r = replay("argoBad", T0);
      expect(await r.run(T0 + 1500)).toBe("aborted");
      expect(r.message).toMatch(
        /^Background analysis phase error\/failed: Metric "latency" assessed Failed due to failed \(1\) > failureLimit \(0\)/,
      );
      const failed = lastOf(r, "latency");
      const v = valueOf(failed);
      expect(v.verdict).toBe("fail");
      expect(v.reason).toEqual(expect.any(String));
      expect(v.checks.some((c: any) => c.status === "fail")).toBe(true);
      const detail = await fetch(v.link, {
        headers: { Authorization: "Bearer change-me-to-a-long-random-token", Accept: "application/json" },
      });
      expect(detail.status).toBe(200);
      expect(failed.at).toBeLessThan(T0 + 600); // before the final step: caught by the background looks
    });

    it("no data (a canary hash no series carries): never promoted, the rollout pauses with the reason", async () => {
      const r = replay("argoNone", T0);
      const state = await r.run(T0 + 1500);
      expect(state).toBe("paused");
      expect(r.message).toMatch(/^InconclusiveAnalysis: Metric "(latency|errors)" assessed Inconclusive/);
      const v = valueOf(
        r
          .measurements()
          .filter((m) => m.phase === "Inconclusive")
          .at(-1)!,
      );
      expect(["pass", "fail"]).not.toContain(v.verdict);
      expect(v.reason).toEqual(expect.any(String));
    });

    it("low traffic: keeps going, then the final step pauses for a human instead of promoting", async () => {
      const r = replay("argoLow", T0);
      expect(await r.run(T0 + 1500)).toBe("paused");
      const final = r.runs.at(-1)!;
      expect(final.name).toBe("checkout-7c9d5f6b8-2-7");
      expect(final.phase).toBe("Inconclusive");
      const v = valueOf(final.measurements()[0]!);
      expect(v.verdict).toBe("inconclusive");
      expect(v.final).toBe(true);
    });

    it("a 30 s backend outage mid-rollout: Argo retries every 10 s, no look, no pass, and keeps going", async () => {
      const r = replay("argoGood", T0 + 2);
      const from = T0 + 2 + 235;
      bed.proxy.failing = () => bed.clock.t >= from && bed.clock.t < from + 30;
      try {
        expect(await r.run(T0 + 1500)).toBe("promoted");
      } finally {
        bed.proxy.failing = () => false;
      }
      const errors = r.measurements().filter((m) => m.phase === "Error");
      expect(errors.length).toBeGreaterThanOrEqual(4); // both metrics, retried every 10 s
      for (const e of errors) {
        expect(e.message).toBe("received non 2xx response code: 503"); // all Argo keeps of a 503
        expect(e.at).toBeGreaterThanOrEqual(from);
        expect(e.at).toBeLessThan(from + 30);
      }
      const during = r.measurements().filter((m) => m.at >= from && m.at < from + 30);
      expect(during.every((m) => m.phase === "Error")).toBe(true);
    });

    it("a 5 min backend outage: after unavailableAfter the look answers 'unavailable' and the rollout pauses with the reason", async () => {
      const r = replay("argoGood", T0 + 4);
      const from = T0 + 4 + 235;
      bed.proxy.failing = () => bed.clock.t >= from && bed.clock.t < from + 300;
      try {
        expect(await r.run(T0 + 1500)).toBe("paused");
      } finally {
        bed.proxy.failing = () => false;
      }
      expect(r.message).toMatch(
        /^InconclusiveAnalysis: Metric "(latency|errors)" assessed Inconclusive due to inconclusive \(1\) > inconclusiveLimit \(0\)/,
      );
      const last = r.measurements().at(-1)!;
      expect(last.phase).toBe("Inconclusive");
      expect(last.at - from).toBeGreaterThanOrEqual(40);
      expect(last.at - from).toBeLessThan(60); // before consecutiveErrorLimit (6) × 10 s turns it into an abort
      const v = valueOf(last);
      expect(v.verdict).toBe("unavailable");
      expect(v.reason).toMatch(/metrics backend has failed for \d+s/);
      expect(v.error.code).toMatch(/^PROMETHEUS_/);
    });

    it("control: the same 5 min outage without unavailableAfter aborts with only a status code to go on", async () => {
      const templates = shippedTemplates();
      for (const t of templates)
        for (const m of t.spec.metrics) delete m.provider.web.jsonBody.unavailableAfter;
      const r = replay("argoGood", T0 + 6, templates);
      const from = T0 + 6 + 235;
      bed.proxy.failing = () => bed.clock.t >= from && bed.clock.t < from + 300;
      try {
        expect(await r.run(T0 + 1500)).toBe("aborted");
      } finally {
        bed.proxy.failing = () => false;
      }
      expect(r.message).toMatch(
        /consecutiveErrors \(7\) > consecutiveErrorLimit \(6\): "Error Message: received non 2xx response code: 503"$/,
      );
    });

    it("slogate restarted mid-rollout: the refused looks are Errors, the analysis goes on with no lost or doubled look", async () => {
      const r = replay("argoGood", T0 + 8);
      const down = T0 + 8 + 300;
      const state = await r.run(T0 + 1500, async (t) => {
        if (t === down) await bed.stopGate();
        if (t === down + 25) await bed.startGate();
      });
      expect(state).toBe("promoted");
      const refused = r.measurements().filter((m) => m.phase === "Error");
      expect(refused.length).toBeGreaterThanOrEqual(2);
      // A pooled connection the old process closed, then refused connections (Go: EOF, connection refused).
      for (const e of refused)
        expect(e.message).toMatch(
          /^Post "http:\/\/slogate.monitoring.svc:8080\/api\/v1\/verdict": (UND_ERR_SOCKET|ECONNREFUSED)$/,
        );
      const final = valueOf(lastOf(r, "latency"));
      const judged = r
        .measurements()
        .filter((m) => m.metric === "latency" && m.run !== r.runs[0]!.name && m.phase === "Successful");
      expect(final.analysis.look).toBe(judged.length);
    });

    it("an AnalysisRun retried after a fail starts a fresh attempt instead of replaying the closed analysis", async () => {
      const r = replay("argoBad", T0 + 10);
      expect(await r.run(T0 + 1500)).toBe("aborted");
      const firstStart = valueOf(r.runs[0]!.measurements().find((m) => m.metric === "latency")!);
      const firstFail = valueOf(lastOf(r, "latency"));
      expect(firstFail.analysis.id).toBe(firstStart.analysis.id);
      bed.clock.t += 120;
      const retriedAt = bed.clock.t;
      r.retry();
      expect(await r.run(T0 + 1700)).toBe("aborted");
      const starts = r.runs.filter((x) => /-0(\.\d+)?$/.test(x.name));
      expect(starts.map((x) => x.name)).toEqual(["checkout-7c9d5f6b8-2-0", "checkout-7c9d5f6b8-2-0.1"]);
      const second = valueOf(starts[1]!.measurements().find((m) => m.metric === "latency")!);
      expect(second.analysis).toMatchObject({
        attempt: firstStart.analysis.attempt + 1,
        status: "open",
        start: retriedAt,
      });
      expect(second.analysis.id).not.toBe(firstFail.analysis.id);
      const retriedLooks = r
        .measurements()
        .filter((m) => m.metric === "latency" && m.run === "checkout-7c9d5f6b8-2.1" && m.phase !== "Error");
      expect(valueOf(retriedLooks[0]!).analysis).toMatchObject({
        id: second.analysis.id,
        look: 1,
        replayed: false,
      });
      const again = valueOf(retriedLooks.at(-1)!);
      expect(again.verdict).toBe("fail");
      expect(again.analysis).toMatchObject({ id: second.analysis.id, replayed: false }); // judged on the retry's own data
    });

    it("an aborted and restarted rollout counts its looks from the restart, and the final look comes last", async () => {
      const r = replay("argoGood", T0 + 12);
      expect(await r.run(T0 + 12 + 300)).toBe("progressing");
      const before = valueOf(lastOf(r, "latency"));
      await r.abortByUser();
      expect(r.state).toBe("aborted");
      bed.clock.t += 60;
      const restart = bed.clock.t;
      r.retry();
      expect(await r.run(T0 + 1700)).toBe("promoted");
      const final = valueOf(lastOf(r, "latency"));
      expect(final).toMatchObject({ verdict: "pass", final: true, analysis: { start: restart } });
      expect(final.analysis.id).not.toBe(before.analysis.id);
      const looksAfterRestart = r
        .measurements()
        .filter(
          (m) =>
            m.metric === "latency" &&
            m.at >= restart &&
            m.phase === "Successful" &&
            !/-0(\.\d+)?$/.test(m.run),
        );
      expect(final.analysis.look).toBe(looksAfterRestart.length);
      // The first attempt was closed as aborted when the rollout started over.
      const first = await fetch(before.link, {
        headers: { Authorization: "Bearer change-me-to-a-long-random-token", Accept: "application/json" },
      });
      expect(((await first.json()) as any).analysis).toMatchObject({ status: "closed", outcome: "aborted" });
    });

    it("a token Secret in another namespace than the Rollout's errors the first AnalysisRun and aborts", async () => {
      bed.clock.t = T0 + 14;
      const env: ReplayEnv = {
        clock: bed.clock,
        baseUrl: () => bed.url(),
        expr,
        secrets: { monitoring: secrets().monitoring! },
      };
      const moved = new RolloutReplay(rolloutFor("ck-good"), shippedTemplates(), env, {
        latest: "7c9d5f6b8",
        stable: "6d4f8b9c7",
      });
      expect(await moved.run(T0 + 100)).toBe("aborted");
      expect(moved.message).toBe(
        'Step-based analysis phase error/failed: Unable to resolve metric arguments: secrets "slogate-token" not found',
      );
    });

    it.each([
      ["a phase other than start", { phase: "begin" }, /^phase: must be start or look$/],
      ["a malformed unavailableAfter", { unavailableAfter: "forty" }, /^unavailableAfter: must be seconds/],
    ])("refuses %s with 400 JSON before any query", async (_what, extra, message) => {
      const queries = bed.queries();
      const res = await fetch(`${bed.url()}/api/v1/verdict`, {
        method: "POST",
        headers: {
          Authorization: "Bearer change-me-to-a-long-random-token",
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ slo: "ck-good-latency", canary: "7c9d5f6b8", stable: "6d4f8b9c7", ...extra }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as any;
      expect(body.error.message).toMatch(message);
      expect(bed.queries()).toBe(queries);
    });
  });
});
