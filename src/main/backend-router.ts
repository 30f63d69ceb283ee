/**
 * @module main/backend-router
 * One metrics backend per OpenSLO DataSource. An SLO whose `metricSourceRef` resolved to a
 * DataSource (`slo.dataSource`) is read from that DataSource's backend: its URL (or
 * `backends.<name>.url`) with its `connectionDetails` headers, through a client, a bounded read
 * queue and arm readers (the incremental one included) of its own. SLOs without a DataSource —
 * or whose DataSource is the service's `prometheus.url` with no headers and no `backends` entry
 * — keep the service's backend, exactly as before.
 *
 * What is sent where (docs/service.md, "Several backends"):
 * - the service's `prometheus.auth`, `tls` and `headers` go to `prometheus.url` only: a
 *   DataSource at the same URL gets them (plus its own headers); a DataSource at another URL
 *   gets only its own headers, unless `backends.<DataSource name>` configures auth, tls,
 *   headers (which win over the DataSource's on the same name), a timeout or a queue bound;
 * - DataSource header values may be secrets: they are never logged, served, put in a message
 *   or in a backend's key as text (only header names are shown).
 *
 * `BackendRouter.readers` are the gate's readers: each call dispatches by its SLO, and a
 * failure of a DataSource backend names the DataSource (`details.dataSource`). Backends are
 * built when the SLOs are loaded (`resolve`, so an unusable one is a located problem at the
 * SLO) or lazily at the first read; `retain` drops those no served SLO uses after a reload.
 */
import { createHash } from "node:crypto";
import { SlogateError, isSlogateError } from "../errors.ts";
import type { BackendConfig, ServiceConfig } from "../config/service-config.ts";
import type { Logger } from "../domain/verdict-event.ts";
import type { ReadArmCounts, ReadArmCountsFrom, ReadArmGauges, ReadArmSeries } from "../app/ports.ts";
import {
  HttpPrometheusClient,
  type PrometheusAuth,
  type PrometheusClient,
  type QueryObservation,
} from "../prometheus/http-client.ts";
import type { BackendTlsFiles } from "../prometheus/backend-credentials.ts";
import type { MatrixDecoder } from "../prometheus/matrix-decoder.ts";
import { ReadQueue, queuedClient } from "../prometheus/read-queue.ts";
import type { DataSourceRef, Slo } from "../slo/model.ts";

/** The arm readers of one backend. */
export interface ArmReaders {
  readonly readArmCounts: ReadArmCounts;
  readonly readArmSeries?: ReadArmSeries;
  /** Per-pod gauges of resource SLIs. */
  readonly readArmGauges?: ReadArmGauges;
  /** The incremental reader (reader state kept in the store per analysis and arm). */
  readonly readArmCountsFrom?: ReadArmCountsFrom;
}

/** Builds the arm readers on a Prometheus client. */
export type CreateArmReaders = (
  client: PrometheusClient,
  settings?: { readonly podLabel: string; readonly incrementalReads: boolean },
) => ArmReaders;

/** How one backend is reached: everything its client is built from. */
export interface BackendSpec {
  /** Identity of the backend (URL, header names and a digest of their values, credentials' source). */
  readonly key: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: ServiceConfig["prometheus"]["auth"];
  readonly tls: BackendTlsFiles;
  readonly timeoutSeconds: number;
  readonly maxConcurrentReads: number;
  /** Where the credentials and TLS settings come from: `prometheus`, `backends.<name>` or none. */
  readonly credentials: string;
}

/** A backend: the service's own (`prometheus.url`) or a DataSource's. */
export interface Backend {
  readonly spec: BackendSpec;
  /** True for the service's backend. */
  readonly service: boolean;
  /** The URL as messages show it (no user info). */
  readonly url: string;
  /** The client without the queue (the readiness probe does not wait in it). */
  readonly client: HttpPrometheusClient;
  readonly queue: ReadQueue;
  readonly readers: ArmReaders;
}

/** The answer of one backend to the readiness probe. */
export interface BackendProbe {
  /** `prometheus` (the service's backend) or `DataSource "<name>"` (the first of those using it). */
  readonly name: string;
  readonly url: string;
  /** The served SLOs read from it. */
  readonly slos: readonly string[];
  readonly ok: boolean;
  readonly error?: unknown;
}

/** A header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A URL compared without its trailing slashes and case-insensitively in scheme and host. */
export function normaliseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return url.replace(/\/+$/, "");
  }
}

/** `url` without user info (it may hold a password). */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === "" && u.password === "") return url.replace(/\/+$/, "");
    u.username = "";
    u.password = "";
    return u.toString().replace(/\/+$/, "");
  } catch {
    return "(not a URL)";
  }
}

/** `base` headers over `extra` ones, names compared case-insensitively (`base` wins). */
function mergeHeaders(
  extra: Readonly<Record<string, string>>,
  base: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = { ...extra };
  for (const [name, value] of Object.entries(base)) {
    for (const k of Object.keys(out)) if (k.toLowerCase() === name.toLowerCase()) delete out[k];
    out[name] = value;
  }
  return out;
}

function wantsTls(tls: BackendTlsFiles): boolean {
  return Object.values(tls).some((v) => v !== undefined && v !== false);
}

function hasCredentials(auth: ServiceConfig["prometheus"]["auth"]): boolean {
  return auth.bearerTokenFile !== undefined || auth.basic !== undefined;
}

/** Why a DataSource's backend cannot be used (a located problem at its SLO). */
export class BackendProblem {
  readonly message: string;
  readonly hint: string;
  constructor(message: string, hint: string) {
    this.message = message;
    this.hint = hint;
  }
}

/** The service's own backend, from `prometheus`. */
export function serviceSpec(config: ServiceConfig): BackendSpec {
  const p = config.prometheus;
  return {
    key: "service",
    url: p.url,
    headers: p.headers,
    auth: p.auth,
    tls: p.tls,
    timeoutSeconds: p.timeoutSeconds,
    maxConcurrentReads: p.maxConcurrentReads,
    credentials: "prometheus",
  };
}

/**
 * The backend `ds` is read from (see the module comment), or why it cannot be. Pure: no file
 * is read here (the client reads credential files when it is built).
 */
export function backendSpecOf(
  ds: DataSourceRef | undefined,
  config: ServiceConfig,
): BackendSpec | BackendProblem {
  const service = serviceSpec(config);
  if (ds === undefined) return service;
  const entry: BackendConfig | undefined = Object.hasOwn(config.backends, ds.name)
    ? config.backends[ds.name]
    : undefined;
  const url = entry?.url ?? ds.url ?? config.prometheus.url;
  const same = normaliseUrl(url) === normaliseUrl(config.prometheus.url);
  const dsHeaders = Object.entries(ds.headers);
  // An entry that only gives a URL changes where, not how: it is as if there were none.
  const configured =
    entry !== undefined &&
    (Object.keys(entry.headers).length > 0 ||
      hasCredentials(entry.auth) ||
      wantsTls(entry.tls) ||
      entry.timeoutSeconds !== undefined ||
      entry.maxConcurrentReads !== undefined)
      ? entry
      : undefined;
  if (configured === undefined && same && dsHeaders.length === 0) return service;
  for (const [name, value] of dsHeaders) {
    if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(value)) {
      return new BackendProblem(
        `DataSource ${JSON.stringify(ds.name)} has header ${JSON.stringify(name)} that cannot be sent (an invalid name, or a line break or NUL in its value)`,
        "fix connectionDetails.headers of the DataSource",
      );
    }
  }
  const base =
    configured !== undefined
      ? {
          headers: configured.headers,
          auth: configured.auth,
          tls: configured.tls,
          timeoutSeconds: configured.timeoutSeconds ?? config.prometheus.timeoutSeconds,
          maxConcurrentReads: configured.maxConcurrentReads ?? config.prometheus.maxConcurrentReads,
          credentials: `backends.${ds.name}`,
        }
      : same
        ? { ...service, credentials: "prometheus" }
        : {
            headers: {},
            auth: {},
            tls: { insecureSkipVerify: false },
            timeoutSeconds: config.prometheus.timeoutSeconds,
            maxConcurrentReads: config.prometheus.maxConcurrentReads,
            credentials: "none",
          };
  const headers = mergeHeaders(ds.headers, base.headers);
  const authorization = Object.keys(ds.headers).find((h) => h.toLowerCase() === "authorization");
  if (authorization !== undefined && hasCredentials(base.auth)) {
    return new BackendProblem(
      `DataSource ${JSON.stringify(ds.name)} sends an Authorization header and ${base.credentials}.auth sets credentials: both would set Authorization`,
      `remove the header from the DataSource, or the credentials from ${base.credentials}.auth`,
    );
  }
  if (wantsTls(base.tls) && !url.startsWith("https:")) {
    return new BackendProblem(
      `${base.credentials}.tls is set but DataSource ${JSON.stringify(ds.name)} is read from ${shownUrl(url)}, not an https URL`,
      `use an https URL (backends.${ds.name}.url or the DataSource's), or remove the tls block`,
    );
  }
  // Header values may be secrets: the key holds their digest, never their text.
  const digest = createHash("sha256")
    .update(JSON.stringify(Object.entries(headers).sort(([a], [b]) => a.localeCompare(b))))
    .digest("hex");
  return {
    key: JSON.stringify([normaliseUrl(url), digest, base.credentials]),
    url,
    headers,
    auth: base.auth,
    tls: base.tls,
    timeoutSeconds: base.timeoutSeconds,
    maxConcurrentReads: base.maxConcurrentReads,
    credentials: base.credentials,
  };
}

/** Which backend an SLO is read from, in words (header names, never values). */
export function backendNote(ds: DataSourceRef | undefined, spec: BackendSpec): string {
  if (spec.key === "service") {
    return ds === undefined
      ? `read from the service's backend ${shownUrl(spec.url)}`
      : `DataSource ${JSON.stringify(ds.name)}: read from the service's backend ${shownUrl(spec.url)} (prometheus.url)`;
  }
  const names = Object.keys(spec.headers).filter((h) => h.toLowerCase() !== "accept-encoding");
  const creds = spec.credentials === "none" ? "no credentials" : `credentials and TLS of ${spec.credentials}`;
  return `DataSource ${JSON.stringify(ds?.name ?? "")}: read from ${shownUrl(spec.url)} (its own client and read queue; ${names.length === 0 ? "no headers" : `headers ${names.join(", ")}`}; ${creds})`;
}

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

/** The client's authentication from an `auth` block (files are re-read when they change). */
export function prometheusAuth(auth: ServiceConfig["prometheus"]["auth"]): PrometheusAuth {
  if (auth.bearerTokenFile !== undefined) return { type: "bearerFile", path: auth.bearerTokenFile };
  const basic = auth.basic;
  if (basic === undefined) return { type: "none" };
  if (basic.passwordFile !== undefined) {
    return { type: "basicFile", username: basic.username, passwordFile: basic.passwordFile };
  }
  return { type: "basic", username: basic.username, password: basic.password ?? "" };
}

export interface BackendRouterOptions {
  readonly config: ServiceConfig;
  readonly createArmReaders: CreateArmReaders;
  readonly logger: Logger;
  /** Shared by every backend's client (one worker). */
  readonly decoder?: MatrixDecoder;
  readonly onQuery?: (o: QueryObservation) => void;
}

/** Codes of errors that come from a backend (and get the DataSource's name). */
function fromBackend(e: unknown): e is SlogateError {
  return isSlogateError(e) && (e.code.startsWith("PROMETHEUS_") || e.code === "SLO_QUERY_INVALID");
}

/** Wraps the incremental state of a DataSource backend with the backend it was read from. */
interface TaggedState {
  readonly backend: string;
  readonly state: unknown;
}

function isTagged(s: unknown): s is TaggedState {
  return typeof s === "object" && s !== null && typeof (s as { backend?: unknown }).backend === "string";
}

/** The backends of the served SLOs, and readers that dispatch by SLO. */
export class BackendRouter {
  readonly service: Backend;
  readonly readers: ArmReaders;
  readonly #o: BackendRouterOptions;
  readonly #backends = new Map<string, Backend>();
  /** SLO ids per backend key, as of the last `retain`. */
  #used = new Map<string, string[]>();
  /** The first DataSource name seen per backend key (for readiness). */
  readonly #names = new Map<string, string>();
  #closed = false;

  /** Builds the service's backend now (a credential file that cannot be read fails here). */
  constructor(o: BackendRouterOptions) {
    this.#o = o;
    this.service = this.#build(serviceSpec(o.config), true);
    const base = this.service.readers;
    const via = <T>(slo: Slo, read: (r: ArmReaders) => Promise<T>): Promise<T> => this.#read(slo, read);
    const need = <K extends keyof ArmReaders>(r: ArmReaders, k: K): NonNullable<ArmReaders[K]> => {
      const f = r[k];
      if (f === undefined) throw new SlogateError("INTERNAL", `backend readers have no ${k}`, { hint: "" });
      return f;
    };
    this.readers = {
      readArmCounts: (slo, arm, range, signal) => via(slo, (r) => r.readArmCounts(slo, arm, range, signal)),
      ...(base.readArmSeries === undefined
        ? {}
        : {
            readArmSeries: (slo, arm, range, signal) =>
              via(slo, (r) => need(r, "readArmSeries")(slo, arm, range, signal)),
          }),
      ...(base.readArmGauges === undefined
        ? {}
        : {
            readArmGauges: (slo, arm, range, signal) =>
              via(slo, (r) => need(r, "readArmGauges")(slo, arm, range, signal)),
          }),
      ...(base.readArmCountsFrom === undefined
        ? {}
        : {
            readArmCountsFrom: (slo, arm, range, state, signal) =>
              this.#readFrom(slo, arm, range, state, signal),
          }),
    };
  }

  /**
   * The backend `slo` is read from (built now when it is new) and a note saying which; throws
   * CONFIG_INVALID when it cannot be used (bad headers, TLS on http, an unreadable credential).
   */
  resolve(slo: Slo): { readonly backend: Backend; readonly note: string } {
    const spec = backendSpecOf(slo.dataSource, this.#o.config);
    if (spec instanceof BackendProblem) {
      throw new SlogateError("CONFIG_INVALID", `SLO ${slo.id}: ${spec.message}`, {
        hint: spec.hint,
        details: { slo: slo.id, dataSource: slo.dataSource?.name },
      });
    }
    if (spec.key === "service") return { backend: this.service, note: backendNote(slo.dataSource, spec) };
    let b = this.#backends.get(spec.key);
    if (b === undefined) {
      try {
        b = this.#build(spec, false, slo.dataSource?.name ?? "");
      } catch (e) {
        if (!isSlogateError(e)) throw e;
        throw new SlogateError(e.code, `SLO ${slo.id}: ${e.message}`, {
          hint: e.hint,
          details: { ...e.details, slo: slo.id },
          cause: e,
        });
      }
      this.#backends.set(spec.key, b);
      if (slo.dataSource !== undefined) this.#names.set(spec.key, slo.dataSource.name);
    }
    return { backend: b, note: backendNote(slo.dataSource, spec) };
  }

  /** The backend `slo` is read from. */
  backendOf(slo: Slo): Backend {
    return this.resolve(slo).backend;
  }

  /** Drops the backends none of `slos` uses (after a reload); they are rebuilt if needed again. */
  retain(slos: readonly Slo[]): void {
    const used = new Map<string, string[]>();
    for (const slo of slos) {
      let key: string;
      try {
        key = this.backendOf(slo).spec.key;
      } catch {
        continue;
      }
      used.set(key, [...(used.get(key) ?? []), slo.id]);
    }
    for (const [key, b] of [...this.#backends]) {
      if (used.has(key)) continue;
      this.#backends.delete(key);
      this.#names.delete(key);
      // Reads still in flight on it finish; its idle TLS connections close a minute later.
      setTimeout(() => b.client.close(), 60_000).unref();
      this.#o.logger.info("metrics backend no longer used by a served SLO; dropped", { backend: b.url });
    }
    this.#used = used;
  }

  /**
   * Rejects when a backend cannot answer `vector(1)` exactly: the backends of `slos` (each
   * once), or the service's when none is given.
   */
  async probe(signal?: AbortSignal, slos?: readonly Slo[]): Promise<void> {
    if (slos === undefined || slos.length === 0) return probeClient(this.service.client, signal);
    const seen = new Map<string, { backend: Backend; slo: Slo }>();
    for (const slo of slos) {
      const b = this.backendOf(slo);
      if (!seen.has(b.spec.key)) seen.set(b.spec.key, { backend: b, slo });
    }
    await Promise.all(
      [...seen.values()].map(async ({ backend, slo }) => {
        try {
          await probeClient(backend.client, signal);
        } catch (e) {
          throw backend.service ? e : named(e, slo);
        }
      }),
    );
  }

  /** Probes the DataSource backends of the served SLOs (for `/readyz`; never waits in a queue). */
  async probeDataSources(signal?: AbortSignal): Promise<BackendProbe[]> {
    const out = [...this.#backends].map(async ([key, b]): Promise<BackendProbe> => {
      const head = {
        name: `DataSource ${JSON.stringify(this.#names.get(key) ?? "")}`,
        url: b.url,
        slos: this.#used.get(key) ?? [],
      };
      try {
        await probeClient(b.client, signal);
        return { ...head, ok: true };
      } catch (e) {
        return { ...head, ok: false, error: isSlogateError(e) ? e.toJSON() : { message: "probe failed" } };
      }
    });
    return Promise.all(out);
  }

  /** Closes every backend's connections. Safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const b of this.#backends.values()) b.client.close();
    this.#backends.clear();
    this.service.client.close();
  }

  #build(spec: BackendSpec, service: boolean, dataSource = ""): Backend {
    const { config, onQuery, decoder, createArmReaders, logger } = this.#o;
    let client: HttpPrometheusClient;
    try {
      client = new HttpPrometheusClient({
        url: spec.url,
        timeoutMs: spec.timeoutSeconds * 1000,
        maxResponseBytes: config.prometheus.maxResponseBytes,
        headers: prometheusHeaders(spec.headers),
        auth: prometheusAuth(spec.auth),
        tls: spec.tls,
        setting: spec.credentials === "none" ? "prometheus" : spec.credentials,
        ...(decoder === undefined ? {} : { decoder }),
        ...(onQuery === undefined ? {} : { onQuery }),
      });
    } catch (e) {
      if (service || !isSlogateError(e)) throw e;
      throw new SlogateError("CONFIG_INVALID", `DataSource ${JSON.stringify(dataSource)}: ${e.message}`, {
        hint: e.hint,
        details: { ...e.details, dataSource },
        cause: e,
      });
    }
    if (!service && spec.tls.insecureSkipVerify === true) {
      logger.warn(
        `${spec.credentials}.tls.insecureSkipVerify is set: the backend's certificate is not verified`,
        {
          backend: client.url,
          hint: `anyone on the path can impersonate the backend and decide verdicts; set ${spec.credentials}.tls.caFile instead`,
        },
      );
    }
    const queue = new ReadQueue({ maxConcurrent: spec.maxConcurrentReads, backend: client.url });
    const readers = createArmReaders(queuedClient(client, queue), {
      podLabel: config.prometheus.podLabel,
      incrementalReads: config.prometheus.incrementalReads,
    });
    return { spec, service, url: client.url, client, queue, readers };
  }

  async #read<T>(slo: Slo, read: (r: ArmReaders) => Promise<T>): Promise<T> {
    const b = this.backendOf(slo);
    if (b.service) return read(b.readers);
    try {
      return await read(b.readers);
    } catch (e) {
      throw named(e, slo);
    }
  }

  /**
   * The incremental read of a DataSource backend keeps its state tagged with the backend's URL:
   * a state read from another backend (the DataSource moved) is a full read, never folded in.
   * The service's backend keeps its state as it always did.
   */
  async #readFrom(
    slo: Slo,
    arm: Parameters<ReadArmCountsFrom>[1],
    range: Parameters<ReadArmCountsFrom>[2],
    state: unknown,
    signal?: AbortSignal,
  ): ReturnType<ReadArmCountsFrom> {
    const b = this.backendOf(slo);
    const from = b.readers.readArmCountsFrom;
    if (from === undefined)
      throw new SlogateError("INTERNAL", "backend readers have no readArmCountsFrom", { hint: "" });
    if (b.service) return from(slo, arm, range, isTagged(state) ? undefined : state, signal);
    const tag = normaliseUrl(b.spec.url);
    const prior = isTagged(state) && state.backend === tag ? state.state : undefined;
    try {
      const r = await from(slo, arm, range, prior, signal);
      return { ...r, state: r.state === null ? null : { backend: tag, state: r.state } };
    } catch (e) {
      throw named(e, slo);
    }
  }
}

/** `e` naming the DataSource `slo` is read from (same code, so the same HTTP status). */
function named(e: unknown, slo: Slo): unknown {
  if (!fromBackend(e) || slo.dataSource === undefined) return e;
  const name = slo.dataSource.name;
  return new SlogateError(e.code, `DataSource ${JSON.stringify(name)} of SLO ${slo.id}: ${e.message}`, {
    hint: e.hint,
    details: { ...e.details, dataSource: name, slo: slo.id },
    cause: e,
  });
}

/** Rejects unless the backend answers `vector(1)` with exactly one sample of value 1. */
async function probeClient(client: HttpPrometheusClient, signal?: AbortSignal): Promise<void> {
  // Not just "something answered": the answer must be exactly what Prometheus gives.
  const r = await client.query("vector(1)", undefined, signal);
  if (!(r.type === "vector" && r.samples.length === 1 && r.samples[0]?.v === 1)) {
    throw new SlogateError(
      "PROMETHEUS_BAD_RESPONSE",
      `Prometheus at ${client.url} answered vector(1) with something else (${r.type})`,
      {
        hint: "the URL may point at something that is not a Prometheus-compatible API; check prometheus.url",
        details: { backend: client.url, query: "vector(1)" },
      },
    );
  }
}
