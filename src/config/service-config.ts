/**
 * @module config/service-config
 * The validated configuration of `slogate serve` (and the one-shot commands): what each
 * setting means, its default, and the environment variables that override the file. Read
 * from YAML text and the environment by `read-service-config.ts`; the annotated example is
 * `slogate.example.yaml`. Pure.
 */
import { DEFAULT_KAYENTA_CONFIG, type KayentaConfig } from "./kayenta-config.ts";
import type { NotifyConfig } from "./notify-config.ts";

/** Log levels, least severe first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
/** A log level of `log.level`. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * How slogate authenticates to a metrics backend. At most one of a bearer token read from a
 * file (re-read whenever the file changes: a rotated Kubernetes service-account token) and
 * basic auth (the password inline or from a file, re-read the same way). Paths are resolved
 * against the working directory by `main/load-service-config.ts`.
 */
export interface BackendAuthConfig {
  readonly bearerTokenFile?: string;
  readonly basic?: {
    readonly username: string;
    readonly password?: string;
    readonly passwordFile?: string;
  };
}

/**
 * TLS towards an https backend: the CA bundle that signs its certificate (default: Node's
 * bundled roots), a client certificate and key (mTLS; both or neither), the name to verify
 * (default the URL's host) and `insecureSkipVerify` (accepts any certificate; logged as a
 * warning at start). Files are re-read when they change (cert-manager renewals).
 */
export interface BackendTlsConfig {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly serverName?: string;
  readonly insecureSkipVerify: boolean;
}

/**
 * What slogate sends to the backend of one OpenSLO DataSource (`backends.<name>`). Without an
 * entry a DataSource at another URL than `prometheus.url` gets only its own headers — the
 * service's `prometheus.auth`, `tls` and `headers` are never sent to a foreign URL.
 */
export interface BackendConfig {
  /** Read from this URL instead of the DataSource's (the address slogate reaches it at). */
  readonly url?: string;
  /** Headers added to the DataSource's (these win on the same name). */
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: BackendAuthConfig;
  readonly tls: BackendTlsConfig;
  /** Per-attempt deadline; default `prometheus.timeout`. */
  readonly timeoutSeconds?: number;
  /** Reads in flight to this backend at once; default `prometheus.maxConcurrentReads`. */
  readonly maxConcurrentReads?: number;
}

/** The validated configuration of `slogate serve`. Durations in seconds. */
export interface ServiceConfig {
  readonly listen: { readonly host: string; readonly port: number };
  /** Base URL used in links (`<publicUrl>/api/v1/analyses/<id>`). */
  readonly publicUrl: string;
  readonly prometheus: {
    readonly url: string;
    readonly timeoutSeconds: number;
    /** Largest answer read from Prometheus, in bytes; a larger one is aborted while read. */
    readonly maxResponseBytes: number;
    /** Headers sent with every request to this backend (e.g. `X-Scope-OrgID`). */
    readonly headers: Readonly<Record<string, string>>;
    readonly auth: BackendAuthConfig;
    readonly tls: BackendTlsConfig;
    /**
     * Reads in flight to this backend at once (the rest wait in a queue; a read that cannot
     * start before its look's deadline fails fast as PROMETHEUS_UNAVAILABLE). Default 8.
     */
    readonly maxConcurrentReads: number;
    /** Read only the samples since an analysis' previous look (reader state in the store). Default true. */
    readonly incrementalReads: boolean;
    /** The label naming a series' pod, for per-pod counts. Default `pod`. */
    readonly podLabel: string;
  };
  /** SLO files or directories, loaded at start and watched for changes. */
  readonly slos: readonly string[];
  /**
   * Where analyses live: `sqlite` (one replica, a file in `dataDir`), `memory`, or `postgres`
   * (several replicas on one database at `url`, or the URL read from the file `urlFile` — a
   * mounted Secret — at start; `schema` holds the tables, default `public`).
   */
  readonly store: {
    readonly kind: "sqlite" | "memory" | "postgres";
    readonly dataDir: string;
    readonly url?: string;
    readonly urlFile?: string;
    readonly schema?: string;
  };
  readonly retention: { readonly analysesSeconds: number; readonly baselinesSeconds: number };
  readonly baseline: {
    /** Cron expression (checked by `cron-expression.ts`); empty disables scheduled captures. */
    readonly schedule: string;
    readonly windowSeconds: number;
  };
  /**
   * Accepted bearer tokens on `/api`; empty means no authentication. `metricsTokens`, when
   * set, guard `/metrics` (which names analyses and rollouts) with their own tokens.
   */
  readonly auth: { readonly tokens: readonly string[]; readonly metricsTokens: readonly string[] };
  readonly limits: {
    readonly bodyBytes: number;
    /** Deadline of one look's Prometheus reads (below Argo's and Flagger's 10 s defaults). */
    readonly lookTimeoutSeconds: number;
    /** Open analyses per SLO; a look that would open one more answers 429. */
    readonly maxOpenAnalysesPerSlo: number;
    /** Per-analysis status series in `/metrics`; past it new analyses get none (counted). */
    readonly maxAnalysisSeries: number;
  };
  /** Step of the per-step series read at each look (0 disables series reads). */
  readonly seriesStepSeconds: number;
  /**
   * Flagger webhooks: a look is taken only when the analysis' previous look is at least
   * `lookIntervalSeconds` old; hooks asked sooner (`rollout`, `confirm-traffic-increase` and
   * repeated `confirm-promotion` in one iteration) answer the stored look, so the number of
   * looks follows time, not the number of hooks. 0 takes a look on every hook.
   */
  readonly flagger: { readonly lookIntervalSeconds: number };
  readonly log: { readonly level: LogLevel };
  /** The `notifications:` section; absent when the file has none (no notifications sent). */
  readonly notifications?: NotifyConfig;
  /** Analysis pages (docs/pages.md). */
  readonly pages: {
    /** HMAC key of signed page links; empty: a random key per process (links die on restart). */
    readonly secret: string;
    /** How long a signed link stays valid. */
    readonly linkTtlSeconds: number;
    /** Grafana base URL for links to the generated dashboards; empty: no links. */
    readonly grafanaUrl: string;
  };
  /** The Kayenta-compatible API for Argo's `kayenta` provider (`config/kayenta-config.ts`). */
  readonly kayenta: KayentaConfig;
  /** Per OpenSLO DataSource name: how its backend is reached (docs/service.md, "Several backends"). */
  readonly backends: Readonly<Record<string, BackendConfig>>;
}

/** Defaults applied under the file and the environment. */
export const DEFAULT_CONFIG: ServiceConfig = {
  listen: { host: "0.0.0.0", port: 8080 },
  publicUrl: "",
  prometheus: {
    url: "http://127.0.0.1:9090",
    timeoutSeconds: 10,
    maxResponseBytes: 64 * 1024 * 1024,
    headers: {},
    auth: {},
    tls: { insecureSkipVerify: false },
    maxConcurrentReads: 8,
    incrementalReads: true,
    podLabel: "pod",
  },
  slos: ["slos"],
  store: { kind: "sqlite", dataDir: ".slogate-data" },
  retention: { analysesSeconds: 14 * 86400, baselinesSeconds: 30 * 86400 },
  baseline: { schedule: "*/30 * * * *", windowSeconds: 3600 },
  auth: { tokens: [], metricsTokens: [] },
  limits: {
    bodyBytes: 64 * 1024,
    lookTimeoutSeconds: 8,
    maxOpenAnalysesPerSlo: 500,
    maxAnalysisSeries: 2000,
  },
  seriesStepSeconds: 60,
  flagger: { lookIntervalSeconds: 30 },
  log: { level: "info" },
  pages: { secret: "", linkTtlSeconds: 7 * 86400, grafanaUrl: "" },
  kayenta: DEFAULT_KAYENTA_CONFIG,
  backends: {},
};

/** Environment variables read, and the config field each sets. */
export const CONFIG_ENV_VARS: Readonly<Record<string, string>> = {
  SLOGATE_HOST: "listen.host",
  SLOGATE_PORT: "listen.port",
  SLOGATE_PUBLIC_URL: "publicUrl",
  SLOGATE_PROMETHEUS_URL: "prometheus.url",
  SLOGATE_PROMETHEUS_TIMEOUT: "prometheus.timeout",
  SLOGATE_PROMETHEUS_BEARER_TOKEN_FILE: "prometheus.auth.bearerTokenFile",
  SLOGATE_LOOK_TIMEOUT: "limits.lookTimeout",
  SLOGATE_SLOS: "slos (comma-separated)",
  SLOGATE_STORE: "store.kind",
  SLOGATE_DATA_DIR: "store.dataDir",
  SLOGATE_STORE_URL: "store.url",
  SLOGATE_STORE_URL_FILE: "store.urlFile",
  SLOGATE_TOKENS: "auth.tokens (comma-separated)",
  SLOGATE_METRICS_TOKENS: "auth.metricsTokens (comma-separated)",
  SLOGATE_BASELINE_SCHEDULE: "baseline.schedule",
  SLOGATE_LOG_LEVEL: "log.level",
  SLOGATE_PAGES_SECRET: "pages.secret",
  SLOGATE_GRAFANA_URL: "pages.grafanaUrl",
  SLOGATE_KAYENTA_SECRET: "kayenta.secret",
};
