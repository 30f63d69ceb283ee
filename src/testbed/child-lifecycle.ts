/**
 * @module testbed/child-lifecycle
 * What every server the test bed starts (Prometheus, VictoriaMetrics, PostgreSQL,
 * Alertmanager) needs around its child process: the last lines of its output for error
 * messages, cleanup when the test process ends, and a graceful stop. Plain TypeScript.
 */
import type { ChildProcess } from "node:child_process";

/** Keeps the last `max` non-empty lines `child` writes (stdout and stderr) in `log`. */
export function keepOutputLines(child: ChildProcess, log: string[], max = 200): void {
  const keep = (chunk: Buffer): void => {
    log.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (log.length > max) log.splice(0, log.length - max);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
}

/**
 * Runs `cleanup` on process exit; with `signals`, also on SIGINT/SIGTERM (Ctrl-C of the demo,
 * a test runner killing its worker), after which the signal is re-raised when nobody else
 * handles it, so the process still ends the way it would have. Returns an installer that
 * installs the hooks once, on its first call.
 */
export function exitCleanup(cleanup: () => void, o: { readonly signals: boolean }): () => void {
  let installed = false;
  return () => {
    if (installed) return;
    installed = true;
    process.on("exit", cleanup);
    if (!o.signals) return;
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      const onSignal = (): void => {
        cleanup();
        process.removeListener(sig, onSignal);
        if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      };
      process.on(sig, onSignal);
    }
  };
}

/** Terminates `child` (no-op when it already exited); `exited` resolves on its exit event. */
export async function terminate(child: ChildProcess, exited: Promise<void>, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Gives up on a start attempt that did not become ready: kills the child (SIGKILL) if it still
 * runs and waits for its exit. Returns whether another attempt on a new port is worth it (the
 * output says the port was taken).
 */
export async function abandonStart(
  child: ChildProcess,
  exited: Promise<void>,
  log: readonly string[],
): Promise<boolean> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await exited;
  }
  return log.some((l) => /address already in use/i.test(l));
}
