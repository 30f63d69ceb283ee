/**
 * @module http/argo-verdict-route
 * The verdict endpoint for Argo Rollouts' `web` metric provider, `POST /api/v1/verdict`
 * (JSON body) and `GET /api/v1/verdict` (query parameters). Translation only: parse and
 * validate the fields, run one look, answer JSON with `verdict` at the top.
 *
 * Fields: `slo` (id or unique name), `canary`, `stable` (label values such as Argo's
 * pod-template hashes, or maps label → value in JSON), optional `analysis` (id; derived from
 * SLO + canary + stable when absent), `time` and `start` (Unix seconds or RFC 3339),
 * `count` (Argo's metric `count`: that look is final), `end` (time), `final`, `rollout`.
 *
 * Attempts: `phase: "start"` (the Rollout's first step, before any weight) captures a
 * baseline of the stable arm and opens a new attempt of the analysis starting now; looks
 * join the latest attempt (`<id>`, then `<id>:2`, `<id>:3`, …). Argo restarts the steps at 0
 * after an abort, so a retried or re-run rollout starts fresh instead of replaying a closed
 * analysis. Argo cannot pass an AnalysisRun's own name to its metrics (args resolve against
 * the Rollout), hence attempts are counted here.
 *
 * Backend outages: Argo never reads a non-2xx body. With `unavailableAfter` (seconds, or a
 * duration like `40s`) a Prometheus failure is 503 (Argo: Error, retried every 10 s) until the
 * analysis has seen the backend fail for that long, then 200 with `verdict: "unavailable"`
 * and the reason (Argo: neither condition holds → Inconclusive → the rollout pauses, the
 * reason in the measurement). Never a pass, never a look.
 */
import { Router } from "express";
import { analyzeLook, openAnalysis } from "../app/analyze-look.ts";
import { captureBaseline } from "../app/capture-baseline.ts";
import { closeAnalysis } from "../app/close-analysis.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import { isSlogateError, SlogateError } from "../errors.ts";
import type { Slo } from "../slo/model.ts";
import type { Store } from "../store/types.ts";
import type { HttpDeps } from "./http-deps.ts";
import { verdictBody } from "./verdict-body.ts";
import {
  analysisId,
  armValue,
  optionalCount,
  optionalFlag,
  optionalText,
  optionalTime,
  requiredText,
} from "./request-fields.ts";

function matchersOf(
  deps: HttpDeps,
  slo: Slo,
  arm: "canary" | "stable",
  value: string | Readonly<Record<string, string>>,
): LabelMatcher[] {
  if (typeof value === "string") return deps.buildArmMatchers(slo, arm, value);
  return Object.entries(value).map(([name, v]) => ({ name, op: "=" as const, value: v }));
}

function keyOf(value: string | Readonly<Record<string, string>>): string {
  return typeof value === "string"
    ? value
    : Object.entries(value)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
}

/** The attempts of an analysis key: `key`, `key:2`, `key:3`, … (the last one existing). */
function latestAttempt(store: Store, key: string): { id: string; n: number } | undefined {
  if (store.getAnalysis(key) === undefined) return undefined;
  let n = 1;
  while (n < 1000 && store.getAnalysis(`${key}:${n + 1}`) !== undefined) n++;
  return { id: n === 1 ? key : `${key}:${n}`, n };
}

/** Seconds from a number or a duration such as `40s`, `2m`; undefined when absent. */
function optionalSeconds(value: unknown, field: string): number | undefined {
  const v = optionalText(value, field);
  if (v === undefined) return undefined;
  const m = /^([0-9]+)(s|m)?$/.exec(v);
  if (m === null) {
    throw new SlogateError("BAD_REQUEST", `${field}: must be seconds or a duration like 40s or 2m`, {
      hint: `e.g. ${field}: 40s (keep it below consecutiveErrorLimit × 10 s)`,
      details: { field },
    });
  }
  return Number(m[1]) * (m[2] === "m" ? 60 : 1);
}

function isBackendError(e: unknown): e is SlogateError {
  return isSlogateError(e) && e.code.startsWith("PROMETHEUS_");
}

/** Routes of the Argo verdict endpoint. */
export function argoVerdictRouter(deps: HttpDeps): Router {
  const router = Router();
  /** Per analysis: when the backend started failing (service clock), while it fails. */
  const failingSince = new Map<string, number>();
  const handle = async (fields: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const slo = deps.gate.catalog.get(requiredText(fields.slo, "slo"));
    const canary = armValue(fields.canary, "canary");
    const stable = armValue(fields.stable, "stable");
    const now = deps.now();
    const at = optionalTime(fields.time, "time") ?? now;
    const key = analysisId(fields.analysis, "analysis") ?? `argo:${slo.id}:${keyOf(canary)}:${keyOf(stable)}`;
    const phase = optionalText(fields.phase, "phase");
    if (phase !== undefined && phase !== "start" && phase !== "look") {
      throw new SlogateError("BAD_REQUEST", "phase: must be start or look", {
        hint: "send phase: start from the Rollout's first step (before setWeight), no phase for looks",
      });
    }
    const unavailableAfter = optionalSeconds(fields.unavailableAfter, "unavailableAfter");
    const rolloutName = optionalText(fields.rollout, "rollout");
    const selectors = {
      canary: matchersOf(deps, slo, "canary", canary),
      stable: matchersOf(deps, slo, "stable", stable),
    };
    const latest = latestAttempt(deps.gate.store, key);
    if (phase === "start") {
      // A start whose attempt has no look yet is a retry of the same start: reuse it.
      const last = latest === undefined ? undefined : deps.gate.store.getAnalysis(latest.id);
      const reuse = last !== undefined && last.status === "open" && last.looks === 0;
      const attempt = latest === undefined ? 1 : reuse ? latest.n : latest.n + 1;
      const id = attempt === 1 ? key : `${key}:${attempt}`;
      // The rollout started over (a retry after an abort): the previous attempt is over.
      if (last !== undefined && !reuse && last.status === "open") {
        await closeAnalysis(deps.gate, last.id, "aborted", at);
      }
      const captured = await captureBaseline(deps.gate, {
        slo,
        selector: selectors.stable,
        at,
        windowSeconds: deps.baselineWindowSeconds,
        source: "api",
        analysisId: id,
      });
      const opened = await openAnalysis(deps.gate, {
        slo,
        analysisId: id,
        selectors,
        controller: "argo",
        at,
        start: at,
        ...(rolloutName === undefined ? {} : { rollout: rolloutName.slice(0, 200) }),
      });
      // Pin exactly this capture (another baseline of the SLO may share its time).
      const a =
        captured.captured && opened.looks === 0 && opened.baselineId !== captured.baseline.id
          ? deps.gate.store.setAnalysisBaseline(id, captured.baseline.id, deps.gate.wallClock())
          : opened;
      return {
        verdict: "started",
        slo: slo.id,
        analysis: { id: a.id, attempt, status: a.status, start: a.start },
        baseline: captured.captured ? { id: captured.baseline.id } : null,
        reason: captured.captured
          ? `analysis opened at ${new Date(at * 1000).toISOString()} with a baseline of the stable arm`
          : `analysis opened without a baseline: ${captured.reason}`,
        link: deps.gate.link(a.id),
      };
    }
    const id = latest?.id ?? key;
    const start = optionalTime(fields.start, "start");
    const expectedLooks = optionalCount(fields.count ?? fields.looks, "count");
    const end = optionalTime(fields.end, "end");
    const final = optionalFlag(fields.final, "final");
    const rollout = rolloutName;
    let result;
    try {
      result = await analyzeLook(deps.gate, {
        slo,
        analysisId: id,
        selectors,
        controller: "argo",
        at,
        ...(rollout === undefined ? {} : { rollout: rollout.slice(0, 200) }),
        ...(start === undefined ? {} : { start }),
        ...(expectedLooks === undefined ? {} : { expectedLooks }),
        ...(end === undefined ? {} : { end }),
        ...(final === undefined ? {} : { final }),
      });
    } catch (e) {
      if (unavailableAfter === undefined || !isBackendError(e)) throw e;
      const since = failingSince.get(id) ?? now;
      failingSince.set(id, since);
      if (now - since < unavailableAfter) throw e;
      return {
        verdict: "unavailable",
        slo: slo.id,
        reason: `the metrics backend has failed for ${Math.round(now - since)}s (${e.message}); no look was taken. Argo records this as Inconclusive and pauses the rollout: resume it once the backend answers (${e.hint})`,
        error: e.toJSON(),
        analysis: { id, status: deps.gate.store.getAnalysis(id)?.status ?? "open" },
        link: deps.gate.link(id),
      };
    }
    failingSince.delete(id);
    return verdictBody(result);
  };
  router.post("/api/v1/verdict", async (req, res) => {
    const body: unknown = req.body;
    const fields =
      body !== null && typeof body === "object" && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : {};
    res.status(200).json(await handle(fields));
  });
  router.get("/api/v1/verdict", async (req, res) => {
    res.status(200).json(await handle(req.query));
  });
  return router;
}
