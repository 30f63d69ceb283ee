/**
 * @module testbed/alertmanager
 * Starts a real Alertmanager (Debian `prometheus-alertmanager`, 0.25) for integration tests:
 * on a free 127.0.0.1 port, with a temporary data directory, clustering disabled
 * (`--cluster.listen-address=` empty), and a `stop()` that terminates it (SIGTERM, then
 * SIGKILL) and removes its files. Every instance is also killed when the test process exits,
 * so a failing test never leaves an Alertmanager behind. No test-framework imports: usable
 * from vitest, benchmarks and scripts alike.
 *
 * ```ts
 * const am = await startAlertmanager({ configYaml: "route: {receiver: x}\nreceivers: [{name: x}]\n" });
 * try { await fetch(`${am.url}/api/v2/alerts`) } finally { await am.stop() }
 * ```
 */
import { requireTool } from "./tools.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";
import { exitCleanup } from "./child-lifecycle.ts";

export interface StartAlertmanagerOptions {
  /** Config file contents (written into the data directory). One of configYaml / configFile. */
  readonly configYaml?: string;
  /** An existing config file to load as is. */
  readonly configFile?: string;
  /** Binary; default `prometheus-alertmanager` (Debian's name), else env ALERTMANAGER_BIN. */
  readonly binary?: string;
  /** How long to wait for `/-/ready`. Default 20 s. */
  readonly readyTimeoutMs?: number;
  /** Extra command-line flags. */
  readonly extraArgs?: readonly string[];
}

/** A running Alertmanager. */
export interface AlertmanagerInstance {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly configFile: string;
  /** stdout and stderr so far (the last 256 KiB), for failure messages. */
  logs(): string;
  /** `GET /api/v2/alerts` (active, silenced, inhibited; resolved ones are not listed). */
  alerts(): Promise<GettableAlert[]>;
  /** Stops the process and removes the data directory; safe to call twice. */
  stop(): Promise<void>;
}

/** The parts of Alertmanager's `gettableAlert` the tests read. */
export interface GettableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly fingerprint: string;
  readonly status: { readonly state: "active" | "suppressed" | "unprocessed" };
  readonly receivers: readonly { readonly name: string }[];
}

const running = new Set<ChildProcess>();
const installExitHook = exitCleanup(
  () => {
    for (const child of running) child.kill("SIGKILL");
  },
  { signals: false },
);

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts an Alertmanager and resolves once it answers `/-/ready`. */
export async function startAlertmanager(options: StartAlertmanagerOptions): Promise<AlertmanagerInstance> {
  if ((options.configYaml === undefined) === (options.configFile === undefined)) {
    throw new Error("startAlertmanager: give exactly one of configYaml or configFile");
  }
  installExitHook();
  const binary = requireTool("prometheus-alertmanager", options.binary);
  const dataDir = await mkdtemp(join(tmpdir(), "slogate-am-"));
  const configFile = options.configFile ?? join(dataDir, "alertmanager.yml");
  if (options.configYaml !== undefined) await writeFile(configFile, options.configYaml);

  let lastError: Error | undefined;
  for (let tries = 0; tries < 3; tries++) {
    const port = await freePort();
    try {
      return await launch(binary, port, dataDir, configFile, options);
    } catch (e) {
      lastError = e instanceof Error ? e : new Error(String(e));
      // A port taken between freePort() and bind: try another one; anything else is final.
      if (!/address already in use/i.test(lastError.message)) break;
    }
  }
  await rm(dataDir, { recursive: true, force: true });
  throw lastError ?? new Error("startAlertmanager failed");
}

async function launch(
  binary: string,
  port: number,
  dataDir: string,
  configFile: string,
  options: StartAlertmanagerOptions,
): Promise<AlertmanagerInstance> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=debug",
      ...(options.extraArgs ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(child);
  let output = "";
  const keep = (chunk: Buffer): void => {
    output += chunk.toString("utf8");
    if (output.length > 262_144) output = output.slice(-262_144);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let spawnError: Error | undefined;
  child.on("error", (e) => (spawnError = e));
  child.on("exit", () => running.delete(child));

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        if (!(await waitExit(child, 5000))) {
          child.kill("SIGKILL");
          await waitExit(child, 5000);
        }
      }
      running.delete(child);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (spawnError !== undefined) {
      await stop();
      throw new Error(
        `could not start ${binary}: ${spawnError.message} (is prometheus-alertmanager installed?)`,
      );
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(child);
      throw new Error(
        `${binary} exited (${child.exitCode ?? child.signalCode}) before becoming ready:\n${output}`,
      );
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const logs = output;
      await stop();
      throw new Error(`${binary} not ready after ${options.readyTimeoutMs ?? 20_000} ms:\n${logs}`);
    }
    await delay(100);
  }

  return {
    url,
    port,
    dataDir,
    configFile,
    logs: () => output,
    alerts: async () => {
      const res = await fetch(`${url}/api/v2/alerts`);
      if (!res.ok) throw new Error(`GET /api/v2/alerts: HTTP ${res.status}`);
      return (await res.json()) as GettableAlert[];
    },
    stop,
  };
}
