/**
 * @module slo/canary-defaults
 * The canary-analysis settings an SLO gets when its file says nothing, and the alerting
 * settings likewise. Pure.
 */
import type { AlertingSettings, CanarySettings, SloKind } from "./model.ts";

/** Default `canary.noDataGraceSeconds`: a couple of scrape intervals. */
export const DEFAULT_NO_DATA_GRACE_SECONDS = 60;

/** Argo Rollouts' pod-template-hash label as Prometheus sees it. */
export const DEFAULT_SELECTION_LABEL = "rollouts_pod_template_hash";
/** Flagger workloads are told apart by pod name by default. */
export const DEFAULT_FLAGGER_LABEL = "pod";
/** 30 days, Sloth's default SLO period. */
export const DEFAULT_PERIOD_SECONDS = 30 * 86400;

/**
 * Default canary settings for an SLO kind: sequential judge, Argo's pod-template-hash label,
 * α = 0.05, at least 1000 canary requests before a pass, all three checks on with the absolute
 * check critical; every kind may regress by 10 % of stable's bad ratio (relative). (Error-rate
 * and availability had 0.5 percentage points until the judge benchmark on realistic traffic
 * showed it too loose to catch a doubling of 0.5 % errors in time, see docs/judge.md,
 * "Defaults".)
 */
export function defaultCanarySettings(_kind: SloKind): CanarySettings {
  return {
    judge: "sequential",
    selection: { mode: "label", label: DEFAULT_SELECTION_LABEL },
    alpha: 0.05,
    minRequests: 1000,
    maxRegression: { relative: 0.1 },
    direction: "higher-is-worse",
    checks: {
      relative: { enabled: true, critical: false, weight: 1 },
      absolute: { enabled: true, critical: true, weight: 1 },
      baseline: { enabled: true, critical: false, weight: 1 },
    },
  };
}

/** Default alerting: page and ticket burn-rate alerts on, no extra labels. */
export function defaultAlertingSettings(): AlertingSettings {
  return {
    labels: {},
    annotations: {},
    page: { enabled: true, labels: {}, annotations: {} },
    ticket: { enabled: true, labels: {}, annotations: {} },
  };
}
