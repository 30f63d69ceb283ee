/**
 * @module testbed/http-sink
 * A local HTTP server on 127.0.0.1 that records every request (a stand-in for Slack's webhook
 * endpoint or any receiver) and answers as the test tells it: a status, a `Retry-After`, a
 * delay, or no answer at all until released (a hanging receiver).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface SinkRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  /** The body parsed as JSON, or undefined. */
  readonly json: unknown;
  /** When the whole request had arrived (ms since the epoch). */
  readonly at: number;
}

/** What to answer: a response (optionally after `delayMs`), or `hang` (hold until `release()`). */
export type SinkReply =
  | {
      readonly status: number;
      readonly body?: string;
      readonly headers?: Record<string, string>;
      readonly delayMs?: number;
    }
  | "hang";

export interface HttpSink {
  readonly url: string;
  readonly requests: SinkRequest[];
  /** Requests currently held open (hanging or delayed). */
  pending(): number;
  /** Sets how to answer from now on (default: 200 "ok"). */
  reply(fn: (req: SinkRequest) => SinkReply): void;
  /** Resolves with the first recorded request (past or future) matching `pred`. */
  waitFor(pred: (req: SinkRequest) => boolean, timeoutMs?: number): Promise<SinkRequest>;
  /** Answers every held request with 200. */
  release(): void;
  close(): Promise<void>;
}

/** Starts a sink on a free 127.0.0.1 port. */
export async function startHttpSink(): Promise<HttpSink> {
  const requests: SinkRequest[] = [];
  const held = new Set<ServerResponse>();
  const waiters: { pred: (r: SinkRequest) => boolean; resolve: (r: SinkRequest) => void }[] = [];
  let replyFn: (req: SinkRequest) => SinkReply = () => ({ status: 200, body: "ok" });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const record: SinkRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        json,
        at: Date.now(),
      };
      requests.push(record);
      for (const w of [...waiters]) {
        if (w.pred(record)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(record);
        }
      }
      const reply = replyFn(record);
      if (reply === "hang") {
        held.add(res);
        res.on("close", () => held.delete(res));
        return;
      }
      const send = (): void => {
        held.delete(res);
        if (res.writableEnded || res.destroyed) return;
        res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
        res.end(reply.body ?? "");
      };
      if (reply.delayMs !== undefined && reply.delayMs > 0) {
        held.add(res);
        setTimeout(send, reply.delayMs);
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    pending: () => held.size,
    reply: (fn) => {
      replyFn = fn;
    },
    waitFor: (pred, timeoutMs = 10_000) => {
      const found = requests.find(pred);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          pred,
          resolve: (r: SinkRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(
            new Error(
              `no matching request within ${timeoutMs} ms; got ${requests.length}: ` +
                requests.map((r) => `${r.method} ${r.path} ${r.body.slice(0, 400)}`).join("\n"),
            ),
          );
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    release: () => {
      for (const res of held) if (!res.writableEnded) res.writeHead(200).end("ok");
      held.clear();
    },
    close: async () => {
      for (const res of held) res.destroy();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
