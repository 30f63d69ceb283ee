/**
 * @module generate/testdata/hand-built-slos
 * Normalized `Slo` objects built by hand, one per SLI type, for generator tests that must not
 * depend on the parsers (and for synthetic SLO sets in the rules benchmark).
 */
import { parseQueryTemplate } from "../../promql/placeholders.ts";
import { defaultAlertingSettings, defaultCanarySettings } from "../../slo/canary-defaults.ts";
import type { AlertingSettings, CanarySettings, Slo, Sli } from "../../slo/model.ts";

const DAY = 86_400;

/** Alerting with page and ticket enabled and no extra labels. */
export const defaultAlerting: AlertingSettings = defaultAlertingSettings();

/** Canary settings with the model's documented defaults (as the parsers apply them). */
const defaultCanary: CanarySettings = defaultCanarySettings("error-rate");

/** An events SLI over `http_requests_total{job}` with 5xx as bad. */
export function eventsSli(job: string): Sli {
  return {
    type: "events",
    bad: parseQueryTemplate(`sum(rate(http_requests_total{job="${job}",code=~"5.."}[{{.window}}]))`),
    total: parseQueryTemplate(`sum(rate(http_requests_total{job="${job}"}[{{.window}}]))`),
  };
}

/** Builds an SLO with defaults; `over` replaces any field. */
export function buildSlo(service: string, name: string, over: Partial<Slo> = {}): Slo {
  return {
    id: `${service}-${name}`,
    service,
    name,
    kind: "availability",
    objectivePercent: 99.9,
    sli: eventsSli(service),
    periodSeconds: 30 * DAY,
    labels: { team: "web" },
    alerting: defaultAlerting,
    canary: defaultCanary,
    source: { file: "hand-built", format: "slogate/v1" },
    ...over,
  };
}

/** One SLO per SLI type. */
export const handBuiltSlos: readonly Slo[] = [
  buildSlo("checkout", "availability"),
  buildSlo("checkout", "latency", {
    kind: "latency",
    objectivePercent: 99,
    sli: {
      type: "latency",
      metric: "http_request_duration_seconds",
      matchers: [{ name: "job", op: "=", value: "checkout" }],
      thresholdSeconds: 1,
      quantile: 0.99,
    },
    periodSeconds: 28 * DAY,
  }),
  buildSlo("probe", "up", {
    objectivePercent: 99.95,
    sli: { type: "probe", metric: "probe_success", matchers: [{ name: "job", op: "=", value: "blackbox" }] },
    labels: { owner: "SRE Team" },
  }),
  buildSlo("wifi", "ratio", {
    objectivePercent: 95,
    sli: { type: "ratio", badRatio: parseQueryTemplate(`1 - avg_over_time(wifi_up[{{.window}}])`) },
    alerting: { ...defaultAlerting, ticket: { enabled: false, labels: {}, annotations: {} } },
  }),
  buildSlo("queue", "lag", {
    objectivePercent: 99,
    sli: {
      type: "threshold",
      query: parseQueryTemplate('max(kafka_consumergroup_lag{consumergroup="queue"})'),
      op: "lte",
      value: 100,
      stepSeconds: 60,
    },
  }),
];
