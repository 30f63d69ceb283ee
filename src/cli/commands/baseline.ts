/**
 * @module cli/commands/baseline
 * `slogate baseline`: captures a baseline now (or at --time) into the embedded store the
 * service uses (same data dir), for one SLO or all of them.
 */
import { captureBaseline } from "../../app/capture-baseline.ts";
import { armMatchersOf } from "../../main/arm-readers.ts";
import { parseDurationArg, parseTimeArg } from "../time-arg.ts";
import { GATE_FLAGS, loadCommandConfig, withOneShotGate } from "../command-gates.ts";
import type { CliCommand } from "../io.ts";
import { commandWithFlags } from "../parse-flags.ts";

const HELP = `usage: slogate baseline [--slo ID] [--stable VALUE] [--window DURATION] [--time TIME]
                        [--data-dir DIR] [--prometheus URL] [--slos PATH]... [--config FILE] [--json]

Captures the bad/total counts (and histogram buckets) of the SLO over --window (default
from the config, 1h) before --time (default now), restricted to the stable arm when
--stable is given, into the store in --data-dir. Without --slo, every SLO is captured.
Exit status: 0 captured, 1 nothing captured, 2 usage error.
`;

const FLAGS = {
  command: "baseline",
  help: HELP,
  options: {
    slo: { type: "string" },
    stable: { type: "string" },
    window: { type: "string" },
    time: { type: "string", default: "now" },
    "data-dir": { type: "string" },
    ...GATE_FLAGS,
    json: { type: "boolean", default: false },
  },
} as const;

export const run: CliCommand = commandWithFlags(FLAGS, async (parsed, io) => {
  const v = parsed.values;
  const config = loadCommandConfig(io, v, {
    SLOGATE_DATA_DIR: v["data-dir"],
    SLOGATE_BASELINE_SCHEDULE: "",
  });
  const at = parseTimeArg(v.time, Date.now() / 1000, "time");
  const window =
    v.window === undefined ? config.baseline.windowSeconds : parseDurationArg(v.window, "window");
  return withOneShotGate(io, config, async (service) => {
    const slos = v.slo === undefined ? service.catalog.list() : [service.catalog.get(v.slo)];
    let captured = 0;
    const results = [];
    for (const slo of slos) {
      const selector = v.stable === undefined ? [] : armMatchersOf(slo, "stable", v.stable);
      const r = await captureBaseline(service.deps, {
        slo,
        selector,
        at,
        windowSeconds: window,
        source: "cli",
      });
      results.push({ slo: slo.id, ...r });
      if (r.captured) {
        captured++;
        const c = r.baseline.counts;
        if (!v.json) {
          io.stdout(
            `${slo.id}: captured ${r.baseline.id}: ${c.total} events, ${c.bad} bad (${c.total > 0 ? ((100 * c.bad) / c.total).toFixed(3) : "-"} %) over ${r.baseline.scope?.note ?? "the given selector"}\n`,
          );
        }
      } else if (!v.json) io.stdout(`${slo.id}: not captured: ${r.reason}\n`);
    }
    if (v.json) io.stdout(JSON.stringify({ results }, null, 2) + "\n");
    return captured > 0 ? 0 : 1;
  });
});
