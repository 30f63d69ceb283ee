/**
 * @module http/http-deps
 * What the express app needs: the gate's use-case dependencies plus the translation of
 * controller-supplied arm values into label matchers, readiness probes and settings.
 */
import type { GateDeps } from "../app/gate-deps.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import type { Slo } from "../slo/model.ts";
import type { PagesDeps } from "./pages/pages-router.ts";

/**
 * Builds an arm's matchers from the SLO's `canary.selection` and the value a controller sent
 * (a pod-template hash; for Flagger-mode SLOs the target name for both arms, the primary
 * being `<target>-primary`). Throws LABEL_INVALID for a value it refuses.
 */
export type BuildArmMatchers = (slo: Slo, arm: "canary" | "stable", value: string) => LabelMatcher[];

export interface HttpDeps {
  readonly gate: GateDeps;
  readonly buildArmMatchers: BuildArmMatchers;
  /** Current time in Unix seconds (the default evaluation time of a look). */
  readonly now: () => number;
  /** Rejects when Prometheus cannot answer (for `/readyz`). */
  readonly probePrometheus: () => Promise<void>;
  readonly tokens: readonly string[];
  readonly bodyLimitBytes: number;
  /** Window of baselines captured on demand (Flagger pre-rollout, the API), seconds. */
  readonly baselineWindowSeconds: number;
  /** The analysis pages (`/analyses`, `/slos`); not served when omitted. */
  readonly pages?: PagesDeps;
}
