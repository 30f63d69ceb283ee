/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- JSON bodies of HTTP responses are untyped by nature */
/**
 * OpenSLO DataSources are used: two real Prometheus servers hold the same service, same pod
 * hashes and same metric names — healthy in A, an error-spike canary in B. One OpenSLO file
 * has two SLOs with the same queries, one naming DataSource `prom-a` (A, the service's own
 * `prometheus.url`), one naming `prom-b` (B behind a loopback proxy that records what it is
 * sent, with an `X-Scope-OrgID` header in its connectionDetails). The service judges each SLO
 * from its own backend: the SLO on B fails, the one on A passes, each arm counted exactly from
 * its own backend's raw counters (the same SLO read from the wrong backend would get the other
 * verdict and other counts: that is the negative control). B gets the DataSource's header and
 * none of the service's `prometheus.headers`; the header's value is never logged or served.
 * With B down only the SLO on B answers 503 (naming its DataSource), the other is still judged,
 * and `/readyz` stays ready while listing B as failing.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { SCENARIOS } from "../../src/sim/scenarios.ts";
import { scrapeTruth, simulateScrapes, type SimScrapes } from "../../src/sim/scrapes.ts";
import { BED_START } from "../../src/testbed/gate-bed.ts";
import { startPrometheus, type PrometheusBed } from "../../src/testbed/prometheus.ts";
import { armMatchersOf } from "../../src/main/arm-readers.ts";
import { getJson, memoryLogger, postJson, startHarnessService } from "../../src/testbed/service-harness.ts";

const TENANT = "tenant-b-8f3e1c";
const SERVICE_SECRET = "service-header-5d1a";
const LOOKS = 10;
const INTERVAL = 180;

/** A loopback proxy to `target` recording each request's headers; `stop()` closes its port. */
async function recordingProxy(target: string): Promise<{
  url: string;
  seen: IncomingHttpHeaders[];
  stop(): Promise<void>;
}> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    const up = request(new URL(req.url ?? "/", target), {
      method: req.method,
      headers: { ...req.headers, host: new URL(target).host },
    });
    up.on("response", (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const healthy = { ...SCENARIOS.healthy, service: "web" };
const spike = SCENARIOS["error-spike"];
// The same pods' hashes in both backends: only the data differs.
const errors = {
  ...spike,
  service: "web",
  canary: { ...spike.canary, hash: healthy.canary.hash },
  stable: { ...spike.stable, hash: healthy.stable.hash },
};

function slosYaml(urlA: string, urlB: string): string {
  const slo = (name: string, ds: string): string => `---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: ${name}
spec:
  service: web
  budgetingMethod: Occurrences
  indicator:
    metadata:
      name: ${name}-errors
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            metricSourceRef: ${ds}
            spec:
              query: sum(http_requests_total{service="web",code=~"5.."})
        total:
          metricSource:
            metricSourceRef: ${ds}
            spec:
              query: sum(http_requests_total{service="web"})
  objectives:
    - target: 0.99
`;
  return `apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prom-a
spec:
  type: Prometheus
  connectionDetails:
    - url: ${urlA}
---
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prom-b
spec:
  type: Prometheus
  connectionDetails:
    - url: ${urlB}
    - headers:
        X-Scope-OrgID: ${TENANT}
${slo("on-a", "prom-a")}${slo("on-b", "prom-b")}`;
}

let a: PrometheusBed;
let b: PrometheusBed;
let simA: SimScrapes;
let simB: SimScrapes;
let proxy: Awaited<ReturnType<typeof recordingProxy>>;
let gate: GateService;
let dir = "";
const logger = memoryLogger();

beforeAll(async () => {
  simA = simulateScrapes(healthy, { seed: "ds-a", start: BED_START });
  simB = simulateScrapes(errors, { seed: "ds-b", start: BED_START });
  [a, b] = await Promise.all([
    startPrometheus({ history: simA.series }),
    startPrometheus({ history: simB.series }),
  ]);
  proxy = await recordingProxy(b.url);
  dir = mkdtempSync(join(tmpdir(), "slogate-ds-backends-"));
  writeFileSync(join(dir, "slos.yaml"), slosYaml(a.url, proxy.url));
  gate = await startHarnessService({
    prometheusUrl: a.url,
    slosDir: dir,
    logger,
    configYaml: `prometheus:\n  headers:\n    X-Service-Secret: ${SERVICE_SECRET}\n`,
  });
}, 120_000);

afterAll(async () => {
  await gate?.close();
  await proxy?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

async function look(slo: string, analysis: string, k: number): Promise<{ status: number; body: any }> {
  return postJson(`${gate.url}/api/v1/verdict`, {
    slo,
    canary: healthy.canary.hash,
    stable: healthy.stable.hash,
    analysis,
    count: LOOKS,
    start: BED_START,
    time: BED_START + k * INTERVAL,
  });
}

async function run(slo: string, analysis: string): Promise<any[]> {
  const bodies: any[] = [];
  for (let k = 1; k <= LOOKS; k++) {
    const r = await look(slo, analysis, k);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    bodies.push(r.body);
    if (r.body.verdict === "fail") break;
  }
  return bodies;
}

/** Looks the analysis on B took before it failed (set by the fail-on-B test). */
let looksOnB = 0;

describe("SLOs naming OpenSLO DataSources are read from those backends", () => {
  it("serves both SLOs with a note saying which backend each is read from, and no problem", async () => {
    const r = await getJson(`${gate.url}/api/v1/slos`);
    expect(r.body.status.problems).toEqual([]);
    const notes = Object.fromEntries(r.body.slos.map((s: any) => [s.id, s.notes ?? []]));
    const sources = Object.fromEntries(r.body.slos.map((s: any) => [s.id, s.dataSource]));
    expect(sources).toEqual({
      "web-on-a": { name: "prom-a", url: a.url },
      "web-on-b": { name: "prom-b", url: proxy.url },
    });
    expect(notes["web-on-a"]).toContain(
      `DataSource "prom-a": read from the service's backend ${a.url} (prometheus.url)`,
    );
    expect(notes["web-on-b"]).toContain(
      `DataSource "prom-b": read from ${proxy.url} (its own client and read queue; headers X-Scope-OrgID; no credentials)`,
    );
  });

  it("fails the canary bad only in backend B, and passes the same SLO on A, each counted exactly from its own backend", async () => {
    const onB = await run("web-on-b", "ds-b");
    looksOnB = onB.length;
    const onA = await run("web-on-a", "ds-a");
    expect(onA.map((x) => x.verdict)).toEqual(Array(LOOKS).fill("pass"));
    expect(onB.at(-1).verdict).toBe("fail");
    expect(onB.length).toBeLessThan(LOOKS);
    const lastA = onA.at(-1);
    const lastB = onB.at(-1);
    for (const arm of ["canary", "stable"] as const) {
      const truthA = scrapeTruth(simA, arm, BED_START, BED_START + LOOKS * INTERVAL)!;
      const truthB = scrapeTruth(simB, arm, BED_START, BED_START + onB.length * INTERVAL)!;
      expect([lastA.arms[arm].total, lastA.arms[arm].bad]).toEqual([truthA.total, truthA.bad]);
      expect([lastB.arms[arm].total, lastB.arms[arm].bad]).toEqual([truthB.total, truthB.bad]);
    }
    // Negative control: the backends hold different data for the same series.
    const truthA = scrapeTruth(simA, "canary", BED_START, BED_START + onB.length * INTERVAL)!;
    expect(lastB.arms.canary.bad).toBeGreaterThan(2 * truthA.bad);
  });

  it("captures baselines from the SLO's own backend", async () => {
    const at = BED_START;
    const caught = await Promise.all(
      ["web-on-a", "web-on-b"].map((slo) =>
        postJson(`${gate.url}/api/v1/baselines`, {
          slo,
          stable: healthy.stable.hash,
          time: at,
          windowSeconds: 1800,
        }),
      ),
    );
    const [onA, onB] = caught.map((r) => {
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.baseline.counts;
    });
    const truthA = scrapeTruth(simA, "stable", at - 1800, at)!;
    const truthB = scrapeTruth(simB, "stable", at - 1800, at)!;
    expect([onA.total, onA.bad]).toEqual([truthA.total, truthA.bad]);
    expect([onB.total, onB.bad]).toEqual([truthB.total, truthB.bad]);
    expect(onA.total).not.toBe(onB.total);
  });

  it("sends B the DataSource's header and none of the service's headers; never logs or serves its value", async () => {
    // Every look on B and the baseline capture went through the proxy (a look reads at least once).
    expect(looksOnB).toBeGreaterThan(0);
    expect(proxy.seen.length).toBeGreaterThan(looksOnB);
    expect(proxy.seen.every((h) => h["x-scope-orgid"] === TENANT)).toBe(true);
    expect(proxy.seen.some((h) => h["x-service-secret"] !== undefined)).toBe(false);
    const ready = await getJson(`${gate.url}/readyz`);
    const slos = await getJson(`${gate.url}/api/v1/slos`);
    for (const text of [logger.lines.join("\n"), JSON.stringify(ready.body), JSON.stringify(slos.body)]) {
      expect(text).not.toContain(TENANT);
      expect(text).not.toContain(SERVICE_SECRET);
    }
    expect(logger.lines.join("\n")).toContain("X-Scope-OrgID");
  });

  it("backtests read from the SLO's own backend", async () => {
    const selectors = {
      canary: armMatchersOf(gate.catalog.get("web-on-a"), "canary", healthy.canary.hash),
      stable: armMatchersOf(gate.catalog.get("web-on-a"), "stable", healthy.stable.hash),
    };
    const replay = (slo: string) =>
      gate.backtest({
        slo: gate.catalog.get(slo),
        selectors,
        from: BED_START,
        to: BED_START + LOOKS * INTERVAL,
        intervalSeconds: INTERVAL,
      });
    const [onA, onB] = await Promise.all([replay("web-on-a"), replay("web-on-b")]);
    expect(onA.firstFail).toBeUndefined();
    expect(onA.looks).toHaveLength(LOOKS);
    expect(onB.firstFail).toBeDefined();
  });

  it("backends.<DataSource name> adds credentials and headers for B, and still none of the service's", async () => {
    const token = join(dir, "token");
    writeFileSync(token, "b-token-77e2\n");
    const other = await startHarnessService({
      prometheusUrl: a.url,
      slosDir: dir,
      configYaml: `prometheus:\n  headers:\n    X-Service-Secret: ${SERVICE_SECRET}\nbackends:\n  prom-b:\n    headers: {X-Extra: extra-1}\n    auth: {bearerTokenFile: ${token}}\n`,
    });
    try {
      expect(other.catalog.get("web-on-b").notes).toContain(
        `DataSource "prom-b": read from ${proxy.url} (its own client and read queue; headers X-Scope-OrgID, X-Extra; credentials and TLS of backends.prom-b)`,
      );
      const before = proxy.seen.length;
      const r = await postJson(`${other.url}/api/v1/verdict`, {
        slo: "web-on-b",
        canary: healthy.canary.hash,
        stable: healthy.stable.hash,
        analysis: "ds-b-entry",
        start: BED_START,
        time: BED_START + INTERVAL,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const sent = proxy.seen.slice(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const h of sent) {
        expect([h.authorization, h["x-extra"], h["x-scope-orgid"], h["x-service-secret"]]).toEqual([
          "Bearer b-token-77e2",
          "extra-1",
          TENANT,
          undefined,
        ]);
      }
    } finally {
      await other.close();
    }
  });

  it("with B down only the SLO on B answers 503, naming its DataSource; the SLO on A is still judged and the replica stays ready", async () => {
    await proxy.stop();
    const downB = await look("web-on-b", "ds-b-down", 2);
    expect(downB.status).toBe(503);
    expect(downB.body.error.code).toBe("PROMETHEUS_UNAVAILABLE");
    expect(downB.body.error.message).toMatch(
      /^DataSource "prom-b" of SLO web-on-b: cannot reach Prometheus at /,
    );
    expect(downB.body.error.details.dataSource).toBe("prom-b");
    // A first look (empty window) probes the SLO's own backend: still 503, never a pass.
    const first = await look("web-on-b", "ds-b-first", 0);
    expect(first.status).toBe(503);
    expect(first.body.error.details.dataSource).toBe("prom-b");
    const upA = await look("web-on-a", "ds-a-while-b-down", 2);
    expect(upA.status, JSON.stringify(upA.body)).toBe(200);
    expect(upA.body.verdict).toBe("pass");
    // Readiness is cached for 5 s: wait for a probe taken after B went down.
    let ready = await getJson(`${gate.url}/readyz`);
    for (let i = 0; i < 40 && ready.body.backends?.[0]?.ok !== false; i++) {
      await new Promise((r) => setTimeout(r, 250));
      ready = await getJson(`${gate.url}/readyz`);
    }
    expect(ready.status).toBe(200);
    expect(ready.body.checks.prometheus.ok).toBe(true);
    expect(ready.body.backends.map((x: any) => [x.name, x.url, x.slos, x.ok])).toEqual([
      ['DataSource "prom-b"', proxy.url, ["web-on-b"], false],
    ]);
    expect(ready.body.backends[0].error.code).toBe("PROMETHEUS_UNAVAILABLE");
  });

  it("drops B's client when a reload leaves no SLO reading from it", async () => {
    writeFileSync(
      join(dir, "slos.yaml"),
      slosYaml(a.url, proxy.url).split("---\napiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: on-b")[0]!,
    );
    await gate.catalog.reload();
    expect(gate.catalog.list().map((x) => x.id)).toEqual(["web-on-a"]);
    expect(
      logger.lines.some((l) => l.includes("no longer used by a served SLO") && l.includes(proxy.url)),
    ).toBe(true);
    // Readiness is cached for 5 s: wait for a probe taken after the reload.
    let ready = await getJson(`${gate.url}/readyz`);
    for (let k = 0; k < 60 && ready.body.backends !== undefined; k++) {
      await new Promise((r) => setTimeout(r, 250));
      ready = await getJson(`${gate.url}/readyz`);
    }
    expect(ready.body.backends).toBeUndefined();
  });
});
