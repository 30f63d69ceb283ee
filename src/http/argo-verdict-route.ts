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
 */
import { Router } from "express";
import { analyzeLook } from "../app/analyze-look.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import type { Slo } from "../slo/model.ts";
import type { HttpDeps } from "./http-deps.ts";
import { verdictBody } from "./verdict-body.ts";
import {
  analysisId,
  armValue,
  derivedId,
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

/** Routes of the Argo verdict endpoint. */
export function argoVerdictRouter(deps: HttpDeps): Router {
  const router = Router();
  const handle = async (fields: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const slo = deps.gate.catalog.get(requiredText(fields.slo, "slo"));
    const canary = armValue(fields.canary, "canary");
    const stable = armValue(fields.stable, "stable");
    const now = deps.now();
    const at = optionalTime(fields.time, "time") ?? now;
    const id =
      analysisId(fields.analysis, "analysis") ?? derivedId("argo", [slo.id, keyOf(canary), keyOf(stable)]);
    const start = optionalTime(fields.start, "start");
    const expectedLooks = optionalCount(fields.count ?? fields.looks, "count");
    const end = optionalTime(fields.end, "end");
    const final = optionalFlag(fields.final, "final");
    const rollout = optionalText(fields.rollout, "rollout");
    const result = await analyzeLook(deps.gate, {
      slo,
      analysisId: id,
      selectors: {
        canary: matchersOf(deps, slo, "canary", canary),
        stable: matchersOf(deps, slo, "stable", stable),
      },
      controller: "argo",
      at,
      ...(rollout === undefined ? {} : { rollout: rollout.slice(0, 200) }),
      ...(start === undefined ? {} : { start }),
      ...(expectedLooks === undefined ? {} : { expectedLooks }),
      ...(end === undefined ? {} : { end }),
      ...(final === undefined ? {} : { final }),
    });
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
