/**
 * @module cli/commands/analyze
 * `slogate analyze`: one look of a canary from the command line — the same reads and judge
 * as the service, on a throwaway in-memory store — printed as a table or JSON.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { analyzeLook } from "../../app/analyze-look.ts";
import { captureBaseline } from "../../app/capture-baseline.ts";
import { armMatchersOf } from "../../main/arm-readers.ts";
import { parseDurationArg, parseTimeArg } from "../time-arg.ts";
import { verdictBody } from "../../app/verdict-body.ts";
import { renderOfflineReport } from "../../report/offline-report.ts";
import type { SloVerdict } from "../../domain/verdict.ts";
import { ARM_FLAGS, GATE_FLAGS, loadCommandConfig, withOneShotGate } from "../command-gates.ts";
import type { CliCommand } from "../io.ts";
import { commandWithFlags, usageError } from "../parse-flags.ts";
import { EXIT_HELP, verdictExitCode } from "../exit-codes.ts";

const HELP = `usage: slogate analyze --slo ID --canary VALUE --stable VALUE [--start TIME] [--time TIME]
                       [--baseline-window DURATION] [--final] [--json] [--html FILE]
                       [--prometheus URL] [--slos PATH]... [--config FILE]

Judges one look: canary vs stable (and vs the SLO, and vs a baseline of the stable arm over
the window before --start) for the events since --start, read from Prometheus at --time.

  --slo ID                SLO id (<service>-<name>) or a unique name
  --canary, --stable      the arms' values (Argo pod-template hashes, Flagger target name)
  --start TIME            start of the canary (default -15m); times: now, -15m, Unix s, RFC 3339
  --time TIME             evaluation time (default now)
  --baseline-window D     baseline window before --start (default 1h; 0 disables)
  --final                 judge as the analysis' final look (pass needs enough traffic)
  --json                  print the verdict as JSON (the service's response body)
  --html FILE             also write the analysis page (charts, numbers) as one HTML file
`;
const HELP_FULL = HELP + EXIT_HELP;

/** Renders a verdict as a human table. */
export function renderVerdictTable(v: SloVerdict): string {
  const rows = v.checks.map((c) => [c.id, c.status, c.critical ? "yes" : "no", c.reason]);
  const head = ["check", "status", "critical", "reason"];
  const widths = head.map((h, i) =>
    Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length))),
  );
  const line = (r: string[]) => r.map((c, i) => (i === 3 ? c : c.padEnd(widths[i] ?? 0))).join("  ");
  return [
    `${v.slo}: ${v.verdict.toUpperCase()}${v.final ? " (final)" : ""}  score ${v.score}  judge ${v.judge}`,
    v.reason,
    "",
    line(head),
    ...rows.map(line),
    "",
  ].join("\n");
}

const FLAGS = {
  command: "analyze",
  help: HELP_FULL,
  options: {
    ...ARM_FLAGS,
    start: { type: "string", default: "-15m" },
    time: { type: "string", default: "now" },
    "baseline-window": { type: "string", default: "1h" },
    final: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    html: { type: "string" },
    ...GATE_FLAGS,
  },
} as const;

export const run: CliCommand = commandWithFlags(FLAGS, async (parsed, io) => {
  const v = parsed.values;
  const { slo: sloRef, canary, stable } = v;
  if (sloRef === undefined || canary === undefined || stable === undefined) {
    return usageError(io, FLAGS, "--slo, --canary and --stable are required");
  }
  const now = Date.now() / 1000;
  const at = parseTimeArg(v.time, now, "time");
  const start = parseTimeArg(v.start, at, "start");
  const window = v["baseline-window"] === "0" ? 0 : parseDurationArg(v["baseline-window"], "baseline-window");
  const config = loadCommandConfig(io, v, { SLOGATE_STORE: "memory", SLOGATE_BASELINE_SCHEDULE: "" });
  return withOneShotGate(io, config, async (service) => {
    const slo = service.catalog.get(sloRef);
    const selectors = {
      canary: armMatchersOf(slo, "canary", canary),
      stable: armMatchersOf(slo, "stable", stable),
    };
    if (window > 0) {
      const b = await captureBaseline(service.deps, {
        slo,
        selector: selectors.stable,
        at: start,
        windowSeconds: window,
        source: "cli",
      });
      if (!b.captured) io.stderr(`slogate analyze: no baseline: ${b.reason}\n`);
    }
    const r = await analyzeLook(service.deps, {
      slo,
      analysisId: "cli",
      selectors,
      controller: "cli",
      at,
      start,
      final: v.final,
    });
    if (v.html !== undefined) {
      const baseline =
        r.analysis.baselineId === undefined
          ? undefined
          : await service.store.getBaseline(r.analysis.baselineId);
      const html = renderOfflineReport({
        analysis: r.analysis,
        looks: await service.store.listLooks(r.analysis.id),
        baseline: baseline ?? null,
        slo,
        grafanaUrl: config.pages.grafanaUrl,
        generatedAt: Date.now() / 1000,
      });
      writeFileSync(resolve(io.cwd, v.html), html);
      io.stderr(`slogate analyze: wrote ${resolve(io.cwd, v.html)}\n`);
    }
    // A one-shot analysis lives in a throwaway store: its only page is the --html report.
    const link =
      v.html === undefined
        ? { link: null, linkNote: "a one-shot analysis is not kept; pass --html FILE for a report page" }
        : { link: pathToFileURL(resolve(io.cwd, v.html)).href };
    if (v.json) io.stdout(JSON.stringify({ ...verdictBody(r), ...link }, null, 2) + "\n");
    else io.stdout(renderVerdictTable(r.look.verdict));
    return verdictExitCode(r.look.verdict.verdict);
  });
});
