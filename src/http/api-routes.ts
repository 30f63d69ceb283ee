/**
 * @module http/api-routes
 * The JSON API behind the links in every verdict: analyses (with their looks and events),
 * baselines (list, read, capture on demand), and the SLOs served with the last load's problems.
 * Translation only: the reads are `app/analysis-queries`.
 */
import { Router } from "express";
import { captureBaseline } from "../app/capture-baseline.ts";
import { closeAnalysis } from "../app/close-analysis.ts";
import {
  getAnalysisDetail,
  getBaseline,
  listAnalyses,
  listBaselines,
  listServedSlos,
} from "../app/analysis-queries.ts";
import { SlogateError } from "../errors.ts";
import type { HttpDeps } from "./http-deps.ts";
import {
  optionalCount,
  optionalText,
  optionalTime,
  requiredId,
  requiredText,
  selectorValue,
} from "./request-fields.ts";

/** Routes of the JSON API. */
export function apiRouter(deps: HttpDeps): Router {
  const router = Router();

  router.get("/api/v1/analyses", async (req, res) => {
    const status = optionalText(req.query.status, "status");
    if (status !== undefined && status !== "open" && status !== "closed") {
      throw new SlogateError("BAD_REQUEST", "status must be open or closed", { hint: "e.g. ?status=open" });
    }
    const slo = optionalText(req.query.slo, "slo");
    const limit = optionalCount(req.query.limit, "limit", 1000) ?? 100;
    res.json({
      analyses: await listAnalyses(deps.gate, {
        ...(status === undefined ? {} : { status }),
        ...(slo === undefined ? {} : { slo }),
        limit,
      }),
    });
  });

  // The id is percent-decoded once, by the router (a malformed encoding is a 400).
  router.get("/api/v1/analyses/:id", async (req, res) => {
    const id = requiredId(req.params.id, "analysis id");
    res.json(await getAnalysisDetail(deps.gate, id));
  });

  router.post("/api/v1/analyses/close", async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const id = requiredId(body.analysis, "analysis");
    const outcome = optionalText(body.outcome, "outcome") ?? "aborted";
    if (!["promoted", "rolled-back", "aborted"].includes(outcome)) {
      throw new SlogateError("BAD_REQUEST", "outcome must be promoted, rolled-back or aborted", {
        hint: 'e.g. {"outcome": "promoted"}',
      });
    }
    const a = await closeAnalysis(
      deps.gate,
      id,
      outcome as "promoted" | "rolled-back" | "aborted",
      deps.now(),
    );
    res.json({ analysis: { ...a, link: deps.gate.link(a.id) } });
  });

  router.get("/api/v1/baselines", async (req, res) => {
    const slo = optionalText(req.query.slo, "slo");
    const limit = optionalCount(req.query.limit, "limit", 1000) ?? 100;
    res.json({ baselines: await listBaselines(deps.gate, { ...(slo === undefined ? {} : { slo }), limit }) });
  });

  router.get("/api/v1/baselines/:id", async (req, res) => {
    res.json({ baseline: await getBaseline(deps.gate, requiredId(req.params.id, "baseline id")) });
  });

  router.post("/api/v1/baselines", async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const slo = deps.gate.catalog.get(requiredText(body.slo, "slo"));
    const stable =
      body.stable === undefined || body.stable === "" ? undefined : selectorValue(body.stable, "stable");
    const at = optionalTime(body.time, "time") ?? deps.now();
    const window =
      optionalCount(body.windowSeconds, "windowSeconds", 30 * 86400) ?? deps.baselineWindowSeconds;
    const r = await captureBaseline(deps.gate, {
      slo,
      selector: stable === undefined ? [] : deps.buildArmMatchers(slo, "stable", stable),
      at,
      windowSeconds: window,
      source: "api",
    });
    res.status(r.captured ? 201 : 200).json(r.captured ? { captured: true, baseline: r.baseline } : r);
  });

  router.get("/api/v1/slos", (_req, res) => {
    res.json(listServedSlos(deps.gate));
  });

  return router;
}
