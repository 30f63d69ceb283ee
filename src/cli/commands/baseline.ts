/**
 * @module cli/commands/baseline
 * `slogate baseline`: captures a baseline now (or at --time) into the embedded store the
 * service uses (same data dir), for one SLO or all of them.
 */
import { parseArgs } from "node:util";
import { captureBaseline } from "../../app/capture-baseline.ts";
import { startGateService } from "../../app/gate-service.ts";
import { armMatchersOf, armReaders } from "../../app/gate-wiring.ts";
import { createJsonLogger } from "../../app/json-logger.ts";
import { loadServiceConfig } from "../../app/load-service-config.ts";
import { parseDurationArg, parseTimeArg } from "../../app/time-arg.ts";
import type { CliCommand } from "../io.ts";

const HELP = `usage: slogate baseline [--slo ID] [--stable VALUE] [--window DURATION] [--time TIME]
                        [--data-dir DIR] [--prometheus URL] [--slos PATH]... [--config FILE] [--json]

Captures the bad/total counts (and histogram buckets) of the SLO over --window (default
from the config, 1h) before --time (default now), restricted to the stable arm when
--stable is given, into the store in --data-dir. Without --slo, every SLO is captured.
Exit status: 0 captured, 1 nothing captured, 2 usage error.
`;

export const run: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        slo: { type: "string" },
        stable: { type: "string" },
        window: { type: "string" },
        time: { type: "string", default: "now" },
        "data-dir": { type: "string" },
        prometheus: { type: "string" },
        slos: { type: "string", multiple: true },
        config: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    io.stderr(`slogate baseline: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const config = loadServiceConfig(v.config, io.env, io.cwd, {
    SLOGATE_PROMETHEUS_URL: v.prometheus,
    SLOGATE_SLOS: v.slos?.join(","),
    SLOGATE_DATA_DIR: v["data-dir"],
    SLOGATE_BASELINE_SCHEDULE: "",
  });
  const at = parseTimeArg(v.time, Date.now() / 1000, "time");
  const window =
    v.window === undefined ? config.baseline.windowSeconds : parseDurationArg(v.window, "window");
  const service = await startGateService({
    config,
    logger: createJsonLogger(io.stderr, "warn"),
    createArmReaders: armReaders,
    buildArmMatchers: armMatchersOf,
    listen: false,
    watch: false,
  });
  try {
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
            `${slo.id}: captured ${r.baseline.id}: ${c.total} events, ${c.bad} bad (${c.total > 0 ? ((100 * c.bad) / c.total).toFixed(3) : "-"} %)\n`,
          );
        }
      } else if (!v.json) io.stdout(`${slo.id}: not captured: ${r.reason}\n`);
    }
    if (v.json) io.stdout(JSON.stringify({ results }, null, 2) + "\n");
    return captured > 0 ? 0 : 1;
  } finally {
    await service.close();
  }
};
