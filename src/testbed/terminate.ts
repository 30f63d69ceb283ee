/**
 * @module testbed/terminate
 * Stops a child process the test bed started: SIGTERM, then SIGKILL when it has not exited
 * after a grace period; resolves once it has exited. Plain TypeScript.
 */
import type { ChildProcess } from "node:child_process";

/** Terminates `child` (no-op when it already exited); `exited` resolves on its exit event. */
export async function terminate(child: ChildProcess, exited: Promise<void>, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
