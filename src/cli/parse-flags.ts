/**
 * @module cli/parse-flags
 * The command-line flags of one subcommand: `node:util` parseArgs plus the conventions every
 * slogate command follows — `-h/--help` prints the usage on stdout (exit 0), a usage error
 * prints `slogate <command>: <message>` and the usage on stderr (exit 2).
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import type { CliCommand, CliIo } from "./io.ts";

/** The `-h/--help` flag every command has. */
const HELP_FLAG = { help: { type: "boolean", short: "h", default: false } } as const;

/** What one command accepts. */
export interface FlagSpec<O extends ParseArgsOptionsConfig> {
  /** The subcommand's name, for messages (`slogate <command>: …`). */
  readonly command: string;
  /** The usage text, printed by --help and after a usage error. */
  readonly help: string;
  /** The flags besides --help. */
  readonly options: O;
  /** Accept arguments that are not flags (default false). */
  readonly positionals?: boolean;
}

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{
    args: string[];
    options: O & typeof HELP_FLAG;
    allowPositionals: boolean;
    strict: true;
  }>
>;

/**
 * Parses `args` per `spec`. Returns the parsed flags, or the exit code to return at once:
 * 0 after printing the usage for --help, 2 after a usage error.
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  io: CliIo,
  spec: FlagSpec<O>,
): Parsed<O> | number {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(args, spec.options),
      options: { ...spec.options, ...HELP_FLAG },
      allowPositionals: spec.positionals ?? false,
      strict: true,
    });
  } catch (e) {
    return usageError(io, spec, (e as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    io.stdout(spec.help);
    return 0;
  }
  return parsed;
}

/**
 * `--start -15m` as the help shows it: parseArgs takes a value that starts with `-` for a flag,
 * so a string option followed by a relative time (`-` and a digit) is joined to `--start=-15m`.
 */
function joinNegativeValues(args: readonly string[], options: ParseArgsOptionsConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    const next = args[i + 1];
    const name = a.startsWith("--") && !a.includes("=") ? a.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Reports a usage error (`slogate <command>: <message>` and the usage) and returns exit code 2. */
export function usageError(
  io: CliIo,
  spec: Pick<FlagSpec<ParseArgsOptionsConfig>, "command" | "help">,
  message: string,
): number {
  io.stderr(`slogate ${spec.command}: ${message}\n\n${spec.help}`);
  return 2;
}

/**
 * A subcommand that parses its flags per `spec` first (handling --help and usage errors) and
 * then runs `body` with them.
 */
export function commandWithFlags<const O extends ParseArgsOptionsConfig>(
  spec: FlagSpec<O>,
  body: (parsed: Parsed<O>, io: CliIo) => Promise<number>,
): CliCommand {
  return async (args, io) => {
    const parsed = parseFlags(args, io, spec);
    return typeof parsed === "number" ? parsed : body(parsed, io);
  };
}
