/**
 * @module http/http-deps
 * What the express app needs: the gate's use-case dependencies plus the translation of
 * controller-supplied arm values into label matchers, readiness probes and settings.
 */
import type { GateDeps } from "../app/deps.ts";
import type { Readiness } from "../app/readiness.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import type { Slo } from "../slo/model.ts";
import type { PageLinks } from "./pages/page-links.ts";
import type { KayentaSettings } from "../app/kayenta-canary.ts";

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
  /** The readiness of the service (for `/readyz`; cached, answers within a second). */
  readonly readiness: () => Promise<Readiness>;
  readonly tokens: readonly string[];
  /** Tokens guarding `/metrics`; empty leaves it open. */
  readonly metricsTokens?: readonly string[];
  readonly bodyLimitBytes: number;
  /** The `/metrics` exposition (404 when absent). */
  readonly metricsExposition?: () => Promise<{ readonly contentType: string; readonly body: string }>;
  /** Window of baselines captured on demand (Flagger pre-rollout, the API), seconds. */
  readonly baselineWindowSeconds: number;
  /** Flagger look hooks take a look only when the previous one is this old (0: every hook). */
  readonly flaggerLookIntervalSeconds?: number;
  /** The analysis pages (`/analyses`, `/slos`); not served when omitted. */
  readonly pages?: PagesDeps;
  /** The Kayenta-compatible API on this listener (`/kayenta/…`); not served when omitted. */
  readonly kayenta?: KayentaHttpDeps;
}

/** What the analysis pages need: signed links and the Grafana base URL. */
export interface PagesDeps {
  readonly links: PageLinks;
  /** Grafana base URL for dashboard links ("" for none). */
  readonly grafanaUrl: string;
}

/** What the Kayenta-compatible API needs besides the gate (`http/kayenta-routes`). */
export interface KayentaHttpDeps {
  readonly settings: KayentaSettings;
  /** "" when the path carries no secret. */
  readonly secret: string;
  /** Executions this process is working on. */
  readonly running: Map<string, Promise<void>>;
}
