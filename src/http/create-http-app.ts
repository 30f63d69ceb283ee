/**
 * @module http/create-http-app
 * The express app: JSON body limits, optional bearer auth on `/api`, the Argo and Flagger
 * endpoints, Prometheus' query API (`/api/v1/query`), the Kayenta API (`/kayenta`), the JSON API, the analysis pages (`/analyses`, `/slos`), `/healthz`, `/readyz`, `/metrics`, and one error handler.
 */
import express, { type Express } from "express";
import { SlogateError } from "../errors.ts";
import { apiRouter } from "./api-routes.ts";
import { argoVerdictRouter } from "./argo-verdict-route.ts";
import { bearerAuth } from "./bearer-auth.ts";
import { createErrorHandler, errorBody, notFoundHandler } from "./error-handler.ts";
import { flaggerWebhookRouter } from "./flagger-webhook-route.ts";
import type { HttpDeps } from "./http-deps.ts";
import { pagesRouter } from "./pages/pages-router.ts";
import { baseApp } from "./base-app.ts";
import { kayentaRouter } from "./kayenta-routes.ts";
import { promQueryRouter } from "./prom-query-route.ts";

/** Builds the app; the caller listens (port 0 in tests). */
export function createHttpApp(deps: HttpDeps): Express {
  const app = baseApp();

  app.get("/readyz", async (_req, res) => {
    const r = await deps.readiness();
    res.status(r.ready ? 200 : 503).json({
      status: r.ready ? "ready" : "not ready",
      checks: r.checks,
      slos: r.slos,
      ...(r.backends === undefined ? {} : { backends: r.backends }),
    });
  });

  app.get("/metrics", bearerAuth(deps.metricsTokens ?? [], "auth.metricsTokens"), async (_req, res) => {
    if (deps.metricsExposition === undefined) {
      res.status(404).json(errorBody(new SlogateError("NOT_FOUND", "metrics are disabled", { hint: "" })));
      return;
    }
    const m = await deps.metricsExposition();
    res.type(m.contentType).send(m.body);
  });

  if (deps.pages !== undefined) app.use(pagesRouter(deps, deps.pages));
  // Prometheus' query API (Flagger's `prometheus` provider): its own auth (Bearer or basic)
  // and Prometheus-shaped errors; POST bodies are forms, so before the JSON parser.
  app.use(promQueryRouter(deps));
  // Parse first: Flagger cannot send headers, so its webhooks may carry the token in metadata.
  app.use(express.json({ limit: deps.bodyLimitBytes, type: () => true, strict: true }));
  app.use("/api", bearerAuth(deps.tokens));
  app.use(argoVerdictRouter(deps));
  app.use(flaggerWebhookRouter(deps));
  // Argo's kayenta provider sends no credentials: the API has its own access model.
  if (deps.kayenta !== undefined) app.use(kayentaRouter(deps, deps.kayenta));
  app.use(apiRouter(deps));
  app.use(notFoundHandler);
  app.use(createErrorHandler(deps.gate.logger));
  return app;
}
