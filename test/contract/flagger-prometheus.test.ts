/* eslint-disable @typescript-eslint/no-explicit-any -- Canary objects read from YAML and JSON bodies are untyped by nature */
/**
 * Flagger's `prometheus` metric provider pointed at slogate's Prometheus-compatible query API,
 * replayed as Flagger runs it (./flagger/flagger-replay.ts: scheduler_metrics.go
 * runMetricChecks and checkMetricProviderAvailability, providers/prometheus.go RunQuery; rules
 * in docs/controllers.md), with deploy/flagger/prometheus-canary.yaml as shipped — the
 * MetricTemplate, its Secret and the Canary unchanged but for the cluster address and the
 * service's name — against a real Prometheus. A good canary is promoted, a bad one rolled
 * back, an unknown SLO service and a backend outage never pass.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanaryReplay } from "./flagger/flagger-replay.ts";
import {
  contractService,
  deployDoc,
  deployDocs,
  startContractBed,
  T0,
  type ContractBed,
  type ContractServiceName,
} from "./contract-bed.ts";

let bed: ContractBed;

beforeAll(async () => {
  bed = await startContractBed(14);
}, 120_000);

afterAll(async () => {
  await bed?.stop();
});

const FILE = "flagger/prometheus-canary.yaml";

/** The shipped Canary for one bed service: only the target's name is the scenario's. */
function canaryFor(service: string): any {
  const c = structuredClone(deployDoc(FILE, "Canary", "payments"));
  c.metadata.name = service;
  c.spec.targetRef.name = service;
  return c;
}

/** The cluster: the shipped MetricTemplate and Secret, by `<namespace>/<name>`. */
function cluster(secretOverride?: Record<string, string>): {
  metricTemplates: Record<string, any>;
  secrets: Record<string, Record<string, string>>;
} {
  const t = deployDoc(FILE, "MetricTemplate", "slogate-verdict");
  const s = deployDocs(FILE).find((d) => d.kind === "Secret")!;
  return {
    metricTemplates: { [`${t.metadata.namespace}/${t.metadata.name}`]: t },
    secrets: { [`${s.metadata.namespace}/${s.metadata.name}`]: secretOverride ?? s.stringData },
  };
}

let revisions = 1;

function replay(name: ContractServiceName, t: number, secretOverride?: Record<string, string>): CanaryReplay {
  bed.clock.t = t;
  const r = new CanaryReplay(canaryFor(contractService(name).service), {
    clock: bed.clock,
    baseUrl: () => bed.url(),
    ...cluster(secretOverride),
  });
  r.targetSpec = `revision-${++revisions}`;
  return r;
}

const checks = (r: CanaryReplay) => r.queries.filter((q) => !q.url.includes("query=vector%281%29"));

describe("Flagger's prometheus provider with deploy/flagger/prometheus-canary.yaml as shipped", () => {
  it("the availability probe vector(1) answers 1 as a JSON string", async () => {
    const r = replay("flaggerGood", T0 - 120);
    await r.checkMetricProviders();
    expect(r.queries).toHaveLength(1);
    const q = r.queries[0]!;
    expect(q.url).toMatch(/\/api\/v1\/query\?query=vector%281%29$/);
    expect(q.headers.Authorization).toBe("Bearer change-me-to-a-long-random-token");
    expect(q.status).toBe(200);
    expect(JSON.parse(q.body).data.result[0].value[1]).toBe("1");
    expect(r.events.at(-1)!.message).toBe("all the metrics providers are available!");
  });

  it("a good canary: one look per iteration with weight, each 1 (pass) → promoted", async () => {
    const r = replay("flaggerGood", T0 - 60);
    await r.checkMetricProviders();
    expect(await r.run(T0 + 1500)).toBe("Succeeded");
    expect(r.failedChecks).toBe(0);
    const c = checks(r);
    // Weights 10 … 50: a check at each of the five iterations with traffic on the canary.
    expect(c).toHaveLength(5);
    for (const q of c) {
      expect(q.status, q.body).toBe(200);
      expect(q.value).toBe(1);
      const body = JSON.parse(q.body);
      expect(body.status).toBe("success");
      expect(body.data.resultType).toBe("vector");
      // A JSON string: a bare number would be ignored by Flagger ("no values found").
      expect(typeof body.data.result[0].value[1]).toBe("string");
      expect(body.data.result[0].metric).toMatchObject({
        __name__: "slogate_verdict",
        slo: "pay-good-latency,pay-good-errors",
        verdict: "pass",
        target: "pay-good",
        namespace: "shop",
      });
    }
    // The rendered query as Flagger sends it: whitespace collapsed, Go's query escaping.
    expect(decodeURIComponent(c[0]!.url.split("query=")[1]!.replace(/\+/g, " "))).toBe(
      'slogate_verdict{ service="pay-good", target="pay-good", namespace="shop", interval="1m" } ',
    );
    // Each check is a look of one analysis per SLO; the analysis page link is in the answer.
    const infos = JSON.parse(c.at(-1)!.body).infos as string[];
    expect(infos).toHaveLength(2);
    const link = new URL(/\((http[^)]+)\)$/.exec(infos[0]!)![1]!);
    const res = await fetch(`${bed.url()}${link.pathname}${link.search}`, {
      headers: { Accept: "application/json" },
    });
    expect(res.status).toBe(200);
    const a = (await res.json()) as any;
    expect(a.analysis).toMatchObject({ status: "open", controller: "flagger" });
    expect(a.looks).toHaveLength(5);
  });

  it("a bad canary: the look that fails answers 0, the next iteration too → threshold → rolled back", async () => {
    const r = replay("flaggerBad", T0 - 60);
    expect(await r.run(T0 + 1500)).toBe("Failed");
    const c = checks(r);
    const firstFail = c.findIndex((q) => q.value === 0);
    expect(firstFail).toBeGreaterThanOrEqual(0);
    expect(c.slice(0, firstFail).every((q) => q.value === 1)).toBe(true);
    // The failed analysis keeps answering 0: threshold (2) failed checks roll back.
    expect(c.slice(firstFail).map((q) => q.value)).toEqual([0, 0]);
    expect(JSON.parse(c[firstFail]!.body).data.result[0].metric.verdict).toBe("fail");
    expect(r.failedChecks).toBe(2);
    expect(r.events.map((e) => e.message)).toContain("Halt pay-bad.shop advancement slogate 0.00 < 1");
    expect(r.events.map((e) => e.message)).toContain(
      "Rolling back pay-bad.shop failed checks threshold reached 2",
    );
    const linkOf = (body: string) => /\((http[^)]+)\)$/.exec((JSON.parse(body).infos as string[])[0]!)![1]!;
    expect(linkOf(c.at(-1)!.body)).toContain("/analyses/promq:shop:pay-bad:pay-bad-latency");
    expect(linkOf(c.at(-1)!.body)).not.toContain("pay-bad-latency:2");
    // A query after a silence longer than 3 × interval (5 min at least) is a new rollout: a new
    // attempt, judged afresh on its own window.
    bed.clock.t = c.at(-1)!.at + 301;
    const res = await fetch(
      `${bed.url()}/api/v1/query?query=${encodeURIComponent('slogate_verdict{service="pay-bad", target="pay-bad", namespace="shop", interval="1m"}')}`,
      { headers: { Authorization: "Bearer change-me-to-a-long-random-token" } },
    );
    const again = await res.text();
    expect(res.status, again).toBe(200);
    expect(linkOf(again)).toContain("/analyses/promq:shop:pay-bad:pay-bad-latency:2");
  });

  it("a canary no series matches answers -2 (nodata) once the grace is over: never promoted", async () => {
    const r = replay("flaggerNone", T0 - 60);
    expect(await r.run(T0 + 1500)).toBe("Failed");
    const values = checks(r).map((q) => q.value);
    expect(values).not.toContain(1);
    expect(values).toContain(-2);
  });

  it("an unknown service is a Prometheus error (400 bad_data): a failed check with the reason", async () => {
    const r = replay("flaggerGood", T0 + 2000);
    r.canary.metadata.name = "no-such-service";
    r.canary.spec.targetRef.name = "no-such-service";
    expect(await r.run(T0 + 2000 + 600)).toBe("Failed");
    const c = checks(r);
    expect(c.length).toBe(2);
    for (const q of c) {
      expect(q.status).toBe(404);
      const body = JSON.parse(q.body);
      expect(body).toMatchObject({ status: "error", errorType: "bad_data" });
      expect(body.error).toContain('no SLO of service "no-such-service"');
      expect(q.error).toBe(`error response: ${q.body}`);
    }
  });

  it("a backend outage is 503 unavailable, never a value: each check fails, no look is recorded", async () => {
    const r = replay("flaggerGood", T0 + 3000);
    bed.proxy.failing = () => true;
    try {
      expect(await r.run(T0 + 3000 + 600)).toBe("Failed");
    } finally {
      bed.proxy.failing = () => false;
    }
    const c = checks(r);
    expect(c.length).toBe(2);
    for (const q of c) {
      expect(q.status).toBe(503);
      expect(JSON.parse(q.body)).toMatchObject({ status: "error", errorType: "unavailable" });
      expect(q.value).toBeUndefined();
    }
    expect(
      r.events.some((e) => e.message.startsWith("Metric query failed for slogate: error response:")),
    ).toBe(true);
  });

  it("basic auth with the token as the password is accepted; a wrong token is 401, never a value", async () => {
    const ok = replay("flaggerGood", T0 - 120, {
      username: "flagger",
      password: "change-me-to-a-long-random-token",
    });
    await ok.checkMetricProviders();
    expect(ok.queries[0]!.headers.Authorization).toMatch(/^Basic /);
    expect(ok.queries[0]!.value).toBe(1);
    const bad = replay("flaggerGood", T0 - 120, { token: "not-the-token-at-all" });
    await bad.checkMetricProviders();
    expect(bad.queries[0]!.status).toBe(401);
    expect(JSON.parse(bad.queries[0]!.body)).toMatchObject({ status: "error" });
    expect(bad.events.at(-1)!.message).toContain("not avaiable");
  });

  it("anything but the documented language is a Prometheus bad_data error", async () => {
    for (const query of [
      "up",
      'sum(rate(http_requests_total{service="pay-good"}[1m]))',
      'slogate_verdict{slo=~".*"}',
    ]) {
      const res = await fetch(`${bed.url()}/api/v1/query?query=${encodeURIComponent(query)}`, {
        headers: { Authorization: "Bearer change-me-to-a-long-random-token" },
      });
      expect(res.status, query).toBe(400);
      expect(await res.json()).toMatchObject({ status: "error", errorType: "bad_data" });
    }
    // POST with a form body, as Prometheus accepts.
    const res = await fetch(`${bed.url()}/api/v1/query`, {
      method: "POST",
      headers: {
        Authorization: "Bearer change-me-to-a-long-random-token",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ query: "vector(1)" }).toString(),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).data.result[0].value[1]).toBe("1");
  });
});
