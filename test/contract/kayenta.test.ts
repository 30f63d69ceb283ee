/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- Argo objects read from YAML and JSON bodies are untyped by nature */
/**
 * Argo Rollouts' `kayenta` provider pointed at slogate's Kayenta-compatible API, replayed as
 * Argo runs it (./argo/kayenta-replay.ts: metricproviders/kayenta/kayenta.go, rules K1–K8 in
 * docs/controllers.md), with deploy/kayenta/analysis-template.yaml and rollout.yaml as shipped
 * — only the address' origin and the service name (application, canaryConfigName) changed —
 * against a real Prometheus, slogate on its own Kayenta listener (kayenta.port). A good canary
 * is promoted, a bad one aborted, an unknown config and a backend outage are Errors that never
 * promote, and executions survive a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { startHarnessService } from "../../src/testbed/service-harness.ts";
import { KayentaRolloutReplay, KayentaRunReplay } from "./argo/kayenta-replay.ts";
import {
  contractService,
  deployDoc,
  startContractBed,
  T0,
  type ContractBed,
  type ContractServiceName,
} from "./contract-bed.ts";

let bed: ContractBed;
let kayentaUrl = "";

beforeAll(async () => {
  bed = await startContractBed(15, "prometheus", "kayenta: { enabled: true, port: 0 }\n");
  kayentaUrl = bed.gate().kayentaUrl;
}, 120_000);

afterAll(async () => {
  await bed?.stop();
});

/** The shipped template for one bed service: application and canaryConfigName renamed. */
function templateFor(service: string, configName = service): any {
  const t = structuredClone(
    deployDoc("kayenta/analysis-template.yaml", "AnalysisTemplate", "slogate-kayenta"),
  );
  const k = t.spec.metrics[0].provider.kayenta;
  k.application = service;
  k.canaryConfigName = configName;
  return t;
}

function env(name: ContractServiceName) {
  const s = contractService(name);
  return {
    clock: bed.clock,
    origin: () => new URL(kayentaUrl).origin,
    hashes: { Latest: s.canary, Stable: s.stable },
    settle: async () => {
      try {
        await bed.gate().settled();
      } catch {
        // slogate is down: nothing runs
      }
    },
  };
}

function rolloutFor(name: ContractServiceName, template: any, t: number): KayentaRolloutReplay {
  bed.clock.t = t;
  return new KayentaRolloutReplay(
    deployDoc("kayenta/rollout.yaml", "Rollout", "checkout"),
    { "slogate-kayenta": template },
    env(name),
  );
}

describe("Argo's kayenta provider with deploy/kayenta/ as shipped", () => {
  it("lists a canary config per service and per SLO in Kayenta's shape", async () => {
    const res = await fetch(
      `${kayentaUrl}/canaryConfig?application=ck-good&configurationAccountName=slogate`,
    );
    expect(res.status).toBe(200);
    const configs = (await res.json()) as any[];
    const service = configs.find((c) => c.name === "ck-good");
    expect(service).toMatchObject({
      id: "service:ck-good",
      applications: ["ck-good"],
      slos: ["ck-good-latency", "ck-good-errors"],
    });
    expect(Number.isInteger(service.updatedTimestamp)).toBe(true);
    expect(service.updatedTimestampIso).toBe(new Date(service.updatedTimestamp).toISOString());
    expect(configs.find((c) => c.name === "ck-good-latency")).toMatchObject({
      id: "slo:ck-good-latency",
      slos: ["ck-good-latency"],
    });
    // The API is on its own listener: the main port does not serve it.
    expect((await fetch(`${bed.url()}/kayenta/canaryConfig`)).status).toBe(404);
  });

  it("a good canary: one execution over the 10 minutes of canary traffic scores 100 → Successful → promoted", async () => {
    const r = rolloutFor("argoGood", templateFor("ck-good"), T0);
    expect(await r.run(T0 + 1800)).toBe("promoted");
    const run = r.runs[0]!;
    expect(run.phase).toBe("Successful");
    // The call sequence: configs, the job, then a status read every 15 s until complete.
    const [list, job, ...polls] = run.requests;
    expect(list).toMatchObject({ method: "GET", status: 200, at: T0 + 600 });
    expect(list!.url).toMatch(
      /\/kayenta\/canaryConfig\?application=ck-good&configurationAccountName=slogate$/,
    );
    expect(job).toMatchObject({ method: "POST", status: 200, at: T0 + 600 });
    expect(job!.url).toMatch(
      /\/kayenta\/canary\/service:ck-good\?application=ck-good&metricsAccountName=prometheus&configurationAccountName=slogate&storageAccountName=slogate$/,
    );
    expect(JSON.parse(job!.body!)).toEqual({
      scopes: {
        default: {
          controlScope: {
            scope: contractService("argoGood").stable,
            region: "",
            step: 60,
            start: "",
            end: "",
          },
          experimentScope: {
            scope: contractService("argoGood").canary,
            region: "",
            step: 60,
            start: "",
            end: "",
          },
        },
      },
      thresholds: { pass: 90, marginal: 75 },
    });
    expect(Object.keys(JSON.parse(job!.response))).toEqual(["canaryExecutionId"]);
    expect(polls.length).toBeGreaterThanOrEqual(1);
    polls.forEach((p, i) => expect(p.at).toBe(T0 + 600 + 15 * (i + 1)));
    const status = JSON.parse(polls.at(-1)!.response);
    expect(status).toMatchObject({ complete: true, status: "succeeded" });
    expect(status.result.judgeResult.score).toMatchObject({ score: 100, classification: "Pass" });
    expect(run.measurements[0]!.value).toBe("100");
    // slogate's checks and the analysis page of each SLO travel with the result.
    const results = status.result.judgeResult.results as any[];
    expect(results.map((x) => x.name).sort()).toEqual(["ck-good-errors", "ck-good-latency"]);
    for (const x of results) {
      expect(x).toMatchObject({ verdict: "pass", final: true, looks: 10 });
      expect(Array.isArray(x.checks)).toBe(true);
      const link = new URL(x.link as string);
      const page = await fetch(`${bed.url()}${link.pathname}${link.search}`, {
        headers: { Accept: "application/json" },
      });
      expect(page.status).toBe(200);
      const a = (await page.json()) as any;
      expect(a.analysis).toMatchObject({ status: "closed", outcome: "promoted", start: T0 });
      expect(a.looks).toHaveLength(10);
    }
  });

  it("a bad canary: the execution fails → score 0 → Failed → aborted, with the reason in the result", async () => {
    const r = rolloutFor("argoBad", templateFor("ck-bad"), T0);
    expect(await r.run(T0 + 1800)).toBe("aborted");
    const run = r.runs[0]!;
    expect(run.phase).toBe("Failed");
    expect(run.measurements[0]).toMatchObject({ phase: "Failed", value: "0" });
    expect(r.message).toContain(
      'Metric "slogate-kayenta" assessed Failed due to failed (1) > failureLimit (0)',
    );
    const status = JSON.parse(run.requests.at(-1)!.response);
    expect(status.result.judgeResult.score).toMatchObject({ score: 0, classification: "Fail" });
    expect(status.result.judgeResult.score.classificationReason).toMatch(/ck-bad-latency: fail/);
  });

  it("an unknown canaryConfigName: Argo POSTs to /canary/ with no id → 404 → Errors, then an abort; never promoted", async () => {
    const r = rolloutFor("argoGood", templateFor("ck-good", "no-such-config"), T0 + 3600);
    expect(await r.run(T0 + 3600 + 1800)).toBe("aborted");
    const run = r.runs[0]!;
    expect(run.phase).toBe("Error");
    // consecutiveErrorLimit 4: the fifth consecutive Error ends the run; one every 10 s.
    expect(run.measurements.map((m) => m.phase)).toEqual(["Error", "Error", "Error", "Error", "Error"]);
    for (const m of run.measurements) expect(m.message).toBe("Invalid Response");
    const posts = run.requests.filter((q) => q.method === "POST");
    expect(posts).toHaveLength(5);
    for (const p of posts) {
      expect(p.url).toMatch(/\/kayenta\/canary\/\?application=ck-good&/);
      expect(p.status).toBe(404);
      expect(JSON.parse(p.response).error.hint).toContain("ck-good");
    }
    expect(posts.map((p) => p.at - posts[0]!.at)).toEqual([0, 10, 20, 30, 40]);
    expect(r.message).toContain("consecutiveErrors (5) > consecutiveErrorLimit (4)");
  });

  it("a backend outage: the execution ends without a score → Error (Missing Score), retried; never Successful", async () => {
    const start = T0 + 7200;
    const r = rolloutFor("argoGood", templateFor("ck-good"), start);
    bed.proxy.failing = () => true;
    try {
      expect(await r.run(start + 1800)).toBe("aborted");
    } finally {
      bed.proxy.failing = () => false;
    }
    const run = r.runs[0]!;
    expect(run.phase).toBe("Error");
    expect(run.measurements).toHaveLength(5);
    for (const m of run.measurements) {
      expect(m).toMatchObject({ phase: "Error", message: "Missing Score" });
      expect(m.value).toBeUndefined();
    }
    const terminal = JSON.parse(run.requests.filter((q) => q.method === "GET").at(-1)!.response);
    expect(terminal).toMatchObject({ complete: true, status: "terminal" });
    expect(terminal.result).toBeUndefined();
    expect(terminal.exception.code).toMatch(/^PROMETHEUS_|LOOK_DEADLINE/);
  });

  it("a short outage costs one Error: the next measurement, 10 s later, is judged and promotes", async () => {
    const start = T0 + 200;
    const r = rolloutFor("argoGood", templateFor("ck-good"), start);
    // The execution runs (in the background) before the first status read at +615: make it fail.
    const outageEnds = start + 600 + 20;
    bed.proxy.failing = () => bed.clock.t < outageEnds;
    try {
      expect(await r.run(start + 1800)).toBe("promoted");
    } finally {
      bed.proxy.failing = () => false;
    }
    expect(r.runs[0]!.measurements.map((m) => m.phase)).toEqual(["Error", "Successful"]);
  });

  it("an execution survives a restart: stored while its window is ahead, judged once the clock reaches its end", async () => {
    bed.clock.t = T0 + 300;
    const body = {
      scopes: {
        default: {
          controlScope: {
            scope: contractService("argoGood").stable,
            region: "",
            step: 60,
            start: "",
            end: "",
          },
          experimentScope: {
            scope: contractService("argoGood").canary,
            region: "",
            step: 60,
            start: new Date(T0 * 1000).toISOString(),
            end: new Date((T0 + 600) * 1000).toISOString(),
          },
        },
      },
      thresholds: { pass: 90, marginal: 75 },
    };
    const post = await fetch(`${kayentaUrl}/canary/slo:ck-good-errors?application=ck-good`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(post.status).toBe(200);
    const { canaryExecutionId: id } = (await post.json()) as any;
    const waiting = (await (await fetch(`${kayentaUrl}/canary/${id}`)).json()) as any;
    expect(waiting).toMatchObject({ complete: false, status: "running" });
    await bed.stopGate();
    await bed.startGate();
    kayentaUrl = bed.gate().kayentaUrl;
    bed.clock.t = T0 + 615;
    await fetch(`${kayentaUrl}/canary/${id}`);
    await bed.gate().settled();
    const done = (await (await fetch(`${kayentaUrl}/canary/${id}`)).json()) as any;
    expect(done).toMatchObject({ complete: true, status: "succeeded" });
    expect(done.result.judgeResult.score.score).toBe(100);
    expect(done.result.judgeResult.results).toHaveLength(1);
  });

  it("refuses thresholds that cannot tell fail from inconclusive, and unknown executions", async () => {
    const run = new KayentaRunReplay(
      (() => {
        const t = templateFor("ck-good");
        t.spec.metrics[0].provider.kayenta.threshold = { pass: 90, marginal: 0 };
        return t;
      })(),
      {
        "canary-hash": contractService("argoGood").canary,
        "stable-hash": contractService("argoGood").stable,
      },
      env("argoGood"),
    );
    await run.reconcile();
    expect(run.measurements[0]).toMatchObject({ phase: "Error", message: "Invalid Response" });
    const post = run.requests.find((q) => q.method === "POST")!;
    expect(post.status).toBe(400);
    expect(JSON.parse(post.response).error.message).toContain("0 < marginal < pass");
    const unknown = await fetch(`${kayentaUrl}/canary/0123456789abcdef0123456789abcdef`);
    expect(unknown.status).toBe(404);
  });

  it.each([
    ["no scopes", { thresholds: { pass: 90, marginal: 75 } }, "scopes"],
    [
      "a scope without experimentScope",
      { scopes: { default: { controlScope: { scope: "a", step: 60 } } } },
      "experimentScope",
    ],
    [
      "a regex scope",
      {
        scopes: {
          default: { controlScope: { scope: "app=~x", step: 60 }, experimentScope: { scope: "b", step: 60 } },
        },
      },
      "only equalities",
    ],
    [
      "a negative step",
      {
        scopes: {
          default: { controlScope: { scope: "a", step: 60 }, experimentScope: { scope: "b", step: -1 } },
        },
      },
      "step",
    ],
    [
      "a millisecond start",
      {
        scopes: {
          default: {
            controlScope: { scope: "a", step: 60 },
            experimentScope: { scope: "b", step: 60, start: "1700000000000" },
          },
        },
      },
      "milliseconds",
    ],
    [
      "an end before the start",
      {
        scopes: {
          default: {
            controlScope: { scope: "a", step: 60 },
            experimentScope: {
              scope: "b",
              step: 60,
              start: "2023-11-14T23:00:00Z",
              end: "2023-11-14T22:00:00Z",
            },
          },
        },
      },
      "empty or longer than 7 days",
    ],
  ])("refuses %s with a 400 that says why (Argo: Error)", async (_label, body, message) => {
    const res = await fetch(`${kayentaUrl}/canary/service:ck-good?application=ck-good`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain(message);
  });
});

describe("the Kayenta API on the main listener, behind a path secret", () => {
  const SECRET = "kayenta-secret-0123456789";
  let gate: GateService;

  beforeAll(async () => {
    gate = await startHarnessService({
      prometheusUrl: bed.prometheus.url,
      slosDir: bed.slosDir,
      now: () => bed.clock.t,
      configYaml: [
        "kayenta:",
        "  enabled: true",
        `  secret: ${SECRET}`,
        "  locationLabel: region",
        "  configs:",
        "    ck-good-errors: {judge: kayenta}",
        "    ck-good: {scopeLabel: version}",
      ].join("\n"),
    });
  }, 60_000);

  afterAll(async () => {
    await gate?.close();
  });

  /** A Kayenta request as a Spinnaker user would send it: explicit window, given scopes. */
  async function execute(config: string, control: string, experiment: string, region = ""): Promise<any> {
    bed.clock.t = T0 + 1200;
    const scope = (s: string) => ({
      scope: s,
      location: region,
      step: 60,
      start: new Date((T0 + 60) * 1000).toISOString(),
      end: new Date((T0 + 660) * 1000).toISOString(),
    });
    const post = await fetch(`${gate.url}/kayenta/${SECRET}/canary/${config}?application=ck-good`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        scopes: { default: { controlScope: scope(control), experimentScope: scope(experiment) } },
        thresholds: { pass: 95, marginal: 75 },
      }),
    });
    expect(post.status, await post.clone().text()).toBe(200);
    const { canaryExecutionId } = (await post.json()) as any;
    await gate.settled();
    return (await (await fetch(`${gate.url}/kayenta/${SECRET}/canary/${canaryExecutionId}`)).json()) as any;
  }

  it("serves the API only under the secret: another secret or none is a 404 that says nothing", async () => {
    expect(gate.kayentaUrl).toBe(`${gate.url}/kayenta/${SECRET}`);
    expect((await fetch(`${gate.url}/kayenta/${SECRET}/canaryConfig`)).status).toBe(200);
    for (const path of ["/kayenta/canaryConfig", "/kayenta/wrong-secret-0123456789/canaryConfig"]) {
      const res = await fetch(`${gate.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(JSON.stringify(await res.json())).not.toContain(SECRET);
    }
  });

  it("label equalities as scopes become matchers (the form of Argo's Kayenta docs)", async () => {
    const s = contractService("argoGood");
    const done = await execute(
      "slo:ck-good-latency",
      `rollouts-pod-template-hash=${s.stable}`,
      `rollouts-pod-template-hash=${s.canary}`,
    );
    expect(done).toMatchObject({ complete: true, status: "succeeded" });
    expect(done.result.judgeResult.score.score).toBe(100);
    expect(done.window).toEqual({
      start: new Date((T0 + 60) * 1000).toISOString(),
      end: new Date((T0 + 660) * 1000).toISOString(),
      intervalSeconds: 60,
    });
  });

  it("a location becomes a matcher on locationLabel: a region with no series is nodata — Inconclusive, never a pass", async () => {
    const s = contractService("argoGood");
    const done = await execute("slo:ck-good-latency", s.stable, s.canary, "eu-west-1");
    expect(done.result.judgeResult.score).toMatchObject({ score: 75, classification: "Nodata" });
    expect(done.result.judgeResult.results[0].verdict).toBe("nodata");
  });

  it("a per-config scopeLabel matches bare scope values on that label instead of the SLO's selection", async () => {
    const s = contractService("argoGood");
    // The bed's series carry no `version` label: the override is what makes both arms unseen.
    const done = await execute("service:ck-good", s.stable, s.canary);
    expect(done.result.judgeResult.results.map((x: any) => x.verdict)).toEqual(["nodata", "nodata"]);
    expect(done.result.judgeResult.score.score).toBe(75);
    expect(done.result.judgeResult.results[0].classificationReason).toContain('version="');
  });

  it("a per-config judge override judges like Kayenta for a like-for-like migration", async () => {
    const s = contractService("argoGood");
    const done = await execute("slo:ck-good-errors", s.stable, s.canary);
    expect(done.result.judgeResult.results[0]).toMatchObject({ judge: "kayenta", final: true });
    const other = await execute("slo:ck-good-latency", s.stable, s.canary);
    expect(other.result.judgeResult.results[0].judge).toBe("sequential");
  });
});
