/**
 * @module app/flagger-hooks
 * The Flagger use case: what each webhook type of a Flagger canary does, over one or more
 * SLOs, and whether Flagger may go on. The HTTP route only parses Flagger's body and turns
 * `proceed` into a status (Flagger passes on 200–202 only).
 *
 * Per type: `confirm-rollout` is a readiness gate (Prometheus answers; it pins nothing, as
 * Flagger computes its checksum before it records the new revision, so no later hook shares
 * it); `pre-rollout` captures a baseline of the primary and opens the analysis with exactly
 * that baseline; `rollout` and `confirm-traffic-increase` are non-final looks (stop on `fail`
 * or `nodata`); `confirm-promotion` is the final look (proceed only on `pass`). Look hooks take
 * a look only when one is due by time (`lookIntervalSeconds` since the previous look: Flagger
 * calls several hooks per iteration and repeats `confirm-promotion` while it waits); sooner
 * ones answer the stored look, a final hook upgrading a non-final one at its time. `rollback` is
 * inverted (proceed — roll back — only when the analysis' last verdict is `fail`) and reads the
 * stored state without a look, since Flagger polls it every iteration right before the
 * `rollout` hook; `post-rollout` closes the analysis; `event` is recorded.
 */
import { SlogateError } from "../errors.ts";
import type { Verdict } from "../domain/verdict.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import type { Slo } from "../slo/model.ts";
import type { AnalysisOutcome } from "./store-port.ts";
import { analyzeLook, openAnalysis, type LookResult } from "./analyze-look.ts";
import { captureBaseline } from "./capture-baseline.ts";
import { closeAnalysis } from "./close-analysis.ts";
import { derivedId } from "./derived-id.ts";
import { settleAll } from "./settle-all.ts";
import type { AnalyzeLookDeps, CaptureBaselineDeps, CloseAnalysisDeps, GateDeps } from "./deps.ts";

export const FLAGGER_WEBHOOK_TYPES = [
  "confirm-rollout",
  "pre-rollout",
  "rollout",
  "confirm-traffic-increase",
  "confirm-promotion",
  "post-rollout",
  "rollback",
  "event",
] as const;
export type FlaggerWebhookType = (typeof FLAGGER_WEBHOOK_TYPES)[number];

/** Flagger's webhook body, validated. */
export interface FlaggerPayload {
  readonly name: string;
  readonly namespace: string;
  readonly phase: string;
  readonly checksum: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** One webhook call: its type, body, the SLOs it names, the canary target and the look time. */
export interface FlaggerHook {
  readonly type: FlaggerWebhookType;
  readonly payload: FlaggerPayload;
  /** The SLOs named in `metadata.slo` (resolved by the caller); empty only for `event`. */
  readonly slos: readonly Slo[];
  /** The canary workload (`<name>` or `metadata.target`); the primary is `<target>-primary`. */
  readonly target: string;
  /** Unix seconds. */
  readonly at: number;
}

/** What the hook did, and whether Flagger should go on (or, for `rollback`, roll back). */
export interface FlaggerHookResult {
  readonly proceed: boolean;
  readonly body: Readonly<Record<string, unknown>>;
  /** What a refusal says in one line (for the non-2xx body Flagger turns into an event). */
  readonly summary?: { readonly verdict: string; readonly message: string; readonly link: string };
  /** For look hooks: each SLO's look (rendered by the caller). */
  readonly looks?: readonly LookResult[];
}

/** What the Flagger use case needs. */
export type FlaggerHookDeps = AnalyzeLookDeps &
  CaptureBaselineDeps &
  CloseAnalysisDeps &
  Pick<GateDeps, "link" | "probePrometheus"> & {
    /** The matchers of an arm for a controller-supplied value (the SLO's `canary.selection`). */
    readonly buildArmMatchers: (slo: Slo, arm: "canary" | "stable", value: string) => LabelMatcher[];
    /** Window of baselines captured at `confirm-rollout` / `pre-rollout`, seconds. */
    readonly baselineWindowSeconds: number;
    /**
     * Look hooks take a look only when the analysis' previous look is at least this old
     * (seconds; 0: on every hook); sooner ones answer the stored look.
     */
    readonly lookIntervalSeconds: number;
  };

/** `flagger:<namespace>:<name>:<slo>:<checksum>`: one SLO of one Flagger canary revision (see derivedId). */
export function flaggerAnalysisId(p: FlaggerPayload, slo: Slo): string {
  return derivedId("flagger", [p.namespace, p.name, slo.id, p.checksum || "-"]);
}

/** Checks that every SLO selects its arms as Flagger names workloads. */
export function assertFlaggerSlos(slos: readonly Slo[]): void {
  for (const slo of slos) {
    if (slo.canary.selection.mode !== "flagger") {
      throw new SlogateError(
        "SLO_UNSUPPORTED",
        `SLO ${slo.id} selects its arms by the label ${slo.canary.selection.label} (Argo Rollouts' pod-template hash), not by Flagger's workloads`,
        {
          hint: "set canary.selection: {mode: flagger} in the SLO file (label pod, or a workload label such as deployment)",
          details: { slo: slo.id },
        },
      );
    }
  }
}

function outcomeOfPhase(phase: string): AnalysisOutcome {
  return phase === "Succeeded" ? "promoted" : phase === "Failed" ? "rolled-back" : "aborted";
}

/**
 * The verdict over several SLOs: any fail fails; else any nodata is nodata (a canary not seen
 * is never walked up); all pass passes; else inconclusive.
 */
export function combineVerdicts(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes("fail")) return "fail";
  if (verdicts.includes("nodata")) return "nodata";
  return verdicts.every((v) => v === "pass") ? "pass" : "inconclusive";
}

/**
 * Whether Flagger may go on after a look hook: `rollback` (inverted) only on fail; the final
 * `confirm-promotion` only on pass; `rollout` and `confirm-traffic-increase` unless the canary
 * failed or was not seen at all (nodata counts a failed check, so a canary whose selector
 * matches nothing is rolled back after `analysis.threshold` iterations, never promoted).
 */
export function flaggerProceeds(type: FlaggerWebhookType, overall: Verdict): boolean {
  if (type === "rollback") return overall === "fail";
  if (type === "confirm-promotion") return overall === "pass";
  return overall !== "fail" && overall !== "nodata";
}

/** Runs one Flagger webhook. */
export async function runFlaggerHook(deps: FlaggerHookDeps, hook: FlaggerHook): Promise<FlaggerHookResult> {
  const { type, payload: p, at } = hook;
  const rollout = `${p.namespace}/${p.name}`;

  if (type === "event") {
    const first = hook.slos[0];
    const ev = await deps.store.appendEvent({
      at,
      kind: `flagger:${p.metadata.eventType ?? "event"}`,
      ...(first === undefined ? {} : { analysisId: flaggerAnalysisId(p, first) }),
      payload: { rollout, phase: p.phase, checksum: p.checksum, metadata: p.metadata },
    });
    return { proceed: true, body: { recorded: true, event: ev.id } };
  }

  const selectorsOf = (slo: Slo) => ({
    canary: deps.buildArmMatchers(slo, "canary", hook.target),
    stable: deps.buildArmMatchers(slo, "stable", hook.target),
  });

  if (type === "confirm-rollout") {
    // Holds the rollout (an error, answered non-2xx) while the SLOs cannot be judged.
    await deps.probePrometheus?.(undefined, hook.slos);
    return {
      proceed: true,
      body: {
        type,
        rollout,
        slos: hook.slos.map((s) => s.id),
        message: "ready: the baseline of the primary is captured at pre-rollout",
      },
    };
  }

  if (type === "pre-rollout") {
    const results = await settleAll(
      hook.slos.map(async (slo) => {
        const id = flaggerAnalysisId(p, slo);
        const already = (await deps.store.listBaselines({ sloId: slo.id, analysisId: id, limit: 1 }))[0];
        const captured =
          already !== undefined
            ? { captured: true as const, baseline: already }
            : await captureBaseline(deps, {
                slo,
                selector: selectorsOf(slo).stable,
                at,
                windowSeconds: deps.baselineWindowSeconds,
                source: "flagger",
                analysisId: id,
              });
        const opened = await openAnalysis(deps, {
          slo,
          analysisId: id,
          selectors: selectorsOf(slo),
          controller: "flagger",
          rollout,
          at,
          start: at,
        });
        // Pin exactly this capture (another baseline of the SLO may share its time).
        if (captured.captured && opened.looks === 0 && opened.baselineId !== captured.baseline.id) {
          await deps.store.setAnalysisBaseline(id, captured.baseline.id, deps.wallClock());
        }
        return {
          slo: slo.id,
          analysis: id,
          link: deps.link(id),
          ...(captured.captured
            ? { baseline: captured.baseline.id }
            : { baseline: null, reason: captured.reason }),
        };
      }),
    );
    // A primary without series (a brand-new service) must not block the rollout: the
    // canary-vs-SLO and canary-vs-primary checks still gate it.
    return { proceed: true, body: { type, rollout, baselines: results } };
  }

  if (type === "rollback") {
    const states = await settleAll(
      hook.slos.map(async (slo) => {
        const id = flaggerAnalysisId(p, slo);
        const a = await deps.store.getAnalysis(id);
        return {
          slo: slo.id,
          id,
          verdict: a?.lastVerdict ?? "none",
          looks: a?.looks ?? 0,
          link: deps.link(id),
        };
      }),
    );
    const failed = states.filter((x) => x.verdict === "fail");
    const message =
      failed.length > 0
        ? failed.map((x) => `${x.slo}: failed at look ${x.looks} — roll back (${x.link})`).join("; ")
        : `no rollback: ${states
            .map(
              (x) =>
                `${x.slo} ${x.verdict === "none" ? "has no look yet" : `last verdict ${x.verdict} after ${x.looks} looks`}`,
            )
            .join("; ")}`;
    const verdict = failed.length > 0 ? "fail" : "no-rollback";
    return {
      proceed: failed.length > 0,
      body: { type, rollout, verdict, message, analyses: states },
      summary: { verdict, message, link: states[0]?.link ?? "" },
    };
  }

  if (type === "post-rollout") {
    const closed = [];
    for (const slo of hook.slos) {
      const id = flaggerAnalysisId(p, slo);
      if ((await deps.store.getAnalysis(id)) === undefined) continue;
      const a = await closeAnalysis(deps, id, outcomeOfPhase(p.phase), at);
      closed.push({ id: a.id, outcome: a.outcome, link: deps.link(a.id) });
    }
    return { proceed: true, body: { type, rollout, closed } };
  }

  const final = type === "confirm-promotion";
  const looks: LookResult[] = await settleAll(
    hook.slos.map((slo) =>
      analyzeLook(deps, {
        slo,
        analysisId: flaggerAnalysisId(p, slo),
        selectors: selectorsOf(slo),
        controller: "flagger",
        rollout,
        at,
        final,
        ...(deps.lookIntervalSeconds > 0 ? { minIntervalSeconds: deps.lookIntervalSeconds } : {}),
      }),
    ),
  );
  const overall = combineVerdicts(looks.map((l) => l.look.verdict.verdict));
  const message = looks
    .filter((l) => l.look.verdict.verdict !== "pass")
    .map((l) => `${l.analysis.sloId}: ${l.look.verdict.verdict} — ${l.look.verdict.reason} (${l.link})`)
    .join("; ");
  const summary = {
    verdict: overall,
    message: message || "all SLOs pass",
    link: looks.find((l) => l.look.verdict.verdict !== "pass")?.link ?? looks[0]?.link ?? "",
  };
  return {
    proceed: flaggerProceeds(type, overall),
    looks,
    body: { type, rollout, ...summary },
    summary,
  };
}
