/**
 * @module app/load-service-config
 * Reads the service configuration file (from `--config`, `$SLOGATE_CONFIG`, or
 * `./slogate.yaml` when present) and overlays the environment.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { SlogateError } from "../errors.ts";
import { parseServiceConfig, type ServiceConfig } from "./config.ts";

/** Loads the configuration; `overrides` are env-style values set by command-line flags. */
export function loadServiceConfig(
  file: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  overrides: Readonly<Record<string, string | undefined>> = {},
): ServiceConfig {
  const chosen =
    file ?? env.SLOGATE_CONFIG ?? (existsSync(resolve(cwd, "slogate.yaml")) ? "slogate.yaml" : undefined);
  let text = "";
  if (chosen !== undefined) {
    const path = resolve(cwd, chosen);
    try {
      text = readFileSync(path, "utf8");
    } catch (cause) {
      throw new SlogateError(
        "CONFIG_INVALID",
        `cannot read config ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
        {
          hint: "check the --config path (see slogate.example.yaml)",
          cause,
        },
      );
    }
  }
  const merged: Record<string, string | undefined> = { ...env };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v;
  const config = parseServiceConfig(text, merged, chosen ?? "config");
  return {
    ...config,
    slos: config.slos.map((p) => resolve(cwd, p)),
    store: { ...config.store, dataDir: resolve(cwd, config.store.dataDir) },
  };
}
