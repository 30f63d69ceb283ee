/**
 * @module generate/self-rules
 * Alert rules on slogate's own metrics (`docs/metrics.md`): failing canary verdicts, stale
 * baselines, an invalid SLO configuration and Prometheus query errors. Per-SLO alerts carry
 * the owning `team` (joined from `slogate_slo_owner_info`, recorded with each SLO's meta rules,
 * falling back to the platform team for SLOs the rules do not know) and `sloth_id`
 * (`<service>-<slo>`), so Alertmanager routes and inhibits them with the SLO's burn alerts.
 * Platform-wide alerts go to the platform team. Pure.
 */
import { quotePromqlString } from "../promql/matchers.ts";
import { formatPromDuration } from "./prometheus-duration.ts";
import type { AlertingRule, RuleGroup } from "./rule-group.ts";

/** Settings of the self-monitoring alerts. */
export interface SelfRuleOptions {
  /** Team that owns slogate itself (config and Prometheus errors). */
  readonly platformTeam: string;
  /** A baseline older than this is stale. Default 7 days. */
  readonly baselineMaxAgeSeconds: number;
}

/** Adds `team` (from the owner info, or the platform team) and `sloth_id` to a per-SLO vector. */
function withTeam(expr: string, platformTeam: string): string {
  const joined = `(${expr}) * on (service, slo) group_left (team) max by (service, slo, team) (slogate_slo_owner_info)`;
  const fallback = `label_replace(${expr}, "team", ${quotePromqlString(platformTeam)}, "", "")`;
  return `label_join(\n  ${joined}\n  or on (service, slo)\n  ${fallback},\n  "sloth_id", "-", "service", "slo"\n)`;
}

/** The `slogate-self` rule group. */
export function generateSelfRules(options: SelfRuleOptions): RuleGroup {
  const platform = { team: options.platformTeam };
  const maxAge = formatPromDuration(options.baselineMaxAgeSeconds);
  const rules: AlertingRule[] = [
    {
      kind: "alert",
      alert: "SlogateCanaryVerdictFail",
      expr: withTeam(
        // The service closes an analysis at its first fail and drops its status series, so
        // the alert looks back over 15 minutes: it fires for a fail scraped at least once.
        `max by (service, slo, analysis, rollout) (max_over_time(slogate_analysis_status{verdict="fail"}[15m]) == 1)`,
        options.platformTeam,
      ),
      labels: { severity: "ticket", sloth_severity: "ticket" },
      annotations: {
        summary:
          "Canary analysis {{$labels.analysis}} of {{$labels.rollout}} failed on SLO {{$labels.service}}/{{$labels.slo}}",
        description:
          "slogate answered 'fail' for this canary: the rollout is being aborted. Compare canary, stable and baseline on the slogate canary dashboard.",
      },
    },
    {
      kind: "alert",
      alert: "SlogateBaselineStale",
      expr: withTeam(
        `max by (service, slo) (slogate_baseline_age_seconds) > ${options.baselineMaxAgeSeconds}`,
        options.platformTeam,
      ),
      for: "15m",
      labels: { severity: "ticket", sloth_severity: "ticket" },
      annotations: {
        summary: `Baseline of SLO {{$labels.service}}/{{$labels.slo}} is older than ${maxAge}`,
        description:
          "Canary verdicts compare against a baseline captured before the deploy; capture a fresh one with 'slogate baseline' or check the capture schedule.",
      },
    },
    {
      kind: "alert",
      alert: "SlogateSloConfigInvalid",
      expr: "max(slogate_slo_config_valid) == 0",
      for: "5m",
      labels: { severity: "ticket", sloth_severity: "ticket", ...platform },
      annotations: {
        summary: "slogate's last SLO reload found errors; it keeps serving the last good version",
        description: "Run 'slogate validate' on the SLO files to see every problem with its file:line:col.",
      },
    },
    {
      kind: "alert",
      alert: "SlogatePrometheusQueryErrors",
      expr: "sum by (code) (rate(slogate_prometheus_query_errors_total[5m])) > 0",
      for: "10m",
      labels: { severity: "page", sloth_severity: "page", ...platform },
      annotations: {
        summary: "slogate's Prometheus queries fail ({{$labels.code}}): canary verdicts cannot pass",
        description:
          "A metrics backend that cannot answer is never a pass: rollouts gated by slogate stay inconclusive or fail until Prometheus answers again.",
      },
    },
  ];
  return { name: "slogate-self", rules };
}
