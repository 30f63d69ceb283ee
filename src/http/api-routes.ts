/**
 * @module http/api-routes
 * The JSON API behind the links in every verdict: analyses (with their looks and events),
 * baselines (list, read, capture on demand), and the SLOs served with the last load's problems.
 */
import { Router } from "express";
import { captureBaseline } from "../app/capture-baseline.ts";
import { closeAnalysis } from "../app/close-analysis.ts";
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

function notFound(what: string, id: string): SlogateError {
  return new SlogateError("NOT_FOUND", `${what} ${JSON.stringify(id.slice(0, 200))} not found`, {
    hint: `list them with GET /api/v1/${what === "analysis" ? "analyses" : "baselines"}`,
  });
}

/** Routes of the JSON API. */
export function apiRouter(deps: HttpDeps): Router {
  const router = Router();
  const { store, catalog } = deps.gate;

  router.get("/api/v1/analyses", (req, res) => {
    const status = optionalText(req.query.status, "status");
    if (status !== undefined && status !== "open" && status !== "closed") {
      throw new SlogateError("BAD_REQUEST", "status must be open or closed", { hint: "e.g. ?status=open" });
    }
    const slo = optionalText(req.query.slo, "slo");
    const limit = optionalCount(req.query.limit, "limit", 1000) ?? 100;
    const analyses = store.listAnalyses({
      ...(status === undefined ? {} : { status }),
      ...(slo === undefined ? {} : { sloId: catalog.get(slo).id }),
      limit,
    });
    res.json({
      analyses: analyses.map((a) => ({ ...a, judgeState: undefined, link: deps.gate.link(a.id) })),
    });
  });

  // The id is percent-decoded once, by the router (a malformed encoding is a 400).
  router.get("/api/v1/analyses/:id", (req, res) => {
    const id = requiredId(req.params.id, "analysis id");
    const a = store.getAnalysis(id);
    if (a === undefined) throw notFound("analysis", id);
    const baseline = a.baselineId === undefined ? undefined : store.getBaseline(a.baselineId);
    res.json({
      analysis: { ...a, link: deps.gate.link(a.id) },
      looks: store.listLooks(id),
      baseline: baseline ?? null,
      events: store.listEvents({ analysisId: id, limit: 200 }),
    });
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

  router.get("/api/v1/baselines", (req, res) => {
    const slo = optionalText(req.query.slo, "slo");
    const limit = optionalCount(req.query.limit, "limit", 1000) ?? 100;
    res.json({
      baselines: store.listBaselines({ ...(slo === undefined ? {} : { sloId: catalog.get(slo).id }), limit }),
    });
  });

  router.get("/api/v1/baselines/:id", (req, res) => {
    const id = requiredId(req.params.id, "baseline id");
    const b = store.getBaseline(id);
    if (b === undefined) throw notFound("baseline", id);
    res.json({ baseline: b });
  });

  router.post("/api/v1/baselines", async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const slo = catalog.get(requiredText(body.slo, "slo"));
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
    res.json({
      status: catalog.status(),
      slos: catalog.list().map((s) => ({
        id: s.id,
        service: s.service,
        name: s.name,
        kind: s.kind,
        objectivePercent: s.objectivePercent,
        judge: s.canary.judge,
        source: s.source,
      })),
    });
  });

  return router;
}
