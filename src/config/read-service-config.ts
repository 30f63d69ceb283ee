/**
 * @module config/read-service-config
 * Reads the service configuration from YAML text (empty for none) and the environment, and
 * reports every problem at once: file problems at their `file:line:col` with the YAML path
 * and a hint (unknown keys with a "did you mean"), environment problems naming the variable.
 * Every section is checked here, when the file is read: listen, publicUrl, prometheus (with
 * headers, auth and tls), slos, store, retention, baseline (its cron expression too), auth, limits, series,
 * log and notifications. Pure: reading the file is `main/load-service-config.ts`'s job.
 */
import { SlogateError } from "../errors.ts";
import { describe as describeValue } from "../slo/field-reader.ts";
import { formatProblem, hasErrors, sortProblems, type Problem, type YamlPath } from "../slo/problem.ts";
import { readYamlDocuments, type YamlDocument } from "../slo/yaml-source.ts";
import { parseConfigDuration } from "./config-duration.ts";
import { ConfigReader, plainDocument, type ConfigEnv } from "./config-reader.ts";
import { readKayentaConfig } from "./kayenta-config.ts";
import { cronExpressionProblem } from "./cron-expression.ts";
import { readBackendAuth, readBackendTls } from "./read-backend-auth.ts";
import { readNotifications } from "./read-notifications.ts";
import {
  CONFIG_ENV_VARS,
  DEFAULT_CONFIG,
  LOG_LEVELS,
  type BackendConfig,
  type ServiceConfig,
} from "./service-config.ts";

const TOP_KEYS = [
  "listen",
  "publicUrl",
  "prometheus",
  "slos",
  "store",
  "retention",
  "baseline",
  "auth",
  "limits",
  "series",
  "flagger",
  "log",
  "notifications",
  "pages",
  "kayenta",
  "backends",
] as const;
const SECTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  listen: ["host", "port"],
  prometheus: [
    "url",
    "timeout",
    "maxResponseBytes",
    "headers",
    "auth",
    "tls",
    "maxConcurrentReads",
    "incrementalReads",
    "podLabel",
  ],
  store: ["kind", "dataDir", "url", "urlFile", "schema"],
  retention: ["analyses", "baselines"],
  baseline: ["schedule", "window"],
  auth: ["tokens", "metricsTokens"],
  limits: ["bodyBytes", "lookTimeout", "maxOpenAnalysesPerSlo", "maxAnalysisSeries"],
  series: ["step"],
  flagger: ["lookInterval"],
  log: ["level"],
  pages: ["secret", "linkTtl", "grafanaUrl"],
};
/** Shortest bearer token accepted. */
export const MIN_TOKEN_LENGTH = 16;
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const EXAMPLE_HINT = "see slogate.example.yaml";

/** How to read: where the text came from, and how to name environment variables in problems. */
export interface ReadServiceConfigOptions {
  /** The file name problems are reported at (default `config`). */
  readonly file?: string;
  /** The name problems give a variable (default `$NAME`), e.g. to say a flag set it. */
  readonly envLabel?: (name: string) => string;
}

/** What reading found: the configuration when there is no error, and every problem. */
export interface ServiceConfigRead {
  readonly config: ServiceConfig | undefined;
  readonly problems: readonly Problem[];
}

/** Reads the configuration; never throws for bad input (see `parseServiceConfig`). */
export function readServiceConfig(
  yamlText: string,
  env: ConfigEnv,
  options: ReadServiceConfigOptions = {},
): ServiceConfigRead {
  const file = options.file ?? "config";
  const fileProblems: Problem[] = [];
  const doc = readDocument(yamlText, file, fileProblems);
  // Environment problems have no position: they are listed after the file's, in reading order.
  const all: Problem[] = [];
  const r = new ConfigReader(doc, all, env, options.envLabel);
  const config = readConfig(r);
  const located = all.filter((p) => p.line > 0 || p.file === file);
  const named = all.filter((p) => !(p.line > 0 || p.file === file));
  const problems = [...sortProblems([...fileProblems, ...located]), ...named].map((p) =>
    p.code === "CONFIG_INVALID" ? p : { ...p, code: "CONFIG_INVALID" as const },
  );
  return { config: hasErrors(problems) ? undefined : config, problems };
}

/**
 * Builds the configuration from YAML text (empty for none) and the environment. Throws
 * CONFIG_INVALID whose message lists every problem as `file:line:col: error: … hint: …`.
 */
export function parseServiceConfig(
  yamlText: string,
  env: ConfigEnv,
  source = "config",
  options: Omit<ReadServiceConfigOptions, "file"> = {},
): ServiceConfig {
  const read = readServiceConfig(yamlText, env, { ...options, file: source });
  if (read.config !== undefined) return read.config;
  const lines = read.problems.map(formatProblem);
  throw new SlogateError(
    "CONFIG_INVALID",
    `${source}: ${lines.length} problem(s):\n  ${lines.join("\n  ")}`,
    {
      hint: `fix the settings listed; see slogate.example.yaml and the environment variables ${Object.keys(CONFIG_ENV_VARS).join(", ")}`,
      details: { problems: lines },
    },
  );
}

/** The one YAML document of the file (an empty mapping for an empty file). */
function readDocument(text: string, file: string, problems: Problem[]): YamlDocument {
  if (text.trim() === "") return plainDocument({}, file);
  const read = readYamlDocuments(text, file);
  for (const p of read.problems) {
    // A file of comments only is an empty configuration: every default applies.
    if (p.message === "file is empty") continue;
    problems.push(
      /SLO/.test(p.hint) ? { ...p, hint: `check that this is a slogate service config; ${EXAMPLE_HINT}` } : p,
    );
  }
  const [first, second] = read.documents;
  if (second !== undefined) {
    const at = second.position([]);
    problems.push({
      file,
      ...at,
      path: "",
      code: "CONFIG_INVALID",
      message: `the config holds ${read.documents.length} YAML documents; slogate reads one`,
      hint: "remove the `---` separators and merge the documents",
      severity: "error",
    });
  }
  return first ?? plainDocument({}, file);
}

function readConfig(r: ConfigReader): ServiceConfig {
  const d = DEFAULT_CONFIG;
  r.fields.map([]);
  r.fields.onlyKeys([], TOP_KEYS, "the service config");
  for (const [section, keys] of Object.entries(SECTION_KEYS)) {
    if (r.fields.map([section]) !== undefined) r.fields.onlyKeys([section], keys, section);
  }
  // Read in the file's order, so environment problems are listed in that order too.
  const listen = {
    host: r.string(["listen", "host"], d.listen.host, "SLOGATE_HOST"),
    port: r.integer(["listen", "port"], d.listen.port, 0, 65535, "SLOGATE_PORT", true),
  };
  const publicUrl = r.httpUrl(["publicUrl"], d.publicUrl, "SLOGATE_PUBLIC_URL", true);
  const promUrl = r.httpUrl(["prometheus", "url"], d.prometheus.url, "SLOGATE_PROMETHEUS_URL");
  const promHeaders = readHeaders(r, ["prometheus", "headers"]);
  const prometheus = {
    url: promUrl,
    timeoutSeconds: r.duration(
      ["prometheus", "timeout"],
      d.prometheus.timeoutSeconds,
      POSITIVE,
      "SLOGATE_PROMETHEUS_TIMEOUT",
    ),
    maxResponseBytes: r.integer(
      ["prometheus", "maxResponseBytes"],
      d.prometheus.maxResponseBytes,
      64 * 1024,
      Number.MAX_SAFE_INTEGER,
    ),
    headers: promHeaders,
    auth: readBackendAuth(r, ["prometheus"], promHeaders, "SLOGATE_PROMETHEUS_BEARER_TOKEN_FILE"),
    tls: readBackendTls(r, ["prometheus"], promUrl),
    maxConcurrentReads: r.integer(
      ["prometheus", "maxConcurrentReads"],
      d.prometheus.maxConcurrentReads,
      1,
      1000,
    ),
    incrementalReads: r.boolean(["prometheus", "incrementalReads"], d.prometheus.incrementalReads),
    podLabel: r.string(["prometheus", "podLabel"], d.prometheus.podLabel),
  };
  const slos = r.stringList(["slos"], d.slos, "SLOGATE_SLOS");
  const store = readStore(r);
  const retention = {
    analysesSeconds: r.duration(["retention", "analyses"], d.retention.analysesSeconds, POSITIVE),
    baselinesSeconds: r.duration(["retention", "baselines"], d.retention.baselinesSeconds, POSITIVE),
  };
  const baseline = {
    schedule: readSchedule(r),
    windowSeconds: r.duration(["baseline", "window"], d.baseline.windowSeconds, POSITIVE),
  };
  const auth = {
    tokens: readTokens(r, "tokens", "SLOGATE_TOKENS"),
    metricsTokens: readTokens(r, "metricsTokens", "SLOGATE_METRICS_TOKENS"),
  };
  const limits = {
    bodyBytes: r.integer(
      ["limits", "bodyBytes"],
      d.limits.bodyBytes,
      1024,
      10 * 1024 * 1024,
      undefined,
      true,
    ),
    lookTimeoutSeconds: r.duration(
      ["limits", "lookTimeout"],
      d.limits.lookTimeoutSeconds,
      POSITIVE,
      "SLOGATE_LOOK_TIMEOUT",
    ),
    maxOpenAnalysesPerSlo: r.integer(
      ["limits", "maxOpenAnalysesPerSlo"],
      d.limits.maxOpenAnalysesPerSlo,
      1,
      1_000_000,
    ),
    maxAnalysisSeries: r.integer(["limits", "maxAnalysisSeries"], d.limits.maxAnalysisSeries, 0, 1_000_000),
  };
  const seriesStepSeconds = readSeriesStep(r);
  const flagger = {
    lookIntervalSeconds: r.duration(["flagger", "lookInterval"], d.flagger.lookIntervalSeconds, NON_NEGATIVE),
  };
  const log = { level: r.oneOf(["log", "level"], LOG_LEVELS, d.log.level, "SLOGATE_LOG_LEVEL") };
  const pages = {
    secret: readPagesSecret(r),
    linkTtlSeconds: r.duration(["pages", "linkTtl"], d.pages.linkTtlSeconds, POSITIVE),
    grafanaUrl: r.httpUrl(["pages", "grafanaUrl"], d.pages.grafanaUrl, "SLOGATE_GRAFANA_URL", true),
  };
  const root = r.fields.get([]);
  const hasNotifications =
    typeof root === "object" && root !== null && !Array.isArray(root) && "notifications" in root;
  return {
    listen,
    publicUrl,
    prometheus,
    slos,
    store,
    retention,
    baseline,
    auth,
    limits,
    seriesStepSeconds,
    flagger,
    log,
    pages,
    kayenta: readKayentaConfig(r),
    backends: readBackends(r),
    ...(hasNotifications ? { notifications: readNotifications(r, ["notifications"]) } : {}),
  };
}

/**
 * `store`: kind and data directory; for kind postgres exactly one of `url` and `urlFile`
 * (the URL is never echoed in a problem: it may hold a password) and an optional schema.
 */
function readStore(r: ConfigReader): ServiceConfig["store"] {
  const d = DEFAULT_CONFIG.store;
  const kind = r.oneOf(["store", "kind"], ["sqlite", "memory", "postgres"], d.kind, "SLOGATE_STORE");
  const dataDir = r.string(["store", "dataDir"], d.dataDir, "SLOGATE_DATA_DIR");
  const url = r.string(["store", "url"], "", "SLOGATE_STORE_URL");
  const urlFile = r.string(["store", "urlFile"], "", "SLOGATE_STORE_URL_FILE");
  const schema = r.string(["store", "schema"], "");
  if (kind === "postgres") {
    if ((url === "") === (urlFile === "")) {
      r.reportSetting(
        ["store", "kind"],
        "SLOGATE_STORE",
        "kind postgres needs exactly one of store.url and store.urlFile",
        "set store.url (SLOGATE_STORE_URL) or store.urlFile (SLOGATE_STORE_URL_FILE, a mounted Secret with the URL)",
      );
    }
    if (url !== "" && !/^postgres(ql)?:\/\//.test(url)) {
      r.reportSetting(
        ["store", "url"],
        "SLOGATE_STORE_URL",
        "must be a postgres:// or postgresql:// URL",
        "write postgres://user:password@host:5432/database",
      );
    }
    if (schema !== "" && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      r.report(["store", "schema"], "must be a plain identifier", "use letters, digits and underscores");
    }
  } else if (url !== "" || urlFile !== "") {
    r.reportSetting(
      ["store", url !== "" ? "url" : "urlFile"],
      url !== "" ? "SLOGATE_STORE_URL" : "SLOGATE_STORE_URL_FILE",
      `store.url and store.urlFile are for kind postgres, not ${kind}`,
      "set store.kind: postgres, or remove the URL",
    );
  }
  return {
    kind,
    dataDir,
    ...(url === "" ? {} : { url }),
    ...(urlFile === "" ? {} : { urlFile }),
    ...(schema === "" ? {} : { schema }),
  };
}

/** `pages.secret`: empty (a random key per process) or at least 32 characters. */
function readPagesSecret(r: ConfigReader): string {
  const envVar = "SLOGATE_PAGES_SECRET";
  const secret = r.string(["pages", "secret"], DEFAULT_CONFIG.pages.secret, envVar);
  if (secret !== "" && secret.length < 32) {
    r.reportSetting(
      ["pages", "secret"],
      envVar,
      `must be at least 32 characters (has ${secret.length})`,
      "use a random key, e.g. from: openssl rand -hex 32",
    );
  }
  return secret;
}

/** `baseline.schedule`: a cron expression node-cron runs, or `""` for no scheduled baselines. */
function readSchedule(r: ConfigReader): string {
  const envVar = "SLOGATE_BASELINE_SCHEDULE";
  const schedule = r.string(["baseline", "schedule"], DEFAULT_CONFIG.baseline.schedule, envVar);
  const problem = schedule === "" ? undefined : cronExpressionProblem(schedule);
  if (problem !== undefined) {
    r.reportSetting(
      ["baseline", "schedule"],
      envVar,
      `${problem} (in ${JSON.stringify(schedule)})`,
      'write five fields like "*/30 * * * *" (minute hour day-of-month month weekday), or "" to disable scheduled baselines',
    );
  }
  return schedule;
}

/** `auth.tokens` / `auth.metricsTokens`: bearer tokens of at least MIN_TOKEN_LENGTH characters. */
function readTokens(r: ConfigReader, key: "tokens" | "metricsTokens", envVar: string): readonly string[] {
  const tokens = r.stringList(["auth", key], DEFAULT_CONFIG.auth[key], envVar);
  const listed = r.setByEnv(envVar) ? undefined : r.fields.get(["auth", key]);
  tokens.forEach((t, i) => {
    if (t.length >= MIN_TOKEN_LENGTH) return;
    // A token of a file list is reported at its entry; one of a comma-separated text at the setting.
    const entry = Array.isArray(listed) ? listed.indexOf(t) : -1;
    r.reportSetting(
      entry < 0 ? ["auth", key] : ["auth", key, entry],
      envVar,
      `every token must be at least ${MIN_TOKEN_LENGTH} characters (token ${i + 1} has ${t.length})`,
      `use tokens of at least ${MIN_TOKEN_LENGTH} characters, e.g. from: openssl rand -hex 24`,
    );
  });
  return tokens;
}

/** Durations that must be positive; an empty string (an unset environment variable) means the default. */
const POSITIVE = { min: 0, exclusive: true, emptyIsDefault: true } as const;
/** Durations that may be zero (a feature turned off). */
const NON_NEGATIVE = { min: 0, emptyIsDefault: true } as const;

/** `series.step`: a positive duration, or zero (`0`, `0s`) to turn series reads off. */
function readSeriesStep(r: ConfigReader): number {
  if (parseConfigDuration(r.fields.get(["series", "step"])) === 0) return 0;
  return r.duration(["series", "step"], DEFAULT_CONFIG.seriesStepSeconds, POSITIVE);
}

function readHeaders(r: ConfigReader, path: YamlPath): Readonly<Record<string, string>> {
  const m = r.fields.map(path);
  const out: Record<string, string> = {};
  if (m === undefined) return out;
  for (const [name, value] of Object.entries(m)) {
    if (!HEADER_NAME.test(name)) {
      r.report(
        [...path, name],
        `${JSON.stringify(name)} is not an HTTP header name`,
        "header names are letters, digits and - (e.g. X-Scope-OrgID)",
        true,
      );
      continue;
    }
    if (typeof value !== "string") {
      r.report(
        [...path, name],
        `expected a string, got ${describeValue(value)}`,
        `quote the value of header ${name}`,
      );
      continue;
    }
    if (/[\r\n\0]/.test(value)) {
      r.report(
        [...path, name],
        "a header value cannot hold line breaks or NUL",
        `write the value of header ${name} on one line`,
      );
      continue;
    }
    out[name] = value;
  }
  return out;
}

/** Keys of one `backends.<DataSource name>` entry. */
const BACKEND_KEYS = ["url", "headers", "auth", "tls", "timeout", "maxConcurrentReads"] as const;
/** A DataSource name (OpenSLO `metadata.name`: a DNS-1123 label or subdomain). */
const DATA_SOURCE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * `backends`: per OpenSLO DataSource (by its `metadata.name`), what slogate sends to that
 * backend — a URL in place of the DataSource's (the address slogate reaches it at), headers,
 * `auth` and `tls` as under `prometheus`, a timeout and its own read-queue bound.
 */
function readBackends(r: ConfigReader): ServiceConfig["backends"] {
  const m = r.fields.map(["backends"]);
  const out: Record<string, BackendConfig> = {};
  if (m === undefined) return out;
  for (const name of Object.keys(m)) {
    const base = ["backends", name];
    if (!DATA_SOURCE_NAME.test(name)) {
      r.report(
        base,
        `${JSON.stringify(name)} is not a DataSource name`,
        "key each entry by the metadata.name of an OpenSLO DataSource (lower case, digits, - and .)",
        true,
      );
      continue;
    }
    if (r.fields.map(base) === undefined) {
      r.report(
        base,
        `expected a mapping, got ${describeValue(m[name])}`,
        "write e.g. backends: {thanos: {url: https://thanos:10902}}",
      );
      continue;
    }
    r.fields.onlyKeys(base, BACKEND_KEYS, `backends.${name}`);
    const written = r.fields.get([...base, "url"]) === undefined ? "" : r.httpUrl([...base, "url"], "");
    const url = written === "" ? undefined : written;
    const headers = readHeaders(r, [...base, "headers"]);
    const timeout = r.fields.get([...base, "timeout"]);
    const concurrency = r.fields.get([...base, "maxConcurrentReads"]);
    out[name] = {
      ...(url === undefined ? {} : { url }),
      headers,
      auth: readBackendAuth(r, base, headers),
      // Whether TLS fits the URL is known only once the DataSource's URL is: checked at SLO load.
      tls: readBackendTls(r, base, url ?? "https:"),
      ...(timeout === undefined
        ? {}
        : {
            timeoutSeconds: r.duration(
              [...base, "timeout"],
              DEFAULT_CONFIG.prometheus.timeoutSeconds,
              POSITIVE,
            ),
          }),
      ...(concurrency === undefined
        ? {}
        : {
            maxConcurrentReads: r.integer(
              [...base, "maxConcurrentReads"],
              DEFAULT_CONFIG.prometheus.maxConcurrentReads,
              1,
              1000,
            ),
          }),
    };
  }
  return out;
}
