/**
 * @module testbed/serve-process
 * `slogate serve` as a real process on 127.0.0.1 (what the lifecycle, crash-safety and
 * built-package tests need to signal and kill), with its output kept and its start awaited.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "../..");

export interface ServeProcessOptions {
  readonly port: number;
  readonly dataDir: string;
  readonly prometheusUrl: string;
  readonly slosDir: string;
  /** More `serve` flags, e.g. `--allow-no-slos`. */
  readonly flags?: readonly string[];
  /** Extra environment (`SLOGATE_*`). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves with the exit code (null when killed by a signal) and the ms since spawn. */
  readonly exit: Promise<{ code: number | null; ms: number }>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves once it logged "slogate listening"; rejects when it exits first or after `ms`. */
  listening(ms?: number): Promise<void>;
}

/** The `serve` arguments for `o` (also for `spawnSync` callers). */
export function serveArgs(o: ServeProcessOptions): string[] {
  return [
    "src/cli/main.ts",
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    String(o.port),
    "--data-dir",
    o.dataDir,
    "--prometheus",
    o.prometheusUrl,
    "--slos",
    o.slosDir,
    ...(o.flags ?? []),
  ];
}

/** Spawns `slogate serve` from the repository's sources. */
export function spawnServe(o: ServeProcessOptions): ServeProcess {
  const t0 = Date.now();
  const child = spawn(process.execPath, serveArgs(o), {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...o.env },
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => void (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => void (out += d.toString()));
  const exit = new Promise<{ code: number | null; ms: number }>((ok) => {
    child.on("exit", (code) => ok({ code, ms: Date.now() - t0 }));
  });
  const listening = (ms = 30_000): Promise<void> =>
    new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`serve did not start: ${out}`)), ms);
      const poll = setInterval(() => {
        if (!out.includes("slogate listening")) return;
        clearInterval(poll);
        clearTimeout(timer);
        ok();
      }, 20);
      void exit.then(() => {
        clearInterval(poll);
        clearTimeout(timer);
        fail(new Error(`serve exited: ${out}`));
      });
    });
  return { child, url: `http://127.0.0.1:${o.port}`, exit, output: () => out, listening };
}
