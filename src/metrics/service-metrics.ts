/**
 * @module metrics/service-metrics
 * slogate's own telemetry, exactly the names and labels of `docs/metrics.md`, on a
 * prom-client registry owned by one service instance (tests run several side by side).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { SloVerdict } from "../domain/verdict.ts";
import type { Slo } from "../slo/model.ts";
import type { AnalysisOutcome, BaselineRecord, Controller } from "../app/store-port.ts";
import { histogramQuantile } from "../stats/histogram-quantile.ts";

/** Quantiles exported for latency baselines. */
export const BASELINE_QUANTILES = [0.5, 0.9, 0.95, 0.99] as const;

/** The service's metrics and the few operations that update them. */
export class ServiceMetrics {
  readonly registry: Registry;
  readonly #verdicts: Counter<"service" | "slo" | "verdict" | "final">;
  readonly #looks: Counter<"service" | "slo" | "controller">;
  readonly #analysisStatus: Gauge<"service" | "slo" | "analysis" | "rollout" | "verdict">;
  readonly #analysisDuration: Histogram<"service" | "slo" | "outcome">;
  readonly #verdictDuration: Histogram<"service" | "slo">;
  readonly #queryDuration: Histogram<"kind">;
  readonly #queryErrors: Counter<"code">;
  readonly #baselineBadRatio: Gauge<"service" | "slo">;
  readonly #baselineEvents: Gauge<"service" | "slo">;
  readonly #baselineQuantile: Gauge<"service" | "slo" | "quantile">;
  readonly #sloLoadErrors: Counter;
  readonly #sloConfigValid: Gauge;
  readonly #slosLoaded: Gauge;
  readonly #slosRetired: Gauge<"slo">;
  /** Newest baseline capture time per `service\u0000slo`, for the age gauge computed at scrape. */
  readonly #baselineTimes = new Map<string, { service: string; slo: string; capturedAt: number }>();
  readonly #maxAnalysisSeries: number;
  readonly #statusDropped: Counter;
  /** Current labels of each open analysis' status series. */
  readonly #statusLabels = new Map<string, Record<string, string>>();

  /** `nowSeconds` is read at scrape time for ages. */
  constructor(
    nowSeconds: () => number = () => Date.now() / 1000,
    options: { defaultMetrics?: boolean; maxAnalysisSeries?: number } = {},
  ) {
    this.#maxAnalysisSeries = options.maxAnalysisSeries ?? 2000;
    const registry = new Registry();
    this.registry = registry;
    if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry });
    const r = [registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name, help, labelNames, registers: r });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Gauge<L>({ name, help, labelNames, registers: r });
    const histogram = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      buckets: number[],
    ) => new Histogram<L>({ name, help, labelNames, buckets, registers: r });
    this.#statusDropped = counter(
      "slogate_analysis_status_dropped_total",
      "Status updates of open analyses left out of slogate_analysis_status because limits.maxAnalysisSeries series exist.",
    );
    this.#verdicts = counter("slogate_verdicts_total", "Verdicts answered, by SLO and result.", [
      "service",
      "slo",
      "verdict",
      "final",
    ]);
    this.#looks = counter("slogate_looks_total", "Looks judged, by SLO and calling controller.", [
      "service",
      "slo",
      "controller",
    ]);
    this.#analysisStatus = gauge(
      "slogate_analysis_status",
      "1 for the current verdict of each open analysis.",
      ["service", "slo", "analysis", "rollout", "verdict"],
    );
    this.#analysisDuration = histogram(
      "slogate_analysis_duration_seconds",
      "Duration of closed analyses.",
      ["service", "slo", "outcome"],
      [60, 300, 600, 1200, 1800, 3600, 7200, 14400, 43200, 86400],
    );
    this.#verdictDuration = histogram(
      "slogate_verdict_duration_seconds",
      "Time to answer one look (all queries and judging).",
      ["service", "slo"],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    );
    this.#queryDuration = histogram(
      "slogate_prometheus_query_duration_seconds",
      "Prometheus query latency.",
      ["kind"],
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    );
    this.#queryErrors = counter(
      "slogate_prometheus_query_errors_total",
      "Failed Prometheus queries, by error code.",
      ["code"],
    );
    const times = this.#baselineTimes;
    new Gauge({
      name: "slogate_baseline_age_seconds",
      help: "Age of the newest baseline.",
      labelNames: ["service", "slo"],
      registers: r,
      collect() {
        const now = nowSeconds();
        for (const t of times.values())
          this.set({ service: t.service, slo: t.slo }, Math.max(0, now - t.capturedAt));
      },
    });
    this.#baselineBadRatio = gauge("slogate_baseline_bad_ratio", "Bad-event ratio of the newest baseline.", [
      "service",
      "slo",
    ]);
    this.#baselineEvents = gauge("slogate_baseline_events", "Total events in the newest baseline.", [
      "service",
      "slo",
    ]);
    this.#baselineQuantile = gauge(
      "slogate_baseline_quantile_seconds",
      "Latency quantiles of the newest baseline (latency SLOs).",
      ["service", "slo", "quantile"],
    );
    this.#sloLoadErrors = counter(
      "slogate_slo_load_errors_total",
      "SLO (re)loads that found errors (the last good version is kept).",
    );
    this.#sloConfigValid = gauge("slogate_slo_config_valid", "1 when the last SLO load was clean, else 0.");
    this.#slosLoaded = gauge("slogate_slos_loaded", "SLOs currently served.");
    this.#slosRetired = gauge(
      "slogate_slo_retired_serving",
      "1 per SLO gone from the files but still served because open analyses use it.",
      ["slo"],
    );
  }

  /** Records one answered look. */
  recordLook(
    slo: Slo,
    verdict: SloVerdict,
    controller: Controller,
    analysis: { id: string; rollout?: string },
    seconds: number,
  ): void {
    const base = { service: slo.service, slo: slo.name };
    this.#verdicts.inc({ ...base, verdict: verdict.verdict, final: String(verdict.final) });
    this.#looks.inc({ ...base, controller });
    this.#verdictDuration.observe(base, seconds);
    this.#setStatus(slo, analysis, verdict.verdict);
  }

  /** Points the status series of an analysis at its current verdict. */
  #setStatus(slo: Slo, analysis: { id: string; rollout?: string }, verdict: string): void {
    this.#dropStatus(analysis.id);
    if (this.#statusLabels.size >= this.#maxAnalysisSeries) {
      this.#statusDropped.inc();
      return;
    }
    const labels = {
      service: slo.service,
      slo: slo.name,
      analysis: analysis.id,
      rollout: analysis.rollout ?? "",
      verdict,
    };
    this.#analysisStatus.set(labels, 1);
    this.#statusLabels.set(analysis.id, labels);
  }

  #dropStatus(analysisId: string): void {
    const previous = this.#statusLabels.get(analysisId);
    if (previous !== undefined) this.#analysisStatus.remove(previous);
    this.#statusLabels.delete(analysisId);
  }

  /** Restores the status series of an open analysis (after a restart). */
  restoreStatus(slo: Slo, analysis: { id: string; rollout?: string; lastVerdict?: string }): void {
    if (analysis.lastVerdict !== undefined) this.#setStatus(slo, analysis, analysis.lastVerdict);
  }

  /** Records a closed analysis and drops its status series. */
  recordClosed(slo: Slo, analysisId: string, outcome: AnalysisOutcome, durationSeconds: number): void {
    this.#analysisDuration.observe(
      { service: slo.service, slo: slo.name, outcome },
      Math.max(0, durationSeconds),
    );
    this.#dropStatus(analysisId);
  }

  /** Records one Prometheus call observed by the client (its `onQuery` hook). */
  observeQuery(o: {
    kind: "instant" | "range" | "series" | "labels";
    durationSeconds: number;
    error?: string;
  }): void {
    this.#queryDuration.observe({ kind: o.kind }, o.durationSeconds);
    if (o.error !== undefined) this.#queryErrors.inc({ code: o.error });
  }

  /** Publishes the newest baseline of an SLO. */
  recordBaseline(slo: Slo, b: BaselineRecord): void {
    const base = { service: slo.service, slo: slo.name };
    const key = `${slo.service}\u0000${slo.name}`;
    const known = this.#baselineTimes.get(key);
    if (known !== undefined && known.capturedAt > b.capturedAt) return;
    this.#baselineTimes.set(key, { ...base, capturedAt: b.capturedAt });
    this.#baselineEvents.set(base, b.counts.total);
    if (b.counts.total > 0) this.#baselineBadRatio.set(base, b.counts.bad / b.counts.total);
    else this.#baselineBadRatio.remove(base);
    for (const q of BASELINE_QUANTILES) {
      const v = b.counts.histogram === undefined ? Number.NaN : histogramQuantile(q, b.counts.histogram);
      if (!Number.isFinite(v)) this.#baselineQuantile.remove({ ...base, quantile: String(q) });
      else this.#baselineQuantile.set({ ...base, quantile: String(q) }, v);
    }
  }

  /** Publishes the outcome of an SLO (re)load. */
  recordSloLoad(ok: boolean, served: number): void {
    if (!ok) this.#sloLoadErrors.inc();
    this.#sloConfigValid.set(ok ? 1 : 0);
    this.#slosLoaded.set(served);
  }

  /** The SLOs retired from the files but still served (replaces the previous set). */
  recordRetiredSlos(ids: readonly string[]): void {
    this.#slosRetired.reset();
    for (const slo of ids) this.#slosRetired.set({ slo }, 1);
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
