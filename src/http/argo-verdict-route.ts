/**
 * @module http/argo-verdict-route
 * The verdict endpoint for Argo Rollouts' `web` metric provider, `POST /api/v1/verdict`
 * (JSON body) and `GET /api/v1/verdict` (query parameters). Translation only: parse and
 * validate the fields, run the use case (`app/argo-look`), answer JSON with `verdict` at the top.
 *
 * Fields: `slo` (id or unique name), `canary`, `stable` (label values such as Argo's
 * pod-template hashes, or maps label → value in JSON), optional `analysis` (id; derived from
 * SLO + canary + stable when absent), `time` and `start` (Unix seconds or RFC 3339),
 * `count` (Argo's metric `count`: that look is final), `end` (time), `final`, `rollout`.
 */
import { Router } from "express";
import { BackendOutages, runArgoLook, type ArgoLookOutcome } from "../app/argo-look.ts";
import { SlogateError } from "../errors.ts";
import type { HttpDeps } from "./http-deps.ts";
import { verdictBody } from "../app/verdict-body.ts";
import {
  analysisId,
  armValue,
  optionalCount,
  optionalFlag,
  optionalText,
  optionalTime,
  requiredText,
} from "./request-fields.ts";

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

function phaseOf(value: unknown): "start" | "look" | undefined {
  const phase = optionalText(value, "phase");
  if (phase !== undefined && phase !== "start" && phase !== "look") {
    throw new SlogateError("BAD_REQUEST", "phase: must be start or look", {
      hint: "send phase: start from the Rollout's first step (before setWeight), no phase for looks",
    });
  }
  return phase;
}

/** The JSON body of one outcome; every outcome is a 200 Argo's conditions read. */
function bodyOf(o: ArgoLookOutcome, slo: string): Record<string, unknown> {
  if (o.kind === "look") return verdictBody(o.result);
  if (o.kind === "started") {
    return {
      verdict: "started",
      slo,
      analysis: { id: o.analysis.id, attempt: o.attempt, status: o.analysis.status, start: o.analysis.start },
      baseline: o.baselineId === undefined ? null : { id: o.baselineId },
      reason: o.reason,
      link: o.link,
    };
  }
  return {
    verdict: "unavailable",
    slo,
    reason: `the metrics backend has failed for ${Math.round(o.failingForSeconds)}s (${o.error.message}); no look was taken. Argo records this as Inconclusive and pauses the rollout: resume it once the backend answers (${o.error.hint})`,
    error: o.error.toJSON(),
    analysis: { id: o.analysisId, status: o.status },
    link: o.link,
  };
}

/** Routes of the Argo verdict endpoint. */
export function argoVerdictRouter(deps: HttpDeps): Router {
  const router = Router();
  const outages = new BackendOutages();
  const handle = async (fields: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const slo = deps.gate.catalog.get(requiredText(fields.slo, "slo"));
    const canary = armValue(fields.canary, "canary");
    const stable = armValue(fields.stable, "stable");
    const now = deps.now();
    const at = optionalTime(fields.time, "time") ?? now;
    const phase = phaseOf(fields.phase);
    const unavailableAfter = optionalSeconds(fields.unavailableAfter, "unavailableAfter");
    const analysis = analysisId(fields.analysis, "analysis");
    const start = optionalTime(fields.start, "start");
    const expectedLooks = optionalCount(fields.count ?? fields.looks, "count");
    const end = optionalTime(fields.end, "end");
    const final = optionalFlag(fields.final, "final");
    const rollout = optionalText(fields.rollout, "rollout");
    const outcome = await runArgoLook(
      {
        ...deps.gate,
        buildArmMatchers: deps.buildArmMatchers,
        baselineWindowSeconds: deps.baselineWindowSeconds,
        outages,
      },
      {
        slo,
        canary,
        stable,
        at,
        now,
        ...(phase === undefined ? {} : { phase }),
        ...(unavailableAfter === undefined ? {} : { unavailableAfterSeconds: unavailableAfter }),
        ...(analysis === undefined ? {} : { analysisId: analysis }),
        ...(rollout === undefined ? {} : { rollout }),
        ...(start === undefined ? {} : { start }),
        ...(expectedLooks === undefined ? {} : { expectedLooks }),
        ...(end === undefined ? {} : { end }),
        ...(final === undefined ? {} : { final }),
      },
    );
    return bodyOf(outcome, slo.id);
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
