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
import { createReadArmCountsIncremental } from "../prometheus/read-arm-incremental.ts";

/** Arm readers over `client` (incremental unless `settings.incrementalReads` is false). */
export const armReaders: CreateArmReaders = (client: PrometheusClient, settings) => ({
  readArmCounts: createReadArmCounts({ client }),
  readArmSeries: createReadArmSeries({ client }),
  readArmGauges: createReadArmGauges({ client }),
  ...(settings?.incrementalReads === false
    ? {}
    : {
        readArmCountsFrom: createReadArmCountsIncremental({ client, podLabel: settings?.podLabel ?? "pod" }),
      }),
});

/** The matchers of one arm of `slo` for a controller-supplied value. */
export function armMatchersOf(slo: Slo, arm: "canary" | "stable", value: string): LabelMatcher[] {
  return buildArmMatchers(slo.canary.selection, arm, value);
}
