/**
 * @module main/load-service-config
 * Reads the service configuration file (from `--config`, `$SLOGATE_CONFIG`, or
 * `./slogate.yaml` when present), overlays the environment and the command's flags, and
 * resolves paths against the working directory. The reading and checking itself is
 * `config/read-service-config.ts`; this adds the file system.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { SlogateError } from "../errors.ts";
import {
  readServiceConfig,
  parseServiceConfig,
  type ReadServiceConfigOptions,
  type ServiceConfigRead,
} from "../config/read-service-config.ts";
import type { ServiceConfig } from "../config/service-config.ts";

/** The file, text and read options a configuration is read from. */
interface ConfigSource {
  /** The file as named by the user (relative names stay relative in problems); undefined for none. */
  readonly file: string | undefined;
  readonly text: string;
  readonly env: Record<string, string | undefined>;
  readonly options: Required<Pick<ReadServiceConfigOptions, "envLabel">>;
}

function configSource(
  file: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  overrides: Readonly<Record<string, string | undefined>>,
): ConfigSource {
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
  const flagged = new Set<string>();
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    merged[k] = v;
    flagged.add(k);
  }
  const envLabel = (name: string): string =>
    flagged.has(name) ? `${name} (set by a command-line flag)` : `$${name}`;
  return { file: chosen, text, env: merged, options: { envLabel } };
}

/**
 * Loads the configuration; `overrides` are env-style values set by command-line flags.
 * Throws CONFIG_INVALID listing every problem.
 */
export function loadServiceConfig(
  file: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  overrides: Readonly<Record<string, string | undefined>> = {},
): ServiceConfig {
  const source = configSource(file, env, cwd, overrides);
  const config = parseServiceConfig(source.text, source.env, source.file ?? "config", source.options);
  const { auth, tls } = config.prometheus;
  return {
    ...config,
    prometheus: {
      ...config.prometheus,
      auth: {
        ...(auth.bearerTokenFile === undefined
          ? {}
          : { bearerTokenFile: resolve(cwd, auth.bearerTokenFile) }),
        ...(auth.basic === undefined
          ? {}
          : {
              basic: {
                ...auth.basic,
                ...(auth.basic.passwordFile === undefined
                  ? {}
                  : { passwordFile: resolve(cwd, auth.basic.passwordFile) }),
              },
            }),
      },
      tls: {
        ...tls,
        ...(tls.caFile === undefined ? {} : { caFile: resolve(cwd, tls.caFile) }),
        ...(tls.certFile === undefined ? {} : { certFile: resolve(cwd, tls.certFile) }),
        ...(tls.keyFile === undefined ? {} : { keyFile: resolve(cwd, tls.keyFile) }),
      },
    },
    slos: config.slos.map((p) => resolve(cwd, p)),
    store: {
      ...config.store,
      dataDir: resolve(cwd, config.store.dataDir),
      ...(config.store.urlFile === undefined ? {} : { urlFile: resolve(cwd, config.store.urlFile) }),
    },
  };
}

/** Reads `file` with the environment and reports every problem (`slogate validate --config`). */
export function checkServiceConfigFile(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): ServiceConfigRead {
  const source = configSource(file, env, cwd, {});
  return readServiceConfig(source.text, source.env, { file, ...source.options });
}
