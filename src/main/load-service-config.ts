/**
 * @module main/load-service-config
 * Reads the service configuration file (from `--config`, `$SLOGATE_CONFIG`, or
 * `./slogate.yaml` when present), overlays the environment and the command's flags, and
 * resolves paths against the working directory. The reading and checking itself is
 * `config/read-service-config.ts`; this adds the file system.
 */
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { SlogateError } from "../errors.ts";
import {
  readServiceConfig,
  parseServiceConfig,
  type ReadServiceConfigOptions,
  type ServiceConfigRead,
} from "../config/read-service-config.ts";
import type { BackendConfig, ServiceConfig } from "../config/service-config.ts";
import { formatYamlPath, sortProblems, type Problem, type YamlPath } from "../slo/problem.ts";
import { readYamlDocuments } from "../slo/yaml-source.ts";

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
  return {
    ...config,
    prometheus: { ...config.prometheus, ...resolveCredentials(config.prometheus, cwd) },
    backends: Object.fromEntries(
      Object.entries(config.backends).map(([name, b]) => [name, { ...b, ...resolveCredentials(b, cwd) }]),
    ),
    slos: config.slos.map((p) => resolve(cwd, p)),
    store: {
      ...config.store,
      dataDir: resolve(cwd, config.store.dataDir),
      ...(config.store.urlFile === undefined ? {} : { urlFile: resolve(cwd, config.store.urlFile) }),
    },
  };
}

/** A backend's credential and certificate paths resolved against `cwd`. */
function resolveCredentials(
  b: Pick<BackendConfig, "auth" | "tls">,
  cwd: string,
): Pick<BackendConfig, "auth" | "tls"> {
  const { auth, tls } = b;
  return {
    auth: {
      ...(auth.bearerTokenFile === undefined ? {} : { bearerTokenFile: resolve(cwd, auth.bearerTokenFile) }),
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
  };
}

/** Reads `file` with the environment and reports every problem (`slogate validate --config`). */
export function checkServiceConfigFile(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): ServiceConfigRead {
  const source = configSource(file, env, cwd, {});
  const read = readServiceConfig(source.text, source.env, { file, ...source.options });
  if (read.config === undefined) return read;
  const missing = unreadableFiles(read.config, source, file, cwd);
  return missing.length === 0 ? read : { config: undefined, problems: [...read.problems, ...missing] };
}

/**
 * The credential and certificate files `serve` would read at start (backend token, password,
 * CA, client certificate and key; the PostgreSQL URL file) that cannot be read now, each at its
 * setting's position in the file (or named by its environment variable). Contents are never read.
 */
function unreadableFiles(config: ServiceConfig, source: ConfigSource, file: string, cwd: string): Problem[] {
  const { auth, tls } = config.prometheus;
  const settings: [YamlPath, string | undefined, string | undefined][] = [
    [["prometheus", "auth", "bearerTokenFile"], auth.bearerTokenFile, "SLOGATE_PROMETHEUS_BEARER_TOKEN_FILE"],
    [["prometheus", "auth", "basic", "passwordFile"], auth.basic?.passwordFile, undefined],
    [["prometheus", "tls", "caFile"], tls.caFile, undefined],
    [["prometheus", "tls", "certFile"], tls.certFile, undefined],
    [["prometheus", "tls", "keyFile"], tls.keyFile, undefined],
    [["store", "urlFile"], config.store.urlFile, "SLOGATE_STORE_URL_FILE"],
    ...Object.entries(config.backends).flatMap(([name, b]): [YamlPath, string | undefined, undefined][] => [
      [["backends", name, "auth", "bearerTokenFile"], b.auth.bearerTokenFile, undefined],
      [["backends", name, "auth", "basic", "passwordFile"], b.auth.basic?.passwordFile, undefined],
      [["backends", name, "tls", "caFile"], b.tls.caFile, undefined],
      [["backends", name, "tls", "certFile"], b.tls.certFile, undefined],
      [["backends", name, "tls", "keyFile"], b.tls.keyFile, undefined],
    ]),
  ];
  const doc = source.text.trim() === "" ? undefined : readYamlDocuments(source.text, file).documents[0];
  const out: Problem[] = [];
  for (const [path, value, envVar] of settings) {
    if (value === undefined) continue;
    try {
      accessSync(resolve(cwd, value), constants.R_OK);
      continue;
    } catch (e) {
      const byEnv = envVar !== undefined && source.env[envVar] !== undefined && source.env[envVar] !== "";
      const at = byEnv || doc === undefined ? { line: 0, col: 0 } : doc.position(path);
      out.push({
        file: byEnv ? source.options.envLabel(envVar) : file,
        ...at,
        path: formatYamlPath(path),
        code: "CONFIG_INVALID",
        message: `cannot read ${value}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        hint: "serve reads this file at start (and again when it changes): mount the Secret there or fix the path",
        severity: "error",
      });
    }
  }
  return sortProblems(out);
}
