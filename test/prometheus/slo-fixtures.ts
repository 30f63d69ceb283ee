/**
 * @module test/prometheus/slo-fixtures
 * Minimal normalized SLOs for the read-arm integration tests.
 */
import { parseQueryTemplate } from "../../src/promql/placeholders.ts";
import { defaultAlertingSettings, defaultCanarySettings } from "../../src/slo/canary-defaults.ts";
import type { Sli, Slo, SloKind } from "../../src/slo/model.ts";

/** An SLO of `kind` around `sli`, with default settings. */
export function makeSlo(name: string, kind: SloKind, sli: Sli): Slo {
  return {
    id: `checkout-${name}`,
    service: "checkout",
    name,
    kind,
    objectivePercent: 99,
    sli,
    periodSeconds: 30 * 86400,
    labels: {},
    alerting: defaultAlertingSettings(),
    canary: defaultCanarySettings(kind),
    source: { file: "test", format: "slogate/v1" },
  };
}

/** An events SLI from template texts. */
export function eventsSli(total: string, bad: string, which: "bad" | "good" = "bad"): Sli {
  return { type: "events", total: parseQueryTemplate(total), [which]: parseQueryTemplate(bad) };
}
