/**
 * @module main/arm-readers
 * The production adapters of the gate's ports: arm readers over the Prometheus client
 * (`read-arm`) and arm matchers from the SLO's `canary.selection` (`promql/arm-selector`).
 */
import { buildArmMatchers } from "../promql/arm-selector.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import type { PrometheusClient } from "../prometheus/http-client.ts";
import type { Slo } from "../slo/model.ts";
import type { CreateArmReaders } from "./gate-service.ts";
import { createReadArmCounts, createReadArmSeries } from "../prometheus/read-arm.ts";
import { createReadArmGauges } from "../prometheus/read-resource.ts";

/** Arm readers over `client`. */
export const armReaders: CreateArmReaders = (client: PrometheusClient) => ({
  readArmCounts: createReadArmCounts({ client }),
  readArmSeries: createReadArmSeries({ client }),
  readArmGauges: createReadArmGauges({ client }),
});

/** The matchers of one arm of `slo` for a controller-supplied value. */
export function armMatchersOf(slo: Slo, arm: "canary" | "stable", value: string): LabelMatcher[] {
  return buildArmMatchers(slo.canary.selection, arm, value);
}
