/**
 * The read-path failure policy against fake backends on 127.0.0.1: every answer slogate
 * cannot read exactly is a typed SlogateError (never data, never a made-up zero), redirects
 * are not followed, and an oversized answer is aborted while it streams in with memory
 * bounded. Each case has a negative control (the same server answering correctly reads).
 */
import { createServer, type Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { createReadArmCounts } from "../../src/prometheus/read-arm.ts";
import { isSlogateError, type ErrorCode } from "../../src/errors.ts";
import { HttpPrometheusClient } from "../../src/prometheus/http-client.ts";
import { STATUS_BY_CODE } from "../../src/http/error-handler.ts";
import { eventsSli, makeSlo } from "./slo-fixtures.ts";
import { startLocalServer, type LocalServer } from "./local-server.ts";

const servers: LocalServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
const serve = async (h: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> => {
  const s = await startLocalServer(h);
  servers.push(s);
  return s;
};

async function failure(p: Promise<unknown>): Promise<{ code: ErrorCode; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    if (isSlogateError(e)) return { code: e.code, details: { ...e.details } };
    throw e;
  }
  throw new Error("expected the read to fail, it resolved");
}

const ERRORS = makeSlo(
  "errors",
  "error-rate",
  eventsSli(
    "sum(rate(x{{{.selector}}}[{{.window}}]))",
    'sum(rate(x{code="500",{{.selector}}}[{{.window}}]))',
  ),
);
const eventsSlo = () => ERRORS;

const MATRIX = (values: string): string =>
  `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"x","a":"b"},"values":${values}}]}}`;
const GOOD = MATRIX('[[1,"1"],[2,"3"]]');

/** Every bad 2xx answer of the campaign, with the error it must give. */
const BAD_2XX: readonly (readonly [string, string, ErrorCode])[] = [
  ["truncated JSON", GOOD.slice(0, GOOD.length - 7), "PROMETHEUS_BAD_RESPONSE"],
  [
    "an HTML login page",
    "<!doctype html><html><body><form>login</form></body></html>",
    "PROMETHEUS_BAD_RESPONSE",
  ],
  ["an empty body", "", "PROMETHEUS_BAD_RESPONSE"],
  ["a proxy's JSON error body", '{"message":"upstream timed out","code":504}', "PROMETHEUS_BAD_RESPONSE"],
  ["a status that is neither success nor error", '{"status":"ok","data":{}}', "PROMETHEUS_BAD_RESPONSE"],
  ["success without data", '{"status":"success"}', "PROMETHEUS_BAD_RESPONSE"],
  [
    "an unknown resultType",
    '{"status":"success","data":{"resultType":"table","result":[]}}',
    "PROMETHEUS_BAD_RESPONSE",
  ],
  [
    "a matrix whose result is not an array",
    '{"status":"success","data":{"resultType":"matrix","result":{}}}',
    "PROMETHEUS_BAD_RESPONSE",
  ],
  ["a sample value that is a number, not a string", MATRIX("[[1,1]]"), "PROMETHEUS_BAD_RESPONSE"],
  ["a sample that is not a pair", MATRIX('[[1,"1",2]]'), "PROMETHEUS_BAD_RESPONSE"],
  ["a non-numeric sample value", MATRIX('[[1,"x"]]'), "PROMETHEUS_BAD_RESPONSE"],
  [
    "a label value that is not a string",
    '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":1},"values":[]}]}}',
    "PROMETHEUS_BAD_RESPONSE",
  ],
  [
    "status error in a 200",
    '{"status":"error","errorType":"bad_data","error":"parse error"}',
    "PROMETHEUS_QUERY_ERROR",
  ],
];

describe("every 2xx answer that is not the API's exact shape is a typed error", () => {
  it.each(BAD_2XX)("%s → %s (503), for raw samples and queries alike", async (_name, body, code) => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(body);
    });
    const c = new HttpPrometheusClient({ url: s.url, backoffMs: 1 });
    expect((await failure(c.rawSamples("x[5m]", 100))).code).toBe(code);
    expect((await failure(c.query("x[5m]", 100))).code).toBe(code);
    expect(STATUS_BY_CODE[code]).toBe(503);
    // Not retried: the same body would come back.
    expect(s.seen).toHaveLength(2);
  });

  it("reads the same server's good answer (negative control)", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(GOOD);
    });
    const r = await new HttpPrometheusClient({ url: s.url }).rawSamples("x[5m]", 100);
    expect(r.type === "matrix" && Array.from(r.series[0]!.values)).toEqual([1, 3]);
  });
});

describe("non-2xx answers are one family with the backend's status in the details", () => {
  it.each([
    [500, "PROMETHEUS_HTTP_ERROR", 3],
    [502, "PROMETHEUS_HTTP_ERROR", 3],
    [429, "PROMETHEUS_HTTP_ERROR", 3],
    [401, "PROMETHEUS_HTTP_ERROR", 1],
    [403, "PROMETHEUS_HTTP_ERROR", 1],
    [404, "PROMETHEUS_HTTP_ERROR", 1],
    [418, "PROMETHEUS_HTTP_ERROR", 1],
  ] as const)("HTTP %d → %s after %d attempt(s), backendStatus kept", async (status, code, attempts) => {
    const s = await serve((_req, res) => {
      res.writeHead(status, { "Content-Type": "text/plain" }).end("nope");
    });
    const c = new HttpPrometheusClient({ url: s.url, retries: 2, backoffMs: 1 });
    const f = await failure(c.rawSamples("x[5m]", 100));
    expect(f.code).toBe(code);
    expect(f.details.backendStatus).toBe(status);
    expect(f.details).not.toHaveProperty("status");
    expect(s.seen).toHaveLength(attempts);
  });

  it("tells a query the backend refuses as invalid (400 bad_data) as the SLO's error, 422", async () => {
    const s = await serve((_req, res) => {
      res
        .writeHead(400, { "Content-Type": "application/json" })
        .end('{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \\"}\\""}');
    });
    const c = new HttpPrometheusClient({ url: s.url, backoffMs: 1 });
    const f = await failure(c.query("sum(x}", 100));
    expect(f.code).toBe("SLO_QUERY_INVALID");
    expect(f.details).toMatchObject({ backendStatus: 400, errorType: "bad_data" });
    expect(STATUS_BY_CODE.SLO_QUERY_INVALID).toBe(422);
    expect(s.seen).toHaveLength(1);
    // Through the arm reader, the error names the SLO whose query it is.
    const read = createReadArmCounts({ client: c });
    const slo = eventsSlo();
    let err: unknown;
    await read(slo, [{ name: "pod", op: "=", value: "a" }], { start: 0, end: 600 }).catch((e: unknown) => {
      err = e;
    });
    expect(isSlogateError(err, "SLO_QUERY_INVALID")).toBe(true);
    if (isSlogateError(err)) {
      expect(err.details.slo).toBe(slo.id);
      expect(err.hint).toContain(slo.id);
    }
  });

  it("keeps an execution error (422) a backend error, 503, not the SLO's", async () => {
    const s = await serve((_req, res) => {
      res
        .writeHead(422, { "Content-Type": "application/json" })
        .end(
          '{"status":"error","errorType":"execution","error":"query processing would load too many samples"}',
        );
    });
    const f = await failure(new HttpPrometheusClient({ url: s.url }).query("x", 100));
    expect(f.code).toBe("PROMETHEUS_QUERY_ERROR");
    expect(STATUS_BY_CODE[f.code]).toBe(503);
  });
});

describe("redirects are never followed", () => {
  it.each([301, 302, 303, 307, 308])(
    "HTTP %d → PROMETHEUS_HTTP_ERROR and the target is never hit",
    async (status) => {
      const target = await serve((_req, res) => {
        res.writeHead(200, { "Content-Type": "application/json" }).end(GOOD);
      });
      const s = await serve((req, res) => {
        res.writeHead(status, { Location: `${target.url}${req.url}` }).end();
      });
      const c = new HttpPrometheusClient({ url: s.url, backoffMs: 1 });
      const f = await failure(c.rawSamples("x[5m]", 100));
      expect(f.code).toBe("PROMETHEUS_HTTP_ERROR");
      expect(f.details).toMatchObject({ backendStatus: status, location: `${target.url}/api/v1/query` });
      expect(await failure(c.labelValues("job"))).toMatchObject({ code: "PROMETHEUS_HTTP_ERROR" });
      expect(s.seen).toHaveLength(2);
      expect(target.seen).toHaveLength(0);
      // Negative control: the target itself answers, so a followed redirect would have read.
      const direct = await new HttpPrometheusClient({ url: target.url }).rawSamples("x[5m]", 100);
      expect(direct.type).toBe("matrix");
    },
  );
});

describe("NaN and ±Inf counter samples are unreadable, never zero traffic", () => {
  it.each(["NaN", "+Inf", "-Inf"])("a counter sample %s fails the arm read", async (v) => {
    const body = MATRIX(`[[1,"1"],[30,"${v}"],[60,"5"]]`);
    const s = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(body);
    });
    const read = createReadArmCounts({ client: new HttpPrometheusClient({ url: s.url }) });
    let err: unknown;
    const r = await read(eventsSlo(), [{ name: "pod", op: "=", value: "a" }], { start: 0, end: 600 }).catch(
      (e: unknown) => {
        err = e;
      },
    );
    expect(r).toBeUndefined();
    expect(isSlogateError(err, "PROMETHEUS_BAD_RESPONSE")).toBe(true);
    expect((err as Error).message).toContain("not a finite number");
  });

  it("reads the same series with finite samples (negative control)", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(MATRIX('[[1,"1"],[30,"3"],[60,"5"]]'));
    });
    const read = createReadArmCounts({ client: new HttpPrometheusClient({ url: s.url }) });
    const r = await read(eventsSlo(), [{ name: "pod", op: "=", value: "a" }], { start: 0, end: 600 });
    expect(r?.total).toBe(5);
  });
});

/** A server that streams `totalBytes` of a well-formed matrix, recording how much it wrote. */
async function hugeBackend(
  totalBytes: number,
): Promise<{ url: string; written: () => number; close: () => Promise<void> }> {
  let written = 0;
  const series = `{"metric":{"__name__":"x","pod":"p"},"values":[${Array.from({ length: 2000 }, (_, i) => `[${i},"${i}"]`).join(",")}]}`;
  const chunk = Buffer.from(series + ",");
  const srv: Server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write('{"status":"success","data":{"resultType":"matrix","result":[');
    const pump = (): void => {
      while (written < totalBytes) {
        written += chunk.length;
        if (!res.write(chunk)) {
          res.once("drain", pump);
          return;
        }
      }
      res.end(`${series}]}}`);
    };
    res.on("close", () => res.removeAllListeners("drain"));
    pump();
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const addr = srv.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    written: () => written,
    close: () =>
      new Promise<void>((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  };
}

describe("an oversized answer is aborted while it is read", () => {
  const MB = 1024 * 1024;

  it.each([
    [8 * MB, 64 * MB],
    [undefined, 160 * MB],
  ] as const)(
    "a 100 MB answer with maxResponseBytes %s → PROMETHEUS_RESPONSE_TOO_LARGE, RSS growth under %d bytes",
    async (limit, rssBound) => {
      const big = await hugeBackend(100 * MB);
      try {
        const c = new HttpPrometheusClient({
          url: big.url,
          timeoutMs: 60_000,
          ...(limit === undefined ? {} : { maxResponseBytes: limit }),
        });
        globalThis.gc?.();
        const before = process.memoryUsage().rss;
        let peak = before;
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage().rss);
        }, 5);
        const f = await failure(c.rawSamples("x[5m]", 100)).finally(() => clearInterval(sampler));
        peak = Math.max(peak, process.memoryUsage().rss);
        expect(f.code).toBe("PROMETHEUS_RESPONSE_TOO_LARGE");
        expect(f.details.maxResponseBytes).toBe(limit ?? 64 * MB);
        expect(STATUS_BY_CODE[f.code]).toBe(503);
        // Reading stopped early: the server could not write the whole answer.
        await new Promise((r) => setTimeout(r, 50));
        expect(big.written()).toBeLessThan(100 * MB);
        console.log(
          `maxResponseBytes ${limit ?? "default"}: RSS +${((peak - before) / MB).toFixed(1)} MiB, server wrote ${(big.written() / MB).toFixed(1)} MiB of 100`,
        );
        expect(peak - before).toBeLessThan(rssBound);
      } finally {
        await big.close();
      }
    },
    60_000,
  );

  it("reads an answer just under the limit (negative control)", async () => {
    const big = await hugeBackend(2 * MB);
    try {
      const r = await new HttpPrometheusClient({ url: big.url, maxResponseBytes: 4 * MB }).rawSamples(
        "x[5m]",
        100,
      );
      expect(r.type === "matrix" && r.series.length).toBeGreaterThan(10);
    } finally {
      await big.close();
    }
  });
});
