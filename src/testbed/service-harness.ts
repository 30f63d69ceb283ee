/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of HTTP responses and YAML manifests are untyped by nature */
/**
 * @module testbed/service-harness
 * Starts the gate service the way `slogate serve` does (same wiring, real port 0, SQLite in
 * a temp dir) against a given Prometheus, and calls it the way Argo and Flagger do.
 * Plain TypeScript (no vitest), shared by the integration tests, the demo and the benchmark.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseServiceConfig } from "../config/read-service-config.ts";
import type { ServiceConfig } from "../config/service-config.ts";
import { startGateService, type GateService } from "../main/gate-service.ts";
import { armMatchersOf, armReaders } from "../main/arm-readers.ts";
import { createJsonLogger } from "../main/json-logger.ts";
import type { Logger, VerdictListener } from "../domain/verdict-event.ts";
import type { QueryObservation } from "../prometheus/http-client.ts";

export interface HarnessOptions {
  readonly prometheusUrl: string;
  readonly slosDir: string;
  /** Store directory (a new temp dir when omitted). */
  readonly dataDir?: string;
  readonly tokens?: readonly string[];
  readonly logger?: Logger;
  readonly listeners?: readonly VerdictListener[];
  readonly watch?: boolean;
  readonly extraEnv?: Readonly<Record<string, string>>;
  readonly configYaml?: string;
  readonly onQuery?: (o: QueryObservation) => void;
  /** The service's clock (Unix seconds). */
  readonly now?: () => number;
}

/** A logger that keeps lines in memory (and can print them when a test fails). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createJsonLogger((l) => void lines.push(l), "debug"),
    { lines },
  );
}

/** The config a harness service runs with. */
export function harnessConfig(o: HarnessOptions): ServiceConfig {
  return parseServiceConfig(o.configYaml ?? "", {
    SLOGATE_HOST: "127.0.0.1",
    SLOGATE_PORT: "0",
    SLOGATE_PROMETHEUS_URL: o.prometheusUrl,
    SLOGATE_PROMETHEUS_TIMEOUT: "5s",
    SLOGATE_SLOS: o.slosDir,
    SLOGATE_STORE: "sqlite",
    SLOGATE_DATA_DIR: o.dataDir ?? mkdtempSync(join(tmpdir(), "slogate-data-")),
    SLOGATE_BASELINE_SCHEDULE: "",
    SLOGATE_TOKENS: (o.tokens ?? []).join(","),
    ...o.extraEnv,
  });
}

/** Starts a service listening on 127.0.0.1:0. */
export function startHarnessService(o: HarnessOptions): Promise<GateService> {
  return startGateService({
    config: harnessConfig(o),
    logger: o.logger ?? memoryLogger(),
    createArmReaders: armReaders,
    buildArmMatchers: armMatchersOf,
    watch: o.watch ?? false,
    ...(o.listeners === undefined ? {} : { listeners: o.listeners }),
    ...(o.onQuery === undefined ? {} : { onQuery: o.onQuery }),
    ...(o.now === undefined ? {} : { now: o.now }),
  });
}

export interface JsonResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: any;
}

/** POSTs JSON as Argo's web provider (jsonBody) and Flagger do. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, contentType: r.headers.get("content-type") ?? "", body: parse(text) };
}

/** GETs with query parameters as Argo's web provider does by default. */
export async function getJson(
  url: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const qs = new URLSearchParams(query).toString();
  const r = await fetch(qs === "" ? url : `${url}?${qs}`, { headers });
  const text = await r.text();
  return { status: r.status, contentType: r.headers.get("content-type") ?? "", body: parse(text) };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { notJson: text };
  }
}
