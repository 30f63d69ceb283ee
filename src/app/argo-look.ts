/**
 * @module app/argo-look
 * The Argo Rollouts use case: one measurement of an AnalysisRun's `web` metric is one look.
 * Arms come as label values (Argo's pod-template hashes, matched through the SLO's
 * `canary.selection`) or as explicit label maps; the analysis id, when Argo sends none, is
 * derived from the SLO and both arms.
 */
import type { LabelMatcher } from "../promql/matchers.ts";
import type { Slo } from "../slo/model.ts";
import { analyzeLook, type LookResult } from "./analyze-look.ts";
import type { AnalyzeLookDeps } from "./deps.ts";
import { derivedId } from "./derived-id.ts";

/** An arm as Argo sends it: one label value, or a map label → value. */
export type ArgoArm = string | Readonly<Record<string, string>>;

/** One Argo measurement, validated by the caller. Times are Unix seconds. */
export interface ArgoLookRequest {
  readonly slo: Slo;
  readonly canary: ArgoArm;
  readonly stable: ArgoArm;
  readonly analysisId?: string;
  readonly at: number;
  readonly start?: number;
  /** The metric's `count`: that look is final. */
  readonly expectedLooks?: number;
  readonly end?: number;
  readonly final?: boolean;
  readonly rollout?: string;
}

/** What the Argo use case needs. */
export type ArgoLookDeps = AnalyzeLookDeps & {
  readonly buildArmMatchers: (slo: Slo, arm: "canary" | "stable", value: string) => LabelMatcher[];
};

function armKey(value: ArgoArm): string {
  return typeof value === "string"
    ? value
    : Object.entries(value)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
}

function armMatchers(deps: ArgoLookDeps, slo: Slo, arm: "canary" | "stable", value: ArgoArm): LabelMatcher[] {
  if (typeof value === "string") return deps.buildArmMatchers(slo, arm, value);
  return Object.entries(value).map(([name, v]) => ({ name, op: "=" as const, value: v }));
}

/** The analysis id Argo's measurements share when the template sends none (see derivedId). */
export function argoAnalysisId(slo: Slo, canary: ArgoArm, stable: ArgoArm): string {
  return derivedId("argo", [slo.id, armKey(canary), armKey(stable)]);
}

/** Takes the look of one Argo measurement. */
export function runArgoLook(deps: ArgoLookDeps, req: ArgoLookRequest): Promise<LookResult> {
  const { slo } = req;
  return analyzeLook(deps, {
    slo,
    analysisId: req.analysisId ?? argoAnalysisId(slo, req.canary, req.stable),
    selectors: {
      canary: armMatchers(deps, slo, "canary", req.canary),
      stable: armMatchers(deps, slo, "stable", req.stable),
    },
    controller: "argo",
    at: req.at,
    ...(req.rollout === undefined ? {} : { rollout: req.rollout.slice(0, 200) }),
    ...(req.start === undefined ? {} : { start: req.start }),
    ...(req.expectedLooks === undefined ? {} : { expectedLooks: req.expectedLooks }),
    ...(req.end === undefined ? {} : { end: req.end }),
    ...(req.final === undefined ? {} : { final: req.final }),
  });
}
