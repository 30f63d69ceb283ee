/**
 * @module testbed/prometheus
 * Starts a real `prometheus` for tests, benchmarks and the demo: a free 127.0.0.1 port, a
 * temporary data directory, the remote-write receiver on, retention of 100 years and a
 * 100-year out-of-order window (so old synthetic samples are accepted live too). Plain
 * TypeScript with no vitest import, so `src/cli/commands/demo.ts` can use it.
 *
 * Loading data:
 * - `history`: series written with `promtool tsdb create-blocks-from openmetrics` into the
 *   data directory BEFORE Prometheus starts, so it opens them as persistent blocks;
 * - `bed.write(series)`: live samples through the remote-write receiver at any time.
 *
 * Cleanup: `stop()` sends SIGTERM (SIGKILL after 10 s) and removes the data directory. A
 * process `exit` handler (and SIGINT/SIGTERM handlers that re-raise the signal) kill and
 * remove whatever is still running if the caller never got to `stop()` (a test that throws
 * in `beforeAll`, a Ctrl-C of the demo).
 *
 * ```ts
 * const sim = simulateScrapes(SCENARIOS.healthy, { seed: 1, start });
 * const bed = await startPrometheus({ history: sim.series });
 * try { ... fetch(`${bed.url}/api/v1/query?...`) ... } finally { await bed.stop(); }
 * ```
 */
import { requireTool } from "./tools.ts";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SimSeries } from "../sim/scrapes.ts";
import { freePort } from "./free-port.ts";
import { toOpenMetrics } from "./openmetrics.ts";
import { remoteWrite, toWriteSeries } from "./remote-write.ts";
import { abandonStart, exitCleanup, keepOutputLines, terminate } from "./child-lifecycle.ts";

export interface PrometheusBedOptions {
  /** Series to backfill as TSDB blocks before start. */
  readonly history?: readonly SimSeries[];
  /** An OpenMetrics file to backfill as well (for data too large to build in memory). */
  readonly historyFile?: string;
  /** Path of the `prometheus` binary (default `prometheus` on PATH, or `$PROMETHEUS_BIN`). */
  readonly binary?: string;
  /** Path of `promtool` (default `promtool`, or `$PROMTOOL_BIN`). */
  readonly promtool?: string;
  /** Extra command-line flags. */
  readonly args?: readonly string[];
  /** Milliseconds to wait for `/-/ready` (default 30 000). */
  readonly readyTimeoutMs?: number;
  /** Keep the data directory on stop (for debugging). */
  readonly keepData?: boolean;
  /**
   * A web configuration (`--web.config.file`: TLS, client certificates, basic-auth users),
   * written next to the data. With TLS set `https: true`; give `ready` when `/-/ready` needs
   * credentials. `write` (remote write) speaks plain unauthenticated HTTP only.
   */
  readonly webConfig?: string;
  /** The server speaks TLS (the bed's URL is `https://127.0.0.1:<port>`). */
  readonly https?: boolean;
  /** Readiness probe replacing the plain `GET /-/ready`: resolves true once the server is ready. */
  readonly ready?: (url: string) => Promise<boolean>;
}

export interface PrometheusBed {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Writes series (or a time slice of them, unix seconds) through remote write. */
  write(series: readonly SimSeries[], from?: number, to?: number): Promise<void>;
  /** Last lines of Prometheus' log, for error messages. */
  logTail(): string;
  /** Stops Prometheus and removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

const running = new Set<{ child: ChildProcess; dir: string; keep: boolean }>();
function killAll(): void {
  for (const r of running) {
    r.child.kill("SIGKILL");
    if (!r.keep) rmSync(r.dir, { recursive: true, force: true });
  }
  running.clear();
}

/** Cleans up on process exit and on SIGINT/SIGTERM. */
const installExitHook = exitCleanup(killAll, { signals: true });

const CONFIG = `global:
  scrape_interval: 15s
  evaluation_interval: 15s
storage:
  tsdb:
    out_of_order_time_window: 876000h
`;

/** Starts a Prometheus loaded with `history`; resolves once `/-/ready` answers 200. */
export async function startPrometheus(opts: PrometheusBedOptions = {}): Promise<PrometheusBed> {
  const dir = mkdtempSync(join(tmpdir(), "slogate-prom-"));
  const dataDir = join(dir, "data");
  const configFile = join(dir, "prometheus.yml");
  writeFileSync(configFile, CONFIG);
  const webConfigFile = join(dir, "web.yml");
  if (opts.webConfig !== undefined) writeFileSync(webConfigFile, opts.webConfig);
  try {
    const files: string[] = [];
    if (opts.history && opts.history.length > 0) {
      const file = join(dir, "history.om");
      writeFileSync(file, toOpenMetrics(opts.history));
      files.push(file);
    }
    if (opts.historyFile !== undefined) files.push(opts.historyFile);
    for (const file of files) {
      const promtool = requireTool("promtool", opts.promtool);
      const r = spawnSync(promtool, ["tsdb", "create-blocks-from", "openmetrics", "-q", file, dataDir], {
        encoding: "utf8",
      });
      if (r.status !== 0) {
        throw new Error(`promtool backfill failed (${r.status}): ${r.error?.message ?? ""} ${r.stderr}`);
      }
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const prometheusBin = requireTool("prometheus", opts.binary);
  installExitHook();
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `${opts.https === true ? "https" : "http"}://127.0.0.1:${port}`;
    const log: string[] = [];
    const child = spawn(
      prometheusBin,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--web.enable-remote-write-receiver",
        "--web.enable-admin-api",
        "--storage.tsdb.retention.time=100y",
        "--log.level=warn",
        ...(opts.webConfig === undefined ? [] : [`--web.config.file=${webConfigFile}`]),
        ...(opts.args ?? []),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    keepOutputLines(child, log);
    const entry = { child, dir, keep: opts.keepData ?? false };
    running.add(entry);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.once("error", (e) => log.push(String(e)));

    let stopped = false;
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      await terminate(child, exited);
      running.delete(entry);
      if (!entry.keep) rmSync(dir, { recursive: true, force: true });
    };
    const ready = await waitReady(url, child, opts.readyTimeoutMs ?? 30_000, opts.ready);
    if (ready) {
      return {
        url,
        port,
        dataDir,
        write: (series, from, to) => remoteWrite(url, toWriteSeries(series, from, to)),
        logTail: () => log.slice(-20).join("\n"),
        stop,
      };
    }
    lastErr = new Error(`prometheus did not become ready on ${url}:\n${log.slice(-20).join("\n")}`);
    // Keep the data dir for the next attempt; only kill this process.
    const retry = await abandonStart(child, exited, log);
    running.delete(entry);
    if (!retry) break;
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastErr instanceof Error ? lastErr : new Error("prometheus did not start");
}

async function waitReady(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  probe?: (url: string) => Promise<boolean>,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      if (probe !== undefined) {
        if (await probe(url)) return true;
      } else {
        const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        if (res.status === 200) return true;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
