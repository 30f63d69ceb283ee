/**
 * `slogate serve` as a process: it exits non-zero at once when it cannot listen (nothing left
 * running: no watcher, no schedule), and on SIGTERM it finishes the looks in flight, answers
 * them, and exits 0.
 */
import { spawnSync } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BED_SERVICES, BED_START, startGateBed, type GateBed } from "../../src/testbed/gate-bed.ts";
import { freePort } from "../../src/testbed/free-port.ts";
import { serveArgs, spawnServe } from "../../src/testbed/serve-process.ts";

const REPO = resolve(import.meta.dirname, "../..");
let bed: GateBed;
const dirs: string[] = [];
beforeAll(async () => {
  bed = await startGateBed(["healthy"]);
});
afterAll(async () => {
  await bed?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function serveProcess(port: number, prometheusUrl = bed.prometheus.url) {
  const dataDir = mkdtempSync(join(tmpdir(), "slogate-lifecycle-"));
  dirs.push(dataDir);
  // A baseline every minute: a schedule left running would keep the process alive.
  return spawnServe({
    port,
    dataDir,
    prometheusUrl,
    slosDir: bed.slosDir,
    env: { SLOGATE_BASELINE_SCHEDULE: "* * * * *" },
  });
}

describe("slogate serve as a process", () => {
  it("exits non-zero within seconds when its port is taken, saying which port and what to do", async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((ok) => holder.listen(port, "127.0.0.1", ok));
    try {
      const p = serveProcess(port);
      const killer = setTimeout(() => p.child.kill("SIGKILL"), 20_000);
      const { code } = await p.exit;
      clearTimeout(killer);
      expect(code).not.toBe(0);
      expect(code).not.toBeNull(); // it exited by itself, not by the SIGKILL above
      expect(p.output()).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE`));
      expect(p.output()).toMatch(/listen\.port/);
    } finally {
      holder.close();
    }
  });

  it("refuses to start (exit 6) when no valid SLO is loaded, and starts with --allow-no-slos", async () => {
    const empty = mkdtempSync(join(tmpdir(), "slogate-no-slos-"));
    dirs.push(empty);
    writeFileSync(join(empty, "broken.yaml"), "apiVersion: slogate.dev/v1\nservice: x\nslos: [\n");
    const port = await freePort();
    const options = (flags: string[]) => ({
      port,
      dataDir: mkdtempSync(join(tmpdir(), "slogate-no-slos-data-")),
      prometheusUrl: bed.prometheus.url,
      slosDir: empty,
      flags,
    });
    const refused = spawnSync(process.execPath, serveArgs(options([])), {
      cwd: REPO,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(refused.status).toBe(6);
    expect(refused.stderr).toMatch(/no valid SLO was loaded[\s\S]*--allow-no-slos/);
    const allowed = spawnServe(options(["--allow-no-slos"]));
    await allowed.listening(20_000);
    expect(allowed.output()).toContain("slogate listening");
    allowed.child.kill("SIGTERM");
    expect((await allowed.exit).code).toBe(0);
  });

  it("refuses to start (exit 6) when the backend's token file cannot be read, naming the setting and the path", async () => {
    const missing = join(mkdtempSync(join(tmpdir(), "slogate-no-token-")), "token");
    dirs.push(resolve(missing, ".."));
    const refused = spawnSync(
      process.execPath,
      serveArgs({
        port: await freePort(),
        dataDir: mkdtempSync(join(tmpdir(), "slogate-no-token-data-")),
        prometheusUrl: bed.prometheus.url,
        slosDir: bed.slosDir,
      }),
      {
        cwd: REPO,
        encoding: "utf8",
        timeout: 30_000,
        env: { ...process.env, SLOGATE_PROMETHEUS_BEARER_TOKEN_FILE: missing },
      },
    );
    expect(refused.status).toBe(6);
    expect(refused.stderr).toContain(`cannot read prometheus.auth.bearerTokenFile ${missing}: ENOENT`);
  });

  it("on SIGTERM finishes and answers the looks in flight, then exits 0", async () => {
    // Prometheus behind a proxy that holds every query for 700 ms: the looks are surely in
    // flight (their queries have reached the backend) when the signal comes.
    let queries = 0;
    const proxy = createHttpServer((req, res) => {
      queries++;
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        setTimeout(() => {
          void fetch(`${bed.prometheus.url}${req.url ?? "/"}`, {
            method: req.method ?? "GET",
            headers: { "content-type": req.headers["content-type"] ?? "application/x-www-form-urlencoded" },
            ...(req.method === "POST" ? { body: Buffer.concat(chunks) } : {}),
          }).then(async (r) => {
            res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" });
            res.end(Buffer.from(await r.arrayBuffer()));
          });
        }, 700);
      });
    });
    await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", ok));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const port = await freePort();
    const p = serveProcess(port, proxyUrl);
    await p.listening();
    const s = BED_SERVICES.healthy;
    const looks = [1, 2, 3, 4].map((k) =>
      fetch(`http://127.0.0.1:${port}/api/v1/verdict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          slo: `${s.service}-${k % 2 === 0 ? "errors" : "latency"}`,
          canary: s.canary,
          stable: s.stable,
          analysis: `drain-${k}`,
          start: BED_START,
          time: BED_START + 600,
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { verdict: string } })),
    );
    // Signal while the looks are reading Prometheus.
    const t0 = Date.now();
    while (queries < 4 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    expect(queries).toBeGreaterThanOrEqual(4);
    p.child.kill("SIGTERM");
    const answers = await Promise.all(looks).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${p.output()}`);
    });
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.verdict).toBe("pass");
    }
    const { code, ms } = await p.exit;
    proxy.close();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(15_000);
    expect(p.output()).toContain("stopping");
  });
});
