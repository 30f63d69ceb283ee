/**
 * @module app/argo-look
 * The Argo Rollouts use case: one measurement of an AnalysisRun's `web` metric. Arms come as
 * label values (Argo's pod-template hashes, matched through the SLO's `canary.selection`) or
 * as explicit label maps; the analysis key, when Argo sends none, is derived from the SLO and
 * both arms.
 *
 * Attempts: `phase: "start"` (the Rollout's first step, before any weight) captures a
 * baseline of the stable arm and opens a new attempt of the analysis starting now; looks join
 * the latest attempt (`<key>`, then `<key>:2`, `<key>:3`, …). Argo restarts the steps at 0
 * after an abort, so a retried or re-run rollout starts fresh instead of replaying a closed
 * analysis. Argo cannot pass an AnalysisRun's own name to its metrics (args resolve against
 * the Rollout), hence attempts are counted here.
 *
 * Backend outages: Argo never reads a non-2xx body. With `unavailableAfterSeconds` a backend
 * failure stays an error (503: Argo records Error and retries every 10 s) until this analysis
 * has seen the backend fail for that long, then the outcome is `unavailable` with the reason
 * (answered 200: neither condition holds, Argo records Inconclusive and pauses, the reason in
 * the measurement). Never a pass, never a look.
 */
import { isSlogateError, type SlogateError } from "../errors.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import type { Slo } from "../slo/model.ts";
import { analyzeLook, openAnalysis, type LookResult } from "./analyze-look.ts";
import { captureBaseline } from "./capture-baseline.ts";
import { closeAnalysis } from "./close-analysis.ts";
import type { AnalyzeLookDeps, CaptureBaselineDeps, CloseAnalysisDeps } from "./deps.ts";
import { derivedId } from "./derived-id.ts";
import type { Store } from "./store-port.ts";

/** An arm as Argo sends it: one label value, or a map label → value. */
export type ArgoArm = string | Readonly<Record<string, string>>;

/** One Argo measurement, validated by the caller. Times are Unix seconds. */
export interface ArgoLookRequest {
  readonly slo: Slo;
  readonly canary: ArgoArm;
  readonly stable: ArgoArm;
  /** The analysis key; derived from the SLO and arms when absent. */
  readonly analysisId?: string;
  /** `start` opens a new attempt with a baseline; absent (or `look`) takes a look. */
  readonly phase?: "start" | "look";
  readonly at: number;
  /** Service clock now (for how long the backend has been failing). */
  readonly now: number;
  readonly start?: number;
  /** The metric's `count`: that look is final. */
  readonly expectedLooks?: number;
  readonly end?: number;
  readonly final?: boolean;
  readonly rollout?: string;
  /** Seconds of backend failure after which the answer is `unavailable` instead of an error. */
  readonly unavailableAfterSeconds?: number;
}

/** What one measurement came to. */
export type ArgoLookOutcome =
  | { readonly kind: "look"; readonly result: LookResult }
  | {
      readonly kind: "started";
      readonly analysisId: string;
      readonly attempt: number;
      readonly analysis: LookResult["analysis"];
      readonly baselineId?: string;
      readonly reason: string;
      readonly link: string;
    }
  | {
      readonly kind: "unavailable";
      readonly analysisId: string;
      readonly error: SlogateError;
      readonly failingForSeconds: number;
      readonly status: string;
      readonly link: string;
    };

/** When each analysis' backend started failing (in memory: a restart forgets an outage). */
export class BackendOutages {
  readonly #since = new Map<string, number>();
  /** Records a failure at `now`; returns for how long this analysis has seen failures. */
  failing(analysisId: string, now: number): number {
    const since = this.#since.get(analysisId) ?? now;
    this.#since.set(analysisId, since);
    return now - since;
  }
  /** The backend answered for this analysis. */
  answered(analysisId: string): void {
    this.#since.delete(analysisId);
  }
}

/** What the Argo use case needs. */
export type ArgoLookDeps = AnalyzeLookDeps &
  CaptureBaselineDeps &
  CloseAnalysisDeps & {
    readonly buildArmMatchers: (slo: Slo, arm: "canary" | "stable", value: string) => LabelMatcher[];
    /** Window of the baseline captured at `phase: start`, seconds. */
    readonly baselineWindowSeconds: number;
    readonly outages: BackendOutages;
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

/** The analysis key Argo's measurements share when the template sends none (see derivedId). */
export function argoAnalysisId(slo: Slo, canary: ArgoArm, stable: ArgoArm): string {
  return derivedId("argo", [slo.id, armKey(canary), armKey(stable)]);
}

/** The latest attempt of an analysis key: `key`, `key:2`, `key:3`, … (the last one stored). */
export async function latestAttempt(
  store: Store,
  key: string,
): Promise<{ id: string; n: number } | undefined> {
  if ((await store.getAnalysis(key)) === undefined) return undefined;
  let n = 1;
  while (n < 1000 && (await store.getAnalysis(`${key}:${n + 1}`)) !== undefined) n++;
  return { id: n === 1 ? key : `${key}:${n}`, n };
}

/** A failure of the metrics backend (not of the SLO or the request). */
export function isBackendError(e: unknown): e is SlogateError {
  return isSlogateError(e) && (e.code.startsWith("PROMETHEUS_") || e.code === "LOOK_DEADLINE_EXCEEDED");
}

/** Runs one Argo measurement. */
export async function runArgoLook(deps: ArgoLookDeps, req: ArgoLookRequest): Promise<ArgoLookOutcome> {
  const { slo, at } = req;
  const key = req.analysisId ?? argoAnalysisId(slo, req.canary, req.stable);
  const selectors = {
    canary: armMatchers(deps, slo, "canary", req.canary),
    stable: armMatchers(deps, slo, "stable", req.stable),
  };
  const rollout = req.rollout?.slice(0, 200);
  const latest = await latestAttempt(deps.store, key);

  if (req.phase === "start") {
    // A start whose attempt has no look yet is a retry of the same start: reuse it.
    const last = latest === undefined ? undefined : await deps.store.getAnalysis(latest.id);
    const reuse = last !== undefined && last.status === "open" && last.looks === 0;
    const attempt = latest === undefined ? 1 : reuse ? latest.n : latest.n + 1;
    const id = attempt === 1 ? key : `${key}:${attempt}`;
    // The rollout started over (a retry after an abort): the previous attempt is over.
    if (last !== undefined && !reuse && last.status === "open") {
      await closeAnalysis(deps, last.id, "aborted", at);
    }
    const captured = await captureBaseline(deps, {
      slo,
      selector: selectors.stable,
      at,
      windowSeconds: deps.baselineWindowSeconds,
      source: "api",
      analysisId: id,
    });
    const opened = await openAnalysis(deps, {
      slo,
      analysisId: id,
      selectors,
      controller: "argo",
      at,
      start: at,
      ...(rollout === undefined ? {} : { rollout }),
    });
    // Pin exactly this capture (another baseline of the SLO may share its time).
    const analysis =
      captured.captured && opened.looks === 0 && opened.baselineId !== captured.baseline.id
        ? await deps.store.setAnalysisBaseline(id, captured.baseline.id, deps.wallClock())
        : opened;
    return {
      kind: "started",
      analysisId: id,
      attempt,
      analysis,
      ...(captured.captured ? { baselineId: captured.baseline.id } : {}),
      reason: captured.captured
        ? `analysis opened at ${new Date(at * 1000).toISOString()} with a baseline of the stable arm`
        : `analysis opened without a baseline: ${captured.reason}`,
      link: deps.link(id),
    };
  }

  const id = latest?.id ?? key;
  try {
    const result = await analyzeLook(deps, {
      slo,
      analysisId: id,
      selectors,
      controller: "argo",
      at,
      ...(rollout === undefined ? {} : { rollout }),
      ...(req.start === undefined ? {} : { start: req.start }),
      ...(req.expectedLooks === undefined ? {} : { expectedLooks: req.expectedLooks }),
      ...(req.end === undefined ? {} : { end: req.end }),
      ...(req.final === undefined ? {} : { final: req.final }),
    });
    deps.outages.answered(id);
    return { kind: "look", result };
  } catch (e) {
    if (req.unavailableAfterSeconds === undefined || !isBackendError(e)) throw e;
    const failingFor = deps.outages.failing(id, req.now);
    if (failingFor < req.unavailableAfterSeconds) throw e;
    return {
      kind: "unavailable",
      analysisId: id,
      error: e,
      failingForSeconds: failingFor,
      status: (await deps.store.getAnalysis(id))?.status ?? "open",
      link: deps.link(id),
    };
  }
}
