/**
 * @module test/prometheus/local-server
 * A tiny programmable HTTP server on 127.0.0.1:0 standing in for a misbehaving backend
 * (slow, 5xx, malformed JSON) — the failure modes a real Prometheus cannot be made to show
 * on demand. Records every request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface LocalServer {
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/** Starts a server whose every request is answered by `handle`. */
export async function startLocalServer(
  handle: (req: SeenRequest, res: ServerResponse) => void,
): Promise<LocalServer> {
  const seen: SeenRequest[] = [];
  const srv = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const r = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(r);
      handle(r, res);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const addr = srv.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  };
}
