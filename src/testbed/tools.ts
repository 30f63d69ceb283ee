/**
 * @module testbed/tools
 * The real binaries the test bed runs (Prometheus, promtool, Alertmanager, amtool,
 * VictoriaMetrics, openssl, Chromium), found on
 * PATH or through an env override, and a runner for the command-line checkers that tells a
 * missing binary apart from a check that failed — so a test asserting "promtool rejects this
 * file" cannot pass because promtool is not installed.
 */
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

/** The binaries and the Debian package each comes from. */
export const TOOLS = {
  prometheus: { env: "PROMETHEUS_BIN", debian: "prometheus" },
  promtool: { env: "PROMTOOL_BIN", debian: "prometheus" },
  "prometheus-alertmanager": { env: "ALERTMANAGER_BIN", debian: "prometheus-alertmanager" },
  amtool: { env: "AMTOOL_BIN", debian: "prometheus-alertmanager" },
  "victoria-metrics": { env: "VICTORIA_METRICS_BIN", debian: "victoria-metrics" },
  openssl: { env: "OPENSSL_BIN", debian: "openssl" },
  chromium: { env: "SLOGATE_CHROMIUM", debian: "chromium" },
} as const;
export type ToolName = keyof typeof TOOLS;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The path of `name` (its env override, else the first match on PATH). Throws an error that
 * says how to install it when it is missing.
 */
export function requireTool(name: ToolName, override?: string): string {
  const { env, debian } = TOOLS[name];
  const chosen = override ?? process.env[env] ?? name;
  const candidates = isAbsolute(chosen)
    ? [chosen]
    : (process.env.PATH ?? "").split(delimiter).map((d) => join(d, chosen));
  const found = candidates.find(executable);
  if (found === undefined) {
    throw new Error(
      `${chosen} is not installed or not executable (looked on PATH${override === undefined ? ` and $${env}` : ""}): ` +
        `install the Debian package '${debian}' (./run test installs it) or set ${env} to the binary`,
    );
  }
  return found;
}

/** The outcome of a checker command: its exit code and everything it printed. */
export interface ToolRun {
  readonly code: number;
  readonly out: string;
}

/**
 * Runs a checker (`promtool`, `amtool`) and resolves with its exit code and output — also
 * for a non-zero exit. Rejects only when the binary cannot be run at all.
 */
export async function runTool(
  name: ToolName,
  args: readonly string[],
  options: { readonly cwd?: string; readonly timeoutMs?: number } = {},
): Promise<ToolRun> {
  const bin = requireTool(name);
  return await new Promise((resolve, reject) => {
    execFile(
      bin,
      [...args],
      { cwd: options.cwd, maxBuffer: 1 << 26, timeout: options.timeoutMs ?? 120_000, encoding: "utf8" },
      (err, stdout, stderr) => {
        const out = `${stdout}${stderr}`;
        if (err === null) return resolve({ code: 0, out });
        const code = (err as { code?: number | string }).code;
        if (typeof code === "number") return resolve({ code, out });
        reject(new Error(`${bin} could not run (${code ?? err.message}): ${out}`.trim()));
      },
    );
  });
}
