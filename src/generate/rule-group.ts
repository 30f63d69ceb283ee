/**
 * @module generate/rule-group
 * Prometheus rule groups as data — what the rule generators return and the renderers turn
 * into YAML (plain rule files or a prometheus-operator `PrometheusRule`). Pure.
 */

/** A recording rule. */
export interface RecordingRule {
  readonly kind: "record";
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** An alerting rule; `for` is a Prometheus duration or absent. */
export interface AlertingRule {
  readonly kind: "alert";
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export type Rule = RecordingRule | AlertingRule;

/** A rule group: evaluated in order, so a rule may read a series recorded above it. */
export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval override (Prometheus duration); absent = global interval. */
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

/** The rule groups of one output file. */
export interface RuleFile {
  /** File stem, e.g. the service name or `slogate`. */
  readonly name: string;
  readonly groups: readonly RuleGroup[];
}
