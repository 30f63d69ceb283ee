/**
 * @module judge/testdata/slo-fixtures
 * Complete, normalized SLOs for the judge's tests and benchmark: an error-rate SLO and a
 * latency SLO with the same canary settings shape the parsers produce. Pure data.
 */
import type { CanarySettings, Slo } from "../../slo/model.ts";
import type { JudgeName } from "../../slo/model.ts";

/** Canary settings: the parsers' defaults with overrides. */
export function canarySettings(over: Partial<CanarySettings> = {}): CanarySettings {
  return {
    judge: "sequential",
    selection: { mode: "label", label: "rollouts_pod_template_hash" },
    alpha: 0.05,
    minRequests: 1000,
    maxRegression: { relative: 0.1 },
    direction: "higher-is-worse",
    checks: {
      relative: { enabled: true, critical: false, weight: 1 },
      absolute: { enabled: true, critical: true, weight: 1 },
      baseline: { enabled: true, critical: false, weight: 1 },
    },
    ...over,
  };
}

const common = {
  service: "checkout",
  periodSeconds: 30 * 86400,
  labels: {},
  alerting: {
    labels: {},
    annotations: {},
    page: { enabled: true, labels: {}, annotations: {} },
    ticket: { enabled: true, labels: {}, annotations: {} },
  },
  source: { file: "testdata/checkout.yaml", format: "slogate/v1" as const },
};

/** Error-rate SLO: 99 % of requests without 5xx. */
export function errorSlo(judge: JudgeName = "sequential", over: Partial<CanarySettings> = {}): Slo {
  return {
    ...common,
    id: "checkout-errors",
    name: "errors",
    kind: "error-rate",
    objectivePercent: 99,
    sli: {
      type: "events",
      bad: { text: 'sum(rate(http_requests_total{code=~"5..",{{.selector}}}[{{.window}}]))', hasWindow: true, hasSelector: true },
      total: { text: "sum(rate(http_requests_total{{{.selector}}}[{{.window}}]))", hasWindow: true, hasSelector: true },
    },
    canary: canarySettings({ judge, ...over }),
  };
}

/** Latency SLO: 95 % of requests within 200 ms, written as "p95 < 200ms". */
export function latencySlo(judge: JudgeName = "sequential", over: Partial<CanarySettings> = {}): Slo {
  return {
    ...common,
    id: "checkout-latency",
    name: "latency",
    kind: "latency",
    objectivePercent: 95,
    sli: {
      type: "latency",
      metric: "http_request_duration_seconds",
      matchers: [{ name: "job", op: "=", value: "checkout" }],
      thresholdSeconds: 0.2,
      quantile: 0.95,
    },
    canary: canarySettings({ judge, ...over }),
  };
}

/** 30 histogram buckets (29 finite bounds and +Inf) with a boundary at the 200 ms threshold. */
export const BUCKETS_30: readonly number[] = [
  0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2,
  0.25, 0.3, 0.35, 0.4, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, Infinity,
];
