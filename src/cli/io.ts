/**
 * @module cli/io
 * What a CLI command gets from the composition root: its arguments and the process's streams
 * and environment, so commands are testable without spawning a process.
 */

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); used by long-running commands. */
  readonly stopped: Promise<void>;
}

/** A subcommand: resolves to the process exit code. */
export type CliCommand = (args: readonly string[], io: CliIo) => Promise<number>;
