/**
 * @module app/gate-service
 * Assembles and runs the gate service from a `ServiceConfig`: store, SLO catalog (with hot
 * reload), Prometheus client and arm readers, judge, metrics, notifications, the node-cron
 * baseline schedule, retention, and the HTTP server. Used by `slogate serve`, the demo, the
 * integration tests and the benchmark, so they all run the same wiring.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import cron, { type ScheduledTask } from "node-cron";
import { SlogateError } from "../errors.ts";
import { createHttpApp } from "../http/create-http-app.ts";
import type { BuildArmMatchers } from "../http/http-deps.ts";
import { PageLinks, randomPageSecret } from "../http/pages/page-links.ts";
import { judgeLook } from "../judge/registry.ts";
import { createNotifier, parseNotifyConfig, type Notifier } from "../notify/notifier.ts";
import {
  HttpPrometheusClient,
  type PrometheusClient,
  type QueryObservation,
} from "../prometheus/http-client.ts";
import type { Slo } from "../slo/model.ts";
import { MemoryStore } from "../store/memory-store.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import type { Store } from "../store/types.ts";
import { captureBaseline } from "./capture-baseline.ts";
import { expireAnalyses } from "./close-analysis.ts";
import type { ServiceConfig } from "./config.ts";
import type { GateDeps, JudgeLook } from "./gate-deps.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { loadSloFiles } from "./load-slos.ts";
import type { Logger, VerdictListener } from "../domain/verdict-event.ts";
import type { ReadArmCounts, ReadArmSeries } from "./ports.ts";
import { ServiceMetrics } from "./service-metrics.ts";
import { SloCatalog, type LoadSlos } from "./slo-catalog.ts";

/** Builds the arm readers on a Prometheus client (the test-bed engineer's `read-arm`). */
export type CreateArmReaders = (client: PrometheusClient) => {
  readonly readArmCounts: ReadArmCounts;
  readonly readArmSeries?: ReadArmSeries;
};

export interface GateServiceOptions {
  readonly config: ServiceConfig;
  readonly logger: Logger;
  readonly createArmReaders: CreateArmReaders;
  readonly buildArmMatchers: BuildArmMatchers;
  /** Clock in Unix seconds (default: the wall clock). */
  readonly now?: () => number;
  /** Serve this fixed list instead of loading `config.slos` (no hot reload). */
  readonly slos?: readonly Slo[];
  readonly loadSlos?: LoadSlos;
  /** Watch SLO files for changes (default true). */
  readonly watch?: boolean;
  /** Extra verdict listeners (besides the configured notifications). */
  readonly listeners?: readonly VerdictListener[];
  readonly judge?: JudgeLook;
  /** Observes every Prometheus call (besides the service's metrics), e.g. for benchmarks. */
  readonly onQuery?: (o: QueryObservation) => void;
  /** Open the HTTP port (default true). */
  readonly listen?: boolean;
}

export interface GateService {
  /** Base URL the server listens on (`http://127.0.0.1:<port>`), or "" when not listening. */
  readonly url: string;
  readonly deps: GateDeps;
  readonly app: ReturnType<typeof createHttpApp>;
  readonly store: Store;
  readonly catalog: SloCatalog;
  readonly metrics: ServiceMetrics;
  /** Captures a baseline of every served SLO (what the cron schedule runs). */
  captureAllBaselines(at?: number): Promise<void>;
  /** Stops the server, timers, watchers and notifier and closes the store. Safe twice. */
  close(): Promise<void>;
}

const RETENTION_EVERY_MS = 15 * 60 * 1000;

/**
 * Headers sent to Prometheus: the configured ones, asking for uncompressed responses unless
 * they say otherwise. Raw-sample answers compress well, but decompressing them costs more
 * time than the transfer saves on a cluster network (it halved the verdict latency in
 * `npm run bench:service`); set `Accept-Encoding: gzip` for a slow link.
 */
export function prometheusHeaders(configured: Readonly<Record<string, string>>): Record<string, string> {
  const hasEncoding = Object.keys(configured).some((k) => k.toLowerCase() === "accept-encoding");
  return hasEncoding ? { ...configured } : { "Accept-Encoding": "identity", ...configured };
}

/** Starts the service. */
export async function startGateService(o: GateServiceOptions): Promise<GateService> {
  const { config, logger } = o;
  const now = o.now ?? ((): number => Date.now() / 1000);
  const metrics = new ServiceMetrics(now, { defaultMetrics: o.listen !== false });
  const store: Store =
    config.store.kind === "sqlite" ? SqliteStore.open(config.store.dataDir) : new MemoryStore();

  const catalog =
    o.slos !== undefined
      ? SloCatalog.of(o.slos, logger, now)
      : new SloCatalog({
          paths: config.slos,
          load: o.loadSlos ?? loadSloFiles,
          logger,
          now,
          onLoad: (ok, served) => metrics.recordSloLoad(ok, served),
        });
  if (o.slos === undefined) await catalog.reload();
  else metrics.recordSloLoad(true, o.slos.length);
  if (o.slos === undefined && o.watch !== false) catalog.watch();

  const client = new HttpPrometheusClient({
    url: config.prometheus.url,
    timeoutMs: config.prometheus.timeoutSeconds * 1000,
    headers: prometheusHeaders(config.prometheus.headers),
    onQuery: (q) => {
      metrics.observeQuery(q);
      o.onQuery?.(q);
    },
  });
  const readers = o.createArmReaders(client);
  const probe = async (signal?: AbortSignal): Promise<void> => {
    await client.query("vector(1)", undefined, signal);
  };

  let notifier: Notifier | undefined;
  if (config.notifications !== undefined) {
    notifier = createNotifier(parseNotifyConfig(config.notifications), {
      registry: metrics.registry,
      logger,
      now,
    });
  }
  const listeners = [...(notifier === undefined ? [] : [notifier.listener]), ...(o.listeners ?? [])];

  let publicUrl = config.publicUrl;
  // Every emitted link opens the analysis page, signed for that analysis (docs/pages.md).
  const pageLinks = new PageLinks({
    secret: config.pages.secret === "" ? randomPageSecret() : config.pages.secret,
    ttlSeconds: config.pages.linkTtlSeconds,
    baseUrl: () => publicUrl,
    now,
  });
  const deps: GateDeps = {
    store,
    catalog,
    readArmCounts: readers.readArmCounts,
    ...(readers.readArmSeries === undefined ? {} : { readArmSeries: readers.readArmSeries }),
    seriesStepSeconds: config.seriesStepSeconds,
    probePrometheus: probe,
    lookTimeoutSeconds: config.limits.lookTimeoutSeconds,
    judge: o.judge ?? judgeLook,
    logger,
    metrics,
    listeners,
    link: (id) => pageLinks.link(id),
    locks: new KeyedLock(),
    wallClock: () => Date.now() / 1000,
  };

  for (const slo of catalog.list()) {
    const b = store.latestBaseline(slo.id);
    if (b !== undefined) metrics.recordBaseline(slo, b);
  }
  const served = new Map(catalog.list().map((s) => [s.id, s]));
  for (const a of store.listAnalyses({ status: "open", limit: 10_000 })) {
    const slo = served.get(a.sloId);
    if (slo !== undefined) metrics.restoreStatus(slo, a);
  }

  const captureAllBaselines = async (at = now()): Promise<void> => {
    for (const slo of catalog.list()) {
      try {
        await captureBaseline(deps, {
          slo,
          selector: [],
          at,
          windowSeconds: config.baseline.windowSeconds,
          source: "schedule",
        });
      } catch (e) {
        logger.warn("scheduled baseline failed", { slo: slo.id, error: e as Error });
      }
    }
  };
  // Background work (scheduled baselines, retention) runs only in the long-lived service,
  // not in one-shot CLI commands that open the same store.
  const background = o.listen !== false;
  let task: ScheduledTask | undefined;
  if (background && config.baseline.schedule !== "") {
    if (!cron.validate(config.baseline.schedule)) {
      store.close();
      catalog.close();
      throw new SlogateError(
        "CONFIG_INVALID",
        `baseline.schedule ${JSON.stringify(config.baseline.schedule)} is not a cron expression`,
        {
          hint: 'use five fields like "*/30 * * * *", or "" to disable scheduled baselines',
        },
      );
    }
    task = cron.schedule(config.baseline.schedule, () => captureAllBaselines(), {
      name: "slogate-baselines",
      noOverlap: true,
    });
  }
  const applyRetention = (): void => {
    expireAnalyses(deps, now(), config.retention).catch((e: unknown) =>
      logger.warn("retention failed", { error: e as Error }),
    );
  };
  let retentionTimer: NodeJS.Timeout | undefined;
  if (background) {
    applyRetention();
    retentionTimer = setInterval(applyRetention, RETENTION_EVERY_MS);
    retentionTimer.unref();
  }

  const app = createHttpApp({
    gate: deps,
    buildArmMatchers: o.buildArmMatchers,
    now,
    probePrometheus: probe,
    tokens: config.auth.tokens,
    bodyLimitBytes: config.limits.bodyBytes,
    baselineWindowSeconds: config.baseline.windowSeconds,
    pages: { links: pageLinks, grafanaUrl: config.pages.grafanaUrl },
  });

  let server: Server | undefined;
  let url = "";
  if (o.listen !== false) {
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.listen.port, config.listen.host, (err?: Error) =>
        err ? reject(err) : resolve(s),
      );
      s.on("error", reject);
    });
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 60_000;
    const port = (server.address() as AddressInfo).port;
    const host =
      config.listen.host === "0.0.0.0" || config.listen.host === "::" ? "127.0.0.1" : config.listen.host;
    url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    if (publicUrl === "") publicUrl = url;
    logger.info("slogate listening", {
      url,
      publicUrl,
      slos: catalog.list().length,
      store: config.store.kind,
    });
  }

  let closed = false;
  return {
    url,
    deps,
    app,
    store,
    catalog,
    metrics,
    captureAllBaselines,
    close: async () => {
      if (closed) return;
      closed = true;
      await task?.stop();
      if (retentionTimer !== undefined) clearInterval(retentionTimer);
      catalog.close();
      if (server !== undefined) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections();
        });
      }
      await notifier?.close();
      store.close();
    },
  };
}
