/**
 * @module cli/command-gates
 * How CLI commands get a gate: the configuration from `--config`, the environment and the
 * command's flags (in increasing priority), and the service wired with the Prometheus arm
 * readers — long-running for `slogate serve`, one-shot (no port, no file watching, no
 * background work, warnings on stderr) for `analyze`, `backtest` and `baseline`.
 */
import { startGateService, type GateService } from "../main/gate-service.ts";
import { armMatchersOf, armReaders } from "../main/arm-readers.ts";
import type { ServiceConfig } from "../config/service-config.ts";
import { createJsonLogger } from "../main/json-logger.ts";
import { loadServiceConfig } from "../main/load-service-config.ts";
import type { Logger } from "../domain/verdict-event.ts";
import type { CliIo } from "./io.ts";

/** The flags naming an SLO and its arms (`analyze`, `backtest`). */
export const ARM_FLAGS = {
  slo: { type: "string" },
  canary: { type: "string" },
  stable: { type: "string" },
} as const;

/** The flags of every command that reads Prometheus through the service's configuration. */
export const GATE_FLAGS = {
  prometheus: { type: "string" },
  slos: { type: "string", multiple: true },
  config: { type: "string" },
} as const;

/** Values of `GATE_FLAGS` as parsed. */
export interface GateFlagValues {
  readonly prometheus?: string | undefined;
  readonly slos?: readonly string[] | undefined;
  readonly config?: string | undefined;
}

/**
 * Loads the service configuration for a command: `--config` (or `$SLOGATE_CONFIG`, or
 * `./slogate.yaml`), the environment, then `--prometheus`, `--slos` and `overrides`
 * (env-style names; undefined values are ignored).
 */
export function loadCommandConfig(
  io: CliIo,
  flags: GateFlagValues,
  overrides: Readonly<Record<string, string | undefined>> = {},
): ServiceConfig {
  return loadServiceConfig(flags.config, io.env, io.cwd, {
    SLOGATE_PROMETHEUS_URL: flags.prometheus,
    SLOGATE_SLOS: flags.slos?.join(","),
    ...overrides,
  });
}

/** Starts the long-running service (`slogate serve`): listening, SLO files watched, background work on. */
export function startServedGate(
  config: ServiceConfig,
  logger: Logger,
  options: { readonly requireSlos?: boolean } = {},
): Promise<GateService> {
  return startGateService({
    config,
    logger,
    createArmReaders: armReaders,
    buildArmMatchers: armMatchersOf,
    requireSlos: options.requireSlos ?? true,
  });
}

/**
 * Runs `use` with a one-shot gate (no port, no watching, no schedule or retention; log lines
 * of level warn and above on stderr) and closes the gate afterwards, also when `use` throws.
 */
export async function withOneShotGate<T>(
  io: CliIo,
  config: ServiceConfig,
  use: (gate: GateService) => Promise<T>,
): Promise<T> {
  const gate = await startGateService({
    config,
    logger: createJsonLogger(io.stderr, "warn"),
    createArmReaders: armReaders,
    buildArmMatchers: armMatchersOf,
    listen: false,
    watch: false,
  });
  try {
    return await use(gate);
  } finally {
    await gate.close();
  }
}
