/**
 * @module app/readiness
 * Whether the service can take looks: the store accepts writes, Prometheus answers, and the
 * SLO catalog's status. Used by `/readyz` through `cachedReadiness`: probes run at most once
 * per `maxAgeMs` (so a kubelet polling every second writes nothing to the store per call) and
 * an answer never waits more than `answerWithinMs` for a slow probe.
 */
import { SlogateError } from "../errors.ts";
import type { GateDeps } from "./deps.ts";

/** The answer of one OpenSLO DataSource's backend (besides the service's own). */
export interface BackendReadiness {
  /** `DataSource "<name>"`. */
  readonly name: string;
  readonly url: string;
  /** The served SLOs read from it. */
  readonly slos: readonly string[];
  readonly ok: boolean;
  readonly error?: unknown;
}

/** What the readiness check needs. */
export type ReadinessDeps = Pick<GateDeps, "store" | "catalog"> & {
  /** Rejects when the service's Prometheus (`prometheus.url`) cannot answer. */
  readonly probePrometheus: () => Promise<void>;
  /**
   * Probes the backends of OpenSLO DataSources. Reported, not required: when one is down only
   * its SLOs' looks answer 503, and the other SLOs must still be judged by this replica.
   */
  readonly probeBackends?: () => Promise<readonly BackendReadiness[]>;
};

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, { ok: boolean; error?: unknown }>>;
  readonly slos: { readonly valid: boolean; readonly served: number };
  /** DataSource backends (absent when no SLO has one of its own). */
  readonly backends?: readonly BackendReadiness[];
}

/** Checks the store and Prometheus at `now` (Unix seconds). */
export async function checkReadiness(deps: ReadinessDeps, now: number): Promise<Readiness> {
  const checks: Record<string, { ok: boolean; error?: unknown }> = {};
  try {
    await deps.store.checkWritable(now);
    checks.store = { ok: true };
  } catch (e) {
    checks.store = {
      ok: false,
      error: e instanceof SlogateError ? e.toJSON() : { message: "store check failed" },
    };
  }
  try {
    await deps.probePrometheus();
    checks.prometheus = { ok: true };
  } catch (e) {
    checks.prometheus = {
      ok: false,
      error: e instanceof SlogateError ? e.toJSON() : { message: "Prometheus probe failed" },
    };
  }
  const backends = await deps.probeBackends?.().catch((): BackendReadiness[] => []);
  const slos = deps.catalog.status();
  return {
    ready: Object.values(checks).every((c) => c.ok),
    checks,
    slos: { valid: slos.valid, served: slos.served },
    ...(backends === undefined || backends.length === 0 ? {} : { backends }),
  };
}

/** What `/readyz` answers while the first probe is still running. */
function pending(deps: Pick<ReadinessDeps, "catalog">): Readiness {
  const slos = deps.catalog.status();
  return {
    ready: false,
    checks: { probe: { ok: false, error: { message: "the first readiness probe is still running" } } },
    slos: { valid: slos.valid, served: slos.served },
  };
}

/**
 * A readiness check that reuses its last result for `maxAgeMs`, refreshes it in the
 * background, and answers within `answerWithinMs` (with the last result, or "not ready" before
 * the first one) when a probe is slow. `nowMs` is the clock.
 */
export function cachedReadiness(
  deps: ReadinessDeps,
  o: { readonly maxAgeMs: number; readonly answerWithinMs: number; readonly nowMs: () => number },
): () => Promise<Readiness> {
  let last: { at: number; value: Readiness } | undefined;
  let running: Promise<Readiness> | undefined;
  return async () => {
    if (last !== undefined && o.nowMs() - last.at < o.maxAgeMs) return last.value;
    running ??= checkReadiness(deps, o.nowMs() / 1000)
      .then((value) => {
        last = { at: o.nowMs(), value };
        return value;
      })
      .finally(() => {
        running = undefined;
      });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), o.answerWithinMs);
    });
    const fresh = await Promise.race([running, late]);
    clearTimeout(timer);
    return fresh ?? last?.value ?? pending(deps);
  };
}
