#!/usr/bin/env node
/**
 * @module cli/main
 * The `slogate` command line and composition root. Each subcommand lives in
 * `src/cli/commands/<name>.ts` and is loaded only when used.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { errorExitCode } from "./exit-codes.ts";
import type { CliCommand, CliIo } from "./io.ts";

const commands: Record<string, { summary: string; load: () => Promise<{ run: CliCommand }> }> = {
  validate: {
    summary: "check SLO files and print every problem",
    load: () => import("./commands/validate.ts"),
  },
  generate: {
    summary: "write Prometheus rules, Alertmanager config and Grafana dashboards",
    load: () => import("./commands/generate.ts"),
  },
  serve: {
    summary: "run the gate service (webhooks, baselines, /metrics)",
    load: () => import("./commands/serve.ts"),
  },
  analyze: {
    summary: "judge one look of a canary from the command line",
    load: () => import("./commands/analyze.ts"),
  },
  backtest: {
    summary: "replay an analysis over a past window, look by look",
    load: () => import("./commands/backtest.ts"),
  },
  baseline: { summary: "capture a baseline now", load: () => import("./commands/baseline.ts") },
  demo: {
    summary: "start a local Prometheus with synthetic traffic and gate a good and a bad canary",
    load: () => import("./commands/demo.ts"),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands).map(([k, v]) => `  ${k.padEnd(width)}  ${v.summary}`);
  return `usage: slogate <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nRun 'slogate <command> --help' for a command's options.\n`;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    io.stderr(`slogate: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest, io);
}

/** True when this file is the process' entry point (also through npm's bin symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

const isEntry = isEntryPoint();
if (isEntry) {
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once("SIGINT", () => stop());
  process.once("SIGTERM", () => stop());
  const io: CliIo = {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    stopped,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const e = err as { code?: string; message?: string; hint?: string };
      process.stderr.write(
        `slogate: ${e.code ? `[${e.code}] ` : ""}${e.message ?? String(err)}${e.hint ? `\n  hint: ${e.hint}` : ""}\n`,
      );
      process.exitCode = errorExitCode(err);
    },
  );
}
