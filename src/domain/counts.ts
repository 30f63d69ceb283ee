/**
 * @module domain/counts
 * What the metrics backend tells about one arm: event counts, histogram buckets, per-step
 * increments, and the data of one look. Pure data shared by every layer (the vocabulary of
 * the judge flow); every field JSON-serializable.
 */
/** A classic histogram's per-bucket counts (de-cumulated). */
export interface HistogramCounts {
  /** Upper bounds, strictly ascending; the last one is `Infinity` (the `+Inf` bucket). */
  readonly bounds: readonly number[];
  /** Requests in (bounds[i-1], bounds[i]]; same length as `bounds`; non-negative. */
  readonly counts: readonly number[];
}

/** What one arm did over a time range: counts of total and bad events, optional histogram. */
export interface ArmCounts {
  /** Total events (requests, or probe samples). */
  readonly total: number;
  /** Bad events (errors, slow requests, failed probes). */
  readonly bad: number;
  /** For latency SLIs: the histogram over the same range. */
  readonly histogram?: HistogramCounts;
  /**
   * Optional: the same counts per pod (one entry per pod series over the same range, e.g.
   * `sum by (pod)` of the arm's queries). Lets the sequential judge allow for persistent
   * differences between pods of identical code (`judge/pod-margin.ts`).
   */
  readonly pods?: readonly PodCounts[];
}

/** One pod's counts within an arm. */
export interface PodCounts {
  readonly pod: string;
  readonly total: number;
  readonly bad: number;
  readonly histogram?: HistogramCounts;
}

/** One step of an arm's per-step series (increments over [t - step, t]). */
export interface StepCounts extends ArmCounts {
  /** Unix seconds at the end of the step. */
  readonly t: number;
}

export type ArmName = "canary" | "stable" | "baseline";

/**
 * The data of one look. Cumulative counts are since the analysis start (`since`), read at
 * `at`. `null` means the arm returned no series at all (no data), which is different from
 * zero traffic. `series` are per-step increments for judges that use time-series points
 * (kayenta, threshold) and for the changing traffic split of the sequential judge.
 */
export interface LookData {
  readonly since: number;
  readonly at: number;
  readonly canary: ArmCounts | null;
  readonly stable: ArmCounts | null;
  /** The baseline captured before the deploy (its own range), if any. */
  readonly baseline?: (ArmCounts & { readonly capturedAt: number; readonly from: number }) | null;
  readonly series?: {
    readonly canary: readonly StepCounts[];
    readonly stable: readonly StepCounts[];
  };
  /**
   * The PromQL label selector of each arm as queried (e.g. `{rollouts_pod_template_hash="7c9d5f6b8"}`),
   * named in the `nodata` reason when an arm matched nothing. Optional (reasons fall back to the arm name).
   */
  readonly selectors?: { readonly canary?: string; readonly stable?: string };
  /**
   * Optional: the stable arm's per-step increments over a window before the analysis start
   * (e.g. the 60 one-minute steps before the deploy). The sequential judge learns the
   * service's own step-to-step dispersion from it at the first look (later looks need not
   * repeat it). Histograms per step for latency SLIs.
   */
  readonly history?: { readonly stable: readonly StepCounts[] } | null;
  /**
   * Resource SLIs only: each arm's gauge per pod and step since the analysis start (`null`:
   * the arm's query returned no series at all). The resource judge compares them per pod.
   */
  readonly gauges?: {
    readonly canary: readonly PodGauge[] | null;
    readonly stable: readonly PodGauge[] | null;
  };
}

/** One pod's gauge (CPU cores, bytes, a ratio…) at each step of a resource SLI's range query. */
export interface PodGauge {
  readonly pod: string;
  /** Step end times (Unix seconds) ascending, and the pod's value there (finite). */
  readonly points: readonly { readonly t: number; readonly v: number }[];
}
