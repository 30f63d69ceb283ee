/**
 * @module cli/commands/backtest
 * `slogate backtest`: "what would the gate have said about last Tuesday's deploy?" Replays
 * an analysis over a past window, look by look, and prints the verdict timeline.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { armMatchersOf } from "../../main/arm-readers.ts";
import { parseDurationArg, parseTimeArg } from "../time-arg.ts";
import { ARM_FLAGS, GATE_FLAGS, loadCommandConfig, withOneShotGate } from "../command-gates.ts";
import { renderOfflineReport } from "../../report/offline-report.ts";
import type { CliCommand } from "../io.ts";
import { commandWithFlags, usageError } from "../parse-flags.ts";
import { EXIT_HELP, verdictExitCode } from "../exit-codes.ts";

const HELP = `usage: slogate backtest --slo ID --canary VALUE --stable VALUE --from TIME --to TIME
                        [--interval DURATION] [--baseline-window DURATION] [--json] [--html FILE]
                        [--prometheus URL] [--slos PATH]... [--config FILE]

Replays an analysis of the canary over [--from, --to], one look every --interval (default
1m; the last look is final), with a baseline of the stable arm over the window before
--from (default 1h; 0 disables). Stops at the first fail, as a rollout would. --html FILE also writes the analysis page
(every look's e-values, arms and numbers plotted) as one self-contained HTML file.
`;
const HELP_FULL = HELP + "The exit status is that of the replay's last verdict.\n" + EXIT_HELP;

const FLAGS = {
  command: "backtest",
  help: HELP_FULL,
  options: {
    ...ARM_FLAGS,
    from: { type: "string" },
    to: { type: "string" },
    interval: { type: "string", default: "1m" },
    "baseline-window": { type: "string", default: "1h" },
    json: { type: "boolean", default: false },
    html: { type: "string" },
    ...GATE_FLAGS,
  },
} as const;

export const run: CliCommand = commandWithFlags(FLAGS, async (parsed, io) => {
  const v = parsed.values;
  const { slo: sloRef, canary, stable } = v;
  if (
    sloRef === undefined ||
    canary === undefined ||
    stable === undefined ||
    v.from === undefined ||
    v.to === undefined
  ) {
    return usageError(io, FLAGS, "--slo, --canary, --stable, --from and --to are required");
  }
  const now = Date.now() / 1000;
  const from = parseTimeArg(v.from, now, "from");
  const to = parseTimeArg(v.to, now, "to");
  const interval = parseDurationArg(v.interval, "interval");
  const window = v["baseline-window"] === "0" ? 0 : parseDurationArg(v["baseline-window"], "baseline-window");
  const config = loadCommandConfig(io, v, { SLOGATE_STORE: "memory", SLOGATE_BASELINE_SCHEDULE: "" });
  return withOneShotGate(io, config, async (service) => {
    const slo = service.catalog.get(sloRef);
    const r = await service.backtest({
      slo,
      selectors: {
        canary: armMatchersOf(slo, "canary", canary),
        stable: armMatchersOf(slo, "stable", stable),
      },
      baselineWindowSeconds: window,
      from,
      to,
      intervalSeconds: interval,
    });
    const last = r.looks.at(-1)?.verdict;
    const { stored, ...result } = r;
    if (v.html !== undefined && stored.analysis !== undefined) {
      const html = renderOfflineReport({
        analysis: stored.analysis,
        looks: r.looks,
        baseline: stored.baseline,
        slo,
        grafanaUrl: config.pages.grafanaUrl,
        generatedAt: Date.now() / 1000,
      });
      writeFileSync(resolve(io.cwd, v.html), html);
      io.stderr(`slogate backtest: wrote ${resolve(io.cwd, v.html)}\n`);
    }
    if (v.json) {
      io.stdout(
        JSON.stringify({ slo: slo.id, from, to, intervalSeconds: interval, ...result }, null, 2) + "\n",
      );
    } else {
      io.stdout(
        `backtest of ${slo.id}: canary ${canary} vs stable ${stable}, ${new Date(from * 1000).toISOString()} → ${new Date(to * 1000).toISOString()}\n`,
      );
      io.stdout(`baseline: ${r.baseline.captured ? "captured" : `none (${r.baseline.reason ?? ""})`}\n\n`);
      io.stdout("look  time                  verdict       score  reason\n");
      for (const l of r.looks) {
        const vd = l.verdict;
        io.stdout(
          `${String(l.seq).padStart(4)}  ${new Date(l.at * 1000).toISOString().slice(0, 19)}Z  ${(vd.verdict + (vd.final ? "*" : "")).padEnd(12)}  ${String(Math.round(vd.score)).padStart(5)}  ${vd.reason}\n`,
        );
      }
      io.stdout(
        `\n${r.firstFail === undefined ? "no fail" : `first fail at look ${r.firstFail}`}; final verdict: ${last?.verdict ?? "none"} (* = final look)\n`,
      );
    }
    return verdictExitCode(last?.verdict);
  });
});
