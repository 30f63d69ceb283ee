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
import { runArgoLook } from "../app/argo-look.ts";
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

/** Routes of the Argo verdict endpoint. */
export function argoVerdictRouter(deps: HttpDeps): Router {
  const router = Router();
  const handle = async (fields: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const slo = deps.gate.catalog.get(requiredText(fields.slo, "slo"));
    const canary = armValue(fields.canary, "canary");
    const stable = armValue(fields.stable, "stable");
    const at = optionalTime(fields.time, "time") ?? deps.now();
    const analysis = analysisId(fields.analysis, "analysis");
    const start = optionalTime(fields.start, "start");
    const expectedLooks = optionalCount(fields.count ?? fields.looks, "count");
    const end = optionalTime(fields.end, "end");
    const final = optionalFlag(fields.final, "final");
    const rollout = optionalText(fields.rollout, "rollout");
    const result = await runArgoLook(
      { ...deps.gate, buildArmMatchers: deps.buildArmMatchers },
      {
        slo,
        canary,
        stable,
        at,
        ...(analysis === undefined ? {} : { analysisId: analysis }),
        ...(rollout === undefined ? {} : { rollout }),
        ...(start === undefined ? {} : { start }),
        ...(expectedLooks === undefined ? {} : { expectedLooks }),
        ...(end === undefined ? {} : { end }),
        ...(final === undefined ? {} : { final }),
      },
    );
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
