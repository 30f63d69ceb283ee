/**
 * @module judge/testdata/resource-slo
 * Normalized resource SLOs for the resource judge's tests: CPU cores per pod and memory bytes
 * per pod with a limit, with the parsers' defaults for resource SLIs. Pure data.
 */
import type { CanarySettings, ResourceSli, Slo } from "../../slo/model.ts";
import { canarySettings } from "./slo-fixtures.ts";

/** A resource SLO over `sli`; canary defaults of resource SLIs (10 steps, +10 % per pod). */
export function resourceSlo(
  sli: Partial<ResourceSli> = {},
  over: Partial<CanarySettings> = {},
): Slo {
  const full: ResourceSli = {
    type: "resource",
    measure: "cpu",
    query: {
      text: 'sum by (pod) (rate(container_cpu_usage_seconds_total{container="api"}[{{.window}}]))',
      hasWindow: true,
      hasSelector: false,
    },
    podLabel: "pod",
    stepSeconds: 60,
    ...sli,
  };
  return {
    id: `shop-${full.measure}`,
    service: "shop",
    name: full.measure === "cpu" ? "cpu-per-pod" : `${full.measure}-per-pod`,
    kind: "resource",
    objectivePercent: 99,
    sli: full,
    periodSeconds: 30 * 86400,
    labels: {},
    alerting: {
      labels: {},
      annotations: {},
      page: { enabled: true, labels: {}, annotations: {} },
      ticket: { enabled: true, labels: {}, annotations: {} },
    },
    canary: canarySettings({ minRequests: 10, maxRegression: { relative: 0.1 }, ...over }),
    source: { file: "testdata/shop.yaml", format: "slogate/v1" },
  };
}
