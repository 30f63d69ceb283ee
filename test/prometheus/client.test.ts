import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSlogateError, type ErrorCode } from "../../src/errors.ts";
import { HttpPrometheusClient, type QueryObservation } from "../../src/prometheus/http-client.ts";
import { scanMatrix } from "../../src/prometheus/matrix-scan.ts";
import { simulateScrapes } from "../../src/sim/scrapes.ts";
import { SCENARIOS } from "../../src/sim/scenarios.ts";
import { freePort } from "../../src/testbed/free-port.ts";
import { BACKEND_KINDS, startMetricsBackend } from "../../src/testbed/metrics-backend.ts";
import { startPrometheus, type PrometheusBed } from "../../src/testbed/prometheus.ts";
import { startLocalServer, type LocalServer } from "./local-server.ts";

const START = 1_700_000_000;

async function codeOf(p: Promise<unknown>): Promise<ErrorCode | "resolved"> {
  try {
    await p;
    return "resolved";
  } catch (e) {
    if (isSlogateError(e)) return e.code;
    throw e;
  }
}

describe.each(BACKEND_KINDS)("HttpPrometheusClient against a real %s", (kind) => {
  let bed: PrometheusBed;
  const sim = simulateScrapes(SCENARIOS.healthy, { seed: 4, start: START });
  beforeAll(async () => {
    bed = await startMetricsBackend(kind, { history: sim.series });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it("runs instant queries of every result type", async () => {
    const c = new HttpPrometheusClient({ url: bed.url });
    const v = await c.query("count by (rollouts_pod_template_hash) (http_requests_total)", START + 1800);
    expect(v.type).toBe("vector");
    if (v.type === "vector") {
      expect(v.samples.map((s) => s.labels.rollouts_pod_template_hash).sort()).toEqual([
        "6d4f8b9c7",
        "7c9d5f6b8",
      ]);
    }
    if (kind === "prometheus") {
      expect(await c.query("1 + 1", START)).toMatchObject({ type: "scalar", t: START, v: 2 });
      expect(await c.query('"text"', START)).toMatchObject({ type: "string", v: "text" });
      const inf = await c.query("1/0", START);
      expect(inf.type === "scalar" && inf.v).toBe(Infinity);
    } else {
      // VictoriaMetrics answers scalars as one-sample vectors and string literals with nothing.
      expect(await c.query("1 + 1", START)).toMatchObject({ type: "vector", samples: [{ t: START, v: 2 }] });
      expect(await c.query('"text"', START)).toMatchObject({ type: "vector", samples: [] });
      const inf = await c.query("1/0", START);
      expect(inf.type === "vector" && inf.samples[0]?.v).toBe(Infinity);
    }
  });

  it("runs range queries and range-vector selections as matrices", async () => {
    const c = new HttpPrometheusClient({ url: bed.url });
    const r = await c.queryRange("sum(http_requests_total)", { start: START, end: START + 60, step: 15 });
    expect(r.type).toBe("matrix");
    if (r.type === "matrix")
      expect(r.series[0]?.points.map((p) => p.t)).toEqual([0, 15, 30, 45, 60].map((x) => START + x));
    const raw = await c.query(`http_requests_total{code="200"}[60s]`, START + 60);
    expect(raw.type).toBe("matrix");
  });

  it("reads raw samples with the one-pass decoder, equal to the general decoding", async () => {
    const selection = `http_request_duration_seconds_bucket{rollouts_pod_template_hash="6d4f8b9c7"}[900s]`;
    // The body Prometheus sends for it is in the layout the fast path reads…
    const res = await fetch(`${bed.url}/api/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query: selection, time: String(START + 900) }),
    });
    const scanned = scanMatrix(new Uint8Array(await res.arrayBuffer()));
    expect(scanned?.length).toBeGreaterThan(10);
    // …and what the client returns equals the matrix of the general path, sample by sample.
    const c = new HttpPrometheusClient({ url: bed.url });
    const fast = await c.rawSamples(selection, START + 900);
    const slow = await c.query(selection, START + 900);
    if (fast.type !== "matrix" || slow.type !== "matrix") throw new Error("expected matrices");
    // VictoriaMetrics sends the series in no fixed order (slogate keys them by their labels).
    const byLabels = <T extends { labels: Readonly<Record<string, string>> }>(xs: readonly T[]): T[] =>
      [...xs].sort((a, b) => (JSON.stringify(a.labels) < JSON.stringify(b.labels) ? -1 : 1));
    expect(byLabels(fast.series)).toEqual(byLabels(scanned ?? []));
    expect(byLabels(fast.series)).toEqual(
      byLabels(
        slow.series.map((s) => ({
          labels: s.labels,
          times: Float64Array.from(s.points, (p) => p.t),
          values: Float64Array.from(s.points, (p) => p.v),
        })),
      ),
    );
    const vector = await c.rawSamples("sum(http_requests_total)", START + 900);
    expect(vector.type).toBe("vector");
  });

  it("lists label values and series", async () => {
    const c = new HttpPrometheusClient({ url: bed.url });
    const hashes = await c.labelValues("rollouts_pod_template_hash", {
      match: ["http_requests_total"],
      start: START - 3600,
      end: START + 1800,
    });
    expect(hashes.sort()).toEqual(["6d4f8b9c7", "7c9d5f6b8"]);
    const series = await c.series(['http_requests_total{rollouts_pod_template_hash="7c9d5f6b8"}'], {
      start: START,
      end: START + 1800,
    });
    expect(series.length).toBe(
      sim.series.filter((s) => s.arm === "canary" && s.metric === "http_requests_total").length,
    );
  });

  it("reports a bad query as the configuration error SLO_QUERY_INVALID without retrying", async () => {
    const seen: QueryObservation[] = [];
    const c = new HttpPrometheusClient({ url: bed.url, onQuery: (o) => seen.push(o) });
    const err = await c.query("sum(rate(x[5m]", START).catch((e: unknown) => e);
    expect(isSlogateError(err, "SLO_QUERY_INVALID")).toBe(true);
    if (isSlogateError(err)) {
      expect(err.message).toContain(bed.url);
      expect(err.message).toContain("sum(rate(x[5m]");
      expect(err.details.errorType).toBe("bad_data");
      expect(err.hint).not.toBe("");
    }
    expect(seen).toEqual([
      expect.objectContaining({ kind: "instant", attempts: 1, error: "SLO_QUERY_INVALID" }),
    ]);
  });

  it("reports a stopped Prometheus as PROMETHEUS_UNAVAILABLE after its retries", async () => {
    const other = await startPrometheus();
    const url = other.url;
    await other.stop();
    const seen: QueryObservation[] = [];
    const c = new HttpPrometheusClient({ url, retries: 2, backoffMs: 10, onQuery: (o) => seen.push(o) });
    expect(await codeOf(c.query("up"))).toBe("PROMETHEUS_UNAVAILABLE");
    expect(seen[0]?.attempts).toBe(3);
  });
});

describe("HttpPrometheusClient against a misbehaving backend", () => {
  const servers: LocalServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const serve = async (h: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> => {
    const s = await startLocalServer(h);
    servers.push(s);
    return s;
  };
  const OK = JSON.stringify({ status: "success", data: { resultType: "scalar", result: [1, "1"] } });

  it("times out a server that never answers with PROMETHEUS_TIMEOUT, once", async () => {
    const s = await serve(() => {
      /* never answers */
    });
    const c = new HttpPrometheusClient({ url: s.url, timeoutMs: 300, retries: 2, backoffMs: 10 });
    expect(await codeOf(c.query("up"))).toBe("PROMETHEUS_TIMEOUT");
    expect(s.seen).toHaveLength(1);
  });

  it("times out a server that sends headers and then dribbles the body", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      const timer = setInterval(() => res.write(" "), 50);
      res.on("close", () => clearInterval(timer));
    });
    const c = new HttpPrometheusClient({ url: s.url, timeoutMs: 400 });
    expect(await codeOf(c.query("up"))).toBe("PROMETHEUS_TIMEOUT");
  });

  it("retries a 503 and reports PROMETHEUS_HTTP_ERROR after the bounded attempts", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(503).end("overloaded");
    });
    const c = new HttpPrometheusClient({ url: s.url, retries: 3, backoffMs: 5 });
    const err = await c.query("up").catch((e: unknown) => e);
    expect(isSlogateError(err, "PROMETHEUS_HTTP_ERROR")).toBe(true);
    if (isSlogateError(err)) expect(err.details.backendStatus).toBe(503);
    expect(s.seen).toHaveLength(4);
  });

  it("recovers when a 5xx is followed by a good answer", async () => {
    let n = 0;
    const s = await serve((_req, res) => {
      if (n++ === 0) res.writeHead(502).end();
      else res.writeHead(200, { "Content-Type": "application/json" }).end(OK);
    });
    const c = new HttpPrometheusClient({ url: s.url, backoffMs: 5 });
    expect(await c.query("up")).toMatchObject({ type: "scalar", v: 1 });
    expect(s.seen).toHaveLength(2);
  });

  it.each([
    [401, "credentials"],
    [403, "credentials"],
    [404, "base URL"],
  ])("does not retry HTTP %d and says what to check", async (status, hintWord) => {
    const s = await serve((_req, res) => {
      res.writeHead(status).end("no");
    });
    const c = new HttpPrometheusClient({ url: s.url, backoffMs: 5 });
    const err = await c.query("up").catch((e: unknown) => e);
    expect(isSlogateError(err, "PROMETHEUS_HTTP_ERROR")).toBe(true);
    if (isSlogateError(err)) expect(err.hint).toContain(hintWord);
    expect(s.seen).toHaveLength(1);
  });

  it.each([
    ["malformed JSON", '{"status":"success","data":{'],
    ["an HTML login page", "<html>login</html>"],
    ["JSON of another shape", '{"hello":"world"}'],
    [
      "a vector with a non-numeric value",
      JSON.stringify({
        status: "success",
        data: { resultType: "vector", result: [{ metric: {}, value: [1, "x"] }] },
      }),
    ],
  ])("reports %s as PROMETHEUS_BAD_RESPONSE", async (_name, body) => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(body);
    });
    const c = new HttpPrometheusClient({ url: s.url });
    expect(await codeOf(c.query("up"))).toBe("PROMETHEUS_BAD_RESPONSE");
    expect(s.seen).toHaveLength(1);
  });

  const MATRIX = (values: string): string =>
    `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":${values}}]}}`;

  it.each([
    ["a truncated matrix", MATRIX('[[1,"1"],[2,"2"]]').slice(0, -5), "PROMETHEUS_BAD_RESPONSE"],
    ["a matrix with a non-numeric value", MATRIX('[[1,"1"],[2,"x"]]'), "PROMETHEUS_BAD_RESPONSE"],
    ["a matrix with a string time", MATRIX('[["1","1"]]'), "PROMETHEUS_BAD_RESPONSE"],
    ["an HTML page", "<html>login</html>", "PROMETHEUS_BAD_RESPONSE"],
    [
      "an API error in a 200",
      '{"status":"error","errorType":"bad_data","error":"parse error"}',
      "PROMETHEUS_QUERY_ERROR",
    ],
  ])("reads raw samples from %s as %s, like a query", async (_name, body, code) => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(body);
    });
    const c = new HttpPrometheusClient({ url: s.url });
    expect(await codeOf(c.rawSamples("x[5m]", START))).toBe(code);
    expect(await codeOf(c.query("x[5m]", START))).toBe(code);
  });

  it("reads raw samples the general way when the answer has warnings, spaces or a byte-order mark", async () => {
    const bodies = [
      MATRIX('[[1,"1"],[2.5,"4"]]').slice(0, -1) + ',"warnings":["partial"]}',
      MATRIX('[[1, "1"], [2.5, "4"]]'),
      "\uFEFF" + MATRIX('[[1,"1"],[2.5,"4"]]'),
    ];
    let n = 0;
    const s = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(bodies[n++ % bodies.length]);
    });
    const c = new HttpPrometheusClient({ url: s.url });
    const want = { labels: { a: "b" }, times: Float64Array.of(1, 2.5), values: Float64Array.of(1, 4) };
    expect(await c.rawSamples("x[5m]", START)).toEqual({
      type: "matrix",
      series: [want],
      warnings: ["partial"],
    });
    expect(await c.rawSamples("x[5m]", START)).toEqual({ type: "matrix", series: [want], warnings: [] });
    expect(await c.rawSamples("x[5m]", START)).toEqual({ type: "matrix", series: [want], warnings: [] });
  });

  it("retries raw-sample reads on a 503 like any query", async () => {
    let n = 0;
    const s = await serve((_req, res) => {
      if (n++ === 0) res.writeHead(503).end("overloaded");
      else res.writeHead(200, { "Content-Type": "application/json" }).end(MATRIX('[[1,"7"]]'));
    });
    const c = new HttpPrometheusClient({ url: s.url, backoffMs: 5 });
    const r = await c.rawSamples("x[5m]", START);
    expect(r.type === "matrix" && Array.from(r.series[0]?.values ?? [])).toEqual([7]);
    expect(s.seen).toHaveLength(2);
  });

  it("turns the caller's abort into PROMETHEUS_ABORTED, also during a backoff", async () => {
    const slow = await serve(() => {
      /* never answers */
    });
    const c = new HttpPrometheusClient({ url: slow.url, timeoutMs: 30_000 });
    const ac = new AbortController();
    const p = c.query("up", undefined, ac.signal);
    setTimeout(() => ac.abort(), 50);
    expect(await codeOf(p)).toBe("PROMETHEUS_ABORTED");

    const failing = await serve((_req, res) => {
      res.writeHead(500).end();
    });
    const c2 = new HttpPrometheusClient({ url: failing.url, backoffMs: 60_000, retries: 1 });
    const ac2 = new AbortController();
    const p2 = c2.query("up", undefined, ac2.signal);
    setTimeout(() => ac2.abort(), 100);
    expect(await codeOf(p2)).toBe("PROMETHEUS_ABORTED");
    expect(await codeOf(c2.query("up", undefined, AbortSignal.abort()))).toBe("PROMETHEUS_ABORTED");
  });

  it.each([
    [{ type: "bearer", token: "s3cret" } as const, "Bearer s3cret"],
    [
      { type: "basic", username: "u", password: "p:w" } as const,
      `Basic ${Buffer.from("u:p:w").toString("base64")}`,
    ],
  ])("sends %j authentication, custom headers and the query as a form body", async (auth, header) => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(OK);
    });
    const c = new HttpPrometheusClient({
      url: `${s.url}/prometheus/`,
      auth,
      headers: { "X-Scope-OrgID": "tenant-1" },
    });
    await c.query('sum(x{a="b"})', 1234.5);
    const r = s.seen[0]!;
    expect(r.method).toBe("POST");
    expect(r.url).toBe("/prometheus/api/v1/query");
    expect(r.headers.authorization).toBe(header);
    expect(r.headers["x-scope-orgid"]).toBe("tenant-1");
    expect(Object.fromEntries(new URLSearchParams(r.body))).toEqual({
      query: 'sum(x{a="b"})',
      time: "1234.5",
    });
  });

  it("rejects a URL that is not http(s) at construction", () => {
    expect(() => new HttpPrometheusClient({ url: "ftp://x" })).toThrow(/http/);
    expect(() => new HttpPrometheusClient({ url: "not a url" })).toThrow(/not a URL/);
  });

  it("reports connection refused on a closed port as unavailable", async () => {
    const port = await freePort();
    const c = new HttpPrometheusClient({ url: `http://127.0.0.1:${port}`, retries: 0 });
    expect(await codeOf(c.labelValues("job"))).toBe("PROMETHEUS_UNAVAILABLE");
  });
});
