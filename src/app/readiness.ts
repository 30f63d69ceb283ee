/**
 * @module app/readiness
 * Whether the service can take looks: the store accepts writes, Prometheus answers, and the
 * SLO catalog's status. Used by `/readyz`.
 */
import { SlogateError } from "../errors.ts";
import type { GateDeps } from "./deps.ts";

/** What the readiness check needs. */
export type ReadinessDeps = Pick<GateDeps, "store" | "catalog"> & {
  /** Rejects when Prometheus cannot answer. */
  readonly probePrometheus: () => Promise<void>;
};

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, { ok: boolean; error?: unknown }>>;
  readonly slos: { readonly valid: boolean; readonly served: number };
}

/** Checks the store and Prometheus at `now` (Unix seconds). */
export async function checkReadiness(deps: ReadinessDeps, now: number): Promise<Readiness> {
  const checks: Record<string, { ok: boolean; error?: unknown }> = {};
  try {
    deps.store.checkWritable(now);
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
  const slos = deps.catalog.status();
  return {
    ready: Object.values(checks).every((c) => c.ok),
    checks,
    slos: { valid: slos.valid, served: slos.served },
  };
}
