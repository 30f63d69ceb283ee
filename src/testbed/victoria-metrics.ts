/**
 * @module testbed/victoria-metrics
 * Starts a real single-node VictoriaMetrics (Debian's `victoria-metrics`) for tests: a free
 * 127.0.0.1 port, a temporary data directory, 100 years of retention (the synthetic data is
 * from 2023), no response cache and no latency offset (backfilled data is queried at explicit
 * past times; a cache would keep answers from before a later write), no self-scrape. Loaded
 * through Prometheus remote write (`/api/v1/write`) — the same data the Prometheus bed loads —
 * and made searchable with `/internal/force_flush` before `start` or `write` resolves. The same
 * interface as `testbed/prometheus.ts`'s bed, so a suite can run on either. Plain TypeScript.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SimSeries } from "../sim/scrapes.ts";
import { freePort } from "./free-port.ts";
import type { PrometheusBed } from "./prometheus.ts";
import { remoteWrite, toWriteSeries } from "./remote-write.ts";
import { requireTool } from "./tools.ts";
import { abandonStart, exitCleanup, keepOutputLines, terminate } from "./child-lifecycle.ts";

export interface VictoriaMetricsBedOptions {
  /** Series written (remote write) before `startVictoriaMetrics` resolves. */
  readonly history?: readonly SimSeries[];
  /** Path of the binary (default `victoria-metrics` on PATH, or `$VICTORIA_METRICS_BIN`). */
  readonly binary?: string;
  /** Extra command-line flags. */
  readonly args?: readonly string[];
  /** Milliseconds to wait for `/health` (default 30 000). */
  readonly readyTimeoutMs?: number;
}

const running = new Set<{ child: ChildProcess; dir: string }>();
const installExitHook = exitCleanup(
  () => {
    for (const r of running) {
      r.child.kill("SIGKILL");
      rmSync(r.dir, { recursive: true, force: true });
    }
  },
  { signals: false },
);

/** Makes everything written so far searchable (VictoriaMetrics buffers new samples ≈1 s). */
async function forceFlush(url: string): Promise<void> {
  const res = await fetch(`${url}/internal/force_flush`);
  if (!res.ok) throw new Error(`force_flush on ${url} failed: ${res.status} ${await res.text()}`);
}

/** Starts VictoriaMetrics loaded with `history`; resolves once it answers and the data is flushed. */
export async function startVictoriaMetrics(opts: VictoriaMetricsBedOptions = {}): Promise<PrometheusBed> {
  const bin = requireTool("victoria-metrics", opts.binary);
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), "slogate-vm-"));
  const dataDir = join(dir, "data");
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const log: string[] = [];
    const child = spawn(
      bin,
      [
        `-storageDataPath=${dataDir}`,
        `-httpListenAddr=127.0.0.1:${port}`,
        "-retentionPeriod=100y",
        "-search.latencyOffset=0s",
        "-search.disableCache",
        "-loggerLevel=WARN",
        "-http.shutdownDelay=0s",
        ...(opts.args ?? []),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    keepOutputLines(child, log);
    child.once("error", (e) => log.push(String(e)));
    const entry = { child, dir };
    running.add(entry);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let stopped = false;
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      await terminate(child, exited);
      running.delete(entry);
      rmSync(dir, { recursive: true, force: true });
    };
    if (await waitHealthy(url, child, opts.readyTimeoutMs ?? 30_000)) {
      const write = async (series: readonly SimSeries[], from?: number, to?: number): Promise<void> => {
        await remoteWrite(url, toWriteSeries(series, from, to));
        await forceFlush(url);
      };
      try {
        if (opts.history !== undefined && opts.history.length > 0) await write(opts.history);
      } catch (e) {
        await stop();
        throw e;
      }
      return { url, port, dataDir, write, logTail: () => log.slice(-20).join("\n"), stop };
    }
    lastErr = new Error(`victoria-metrics did not become ready on ${url}:\n${log.slice(-20).join("\n")}`);
    const retry = await abandonStart(child, exited, log);
    running.delete(entry);
    if (!retry) break;
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastErr instanceof Error ? lastErr : new Error("victoria-metrics did not start");
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
