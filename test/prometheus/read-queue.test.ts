/**
 * The bounded read queue in front of a slow backend (a local HTTP server answering like
 * Prometheus after 150 ms): no more calls reach it at once than allowed, a call whose deadline
 * passes while it waits fails at once as PROMETHEUS_UNAVAILABLE without reaching the backend,
 * and a full queue refuses at once.
 */
import { afterAll, describe, expect, it } from "vitest";
import { isSlogateError } from "../../src/errors.ts";
import { HttpPrometheusClient } from "../../src/prometheus/http-client.ts";
import { ReadQueue, queuedClient } from "../../src/prometheus/read-queue.ts";
import { startLocalServer, type LocalServer } from "./local-server.ts";

const servers: LocalServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A backend answering `vector(1)` after `delayMs`, counting calls in flight at once. */
async function slowBackend(delayMs: number): Promise<{ server: LocalServer; peak: () => number }> {
  let now = 0;
  let peak = 0;
  const server = await startLocalServer((_req, res) => {
    now++;
    peak = Math.max(peak, now);
    setTimeout(() => {
      now--;
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}');
    }, delayMs);
  });
  servers.push(server);
  return { server, peak: () => peak };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "resolved";
  } catch (e) {
    return isSlogateError(e) ? e.code : String(e);
  }
}

describe("reads through the bounded queue", () => {
  it("never has more calls in flight than allowed, and answers them all", async () => {
    const { server, peak } = await slowBackend(150);
    const queue = new ReadQueue({ maxConcurrent: 2, backend: server.url });
    const client = queuedClient(new HttpPrometheusClient({ url: server.url }), queue);
    const answers = await Promise.all(Array.from({ length: 6 }, () => client.query("vector(1)")));
    expect(answers.map((a) => a.type)).toEqual(Array(6).fill("vector"));
    expect(peak()).toBe(2);
    expect(queue.stats).toEqual({ inFlight: 0, waiting: 0, refused: 0 });
  });

  it("lets every call through at once without the queue (the negative control)", async () => {
    const { peak } = await slowBackend(150).then(async (b) => {
      const client = new HttpPrometheusClient({ url: b.server.url });
      await Promise.all(Array.from({ length: 6 }, () => client.query("vector(1)")));
      return b;
    });
    expect(peak()).toBe(6);
  });

  it("fails a call whose deadline passes while it waits, at the deadline, without calling the backend", async () => {
    const { server } = await slowBackend(400);
    const queue = new ReadQueue({ maxConcurrent: 1, backend: server.url });
    const client = queuedClient(new HttpPrometheusClient({ url: server.url }), queue);
    const first = client.query("vector(1)");
    const began = performance.now();
    const late = await codeOf(client.query("vector(1)", undefined, AbortSignal.timeout(100)));
    const waited = performance.now() - began;
    expect(late).toBe("PROMETHEUS_UNAVAILABLE");
    expect(waited).toBeLessThan(350);
    expect((await first).type).toBe("vector");
    expect(server.seen).toHaveLength(1);
    expect(queue.stats.refused).toBe(1);
  });

  it("refuses at once when the queue is full, and a call whose deadline has passed", async () => {
    const { server } = await slowBackend(200);
    const queue = new ReadQueue({ maxConcurrent: 1, maxQueued: 2, backend: server.url });
    const client = queuedClient(new HttpPrometheusClient({ url: server.url }), queue);
    const admitted = [client.query("vector(1)"), client.query("vector(1)"), client.query("vector(1)")];
    expect(await codeOf(client.query("vector(1)"))).toBe("PROMETHEUS_UNAVAILABLE");
    const gone = AbortSignal.abort();
    expect(await codeOf(client.query("vector(1)", undefined, gone))).toBe("PROMETHEUS_UNAVAILABLE");
    expect((await Promise.all(admitted)).map((a) => a.type)).toEqual(["vector", "vector", "vector"]);
    expect(server.seen).toHaveLength(3);
  });

  it("refuses a concurrency below 1", () => {
    expect(() => new ReadQueue({ maxConcurrent: 0, backend: "x" })).toThrow(/maxConcurrentReads/);
  });
});
