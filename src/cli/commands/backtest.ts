/**
 * @module cli/commands/backtest
 * `slogate backtest`: "what would the gate have said about last Tuesday's deploy?" Replays
 * an analysis over a past window, look by look, and prints the verdict timeline.
 */
import { parseArgs } from "node:util";
import { backtest } from "../../app/backtest.ts";
import { startGateService } from "../../app/gate-service.ts";
import { armMatchersOf, armReaders } from "../../app/gate-wiring.ts";
import { createJsonLogger } from "../../app/json-logger.ts";
import { loadServiceConfig } from "../../app/load-service-config.ts";
import { parseDurationArg, parseTimeArg } from "../../app/time-arg.ts";
import type { CliCommand } from "../io.ts";

const HELP = `usage: slogate backtest --slo ID --canary VALUE --stable VALUE --from TIME --to TIME
                        [--interval DURATION] [--baseline-window DURATION] [--json]
                        [--prometheus URL] [--slos PATH]... [--config FILE]

Replays an analysis of the canary over [--from, --to], one look every --interval (default
1m; the last look is final), with a baseline of the stable arm over the window before
--from (default 1h; 0 disables). Stops at the first fail, as a rollout would.
Exit status: 0 the replay ends in pass, 1 fail or inconclusive, 2 usage error.
`;

export const run: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        slo: { type: "string" },
        canary: { type: "string" },
        stable: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        interval: { type: "string", default: "1m" },
        "baseline-window": { type: "string", default: "1h" },
        json: { type: "boolean", default: false },
        prometheus: { type: "string" },
        slos: { type: "string", multiple: true },
        config: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    io.stderr(`slogate backtest: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  if (
    v.slo === undefined ||
    v.canary === undefined ||
    v.stable === undefined ||
    v.from === undefined ||
    v.to === undefined
  ) {
    io.stderr(`slogate backtest: --slo, --canary, --stable, --from and --to are required\n\n${HELP}`);
    return 2;
  }
  const now = Date.now() / 1000;
  const from = parseTimeArg(v.from, now, "from");
  const to = parseTimeArg(v.to, now, "to");
  const interval = parseDurationArg(v.interval, "interval");
  const window = v["baseline-window"] === "0" ? 0 : parseDurationArg(v["baseline-window"], "baseline-window");
  const config = loadServiceConfig(v.config, io.env, io.cwd, {
    SLOGATE_PROMETHEUS_URL: v.prometheus,
    SLOGATE_SLOS: v.slos?.join(","),
    SLOGATE_STORE: "memory",
    SLOGATE_BASELINE_SCHEDULE: "",
  });
  const service = await startGateService({
    config,
    logger: createJsonLogger(io.stderr, "warn"),
    createArmReaders: armReaders,
    buildArmMatchers: armMatchersOf,
    listen: false,
    watch: false,
  });
  try {
    const slo = service.catalog.get(v.slo);
    const r = await backtest(service.deps, {
      slo,
      selectors: {
        canary: armMatchersOf(slo, "canary", v.canary),
        stable: armMatchersOf(slo, "stable", v.stable),
      },
      baselineWindowSeconds: window,
      from,
      to,
      intervalSeconds: interval,
    });
    const last = r.looks.at(-1)?.verdict;
    if (v.json) {
      io.stdout(JSON.stringify({ slo: slo.id, from, to, intervalSeconds: interval, ...r }, null, 2) + "\n");
    } else {
      io.stdout(
        `backtest of ${slo.id}: canary ${v.canary} vs stable ${v.stable}, ${new Date(from * 1000).toISOString()} → ${new Date(to * 1000).toISOString()}\n`,
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
    return last?.verdict === "pass" ? 0 : 1;
  } finally {
    await service.close();
  }
};
