/**
 * @module testbed/postgres
 * Starts a real PostgreSQL for tests: Debian's `postgresql` binaries (`initdb`, `postgres`
 * from `/usr/lib/postgresql/<version>/bin`, or `$PG_BIN`), a temporary cluster directory,
 * a free 127.0.0.1 port, trust authentication for the user `slogate`, and the Unix socket
 * inside the temporary directory (nothing in /var/run). When the process runs as root
 * (containers, CI), the cluster is owned by and the server runs as the `postgres` system
 * user, because `initdb` refuses to run as root. Plain TypeScript with no vitest import.
 *
 * `stop()` and `start()` stop and restart the server on the same port and data (what the
 * outage tests need); `kill()` SIGKILLs it with all its backends (a crash); `destroy()` stops
 * it and removes the directory.
 * A process `exit` handler (and SIGINT/SIGTERM handlers that re-raise the signal) kill and
 * remove whatever is still running if the caller never got to `destroy()`.
 *
 * ```ts
 * const pg = await startPostgres();
 * try { const url = await pg.createDatabase("t1"); ... } finally { await pg.destroy(); }
 * ```
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./free-port.ts";
import { exitCleanup, keepOutputLines } from "./child-lifecycle.ts";

export interface PostgresBed {
  /** Connection URL of the `postgres` database, e.g. `postgres://slogate@127.0.0.1:41234/postgres`. */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Creates a new empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown) and keeps the data; `start()` brings it back. */
  stop(): Promise<void>;
  /** SIGKILLs the server (crash); `start()` brings it back (with crash recovery). */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data directory. */
  start(): Promise<void>;
  /** Last lines of the server log, for error messages. */
  logTail(): string;
  /** Stops the server and removes the directory. Safe to call twice. */
  destroy(): Promise<void>;
}

/** The directory holding `initdb` and `postgres`: `$PG_BIN`, else the newest Debian version. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN !== undefined && process.env.PG_BIN !== "") return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      "PostgreSQL binaries not found: install the Debian package `postgresql` (or set PG_BIN to the directory with initdb and postgres)",
    );
  }
  return join(root, versions[0]!, "bin");
}

/** The uid/gid to run PostgreSQL as: ourselves, or `postgres` when we are root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const r = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const g = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (r.status !== 0 || g.status !== 0) {
    throw new Error("running as root and there is no `postgres` user to run PostgreSQL as");
  }
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

const running = new Set<{ child: () => ChildProcess | undefined; dir: string }>();

/** Pids whose parent is `pid` (Linux `/proc`). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …; comm may contain spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * SIGKILLs the postmaster `c` and every backend it forked (each backend is its own session,
 * so a process-group kill would miss them): what a crash of the machine or container does.
 */
function killServer(c: ChildProcess): void {
  const pid = c.pid;
  const children = pid === undefined ? [] : childrenOf(pid);
  c.kill("SIGKILL");
  for (const child of children) {
    try {
      process.kill(child, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function killAll(): void {
  for (const r of running) {
    const c = r.child();
    if (c !== undefined) killServer(c);
    rmSync(r.dir, { recursive: true, force: true });
  }
  running.clear();
}

/** Cleans up on process exit and on SIGINT/SIGTERM. */
const installExitHook = exitCleanup(killAll, { signals: true });

async function canConnect(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  c.on("error", () => undefined);
  try {
    await c.connect();
    await c.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Initializes a cluster in a temporary directory and starts it; resolves once it accepts connections. */
export async function startPostgres(opts: { readonly readyTimeoutMs?: number } = {}): Promise<PostgresBed> {
  const bin = postgresBinDir();
  const owner = runAs();
  const dir = mkdtempSync(join(tmpdir(), "slogate-pg-"));
  const dataDir = join(dir, "data");
  if (owner !== undefined) chownSync(dir, owner.uid, owner.gid);
  const ids = owner === undefined ? {} : { uid: owner.uid, gid: owner.gid };
  const init = spawnSync(
    join(bin, "initdb"),
    ["-D", dataDir, "-U", "slogate", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"],
    { encoding: "utf8", ...ids },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.error?.message ?? ""} ${init.stderr}`);
  }
  // Loopback only; small and fast for tests. No fsync (an OS crash would lose the thrown-away
  // cluster), but synchronous commit stays on: a SIGKILLed server keeps what it committed.
  writeFileSync(
    join(dataDir, "postgresql.auto.conf"),
    [
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      "fsync = off",
      "full_page_writes = off",
      "max_connections = 200",
      "shared_buffers = 32MB",
      "log_min_messages = warning",
      "",
    ].join("\n"),
  );
  if (owner !== undefined) chownSync(join(dataDir, "postgresql.auto.conf"), owner.uid, owner.gid);

  installExitHook();
  const port = await freePort();
  const url = `postgres://slogate@127.0.0.1:${port}/postgres`;
  const log: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const entry = { child: () => child, dir };
  running.add(entry);

  const launch = async (): Promise<void> => {
    const c = spawn(join(bin, "postgres"), ["-D", dataDir, "-p", String(port)], {
      stdio: ["ignore", "pipe", "pipe"],
      ...ids,
    });
    keepOutputLines(c, log);
    c.once("error", (e) => log.push(String(e)));
    child = c;
    exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (c.exitCode !== null || c.signalCode !== null) break;
      if (await canConnect(url)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`postgres did not accept connections on ${url}:\n${log.slice(-20).join("\n")}`);
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    if (signal === "SIGKILL") killServer(c);
    else c.kill(signal);
    const timer = setTimeout(() => c.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await launch();
  } catch (e) {
    await halt("SIGKILL");
    running.delete(entry);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  let destroyed = false;
  return {
    url,
    port,
    dir,
    createDatabase: async (name) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return `postgres://slogate@127.0.0.1:${port}/${name}`;
    },
    // SIGINT is PostgreSQL's "fast" shutdown: clients are disconnected at once.
    stop: () => halt("SIGINT"),
    kill: () => halt("SIGKILL"),
    start: async () => {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) return;
      await launch();
    },
    logTail: () => log.slice(-20).join("\n"),
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      await halt("SIGINT");
      running.delete(entry);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
