/**
 * @module slo/model
 * The normalized, typed SLO model every input format (slogate v1, Sloth, OpenSLO v1) is turned
 * into, and that the PromQL builders, judge, generators and service consume. Pure data.
 *
 * Conventions:
 * - times and durations are in seconds (numbers); `durationText` keeps the user's spelling;
 * - an SLO's `objectivePercent` is the percentage of GOOD events it promises (99.9 means 0.1 %
 *   of events may be bad); kept as the number the user wrote so generators can emit exact
 *   decimals (see `src/slo/decimal.ts`, never `1 - 0.999`);
 * - every SLI reduces to "bad events out of total events", which is what the judge counts.
 */
import type { ArmSelection } from "../promql/arm-selector.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import type { QueryTemplate } from "../promql/query-template.ts";

/** Where a model object came from, for messages (`file:line:col`). */
export interface SourceRef {
  readonly file: string;
  readonly format: SloFormat;
  /** 1-based line and column of the object in the file, when known. */
  readonly line?: number;
  readonly col?: number;
}

export type SloFormat =
  | "slogate/v1"
  | "sloth/prometheus-v1"
  | "sloth/k8s-v1"
  | "openslo/v1"
  /** Sloth's OpenSLO input (`openslo/v1alpha` SLOs with `ratioMetrics`). */
  | "openslo/v1alpha";

/** What the SLO is about; drives defaults, dashboards and which checks apply. */
export type SloKind = "latency" | "error-rate" | "availability" | "resource";

/**
 * The SLI, as bad/total event counts.
 * - `events`: counters; `bad` or `good` (exactly one) and `total`, each a template normally
 *   of the form `sum(rate(x{...}[{{.window}}]))`. Bad = total − good when only good is given.
 * - `ratio`:  only a bad-event ratio query (Sloth `raw.error_ratio_query`, OpenSLO `raw`):
 *   usable for alerts and absolute checks on the ratio, but carries no request counts, so
 *   canary statistics fall back to the per-step series.
 * - `latency`: a classic Prometheus histogram; good = requests with `le <= thresholdSeconds`
 *   (the threshold must be one of the histogram's bucket boundaries for exact counts).
 * - `probe`: a 0/1 gauge such as `probe_success`; good = samples at 1, total = samples.
 * - `threshold`: one query compared at every evaluation point with `op value` (OpenSLO
 *   `thresholdMetric`); good = points where `query op value` holds, total = points. Canary
 *   reads evaluate it every `stepSeconds`; generated rules at every rule evaluation.
 *   `{{.window}}`, if the query uses it, is rendered as the step.
 */
export type Sli =
  | {
      readonly type: "events";
      readonly bad?: QueryTemplate;
      readonly good?: QueryTemplate;
      readonly total: QueryTemplate;
    }
  | { readonly type: "ratio"; readonly badRatio: QueryTemplate }
  | {
      readonly type: "latency";
      /** Histogram base name without `_bucket`/`_count`, e.g. `http_request_duration_seconds`. */
      readonly metric: string;
      /** Extra matchers selecting the service's series, e.g. job="api". */
      readonly matchers: readonly LabelMatcher[];
      readonly thresholdSeconds: number;
      /** The quantile the objective was written as (0.95 for "p95 < 500ms"), if any. */
      readonly quantile?: number;
    }
  | {
      readonly type: "probe";
      /** Gauge metric name, e.g. `probe_success`. */
      readonly metric: string;
      readonly matchers: readonly LabelMatcher[];
    }
  | {
      readonly type: "threshold";
      readonly query: QueryTemplate;
      /** The comparison a GOOD point satisfies: `query op value`. */
      readonly op: ThresholdOp;
      readonly value: number;
      /** Seconds between evaluation points in canary reads. */
      readonly stepSeconds: number;
    }
  | ResourceSli;

// ---- resource SLIs (issue 17, item 2) ------------------------------------------------------

/** What a resource SLI measures: names it in reasons and picks the unit of its limit. */
export const RESOURCE_MEASURES = ["cpu", "memory", "saturation", "gauge"] as const;
export type ResourceMeasure = (typeof RESOURCE_MEASURES)[number];

/**
 * A gauge per pod (`resource`): CPU seconds rate, memory working set, saturation, any per-pod
 * gauge. Canary and stable are compared per pod and step — pods are the unit, never a sum over
 * pods, so a canary with fewer pods is not "better". The query is a template evaluated as a
 * range query every `stepSeconds`, with the arm's matchers in `{{.selector}}` or injected into
 * every vector selector; each result series is one pod (series sharing a pod are summed, e.g.
 * the containers of one pod). `{{.window}}`, if used, is rendered as the step. Canary settings:
 * `maxRegression.relative` is the allowed increase per pod over stable (0.1 = +10 %);
 * `direction: lower-is-worse` for gauges where less is worse (CPU idle).
 */
export interface ResourceSli {
  readonly type: "resource";
  readonly measure: ResourceMeasure;
  /** Per-pod gauge query, e.g. `sum by (pod) (rate(container_cpu_usage_seconds_total{…}[{{.window}}]))`. */
  readonly query: QueryTemplate;
  /** The label naming the pod in the query's result. Default `pod`. */
  readonly podLabel: string;
  /** Seconds between evaluation points. Default 60. */
  readonly stepSeconds: number;
  /**
   * Optional absolute limit per pod ("memory < 1 GiB per pod"), in the measure's base unit
   * (cores, bytes, or a plain number); `text` keeps the user's spelling (`1Gi`, `500m`).
   */
  readonly limit?: { readonly value: number; readonly text: string };
}

// ---- end of resource SLIs -------------------------------------------------------------------

/** Comparison operators of threshold SLIs (OpenSLO's spelling). */
/** The comparison operators of threshold SLIs, in the order messages list them. */
export const THRESHOLD_OPS = ["lt", "lte", "gt", "gte"] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

export type JudgeName = "sequential" | "kayenta" | "threshold";
export type CheckKind = "relative" | "absolute" | "baseline";

export interface CheckSettings {
  readonly enabled: boolean;
  /** A failing critical check fails the whole verdict regardless of the score. */
  readonly critical: boolean;
  /** Weight in the score (0..). */
  readonly weight: number;
}

/** Canary-analysis settings of one SLO, with defaults applied by the parsers. */
export interface CanarySettings {
  readonly judge: JudgeName;
  readonly selection: ArmSelection;
  /** Family-wise false-fail bound for this SLO across all checks and all looks. Default 0.05. */
  readonly alpha: number;
  /** Minimum canary requests (total events) before a pass can be declared. Default 1000. */
  readonly minRequests: number;
  /**
   * Allowed regression of the canary against stable and baseline before it counts as worse:
   * `relative` as a fraction (0.1 = +10 % of stable's bad-event rate, or of latency),
   * `absolutePoints` in percentage points of the bad-event rate (0.5 = +0.5 pp).
   * When both are set the larger allowance applies. Default: 0.1 relative for every kind,
   * see `defaultCanarySettings`.
   */
  readonly maxRegression: { readonly relative?: number; readonly absolutePoints?: number };
  /** Which direction is bad. For all built-in SLI types more bad events is worse. */
  readonly direction: "higher-is-worse" | "lower-is-worse";
  readonly checks: Readonly<Record<CheckKind, CheckSettings>>;
  /** For the `threshold` judge and absolute checks: optional explicit limit on the bad ratio. */
  readonly maxBadRatio?: number;
  /**
   * Seconds from the analysis start during which an arm without any series is still "waiting
   * for data" (a non-final pass); after it the look is `nodata`. Default 60 (a couple of
   * scrape intervals), see `DEFAULT_NO_DATA_GRACE_SECONDS`.
   */
  readonly noDataGraceSeconds?: number;
  /**
   * Expected step-to-step dispersion of the bad rate: the squared coefficient of variation of
   * the per-step bad ratio beyond binomial noise (e.g. 2 for a service whose error ratio per
   * minute varies by ±140 %). Optional: without it the sequential judge learns it from the
   * stable steps before the deploy (when given) and from the looks themselves.
   */
  readonly dispersion?: number;
}

/** Burn-rate alerting settings (Sloth's `alerting` block). */
export interface AlertingSettings {
  readonly name?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly page: {
    readonly enabled: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly ticket: {
    readonly enabled: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
}

/**
 * The OpenSLO `DataSource` an SLO's metric sources name by `metricSourceRef`, resolved across
 * the files read together (`spec.connectionDetails`: `url`, `headers`). slogate queries the
 * backend configured for the service; the resolved source is carried for comparison and
 * messages. Header values may be secrets: never log or serve them.
 */
export interface DataSourceRef {
  readonly name: string;
  /** The DataSource's `spec.type`, e.g. `Prometheus`. */
  readonly type: string;
  readonly url?: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * How the SLO period's error budget is counted when not by occurrences (OpenSLO
 * `budgetingMethod`): `Timeslices` — the share of bad slices, a slice being bad when its
 * bad-event ratio exceeds `100 − sliceTargetPercent` %; `RatioTimeslices` — the mean of the
 * slices' bad-event ratios. Slices without events count neither way. Generated rules only;
 * canary analysis compares event counts either way.
 */
export interface TimesliceBudgeting {
  readonly method: "Timeslices" | "RatioTimeslices";
  /** Length of one slice (OpenSLO `timeSliceWindow`), seconds. */
  readonly sliceSeconds: number;
  /** Timeslices: the percentage of good events a good slice needs (`timeSliceTarget` × 100). */
  readonly sliceTargetPercent?: number;
}

/** One service level objective, normalized. */
export interface Slo {
  /** `<service>-<name>`; unique across all loaded files (Sloth's `sloth_id`). */
  readonly id: string;
  readonly service: string;
  readonly name: string;
  /** The name as people know it, when it differs from `name` (OpenSLO `displayName`, or a name with `/`). */
  readonly displayName?: string;
  readonly description?: string;
  readonly kind: SloKind;
  /** Percentage of good events promised, e.g. 99.9. 0 < objectivePercent < 100. */
  readonly objectivePercent: number;
  readonly sli: Sli;
  /** SLO period (rolling window) in seconds; default 30 days. */
  readonly periodSeconds: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly alerting: AlertingSettings;
  readonly canary: CanarySettings;
  readonly source: SourceRef;
  /** The resolved OpenSLO DataSource of the SLI's metric sources, when they name one. */
  readonly dataSource?: DataSourceRef;
  /** Absent: occurrences (bad events / total events), the default. */
  readonly budgeting?: TimesliceBudgeting;
  /**
   * What the importer did to the SLO as written, for people reading it (e.g. "the raw ratio
   * query was split into bad and total event queries"). Absent when nothing was changed.
   */
  readonly notes?: readonly string[];
}

/** All SLOs of one service, from one file (or one OpenSLO document set). */
export interface ServiceSlos {
  readonly service: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly slos: readonly Slo[];
  readonly source: SourceRef;
}
