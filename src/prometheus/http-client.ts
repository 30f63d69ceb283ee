/**
 * @module prometheus/http-client
 * `HttpPrometheusClient`: the Prometheus HTTP API over axios — instant and range queries,
 * label values and series — for Prometheus, Thanos Query, Mimir/Cortex and VictoriaMetrics.
 *
 * Read-path failure policy: an answer slogate cannot read exactly is never data. Every
 * failure is a SlogateError naming the backend and the query, with the backend's HTTP status
 * (when there was one) in `details.backendStatus` — never passed on as slogate's own status:
 * - each attempt has a hard deadline (`timeoutMs`, default 10 s) covering connect, headers
 *   AND body, enforced with an AbortSignal (a server that dribbles bytes still times out)
 *   → `PROMETHEUS_TIMEOUT`, not retried (the caller's own deadline is usually close);
 * - the caller's AbortSignal → `PROMETHEUS_ABORTED`, immediately, also during a backoff;
 * - network errors (refused, reset, DNS) and HTTP 5xx / 429 are retried `retries` times
 *   (default 2) with exponential backoff and jitter, then → `PROMETHEUS_UNAVAILABLE` /
 *   `PROMETHEUS_HTTP_ERROR`;
 * - 4xx are never retried: HTTP 400 with an API error body, or `errorType: bad_data` (bad
 *   PromQL: the SLO's query is wrong), or VictoriaMetrics' 422 parse errors →
 *   `SLO_QUERY_INVALID`; 422 and other API errors
 *   (execution errors, limits) → `PROMETHEUS_QUERY_ERROR`; 401/403/404 and others →
 *   `PROMETHEUS_HTTP_ERROR` with a hint;
 * - redirects (3xx) are never followed (a query is not re-posted to wherever a proxy points)
 *   → `PROMETHEUS_HTTP_ERROR` with the `Location` in the details;
 * - a body over `maxResponseBytes` (default 64 MiB) is aborted while it is read, never
 *   buffered whole → `PROMETHEUS_RESPONSE_TOO_LARGE`;
 * - a 2xx body that is not the API's JSON of the expected shape (truncated, HTML, another
 *   JSON, an unknown resultType, a sample that is not `[time, "value"]`) →
 *   `PROMETHEUS_BAD_RESPONSE`; an API error envelope in a 2xx → `PROMETHEUS_QUERY_ERROR`.
 * Queries are sent as POST form bodies (no URL length limit). An `onQuery` callback sees the
 * duration and outcome of every call (the service turns it into its own metrics).
 */
import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import { SlogateError, type ErrorCode } from "../errors.ts";
import { FileAuthorization, TlsAgents, type BackendTlsFiles } from "./backend-credentials.ts";
import { scanMatrix, type SampleSeries } from "./matrix-scan.ts";
import type { MatrixDecoder } from "./matrix-decoder.ts";
import {
  WireShapeError,
  parseQueryData,
  parseSeriesList,
  parseStringList,
  readEnvelope,
  type QueryResult,
} from "./wire.ts";

/**
 * Authentication sent with every request: static, or from files re-read when they change
 * (`bearerFile`: a rotated service-account token; `basicFile`: a mounted password Secret).
 */
export type PrometheusAuth =
  | { readonly type: "none" }
  | { readonly type: "bearer"; readonly token: string }
  | { readonly type: "basic"; readonly username: string; readonly password: string }
  | { readonly type: "bearerFile"; readonly path: string }
  | { readonly type: "basicFile"; readonly username: string; readonly passwordFile: string };

/** What kind of call a query was (label of `slogate_prometheus_query_duration_seconds`). */
export type QueryKind = "instant" | "range" | "series" | "labels";

/** One observed call, after retries. */
export interface QueryObservation {
  readonly kind: QueryKind;
  readonly query: string;
  readonly durationSeconds: number;
  /** Attempts made (1 = no retry). */
  readonly attempts: number;
  /** The error code when the call failed. */
  readonly error?: ErrorCode;
}

export interface PrometheusClientOptions {
  /** Base URL up to (not including) `/api/v1`, e.g. `http://prometheus:9090` or `http://mimir/prometheus`. */
  readonly url: string;
  /** Per-attempt deadline in milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt for network errors and 5xx/429. Default 2. */
  readonly retries?: number;
  /** First backoff in ms; doubles each retry, ±50 % jitter. Default 200. */
  readonly backoffMs?: number;
  readonly auth?: PrometheusAuth;
  /** TLS towards an https URL: CA, client certificate and key files (re-read on change). */
  readonly tls?: BackendTlsFiles;
  /**
   * Largest response body read, in bytes (counted as it arrives, after decompression); a
   * larger answer is aborted mid-stream → `PROMETHEUS_RESPONSE_TOO_LARGE`. Default 64 MiB.
   */
  readonly maxResponseBytes?: number;
  /** Extra headers on every request, e.g. `{ "X-Scope-OrgID": "tenant-1" }`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Observes every call (duration, attempts, error code). Must not throw. */
  readonly onQuery?: (o: QueryObservation) => void;
  /** Decodes large raw-sample answers off the event loop (`matrix-decoder`). */
  readonly decoder?: MatrixDecoder;
  /** The config block `auth` and `tls` came from, for messages. Default `prometheus`. */
  readonly setting?: string;
}

/** Range of a range query: unix seconds and step in seconds. */
export interface RangeParams {
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

/** Result of a query plus the backend's warnings. */
export type QueryAnswer = QueryResult & { readonly warnings: readonly string[] };

/**
 * Answer of `rawSamples`: a matrix as per-series sample arrays, or (when the backend answers
 * something else) that result as `query` gives it.
 */
export type SamplesAnswer = (
  | { readonly type: "matrix"; readonly series: readonly SampleSeries[] }
  | Exclude<QueryResult, { type: "matrix" }>
) & { readonly warnings: readonly string[] };

/** The client's contract (what use cases and the read adapter depend on). */
export interface PrometheusClient {
  /** Instant query at `time` (unix seconds; default: the server's now). */
  query(q: string, time?: number, signal?: AbortSignal): Promise<QueryAnswer>;
  /**
   * An instant query of a range selection (`x{…}[W]`) at `time`, its raw samples decoded into
   * `Float64Array`s (one pass over the bytes when the answer has Prometheus' layout). Same
   * request, errors, retries and observation as `query`.
   */
  rawSamples(selection: string, time: number, signal?: AbortSignal): Promise<SamplesAnswer>;
  queryRange(q: string, range: RangeParams, signal?: AbortSignal): Promise<QueryAnswer>;
  labelValues(
    label: string,
    opts?: { match?: readonly string[]; start?: number; end?: number },
    signal?: AbortSignal,
  ): Promise<string[]>;
  series(
    match: readonly string[],
    opts?: { start?: number; end?: number },
    signal?: AbortSignal,
  ): Promise<Record<string, string>[]>;
}

/** A decoder of large bodies off the event loop (`undefined`: decode the general way). */
interface Offload<T> {
  readonly minBytes: number;
  decode(body: Uint8Array): Promise<T | undefined>;
}

interface Call {
  readonly kind: QueryKind;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly params: URLSearchParams;
  /** The query (or matchers) for messages. */
  readonly query: string;
  /** Receive the body as bytes (for a decoder that reads them directly). */
  readonly binary?: boolean;
}

/** A failed attempt: the error to throw and whether another attempt may help. */
class Attempt {
  readonly error: SlogateError;
  readonly retryable: boolean;
  constructor(error: SlogateError, retryable: boolean) {
    this.error = error;
    this.retryable = retryable;
  }
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** A byte body as axios gives text: UTF-8 (lenient), a leading byte-order mark removed. */
function bodyText(body: Uint8Array): string {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function seconds(t: number): string {
  return String(t);
}

/**
 * The code of a TLS failure (certificate verification, a handshake alert such as a missing
 * client certificate), or undefined for other errors. Not retried: the certificates will not
 * change between attempts.
 */
function tlsErrorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return undefined;
  const tls =
    /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|EPROTO$)/;
  return tls.test(code) ? code : undefined;
}

/**
 * True for VictoriaMetrics' (MetricsQL's) parse errors, which it answers 422 with errorType
 * "422": `… unexpected token …; unparsed data: "…"`, `unknown func "…"`, `cannot parse …`.
 * Execution errors (limits, timeouts) have none of these.
 */
function isMetricsqlParseError(error: string): boolean {
  return /unparsed data: "|: unknown func "|^cannot parse /.test(error);
}

/** Default `maxResponseBytes`: 64 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** The Prometheus HTTP API client. */
export class HttpPrometheusClient implements PrometheusClient {
  readonly #http: AxiosInstance;
  readonly #url: string;
  /** The URL as messages show it: without user info (it may hold a password). */
  readonly #shown: string;
  readonly #fileAuth: FileAuthorization | undefined;
  readonly #tls: TlsAgents | undefined;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #maxResponseBytes: number;
  readonly #onQuery: ((o: QueryObservation) => void) | undefined;
  readonly #decoder: MatrixDecoder | undefined;

  constructor(opts: PrometheusClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(opts.url);
    } catch (e) {
      throw new SlogateError("CONFIG_INVALID", `Prometheus URL ${JSON.stringify(opts.url)} is not a URL`, {
        hint: "set the Prometheus base URL, e.g. http://prometheus.monitoring:9090",
        cause: e,
      });
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new SlogateError("CONFIG_INVALID", `Prometheus URL ${JSON.stringify(opts.url)} must be http(s)`, {
        hint: "set the Prometheus base URL, e.g. http://prometheus.monitoring:9090",
      });
    }
    this.#url = opts.url.replace(/\/+$/, "");
    const shown = new URL(this.#url);
    if (shown.username !== "" || shown.password !== "") {
      shown.username = "";
      shown.password = "";
      this.#shown = shown.toString().replace(/\/+$/, "");
    } else this.#shown = this.#url;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#retries = Math.max(0, Math.floor(opts.retries ?? 2));
    this.#backoffMs = opts.backoffMs ?? 200;
    const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
      throw new SlogateError(
        "CONFIG_INVALID",
        `maxResponseBytes ${String(maxBytes)} is not a positive integer`,
        {
          hint: "set prometheus.maxResponseBytes to a byte count, e.g. 67108864 (64 MiB)",
        },
      );
    }
    this.#maxResponseBytes = maxBytes;
    this.#onQuery = opts.onQuery;
    this.#decoder = opts.decoder;
    const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
    const auth = opts.auth ?? { type: "none" };
    const setting = opts.setting ?? "prometheus";
    if (auth.type === "bearer") headers.Authorization = `Bearer ${auth.token}`;
    this.#fileAuth =
      auth.type === "bearerFile"
        ? FileAuthorization.bearer(auth.path, `${setting}.auth.bearerTokenFile`)
        : auth.type === "basicFile"
          ? FileAuthorization.basic(auth.username, auth.passwordFile, `${setting}.auth.basic.passwordFile`)
          : undefined;
    const tls = opts.tls ?? {};
    const wantsTls = Object.values(tls).some((v) => v !== undefined && v !== false);
    if (wantsTls && parsed.protocol !== "https:") {
      throw new SlogateError("CONFIG_INVALID", `TLS settings need an https URL, not ${this.#shown}`, {
        hint: "use https:// in prometheus.url, or remove prometheus.tls",
      });
    }
    this.#tls = wantsTls ? new TlsAgents(tls, `${setting}.tls`) : undefined;
    this.#http = axios.create({
      baseURL: this.#url,
      headers,
      auth: auth.type === "basic" ? { username: auth.username, password: auth.password } : undefined,
      // Raw text: we parse and validate the JSON ourselves.
      responseType: "text",
      transformResponse: [(d: unknown) => d],
      validateStatus: () => true,
      // Never follow a redirect: the 3xx itself is the answer (an error, see #interpret).
      maxRedirects: 0,
      // Enforced while the body streams in (axios destroys the stream past it).
      maxContentLength: this.#maxResponseBytes,
      proxy: false,
    });
  }

  /** The backend's base URL (for messages). */
  get url(): string {
    return this.#shown;
  }

  /** Closes the TLS connections kept alive (a backend no longer used); plain HTTP keeps none. */
  close(): void {
    this.#tls?.close();
  }

  async query(q: string, time?: number, signal?: AbortSignal): Promise<QueryAnswer> {
    const params = new URLSearchParams({ query: q });
    if (time !== undefined) params.set("time", seconds(time));
    const data = await this.#call(
      { kind: "instant", method: "POST", path: "/api/v1/query", params, query: q },
      signal,
      (d) => parseQueryData(d),
    );
    return { ...data.value, warnings: data.warnings };
  }

  async rawSamples(selection: string, time: number, signal?: AbortSignal): Promise<SamplesAnswer> {
    const params = new URLSearchParams({ query: selection, time: seconds(time) });
    const data = await this.#call(
      { kind: "instant", method: "POST", path: "/api/v1/query", params, query: selection, binary: true },
      signal,
      (d): SamplesAnswer => {
        const r = parseQueryData(d);
        if (r.type !== "matrix") return { ...r, warnings: [] };
        return {
          type: "matrix",
          series: r.series.map((x) => ({
            labels: x.labels,
            times: Float64Array.from(x.points, (p) => p.t),
            values: Float64Array.from(x.points, (p) => p.v),
          })),
          warnings: [],
        };
      },
      (bytes): SamplesAnswer | undefined => {
        const series = scanMatrix(bytes);
        return series === undefined ? undefined : { type: "matrix", series, warnings: [] };
      },
      this.#offload(),
    );
    return { ...data.value, warnings: data.warnings };
  }

  async queryRange(q: string, range: RangeParams, signal?: AbortSignal): Promise<QueryAnswer> {
    const params = new URLSearchParams({
      query: q,
      start: seconds(range.start),
      end: seconds(range.end),
      step: seconds(range.step),
    });
    const data = await this.#call(
      { kind: "range", method: "POST", path: "/api/v1/query_range", params, query: q },
      signal,
      (d) => parseQueryData(d),
    );
    return { ...data.value, warnings: data.warnings };
  }

  async labelValues(
    label: string,
    opts: { match?: readonly string[]; start?: number; end?: number } = {},
    signal?: AbortSignal,
  ): Promise<string[]> {
    const params = new URLSearchParams();
    for (const m of opts.match ?? []) params.append("match[]", m);
    if (opts.start !== undefined) params.set("start", seconds(opts.start));
    if (opts.end !== undefined) params.set("end", seconds(opts.end));
    const path = `/api/v1/label/${encodeURIComponent(label)}/values`;
    const query = `label_values(${label}${opts.match?.length ? `, ${opts.match.join(" ")}` : ""})`;
    const r = await this.#call(
      { kind: "labels", method: "GET", path, params, query },
      signal,
      parseStringList,
    );
    return r.value;
  }

  async series(
    match: readonly string[],
    opts: { start?: number; end?: number } = {},
    signal?: AbortSignal,
  ): Promise<Record<string, string>[]> {
    const params = new URLSearchParams();
    for (const m of match) params.append("match[]", m);
    if (opts.start !== undefined) params.set("start", seconds(opts.start));
    if (opts.end !== undefined) params.set("end", seconds(opts.end));
    const r = await this.#call(
      { kind: "series", method: "POST", path: "/api/v1/series", params, query: match.join(" ") },
      signal,
      parseSeriesList,
    );
    return r.value;
  }

  /** The off-loop decoder of raw-sample answers, as `#call`'s `offload`. */
  #offload(): Offload<SamplesAnswer> | undefined {
    const d = this.#decoder;
    if (d === undefined) return undefined;
    return {
      minBytes: d.minBytes,
      decode: async (bytes) => {
        const series = await d.decode(bytes);
        return series === undefined ? undefined : { type: "matrix", series, warnings: [] };
      },
    };
  }

  async #call<T>(
    call: Call,
    signal: AbortSignal | undefined,
    parse: (data: unknown) => T,
    fast?: (body: Uint8Array) => T | undefined,
    offload?: Offload<T>,
  ): Promise<{ value: T; warnings: string[] }> {
    const began = performance.now();
    let attempts = 0;
    const observe = (error?: ErrorCode): void => {
      try {
        this.#onQuery?.({
          kind: call.kind,
          query: call.query,
          durationSeconds: (performance.now() - began) / 1000,
          attempts,
          ...(error ? { error } : {}),
        });
      } catch {
        // an observer must never break a query
      }
    };
    for (;;) {
      attempts++;
      const out = await this.#attempt(call, signal, parse, fast, offload);
      if (!(out instanceof Attempt)) {
        observe();
        return out;
      }
      const last = attempts > this.#retries || !out.retryable;
      if (last) {
        observe(out.error.code);
        throw out.error;
      }
      const base = this.#backoffMs * 2 ** (attempts - 1);
      try {
        await sleep(base * (0.5 + Math.random()), signal);
      } catch (e) {
        const err = this.#aborted(call, e);
        observe(err.code);
        throw err;
      }
    }
  }

  #aborted(call: Call, cause: unknown): SlogateError {
    return new SlogateError("PROMETHEUS_ABORTED", `query to ${this.#shown} was cancelled: ${call.query}`, {
      hint: "the caller gave up (client disconnected or a deadline passed); nothing to fix on Prometheus",
      cause,
      details: { backend: this.#shown, query: call.query, kind: call.kind },
    });
  }

  async #attempt<T>(
    call: Call,
    signal: AbortSignal | undefined,
    parse: (data: unknown) => T,
    fast: ((body: Uint8Array) => T | undefined) | undefined,
    offload?: Offload<T>,
  ): Promise<{ value: T; warnings: string[] } | Attempt> {
    const details = { backend: this.#shown, query: call.query, kind: call.kind };
    if (signal?.aborted) return new Attempt(this.#aborted(call, signal.reason), false);
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: AxiosResponse<string | Uint8Array>;
    const responseType = call.binary === true ? "arraybuffer" : "text";
    // Credentials from files and the TLS agent are looked up per request (rotations apply).
    const authorization = this.#fileAuth?.value();
    const agent = this.#tls?.agent();
    const perRequest = {
      signal: combined,
      responseType,
      ...(agent === undefined ? {} : { httpsAgent: agent }),
    } as const;
    try {
      res =
        call.method === "POST"
          ? await this.#http.post<string | Uint8Array>(call.path, call.params.toString(), {
              ...perRequest,
              headers: {
                "Content-Type": "application/x-www-form-urlencoded",
                ...(authorization === undefined ? {} : { Authorization: authorization }),
              },
            })
          : await this.#http.get<string | Uint8Array>(call.path, {
              ...perRequest,
              params: call.params,
              ...(authorization === undefined ? {} : { headers: { Authorization: authorization } }),
            });
    } catch (e) {
      if (signal?.aborted) return new Attempt(this.#aborted(call, e), false);
      if (timeout.aborted) {
        return new Attempt(
          new SlogateError(
            "PROMETHEUS_TIMEOUT",
            `Prometheus at ${this.#shown} did not answer within ${this.#timeoutMs} ms: ${call.query}`,
            {
              hint: "the query may be too expensive (shorten the window, add recording rules) or the backend is overloaded; raise the timeout if it is legitimately slow",
              cause: e,
              details: { ...details, timeoutMs: this.#timeoutMs },
            },
          ),
          false,
        );
      }
      const code = axios.isAxiosError(e) ? e.code : undefined;
      if (axios.isAxiosError(e) && e.code === "ERR_BAD_RESPONSE" && e.message.includes("maxContentLength")) {
        return new Attempt(
          new SlogateError(
            "PROMETHEUS_RESPONSE_TOO_LARGE",
            `Prometheus at ${this.#shown} sent more than ${this.#maxResponseBytes} bytes (reading stopped): ${call.query}`,
            {
              hint: "the query selects too many series or samples: narrow the SLO's selectors or the analysis window, or raise prometheus.maxResponseBytes",
              cause: e,
              details: { ...details, maxResponseBytes: this.#maxResponseBytes },
            },
          ),
          false,
        );
      }
      const tlsFailure = tlsErrorCode(e);
      if (tlsFailure !== undefined) {
        return new Attempt(
          new SlogateError(
            "PROMETHEUS_UNAVAILABLE",
            `TLS with Prometheus at ${this.#shown} failed (${tlsFailure}): ${call.query}`,
            {
              hint: "check prometheus.tls: caFile must sign the server's certificate, serverName must match it, and certFile/keyFile must be the client certificate the server requires",
              cause: e,
              details: { ...details, errorCode: tlsFailure },
            },
          ),
          false,
        );
      }
      return new Attempt(
        new SlogateError(
          "PROMETHEUS_UNAVAILABLE",
          `cannot reach Prometheus at ${this.#shown} (${code ?? String(e)}): ${call.query}`,
          {
            hint: "check that the Prometheus URL is right and the server is up and reachable from slogate",
            cause: e,
            details: { ...details, errorCode: code ?? null },
          },
        ),
        true,
      );
    }
    const body: unknown = res.data;
    const ok = res.status >= 200 && res.status < 300;
    if (offload && ok && body instanceof Uint8Array && body.length >= offload.minBytes) {
      // Large answers are decoded off the event loop (the same decoder, so the same value).
      const value = await offload.decode(body);
      if (value !== undefined) return { value, warnings: [] };
    }
    return this.#interpret(call, res, parse, fast);
  }

  #interpret<T>(
    call: Call,
    res: AxiosResponse<string | Uint8Array>,
    parse: (data: unknown) => T,
    fast: ((body: Uint8Array) => T | undefined) | undefined,
  ): { value: T; warnings: string[] } | Attempt {
    const status = res.status;
    const details = { backend: this.#shown, query: call.query, kind: call.kind, backendStatus: status };
    const data: unknown = res.data;
    if (data instanceof Uint8Array && fast !== undefined && status >= 200 && status < 300) {
      // A body in Prometheus' exact success layout (no warnings): decoded in one pass, the
      // same value the general path below gives it; anything else goes that way.
      const value = fast(data);
      if (value !== undefined) return { value, warnings: [] };
    }
    const text = typeof data === "string" ? data : data instanceof Uint8Array ? bodyText(data) : "";
    let body: unknown;
    let jsonError: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      jsonError = e;
    }
    let envelope: ReturnType<typeof readEnvelope> | undefined;
    if (jsonError === undefined) {
      try {
        envelope = readEnvelope(body);
      } catch {
        envelope = undefined;
      }
    }
    // VictoriaMetrics answers a query it cannot parse 422 with errorType "422" (not bad_data).
    const unparsable =
      envelope !== undefined && !envelope.ok && status === 422 && isMetricsqlParseError(envelope.error);
    if (
      envelope &&
      !envelope.ok &&
      (status === 400 || (envelope.errorType === "bad_data" && status === 422) || unparsable)
    ) {
      // The query itself is wrong (Prometheus answers bad PromQL 400 bad_data): a
      // configuration error of the SLO, not "try again". Callers that know the SLO name it.
      return new Attempt(
        new SlogateError(
          "SLO_QUERY_INVALID",
          `Prometheus at ${this.#shown} refused the query as invalid (${envelope.errorType}: ${envelope.error}): ${call.query}`,
          {
            hint: "fix the PromQL of the SLO (check it with `slogate validate`); retrying will not help",
            details: {
              ...details,
              errorType: unparsable ? "bad_data" : envelope.errorType,
              ...(unparsable ? { backendErrorType: envelope.errorType } : {}),
              error: envelope.error,
            },
          },
        ),
        false,
      );
    }
    if (envelope && !envelope.ok && (status === 422 || (status >= 200 && status < 300))) {
      return new Attempt(
        new SlogateError(
          "PROMETHEUS_QUERY_ERROR",
          `Prometheus at ${this.#shown} rejected the query (${envelope.errorType}: ${envelope.error}): ${call.query}`,
          {
            hint:
              status === 422
                ? "Prometheus could not execute the query (a limit such as query.max-samples, or many-to-many matching); check the SLO's PromQL and the backend's limits"
                : "the backend (or a proxy in front of it) answered an API error with a success status; check the Prometheus URL and what sits in front of it",
            details: { ...details, errorType: envelope.errorType, error: envelope.error },
          },
        ),
        false,
      );
    }
    if (status >= 500 || status === 429) {
      const msg = envelope && !envelope.ok ? `${envelope.errorType}: ${envelope.error}` : text.slice(0, 200);
      return new Attempt(
        new SlogateError(
          "PROMETHEUS_HTTP_ERROR",
          `Prometheus at ${this.#shown} answered HTTP ${status} (${msg}): ${call.query}`,
          {
            hint: "the backend failed or is overloaded; check its health and logs — the look will be retried",
            details,
          },
        ),
        true,
      );
    }
    if (status >= 300 && status < 400) {
      const location = typeof res.headers.location === "string" ? res.headers.location : null;
      return new Attempt(
        new SlogateError(
          "PROMETHEUS_HTTP_ERROR",
          `Prometheus at ${this.#shown} answered a redirect (HTTP ${status}${location === null ? "" : ` to ${location.slice(0, 200)}`}), which slogate does not follow: ${call.query}`,
          {
            hint: "set prometheus.url to the address the backend really answers on (a redirect usually means a missing path prefix, http vs https, or a login proxy)",
            details: { ...details, location: location?.slice(0, 500) ?? null },
          },
        ),
        false,
      );
    }
    if (status < 200 || status >= 300) {
      const hint =
        status === 401 || status === 403
          ? "check the Prometheus credentials (bearer token / basic auth) and tenant header (X-Scope-OrgID)"
          : status === 404
            ? "check the base URL: it must point at the API root (Mimir: .../prometheus, Thanos: the Query endpoint)"
            : "check the Prometheus URL, credentials and request";
      return new Attempt(
        new SlogateError(
          "PROMETHEUS_HTTP_ERROR",
          `Prometheus at ${this.#shown} answered HTTP ${status}: ${call.query}`,
          {
            hint,
            details: { ...details, body: text.slice(0, 200) },
          },
        ),
        false,
      );
    }
    const bad = (why: string, cause?: unknown): Attempt =>
      new Attempt(
        new SlogateError(
          "PROMETHEUS_BAD_RESPONSE",
          `Prometheus at ${this.#shown} sent a response slogate cannot read (${why}): ${call.query}`,
          {
            hint: "the URL may point at something that is not a Prometheus-compatible API (a proxy, a login page); check it",
            cause,
            details: { ...details, body: text.slice(0, 200) },
          },
        ),
        false,
      );
    if (jsonError !== undefined) return bad("not JSON", jsonError);
    if (!envelope) {
      try {
        readEnvelope(body);
      } catch (e) {
        return bad(e instanceof Error ? e.message : String(e), e);
      }
      return bad("unreadable envelope");
    }
    if (!envelope.ok) return bad("unexpected error envelope");
    try {
      return { value: parse(envelope.data), warnings: envelope.warnings };
    } catch (e) {
      if (e instanceof WireShapeError) return bad(e.message, e);
      throw e;
    }
  }
}
