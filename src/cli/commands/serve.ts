/**
 * @module cli/commands/serve
 * `slogate serve`: runs the gate service until SIGINT/SIGTERM. Configuration from
 * `--config FILE` (or `$SLOGATE_CONFIG`, or `./slogate.yaml`), environment variables
 * (`SLOGATE_*`, see docs/service.md) and the flags below, in increasing priority.
 */
import { parseArgs } from "node:util";
import { loadServiceConfig } from "../../app/load-service-config.ts";
import { createJsonLogger } from "../../app/json-logger.ts";
import { startGateService } from "../../app/gate-service.ts";
import { armReaders, armMatchersOf } from "../../app/gate-wiring.ts";
import type { CliCommand } from "../io.ts";

const HELP = `usage: slogate serve [--config FILE] [--port N] [--host H] [--prometheus URL]
                     [--slos PATH]... [--data-dir DIR] [--memory]

Runs the gate: Argo Rollouts verdicts (POST/GET /api/v1/verdict), Flagger webhooks
(POST /api/v1/flagger/<type>), analyses and baselines (/api/v1/...), /metrics, /healthz,
/readyz. SLO files are reloaded on change (a bad edit keeps the last good version).

  --config FILE       YAML config (default $SLOGATE_CONFIG or ./slogate.yaml; see slogate.example.yaml)
  --port N            listen port (default 8080)
  --host H            listen address (default 0.0.0.0)
  --prometheus URL    Prometheus base URL (default http://127.0.0.1:9090)
  --slos PATH         SLO file or directory (repeatable; default slos/)
  --data-dir DIR      directory of the embedded store (default .slogate-data)
  --memory            keep analyses in memory only (lost on restart)
`;

export const run: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        config: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        prometheus: { type: "string" },
        slos: { type: "string", multiple: true },
        "data-dir": { type: "string" },
        memory: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    io.stderr(`slogate serve: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const config = loadServiceConfig(v.config, io.env, io.cwd, {
    SLOGATE_PORT: v.port,
    SLOGATE_HOST: v.host,
    SLOGATE_PROMETHEUS_URL: v.prometheus,
    SLOGATE_SLOS: v.slos?.join(","),
    SLOGATE_DATA_DIR: v["data-dir"],
    SLOGATE_STORE: v.memory ? "memory" : undefined,
  });
  const logger = createJsonLogger(io.stdout, config.log.level);
  const service = await startGateService({
    config,
    logger,
    createArmReaders: armReaders,
    buildArmMatchers: armMatchersOf,
  });
  await io.stopped;
  logger.info("stopping");
  await service.close();
  return 0;
};
