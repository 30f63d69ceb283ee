/**
 * @module testbed/metrics-backend
 * The metrics backends the real-backend suites run on, started the same way: Prometheus
 * (`testbed/prometheus.ts`, history backfilled as TSDB blocks) and VictoriaMetrics
 * (`testbed/victoria-metrics.ts`, history through remote write). Both give the same bed
 * interface (`url`, `write`, `logTail`, `stop`). Plain TypeScript.
 */
import type { SimSeries } from "../sim/scrapes.ts";
import { startPrometheus, type PrometheusBed } from "./prometheus.ts";
import { startVictoriaMetrics } from "./victoria-metrics.ts";

/** A backend slogate is tested against. */
export type BackendKind = "prometheus" | "victoria-metrics";

/** Every backend the real-backend suites run on. */
export const BACKEND_KINDS: readonly BackendKind[] = ["prometheus", "victoria-metrics"];

/** Starts `kind` loaded with `history`. */
export function startMetricsBackend(
  kind: BackendKind,
  opts: { readonly history?: readonly SimSeries[] } = {},
): Promise<PrometheusBed> {
  return kind === "prometheus" ? startPrometheus(opts) : startVictoriaMetrics(opts);
}
