/**
 * @module cli/commands/validate
 * `slogate validate [--config FILE] <file|dir>...`: reads SLO files (slogate v1, Sloth,
 * OpenSLO v1) and/or the service configuration, and prints every problem as
 * `file:line:col: error: message (path) hint: …`, or as JSON with `--format json`. Exits 0
 * when there are no errors (warnings allowed unless `--strict`), 1 when there are, 2 on a
 * usage error.
 */
import { relative, resolve, sep } from "node:path";
import { loadSloFiles } from "../../catalog/load-slos.ts";
import { isSlogateError } from "../../errors.ts";
import { checkServiceConfigFile } from "../../main/load-service-config.ts";
import { formatProblem, hasErrors, type Problem } from "../../slo/problem.ts";
import type { CliCommand } from "../io.ts";
import { commandWithFlags, usageError } from "../parse-flags.ts";

const HELP = `usage: slogate validate [--format human|json] [--strict] [--config FILE] [<file|dir>...]

Checks SLO files (slogate.dev/v1, Sloth prometheus/v1 and sloth.slok.dev/v1, OpenSLO v1) and
prints every problem with file:line:col, the YAML path and a hint. Directories are read
recursively (.yaml, .yml); OpenSLO indicatorRefs resolve across all given files.

  --config FILE        also check a service configuration (see slogate.example.yaml) as
                       \`slogate serve --config FILE\` would read it: with the SLOGATE_*
                       environment variables applied (their problems name the variable)
  --format human|json  output format (default human)
  --strict             fail on warnings too
Exit status: 0 valid, 1 problems found, 2 usage error.
`;

const FLAGS = {
  command: "validate",
  help: HELP,
  options: {
    format: { type: "string", default: "human" },
    strict: { type: "boolean", default: false },
    config: { type: "string" },
  },
  positionals: true,
} as const;

export const run: CliCommand = commandWithFlags(FLAGS, async (parsed, io) => {
  const v = parsed.values;
  if (v.format !== "human" && v.format !== "json") {
    io.stderr(`slogate validate: --format must be human or json, got ${JSON.stringify(v.format)}\n`);
    return 2;
  }
  if (parsed.positionals.length === 0 && v.config === undefined) {
    return usageError(io, FLAGS, "give at least one SLO file or directory, or --config FILE");
  }
  const show = (file: string): string => {
    const rel = relative(io.cwd, file);
    return rel === "" || rel.startsWith("..") ? file : rel;
  };
  const config = v.config === undefined ? undefined : checkConfig(v.config, io, show);
  const loaded =
    parsed.positionals.length === 0
      ? undefined
      : await loadSloFiles(parsed.positionals.map((p) => resolve(io.cwd, p)));
  // Paths under the working directory are shown relative, in messages too ("also at …").
  const sloProblems: Problem[] = (loaded?.problems ?? []).map((p) => ({
    ...p,
    file: show(p.file),
    message: p.message.replaceAll(`${io.cwd}${sep}`, ""),
  }));
  const problems = [...(config?.problems ?? []), ...sloProblems];
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const failed = hasErrors(problems) || (v.strict && warnings > 0);
  if (v.format === "json") {
    const out = {
      valid: !failed,
      errors,
      warnings,
      ...(config === undefined ? {} : { config: config.file }),
      ...(loaded === undefined
        ? {}
        : {
            services: loaded.services.map((s) => ({
              service: s.service,
              file: show(s.source.file),
              format: s.source.format,
              slos: s.slos.map((slo) => slo.id),
            })),
            notes: Object.fromEntries(
              loaded.slos
                .filter((slo) => slo.notes?.length)
                .map((slo) => [slo.id, slo.notes?.map((n) => n.replaceAll(`${io.cwd}${sep}`, ""))]),
            ),
            slos: loaded.slos.length,
          }),
      problems,
    };
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return failed ? 1 : 0;
  }
  if (config !== undefined) {
    for (const p of config.problems) io.stdout(`${formatProblem(p)}\n`);
    const n = config.problems.length;
    io.stdout(`${n > 0 ? "invalid" : "valid"}: config ${config.file}, ${n} error${n === 1 ? "" : "s"}\n`);
  }
  if (loaded !== undefined) {
    for (const p of sloProblems) io.stdout(`${formatProblem(p)}\n`);
    // How an imported SLO was converted (e.g. a raw ratio split into bad/total event queries).
    for (const slo of loaded.slos) {
      for (const note of slo.notes ?? [])
        io.stdout(`${show(slo.source.file)}: note: ${slo.id}: ${note.replaceAll(`${io.cwd}${sep}`, "")}\n`);
    }
    const sloErrors = sloProblems.filter((p) => p.severity === "error").length;
    const sloWarnings = sloProblems.length - sloErrors;
    const sloFailed = sloErrors > 0 || (v.strict && sloWarnings > 0);
    const services = loaded.services.length;
    io.stdout(
      `${sloFailed ? "invalid" : "valid"}: ${services} service${services === 1 ? "" : "s"}, ${loaded.slos.length} SLO${loaded.slos.length === 1 ? "" : "s"}, ${sloErrors} error${sloErrors === 1 ? "" : "s"}, ${sloWarnings} warning${sloWarnings === 1 ? "" : "s"}\n`,
    );
  }
  return failed ? 1 : 0;
});

/** Reads the service config `file` as `serve` would; an unreadable file is one problem. */
function checkConfig(
  file: string,
  io: Parameters<CliCommand>[1],
  show: (file: string) => string,
): { file: string; problems: Problem[] } {
  const shown = show(resolve(io.cwd, file));
  try {
    const read = checkServiceConfigFile(file, io.env, io.cwd);
    return { file: shown, problems: read.problems.map((p) => (p.file === file ? { ...p, file: shown } : p)) };
  } catch (e) {
    if (!isSlogateError(e, "CONFIG_INVALID")) throw e;
    const problem: Problem = {
      file: shown,
      line: 0,
      col: 0,
      path: "",
      code: "CONFIG_INVALID",
      message: e.message.replaceAll(`${io.cwd}${sep}`, ""),
      hint: e.hint,
      severity: "error",
    };
    return { file: shown, problems: [problem] };
  }
}
