/**
 * @module main/gate-service
 * Assembles and runs the gate service from a `ServiceConfig`: store, SLO catalog (with hot
 * reload), Prometheus client and arm readers, judge, metrics, notifications, the node-cron
 * baseline schedule, retention, and the HTTP server. Used by `slogate serve`, the demo, the
 * integration tests and the benchmark, so they all run the same wiring.
 */
import { SlogateError } from "../errors.ts";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import type { Server } from "node:http";
import cron, { type ScheduledTask } from "node-cron";
import { createHttpApp } from "../http/create-http-app.ts";
import { createKayentaApp } from "../http/kayenta-routes.ts";
import type { BuildArmMatchers, KayentaHttpDeps } from "../http/http-deps.ts";
import { PageLinks, randomPageSecret } from "../http/pages/page-links.ts";
import { MatrixDecoder } from "../prometheus/matrix-decoder.ts";
import { judgeLook } from "../judge/registry.ts";
import { createNotifier, type Notifier } from "../notify/notifier.ts";
import type { QueryObservation } from "../prometheus/http-client.ts";
import { BackendRouter, type CreateArmReaders } from "./backend-router.ts";
import type { Slo } from "../slo/model.ts";
import { MemoryStore } from "../store/memory-store.ts";
import { openStore } from "../store/open-store.ts";
import type { Store } from "../app/store-port.ts";
import { backtest, type BacktestRequest, type BacktestResult } from "../app/backtest.ts";
import { captureBaseline } from "../app/capture-baseline.ts";
import { cachedReadiness } from "../app/readiness.ts";
import { expireAnalyses } from "../app/close-analysis.ts";
import { pruneCanaryExecutions } from "../app/kayenta-canary.ts";
import type { ServiceConfig } from "../config/service-config.ts";
import type { GateDeps, JudgeLook } from "../app/deps.ts";
import { loadSloFiles } from "../catalog/load-slos.ts";
import { noteDataSources } from "../catalog/data-source-check.ts";
import type { Logger, VerdictListener } from "../domain/verdict-event.ts";
import { ServiceMetrics } from "../metrics/service-metrics.ts";
import { SloCatalog, type LoadSlos } from "../catalog/slo-catalog.ts";

export type { CreateArmReaders } from "./backend-router.ts";

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
  /** Refuse to start when no valid SLO is loaded (`slogate serve`, unless --allow-no-slos). */
  readonly requireSlos?: boolean;
  /** Open the HTTP port (default true). */
  readonly listen?: boolean;
}

export interface GateService {
  /** Base URL the server listens on (`http://127.0.0.1:<port>`), or "" when not listening. */
  readonly url: string;
  /** Address of the Kayenta API (a template's `address`), or "" when it is not served. */
  readonly kayentaUrl: string;
  /** Resolves once the Kayenta executions running in this process have recorded their end. */
  settled(): Promise<void>;
  readonly deps: GateDeps;
  readonly app: ReturnType<typeof createHttpApp>;
  readonly store: Store;
  readonly catalog: SloCatalog;
  readonly metrics: ServiceMetrics;
  /** Replays an analysis over history into a scratch store (`slogate backtest`). */
  backtest(req: BacktestRequest): Promise<BacktestResult>;
  /** Captures a baseline of every served SLO (what the cron schedule runs). */
  captureAllBaselines(at?: number): Promise<void>;
  /** Stops the server, timers, watchers and notifier and closes the store. Safe twice. */
  close(): Promise<void>;
}

/** How often the SLOs with open analyses are re-read for the catalog (other replicas' looks). */
const OPEN_SLOS_REFRESH_MS = 30_000;
const RETENTION_EVERY_MS = 15 * 60 * 1000;
/** How long `close()` waits for requests in flight (longer than any look's deadline). */
const DRAIN_LIMIT_MS = 30_000;
/** `/readyz` reuses a probe for this long, and gives a slow probe this long. */
const READINESS_MAX_AGE_MS = 5_000;
const READINESS_PROBE_TIMEOUT_MS = 5_000;

export { prometheusAuth, prometheusHeaders } from "./backend-router.ts";

/** Listens with `app` on host:port (0: any free port). */
function listenOn(app: ReturnType<typeof createHttpApp>, port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.on("error", reject);
  });
}

/** Starts the service. */
export async function startGateService(o: GateServiceOptions): Promise<GateService> {
  const { config, logger } = o;
  const now = o.now ?? ((): number => Date.now() / 1000);
  const metrics = new ServiceMetrics(now, {
    defaultMetrics: o.listen !== false,
    maxAnalysisSeries: config.limits.maxAnalysisSeries,
  });
  // Built first: a credential or certificate file that cannot be read fails the start before
  // anything else (store, watchers) is opened.
  // One backend per OpenSLO DataSource (main/backend-router); the service's own is built now.
  const router = new BackendRouter({
    config,
    createArmReaders: o.createArmReaders,
    logger,
    // Answers of 1 MiB and more are decoded in a worker thread, not on the event loop.
    decoder: new MatrixDecoder(),
    onQuery: (q) => {
      metrics.observeQuery(q);
      o.onQuery?.(q);
    },
  });
  const client = router.service.client;
  if (config.prometheus.tls.insecureSkipVerify) {
    logger.warn("prometheus.tls.insecureSkipVerify is set: the backend's certificate is not verified", {
      backend: client.url,
      hint: "anyone on the path can impersonate the backend and decide verdicts; set prometheus.tls.caFile instead",
    });
  }
  const store: Store = await openStore(config.store);
  // Who this replica is in ticks, leases and outbox claims.
  const owner = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  // SLOs with open analyses, for the catalog's synchronous `inUse` (the store answers
  // asynchronously): read at start and every OPEN_SLOS_REFRESH_MS (analyses other replicas
  // opened), and added to by every look this replica judges.
  const openSlos = new Set<string>();
  const refreshOpenSlos = async (): Promise<void> => {
    const open = await store.listAnalyses({ status: "open", limit: 10_000 });
    openSlos.clear();
    for (const a of open) openSlos.add(a.sloId);
  };
  await refreshOpenSlos();
  const openSlosTimer = setInterval(() => {
    refreshOpenSlos().catch((e: unknown) =>
      logger.debug("open analyses not refreshed", { error: e as Error }),
    );
  }, OPEN_SLOS_REFRESH_MS);
  openSlosTimer.unref();

  const catalog =
    o.slos !== undefined
      ? SloCatalog.of(o.slos, logger, now)
      : new SloCatalog({
          paths: config.slos,
          // Each SLO with an OpenSLO DataSource gets its backend (and a note saying which).
          load: noteDataSources(o.loadSlos ?? loadSloFiles, (slo) => router.resolve(slo).note, logger),
          logger,
          now,
          onLoad: (ok, served) => {
            metrics.recordSloLoad(ok, served);
            // Backends no served SLO uses any more are dropped (retired SLOs rebuild theirs lazily).
            retainBackends();
          },
          // An SLO gone from the files keeps serving its open analyses until they close.
          inUse: (sloId) => openSlos.has(sloId),
          onRetired: (ids) => metrics.recordRetiredSlos(ids),
        });
  /** Keeps the backends of the served SLOs, retired ones included. */
  function retainBackends(): void {
    const served = [...catalog.list()];
    for (const r of catalog.status().retired) {
      try {
        served.push(catalog.get(r.id));
      } catch {
        // dropped meanwhile
      }
    }
    router.retain(served);
  }
  if (o.slos === undefined) await catalog.reload();
  else {
    metrics.recordSloLoad(true, o.slos.length);
    retainBackends();
  }
  if (o.requireSlos === true && catalog.list().length === 0) {
    const problems = catalog.status().problems;
    catalog.close();
    router.close();
    await store.close();
    throw new SlogateError(
      "CONFIG_INVALID",
      `no valid SLO was loaded from ${config.slos.join(", ")}${problems.length > 0 ? ` (${problems.length} problem(s), e.g. ${problems[0]?.file ?? ""}:${problems[0]?.line ?? ""}: ${problems[0]?.message ?? ""})` : " (no SLO files found)"}: every look would be refused`,
      {
        hint: `fix the SLO files (slogate validate ${config.slos.join(" ")}) or set slos / --slos; start anyway with --allow-no-slos`,
        details: { slos: config.slos, problems: problems.length },
      },
    );
  }
  if (o.slos === undefined && o.watch !== false) catalog.watch();

  // Looks read through each backend's bounded queue (the readiness probe does not wait in it).
  const readers = router.readers;
  const probe = (signal?: AbortSignal, slos?: readonly Slo[]): Promise<void> => router.probe(signal, slos);

  let notifier: Notifier | undefined;
  if (config.notifications !== undefined) {
    notifier = createNotifier(config.notifications, {
      registry: metrics.registry,
      logger,
      now,
      // On PostgreSQL several replicas share the verdicts: deliver through the outbox.
      ...(config.store.kind === "postgres" ? { outbox: { store, owner } } : {}),
    });
  }
  const trackOpen: VerdictListener = (e) => {
    if (e.phase === "open") openSlos.add(e.slo.id);
    // A close may leave a retired SLO unused: re-read so the catalog can drop it.
    else void refreshOpenSlos().catch(() => undefined);
  };
  const listeners = [
    trackOpen,
    ...(notifier === undefined ? [] : [notifier.listener]),
    ...(o.listeners ?? []),
  ];

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
    ...(readers.readArmCountsFrom === undefined ? {} : { readArmCountsFrom: readers.readArmCountsFrom }),
    ...(readers.readArmSeries === undefined ? {} : { readArmSeries: readers.readArmSeries }),
    ...(readers.readArmGauges === undefined ? {} : { readArmGauges: readers.readArmGauges }),
    seriesStepSeconds: config.seriesStepSeconds,
    probePrometheus: probe,
    lookTimeoutSeconds: config.limits.lookTimeoutSeconds,
    maxOpenAnalysesPerSlo: config.limits.maxOpenAnalysesPerSlo,
    judge: o.judge ?? judgeLook,
    logger,
    metrics,
    listeners,
    ...(notifier?.plan === undefined ? {} : { planNotifications: notifier.plan }),
    link: (id) => pageLinks.link(id),
    wallClock: () => Date.now() / 1000,
  };

  for (const slo of catalog.list()) {
    const b = await store.latestBaseline(slo.id);
    if (b !== undefined) metrics.recordBaseline(slo, b);
  }
  const served = new Map(catalog.list().map((s) => [s.id, s]));
  for (const a of await store.listAnalyses({ status: "open", limit: 10_000 })) {
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
  // The Kayenta-compatible API (issue 14): on its own listener with kayenta.port, else on this one.
  const kayentaConfig = config.kayenta;
  const kayenta: KayentaHttpDeps | undefined = kayentaConfig.enabled
    ? {
        settings: {
          ...(kayentaConfig.judge === undefined ? {} : { judge: kayentaConfig.judge }),
          locationLabel: kayentaConfig.locationLabel,
          windowSeconds: kayentaConfig.windowSeconds,
          configs: kayentaConfig.configs,
        },
        secret: kayentaConfig.secret,
        running: new Map(),
      }
    : undefined;
  const httpDeps = {
    gate: deps,
    buildArmMatchers: o.buildArmMatchers,
    now,
    readiness: cachedReadiness(
      {
        store,
        catalog,
        probePrometheus: () => probe(AbortSignal.timeout(READINESS_PROBE_TIMEOUT_MS)),
        probeBackends: () => router.probeDataSources(AbortSignal.timeout(READINESS_PROBE_TIMEOUT_MS)),
      },
      { maxAgeMs: READINESS_MAX_AGE_MS, answerWithinMs: 900, nowMs: () => Date.now() },
    ),
    tokens: config.auth.tokens,
    metricsTokens: config.auth.metricsTokens,
    bodyLimitBytes: config.limits.bodyBytes,
    baselineWindowSeconds: config.baseline.windowSeconds,
    flaggerLookIntervalSeconds: config.flagger.lookIntervalSeconds,
    metricsExposition: () => metrics.exposition(),
    pages: { links: pageLinks, grafanaUrl: config.pages.grafanaUrl },
  };
  const app = createHttpApp({
    ...httpDeps,
    ...(kayenta === undefined || kayentaConfig.port !== undefined ? {} : { kayenta }),
  });

  let server: Server | undefined;
  let url = "";
  let kayentaServer: Server | undefined;
  let kayentaUrl = "";
  if (o.listen !== false) {
    try {
      server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(config.listen.port, config.listen.host, (err?: Error) =>
          err ? reject(err) : resolve(s),
        );
        s.on("error", reject);
      });
    } catch (cause) {
      // Nothing may keep running (watchers, notifier, store) when the port cannot be had.
      clearInterval(openSlosTimer);
      catalog.close();
      router.close();
      await notifier?.close();
      await store.close();
      const code = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
      throw new SlogateError(
        "CONFIG_INVALID",
        `cannot listen on ${config.listen.host}:${config.listen.port}: ${code}`,
        {
          hint:
            code === "EADDRINUSE"
              ? "another process holds the port: stop it or set listen.port (--port)"
              : "check listen.host and listen.port (--host, --port)",
          cause,
        },
      );
    }
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 60_000;
    const port = (server.address() as AddressInfo).port;
    const host =
      config.listen.host === "0.0.0.0" || config.listen.host === "::" ? "127.0.0.1" : config.listen.host;
    url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    if (publicUrl === "") publicUrl = url;
    if (kayenta !== undefined && kayentaConfig.port !== undefined) {
      try {
        kayentaServer = await listenOn(
          createKayentaApp(httpDeps, kayenta),
          kayentaConfig.port,
          config.listen.host,
        );
      } catch (cause) {
        await new Promise<void>((resolve) => server?.close(() => resolve()));
        clearInterval(openSlosTimer);
        catalog.close();
        router.close();
        await notifier?.close();
        await store.close();
        throw new SlogateError(
          "CONFIG_INVALID",
          `cannot listen on ${config.listen.host}:${kayentaConfig.port} (kayenta.port): ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
          { hint: "another process holds the port: stop it or change kayenta.port", cause },
        );
      }
      const kPort = (kayentaServer.address() as AddressInfo).port;
      kayentaUrl = `http://${host.includes(":") ? `[${host}]` : host}:${kPort}`;
      logger.info("kayenta API listening", {
        url: `${kayentaUrl}/kayenta${kayenta.secret === "" ? "" : "/<secret>"}`,
      });
    }
    logger.info("slogate listening", {
      url,
      publicUrl,
      slos: catalog.list().length,
      store: config.store.kind,
    });
  }

  // Background work (scheduled baselines, retention) runs only in the long-lived service,
  // not in one-shot CLI commands that open the same store; it starts once the port is held.
  const background = o.listen !== false;
  let task: ScheduledTask | undefined;
  // The schedule's cron expression was checked when the configuration was read.
  if (background && config.baseline.schedule !== "") {
    task = cron.schedule(config.baseline.schedule, () => captureAllBaselines(), {
      name: "slogate-baselines",
      noOverlap: true,
      // Each tick runs on exactly one replica: the first to claim `<name>:<tick ISO time>` in
      // the store (fail-closed: a store that cannot answer skips the tick, logged by node-cron).
      distributed: true,
      runCoordinator: { shouldRun: (key) => store.claimTick(`baseline:${key}`, owner, now()) },
    });
  }
  // Retention runs on one replica at a time: the holder of the lease, renewed at each run,
  // taken over by another replica when the holder stops renewing it.
  const applyRetention = (): void => {
    store
      .acquireLease("retention", owner, now(), (RETENTION_EVERY_MS * 1.5) / 1000)
      .then(async (mine) => {
        if (!mine) return;
        await expireAnalyses(deps, now(), config.retention);
        // Kayenta executions live as long as the analyses they judged.
        await pruneCanaryExecutions(store, now() - config.retention.analysesSeconds);
      })
      .catch((e: unknown) => logger.warn("retention failed", { error: e as Error }));
  };
  let retentionTimer: NodeJS.Timeout | undefined;
  if (background) {
    applyRetention();
    retentionTimer = setInterval(applyRetention, RETENTION_EVERY_MS);
    retentionTimer.unref();
  }

  let closed = false;
  return {
    url,
    kayentaUrl:
      kayenta === undefined
        ? ""
        : `${kayentaUrl === "" ? url : kayentaUrl}/kayenta${kayenta.secret === "" ? "" : `/${kayenta.secret}`}`,
    deps,
    app,
    store,
    catalog,
    metrics,
    captureAllBaselines,
    settled: async () => {
      while (kayenta !== undefined && kayenta.running.size > 0)
        await Promise.allSettled([...kayenta.running.values()]);
    },
    backtest: (req) => backtest({ ...deps, scratchStore: () => new MemoryStore() }, req),
    close: async () => {
      if (closed) return;
      closed = true;
      await task?.stop();
      if (retentionTimer !== undefined) clearInterval(retentionTimer);
      clearInterval(openSlosTimer);
      catalog.close();
      router.close();
      // Stop accepting, let the requests in flight finish and answer, close each keep-alive
      // connection as soon as it is idle; past the drain limit, close the rest.
      const drain = (srv: Server) =>
        new Promise<void>((resolve) => {
          const sweep = setInterval(() => srv.closeIdleConnections(), 50);
          const force = setTimeout(() => srv.closeAllConnections(), DRAIN_LIMIT_MS);
          srv.close(() => {
            clearInterval(sweep);
            clearTimeout(force);
            resolve();
          });
          srv.closeIdleConnections();
        });
      await Promise.all([server, kayentaServer].filter((x) => x !== undefined).map(drain));
      // Kayenta executions in flight (started by requests up to now) record their end before the store closes.
      while (kayenta !== undefined && kayenta.running.size > 0)
        await Promise.allSettled([...kayenta.running.values()]);
      await notifier?.close();
      if (background) await store.releaseLease("retention", owner).catch(() => undefined);
      await store.close();
    },
  };
}
