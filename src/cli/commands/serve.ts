/**
 * @module cli/commands/serve
 * `slogate serve`: runs the gate service until SIGINT/SIGTERM. Configuration from
 * `--config FILE` (or `$SLOGATE_CONFIG`, or `./slogate.yaml`), environment variables
 * (`SLOGATE_*`, see docs/service.md) and the flags below, in increasing priority.
 */
import { createJsonLogger } from "../../main/json-logger.ts";
import { GATE_FLAGS, loadCommandConfig, startServedGate } from "../command-gates.ts";
import type { CliCommand } from "../io.ts";
import { commandWithFlags } from "../parse-flags.ts";

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
  --allow-no-slos     start even when no valid SLO is loaded (default: refuse, exit 6)
`;

const FLAGS = {
  command: "serve",
  help: HELP,
  options: {
    ...GATE_FLAGS,
    port: { type: "string" },
    host: { type: "string" },
    "data-dir": { type: "string" },
    memory: { type: "boolean", default: false },
    "allow-no-slos": { type: "boolean", default: false },
  },
} as const;

export const run: CliCommand = commandWithFlags(FLAGS, async (parsed, io) => {
  const v = parsed.values;
  const config = loadCommandConfig(io, v, {
    SLOGATE_PORT: v.port,
    SLOGATE_HOST: v.host,
    SLOGATE_DATA_DIR: v["data-dir"],
    SLOGATE_STORE: v.memory ? "memory" : undefined,
  });
  const logger = createJsonLogger(io.stdout, config.log.level);
  const service = await startServedGate(config, logger, { requireSlos: !v["allow-no-slos"] });
  await io.stopped;
  logger.info("stopping");
  await service.close();
  return 0;
});
