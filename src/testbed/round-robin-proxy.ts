/**
 * @module testbed/round-robin-proxy
 * A small HTTP reverse proxy on 127.0.0.1 spreading requests over backends in turn, the way
 * a Kubernetes Service spreads them over ready pods. A backend that refuses the connection
 * (a killed replica) is skipped for that request; a backend that dies while answering gives
 * the client a 502, as a real load balancer would. No vitest.
 */
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RoundRobinProxy {
  readonly url: string;
  /** Requests answered by each backend (by index). */
  readonly answered: number[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Starts the proxy in front of `backends` (base URLs like `http://127.0.0.1:41234`). */
export async function startRoundRobinProxy(backends: readonly string[]): Promise<RoundRobinProxy> {
  let next = 0;
  const answered = backends.map(() => 0);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      for (let tried = 0; tried < backends.length; tried++) {
        const i = next++ % backends.length;
        const target = new URL(req.url ?? "/", backends[i]);
        const outcome = await new Promise<"refused" | "done">((resolve) => {
          const up = request(
            target,
            { method: req.method, headers: { ...req.headers, host: target.host, connection: "close" } },
            (upRes) => {
              res.writeHead(upRes.statusCode ?? 502, upRes.headers);
              upRes.pipe(res);
              upRes.on("end", () => {
                answered[i]!++;
                resolve("done");
              });
              upRes.on("error", () => {
                res.destroy();
                resolve("done");
              });
            },
          );
          up.on("error", (e: NodeJS.ErrnoException) => {
            if (e.code === "ECONNREFUSED" && !res.headersSent) return resolve("refused");
            if (!res.headersSent) {
              res.writeHead(502, { "content-type": "application/json" });
              res.end(JSON.stringify({ error: { code: "BAD_GATEWAY", message: e.message } }));
            } else res.destroy();
            resolve("done");
          });
          up.end(body);
        });
        if (outcome === "done") return;
      }
      res.writeHead(503, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: { code: "NO_BACKEND", message: "no backend accepted the connection" } }),
      );
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    answered,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
