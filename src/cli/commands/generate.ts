/**
 * @module cli/commands/generate
 * `slogate generate [--slos slos/] [--out .] [--check]`: loads the SLO files, runs the pure
 * generators and writes `rules/`, `alertmanager/` and `grafana/` under `--out`. With
 * `--check` nothing is written: the files are regenerated in memory and compared with those
 * on disk; every differing, missing or stale file is listed and the exit code is 1 (CI).
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { loadSloFiles } from "../../catalog/load-slos.ts";
import { SlogateError } from "../../errors.ts";
import {
  defaultGenerateOptions,
  generateArtifacts,
  generatorSkipReason,
  type GeneratedFile,
  type GenerateOptions,
} from "../../generate/generate-artifacts.ts";
import { parsePrometheusDuration } from "../../slo/duration.ts";
import { formatProblem, hasErrors } from "../../slo/problem.ts";
import type { Slo } from "../../slo/model.ts";
import type { CliCommand } from "../io.ts";
import { commandWithFlags } from "../parse-flags.ts";

const HELP = `usage: slogate generate [--slos DIR|FILE]... [--out DIR] [--check] [options]

Writes, under --out (default .):
  rules/<service>.yml, rules/slogate.yml            Prometheus rule files
  rules/prometheus-operator/*.yaml                  the same as PrometheusRule resources
  alertmanager/alertmanager.yml                     routes, Slack receivers, inhibition
  grafana/dashboards/*.json                         per-SLO, canary analysis, slogate
  grafana/provisioning/{dashboards,datasources}/    Grafana provisioning

options:
  --slos PATH            SLO file or directory (repeatable; default slos/)
  --out DIR              output directory (default .)
  --check                compare with the files on disk instead of writing; exit 1 on any difference
  --default-team NAME    team of SLOs without a team/owner label (default ${defaultGenerateOptions.defaultTeam})
  --platform-team NAME   team that owns slogate's own alerts (default ${defaultGenerateOptions.platformTeam})
  --slack-url-file PATH  file with a team's Slack webhook URL, {team} replaced
                         (default ${defaultGenerateOptions.slackUrlFile})
  --slack-channel NAME   channel without a slack_channel label, {team}/{tier} replaced
                         (default ${defaultGenerateOptions.slackChannel})
  --baseline-max-age D   baseline age that raises SlogateBaselineStale (default 7d)
  --prometheus-url URL   Prometheus URL of the provisioned datasource (default ${defaultGenerateOptions.prometheusUrl})
  --datasource-uid UID   uid of that datasource (default ${defaultGenerateOptions.datasourceUid})
  --dashboards-path DIR  where Grafana reads the dashboards (default ${defaultGenerateOptions.dashboardsPath})
`;

/** The directories `generate` owns under --out: stale files there are reported or removed. */
const OWNED = ["rules", "alertmanager", "grafana"];
const GENERATED_EXT = /\.(ya?ml|json)$/;

async function listFiles(root: string, dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...(await listFiles(root, rel)));
    else if (GENERATED_EXT.test(e.name)) out.push(rel);
  }
  return out;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Differences between generated files and the disk: `changed`, `missing`, `stale` paths. */
export async function diffWithDisk(
  files: readonly GeneratedFile[],
  outDir: string,
): Promise<{ changed: string[]; missing: string[]; stale: string[] }> {
  const changed: string[] = [];
  const missing: string[] = [];
  for (const f of files) {
    const current = await readOrUndefined(join(outDir, f.path));
    if (current === undefined) missing.push(f.path);
    else if (current !== f.content) changed.push(f.path);
  }
  const generated = new Set(files.map((f) => f.path));
  const onDisk = (await Promise.all(OWNED.map((d) => listFiles(outDir, d)))).flat();
  const stale = onDisk.filter((p) => !generated.has(p)).sort();
  return { changed, missing, stale };
}

function relativeSources(slos: readonly Slo[], cwd: string): Slo[] {
  return slos.map((s) => {
    const rel = isAbsolute(s.source.file) ? relative(cwd, s.source.file) : s.source.file;
    return { ...s, source: { ...s.source, file: rel.split(sep).join("/") } };
  });
}

function options(values: Record<string, string | boolean | string[] | undefined>): GenerateOptions {
  const str = (k: string, d: string): string => {
    const v = values[k];
    return typeof v === "string" ? v : d;
  };
  const maxAgeText = values["baseline-max-age"];
  const maxAge = typeof maxAgeText === "string" ? parsePrometheusDuration(maxAgeText) : undefined;
  if (typeof maxAgeText === "string" && maxAge === undefined) {
    throw new SlogateError(
      "BAD_REQUEST",
      `--baseline-max-age: not a duration: ${JSON.stringify(maxAgeText)}`,
      {
        hint: "use a Prometheus duration such as 7d or 36h",
      },
    );
  }
  return {
    ...defaultGenerateOptions,
    defaultTeam: str("default-team", defaultGenerateOptions.defaultTeam),
    platformTeam: str("platform-team", defaultGenerateOptions.platformTeam),
    slackUrlFile: str("slack-url-file", defaultGenerateOptions.slackUrlFile),
    slackChannel: str("slack-channel", defaultGenerateOptions.slackChannel),
    prometheusUrl: str("prometheus-url", defaultGenerateOptions.prometheusUrl),
    datasourceUid: str("datasource-uid", defaultGenerateOptions.datasourceUid),
    dashboardsPath: str("dashboards-path", defaultGenerateOptions.dashboardsPath),
    baselineMaxAgeSeconds: maxAge ?? defaultGenerateOptions.baselineMaxAgeSeconds,
  };
}

const FLAGS = {
  command: "generate",
  help: HELP,
  options: {
    slos: { type: "string", multiple: true },
    out: { type: "string" },
    check: { type: "boolean" },
    "default-team": { type: "string" },
    "platform-team": { type: "string" },
    "slack-url-file": { type: "string" },
    "slack-channel": { type: "string" },
    "baseline-max-age": { type: "string" },
    "prometheus-url": { type: "string" },
    "datasource-uid": { type: "string" },
    "dashboards-path": { type: "string" },
  },
} as const;

export const run: CliCommand = commandWithFlags(FLAGS, async (parsed, io) => {
  const v = parsed.values;
  const paths = (v.slos ?? ["slos"]).map((p) => resolve(io.cwd, p));
  const outDir = resolve(io.cwd, v.out ?? ".");
  const loaded = await loadSloFiles(paths);
  for (const p of loaded.problems) io.stderr(`${formatProblem(p)}\n`);
  if (hasErrors(loaded.problems)) {
    io.stderr("slogate generate: the SLO files have errors; nothing generated\n");
    return 1;
  }
  if (loaded.slos.length === 0) {
    throw new SlogateError("SLO_NOT_FOUND", `no SLOs found in ${paths.join(", ")}`, {
      hint: "point --slos at a directory or file holding slogate, Sloth or OpenSLO SLO files",
    });
  }
  const slos = relativeSources(loaded.slos, io.cwd);
  for (const slo of slos) {
    const skipped = generatorSkipReason(slo);
    if (skipped !== undefined) io.stderr(`note: ${skipped}\n`);
  }
  const files = generateArtifacts(slos, options(v));
  const diff = await diffWithDisk(files, outDir);
  if (v.check === true) {
    const lines = [
      ...diff.changed.map((p) => `changed  ${p}`),
      ...diff.missing.map((p) => `missing  ${p}`),
      ...diff.stale.map((p) => `stale    ${p}`),
    ];
    if (lines.length === 0) {
      io.stdout(`slogate generate --check: ${files.length} files up to date\n`);
      return 0;
    }
    io.stderr(
      `slogate generate --check: ${lines.length} files differ from the SLO files:\n${lines.map((l) => `  ${l}\n`).join("")}run 'slogate generate' and commit the result\n`,
    );
    return 1;
  }
  for (const f of files) {
    const path = join(outDir, f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.content);
  }
  for (const p of diff.stale) await rm(join(outDir, p));
  io.stdout(
    `slogate generate: wrote ${files.length} files under ${relative(io.cwd, outDir) || "."} (${diff.changed.length} changed, ${diff.missing.length} new, ${diff.stale.length} stale removed)\n`,
  );
  return 0;
});
