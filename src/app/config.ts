/**
 * @module app/config
 * The service configuration: a YAML file (see `slogate.example.yaml`) overlaid by
 * environment variables, validated with every problem reported at once. Parsing is pure
 * (text and env in, `ServiceConfig` out); reading the file is the caller's job.
 */
import { parse as parseYaml } from "yaml";
import { SlogateError } from "../errors.ts";
import { parsePrometheusDuration } from "../slo/duration.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

/** The validated configuration of `slogate serve`. Durations in seconds. */
export interface ServiceConfig {
  readonly listen: { readonly host: string; readonly port: number };
  /** Base URL used in links (`<publicUrl>/analyses/<id>`, the analysis page). */
  readonly publicUrl: string;
  readonly prometheus: {
    readonly url: string;
    readonly timeoutSeconds: number;
    readonly headers: Readonly<Record<string, string>>;
  };
  /** SLO files or directories, loaded at start and watched for changes. */
  readonly slos: readonly string[];
  readonly store: { readonly kind: "sqlite" | "memory"; readonly dataDir: string };
  readonly retention: { readonly analysesSeconds: number; readonly baselinesSeconds: number };
  readonly baseline: {
    /** node-cron expression; empty disables scheduled captures. */
    readonly schedule: string;
    readonly windowSeconds: number;
  };
  /** Accepted bearer tokens; empty means no authentication. */
  readonly auth: { readonly tokens: readonly string[] };
  readonly limits: {
    readonly bodyBytes: number;
    /** Deadline of one look's Prometheus reads (below Argo's and Flagger's 10 s defaults). */
    readonly lookTimeoutSeconds: number;
  };
  /** Step of the per-step series read at each look (0 disables series reads). */
  readonly seriesStepSeconds: number;
  readonly log: { readonly level: LogLevel };
  /** The `notifications:` section, handed as-is to the notifications parser. */
  readonly notifications?: unknown;
  /** Analysis pages (docs/pages.md). */
  readonly pages: {
    /** HMAC key of signed page links; empty: a random key per process (links die on restart). */
    readonly secret: string;
    /** How long a signed link stays valid. */
    readonly linkTtlSeconds: number;
    /** Grafana base URL for links to the generated dashboards; empty: no links. */
    readonly grafanaUrl: string;
  };
}

/** Defaults applied under the file and the environment. */
export const DEFAULT_CONFIG: ServiceConfig = {
  listen: { host: "0.0.0.0", port: 8080 },
  publicUrl: "",
  prometheus: { url: "http://127.0.0.1:9090", timeoutSeconds: 10, headers: {} },
  slos: ["slos"],
  store: { kind: "sqlite", dataDir: ".slogate-data" },
  retention: { analysesSeconds: 14 * 86400, baselinesSeconds: 30 * 86400 },
  baseline: { schedule: "*/30 * * * *", windowSeconds: 3600 },
  auth: { tokens: [] },
  limits: { bodyBytes: 64 * 1024, lookTimeoutSeconds: 8 },
  seriesStepSeconds: 60,
  log: { level: "info" },
  pages: { secret: "", linkTtlSeconds: 7 * 86400, grafanaUrl: "" },
};

/** Environment variables read, and the config field each sets. */
export const CONFIG_ENV_VARS: Readonly<Record<string, string>> = {
  SLOGATE_HOST: "listen.host",
  SLOGATE_PORT: "listen.port",
  SLOGATE_PUBLIC_URL: "publicUrl",
  SLOGATE_PROMETHEUS_URL: "prometheus.url",
  SLOGATE_PROMETHEUS_TIMEOUT: "prometheus.timeout",
  SLOGATE_LOOK_TIMEOUT: "limits.lookTimeout",
  SLOGATE_SLOS: "slos (comma-separated)",
  SLOGATE_STORE: "store.kind",
  SLOGATE_DATA_DIR: "store.dataDir",
  SLOGATE_TOKENS: "auth.tokens (comma-separated)",
  SLOGATE_BASELINE_SCHEDULE: "baseline.schedule",
  SLOGATE_LOG_LEVEL: "log.level",
  SLOGATE_PAGES_SECRET: "pages.secret",
  SLOGATE_GRAFANA_URL: "pages.grafanaUrl",
};

type Raw = Record<string, unknown>;

class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }
}

function obj(v: unknown, path: string, p: Problems): Raw {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) {
    p.add(path, "must be a mapping");
    return {};
  }
  return v as Raw;
}

function str(v: unknown, path: string, p: Problems, fallback: string): string {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "string") {
    p.add(path, `must be a string, got ${JSON.stringify(v)}`);
    return fallback;
  }
  return v;
}

function int(v: unknown, path: string, p: Problems, fallback: number, min: number, max: number): number {
  if (v === undefined || v === null || v === "") return fallback;
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    p.add(path, `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    return fallback;
  }
  return n;
}

function duration(v: unknown, path: string, p: Problems, fallback: number): number {
  if (v === undefined || v === null || v === "") return fallback;
  if (typeof v === "number" && v > 0 && Number.isFinite(v)) return v;
  if (typeof v === "string") {
    const s = parsePrometheusDuration(v.trim());
    if (s !== undefined) return s;
  }
  p.add(path, `must be a duration like 30s, 15m, 14d (or seconds), got ${JSON.stringify(v)}`);
  return fallback;
}

function list(v: unknown, path: string, p: Problems, fallback: readonly string[]): readonly string[] {
  if (v === undefined || v === null) return fallback;
  if (typeof v === "string")
    return v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    p.add(path, "must be a list of strings");
    return fallback;
  }
  return v as string[];
}

function url(v: string, path: string, p: Problems): string {
  if (v === "") return v;
  try {
    const u = new URL(v);
    if (u.protocol !== "http:" && u.protocol !== "https:") p.add(path, `must be an http(s) URL, got ${v}`);
  } catch {
    p.add(path, `must be an absolute URL, got ${JSON.stringify(v)}`);
  }
  return v.replace(/\/+$/, "");
}

const KNOWN_TOP = new Set([
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
  "log",
  "notifications",
  "pages",
]);

/**
 * Builds the configuration from YAML text (empty for none) and the environment.
 * Throws CONFIG_INVALID listing every problem.
 */
export function parseServiceConfig(
  yamlText: string,
  env: Readonly<Record<string, string | undefined>>,
  source = "config",
): ServiceConfig {
  const p = new Problems();
  let doc: unknown;
  try {
    doc = yamlText.trim() === "" ? {} : parseYaml(yamlText);
  } catch (cause) {
    throw new SlogateError("CONFIG_INVALID", `${source}: not valid YAML: ${(cause as Error).message}`, {
      hint: "fix the YAML syntax; see slogate.example.yaml",
      cause,
    });
  }
  const root = obj(doc, source, p);
  for (const key of Object.keys(root)) if (!KNOWN_TOP.has(key)) p.add(`${source}.${key}`, "unknown setting");
  const d = DEFAULT_CONFIG;
  const listen = obj(root.listen, "listen", p);
  const prom = obj(root.prometheus, "prometheus", p);
  const store = obj(root.store, "store", p);
  const retention = obj(root.retention, "retention", p);
  const baseline = obj(root.baseline, "baseline", p);
  const auth = obj(root.auth, "auth", p);
  const limits = obj(root.limits, "limits", p);
  const series = obj(root.series, "series", p);
  const log = obj(root.log, "log", p);
  const pages = obj(root.pages, "pages", p);
  for (const key of Object.keys(pages)) {
    if (!["secret", "linkTtl", "grafanaUrl"].includes(key)) p.add(`pages.${key}`, "unknown setting");
  }

  const headersRaw = obj(prom.headers, "prometheus.headers", p);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(headersRaw)) headers[k] = str(v, `prometheus.headers.${k}`, p, "");

  const storeKind = str(env.SLOGATE_STORE ?? store.kind, "store.kind", p, d.store.kind);
  if (storeKind !== "sqlite" && storeKind !== "memory")
    p.add("store.kind", `must be sqlite or memory, got ${storeKind}`);
  const level = str(env.SLOGATE_LOG_LEVEL ?? log.level, "log.level", p, d.log.level);
  if (!["debug", "info", "warn", "error"].includes(level))
    p.add("log.level", `must be debug, info, warn or error`);
  const schedule = str(
    env.SLOGATE_BASELINE_SCHEDULE ?? baseline.schedule,
    "baseline.schedule",
    p,
    d.baseline.schedule,
  );
  if (schedule !== "" && schedule.trim().split(/\s+/).length < 5) {
    p.add(
      "baseline.schedule",
      `must be a cron expression like "*/30 * * * *" (or "" to disable), got ${schedule}`,
    );
  }
  const tokens = list(env.SLOGATE_TOKENS ?? auth.tokens, "auth.tokens", p, d.auth.tokens);
  for (const t of tokens)
    if (t.length < 16) p.add("auth.tokens", "every token must be at least 16 characters");

  const pagesSecret = str(env.SLOGATE_PAGES_SECRET ?? pages.secret, "pages.secret", p, d.pages.secret);
  if (pagesSecret !== "" && pagesSecret.length < 32) p.add("pages.secret", "must be at least 32 characters");

  const config: ServiceConfig = {
    listen: {
      host: str(env.SLOGATE_HOST ?? listen.host, "listen.host", p, d.listen.host),
      port: int(env.SLOGATE_PORT ?? listen.port, "listen.port", p, d.listen.port, 0, 65535),
    },
    publicUrl: url(
      str(env.SLOGATE_PUBLIC_URL ?? root.publicUrl, "publicUrl", p, d.publicUrl),
      "publicUrl",
      p,
    ),
    prometheus: {
      url: url(
        str(env.SLOGATE_PROMETHEUS_URL ?? prom.url, "prometheus.url", p, d.prometheus.url),
        "prometheus.url",
        p,
      ),
      timeoutSeconds: duration(
        env.SLOGATE_PROMETHEUS_TIMEOUT ?? prom.timeout,
        "prometheus.timeout",
        p,
        d.prometheus.timeoutSeconds,
      ),
      headers,
    },
    slos: list(env.SLOGATE_SLOS ?? root.slos, "slos", p, d.slos),
    store: {
      kind: storeKind === "memory" ? "memory" : "sqlite",
      dataDir: str(env.SLOGATE_DATA_DIR ?? store.dataDir, "store.dataDir", p, d.store.dataDir),
    },
    retention: {
      analysesSeconds: duration(retention.analyses, "retention.analyses", p, d.retention.analysesSeconds),
      baselinesSeconds: duration(retention.baselines, "retention.baselines", p, d.retention.baselinesSeconds),
    },
    baseline: {
      schedule,
      windowSeconds: duration(baseline.window, "baseline.window", p, d.baseline.windowSeconds),
    },
    auth: { tokens },
    limits: {
      bodyBytes: int(limits.bodyBytes, "limits.bodyBytes", p, d.limits.bodyBytes, 1024, 10 * 1024 * 1024),
      lookTimeoutSeconds: duration(
        env.SLOGATE_LOOK_TIMEOUT ?? limits.lookTimeout,
        "limits.lookTimeout",
        p,
        d.limits.lookTimeoutSeconds,
      ),
    },
    seriesStepSeconds:
      series.step === 0 || series.step === "0"
        ? 0
        : duration(series.step, "series.step", p, d.seriesStepSeconds),
    log: { level: level as LogLevel },
    ...(root.notifications === undefined ? {} : { notifications: root.notifications }),
    pages: {
      secret: pagesSecret,
      linkTtlSeconds: duration(pages.linkTtl, "pages.linkTtl", p, d.pages.linkTtlSeconds),
      grafanaUrl: url(
        str(env.SLOGATE_GRAFANA_URL ?? pages.grafanaUrl, "pages.grafanaUrl", p, d.pages.grafanaUrl),
        "pages.grafanaUrl",
        p,
      ),
    },
  };
  if (p.list.length > 0) {
    throw new SlogateError(
      "CONFIG_INVALID",
      `${source}: ${p.list.length} problem(s):\n  ${p.list.join("\n  ")}`,
      {
        hint: `fix the settings listed; see slogate.example.yaml and the environment variables ${Object.keys(CONFIG_ENV_VARS).join(", ")}`,
        details: { problems: p.list },
      },
    );
  }
  return config;
}
