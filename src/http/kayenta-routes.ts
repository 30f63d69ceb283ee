/**
 * @module http/kayenta-routes
 * slogate's Kayenta-compatible API, the three calls Argo Rollouts' `kayenta` provider makes
 * (argo-rollouts `metricproviders/kayenta/kayenta.go`), under `/kayenta` (or
 * `/kayenta/<secret>` with `kayenta.secret`):
 *
 * - `GET /canaryConfig?application=&configurationAccountName=` → 200, the canary configs;
 * - `POST /canary/{configId}?application=&metricsAccountName=&configurationAccountName=&storageAccountName=`
 *   with `{scopes: {<name>: {controlScope, experimentScope}}, thresholds: {pass, marginal}}`
 *   → exactly 200 `{canaryExecutionId}` (Argo accepts nothing else);
 * - `GET /canary/{executionId}` → 200 with `complete` and, once judged,
 *   `result.judgeResult.score.score`.
 *
 * Translation only: validate, run the use cases (`app/kayenta-canary`). Argo never reads an
 * error body (any non-200 is "Invalid Response"), but each is JSON saying what went wrong for
 * whoever calls by hand. When Argo finds no config of its `canaryConfigName` it POSTs to
 * `/canary/` with an empty id: that is a 404 naming the configs there are.
 */
import express, { Router, type Express, type RequestHandler } from "express";
import {
  getCanaryExecution,
  listCanaryConfigs,
  startCanaryExecution,
  type KayentaDeps,
  type KayentaScopeRequest,
} from "../app/kayenta-canary.ts";
import { SlogateError } from "../errors.ts";
import {
  DEFAULT_KAYENTA_THRESHOLDS,
  kayentaThresholdsProblem,
  type KayentaThresholds,
} from "../judge/kayenta-score.ts";
import { parseKayentaScope } from "../promql/kayenta-scope.ts";
import { baseApp } from "./base-app.ts";
import { tokenMatches } from "./bearer-auth.ts";
import { createErrorHandler, notFoundHandler } from "./error-handler.ts";
import type { HttpDeps, KayentaHttpDeps } from "./http-deps.ts";
import { optionalText, optionalTime } from "./request-fields.ts";

function bad(field: string, message: string, hint: string): never {
  throw new SlogateError("BAD_REQUEST", `${field}: ${message}`, { hint, details: { field } });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function text(value: unknown, field: string, max = 200): string {
  const v = optionalText(value, field) ?? "";
  if (v.length > max) bad(field, `is longer than ${max} characters`, "send a shorter value");
  return v;
}

/** A scope time: RFC 3339 or Unix seconds; "" or absent is none. */
function scopeTime(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  return optionalTime(typeof value === "number" ? String(value) : value, field);
}

function scopeOf(name: string, raw: unknown): KayentaScopeRequest {
  const where = `scopes.${name.slice(0, 50)}`;
  if (!isObject(raw) || !isObject(raw.controlScope) || !isObject(raw.experimentScope)) {
    bad(where, "needs controlScope and experimentScope objects", "send the template's scopes unchanged");
  }
  const control = raw.controlScope;
  const experiment = raw.experimentScope;
  const stepRaw = experiment.step ?? control.step ?? 60;
  const step = typeof stepRaw === "string" && /^\d+$/.test(stepRaw) ? Number(stepRaw) : stepRaw;
  if (typeof step !== "number" || !Number.isInteger(step) || step < 0 || step > 86400) {
    bad(`${where}.experimentScope.step`, "must be whole seconds from 0 to 86400", "e.g. step: 60");
  }
  const location = text(experiment.region ?? experiment.location, `${where}.experimentScope.region`);
  const start = scopeTime(experiment.start, `${where}.experimentScope.start`);
  const end = scopeTime(experiment.end, `${where}.experimentScope.end`);
  return {
    name,
    control: parseKayentaScope(
      text(control.scope, `${where}.controlScope.scope`, 1024),
      `${where}.controlScope.scope`,
    ),
    experiment: parseKayentaScope(
      text(experiment.scope, `${where}.experimentScope.scope`, 1024),
      `${where}.experimentScope.scope`,
    ),
    location,
    step: step === 0 ? 60 : step,
    ...(start === undefined ? {} : { start }),
    ...(end === undefined ? {} : { end }),
  };
}

function thresholdsOf(raw: unknown): KayentaThresholds {
  if (raw === undefined || raw === null) return DEFAULT_KAYENTA_THRESHOLDS;
  if (!isObject(raw))
    bad("thresholds", "must be {pass, marginal}", "e.g. threshold: {pass: 90, marginal: 75}");
  const t = {
    pass: Number(raw.pass ?? DEFAULT_KAYENTA_THRESHOLDS.pass),
    marginal: Number(raw.marginal ?? DEFAULT_KAYENTA_THRESHOLDS.marginal),
  };
  const problem = kayentaThresholdsProblem(t);
  if (problem !== undefined) bad("thresholds", problem, "e.g. threshold: {pass: 90, marginal: 75}");
  return t;
}

function secretGate(secret: string): RequestHandler {
  return (req, _res, next) => {
    const presented = String((req.params as Record<string, string>).secret ?? "");
    if (secret === "" || tokenMatches(presented, [secret])) return next();
    // Not found rather than unauthorized: a wrong secret learns nothing.
    next(new SlogateError("NOT_FOUND", "not found", { hint: "check the template's address" }));
  };
}

/** The routes, relative to the API's prefix. */
function kayentaRoutes(deps: HttpDeps, k: KayentaHttpDeps): Router {
  const router = Router({ mergeParams: true });
  const use: KayentaDeps = {
    ...deps.gate,
    buildArmMatchers: deps.buildArmMatchers,
    settings: k.settings,
    now: deps.now,
    running: k.running,
  };
  router.get("/canaryConfig", (_req, res) => {
    res.status(200).json(listCanaryConfigs(deps.gate.catalog));
  });
  router.post("/canary", () => {
    const names = listCanaryConfigs(deps.gate.catalog).map((c) => c.name);
    throw new SlogateError(
      "NOT_FOUND",
      "no canary config id in the path (the template's canaryConfigName matched no config)",
      {
        hint: `set canaryConfigName to one of: ${names.slice(0, 20).join(", ")}${names.length > 20 ? ", …" : ""}`,
      },
    );
  });
  router.post("/canary/:configId", async (req, res) => {
    const body: unknown = req.body;
    if (!isObject(body) || !isObject(body.scopes)) {
      bad(
        "scopes",
        "the body must be {scopes: {<name>: {controlScope, experimentScope}}, thresholds}",
        "send the template's scopes unchanged",
      );
    }
    const q = req.query as Record<string, unknown>;
    const id = await startCanaryExecution(use, {
      configId: String(req.params.configId),
      application: text(q.application, "application"),
      accounts: {
        metricsAccountName: text(q.metricsAccountName, "metricsAccountName"),
        configurationAccountName: text(q.configurationAccountName, "configurationAccountName"),
        storageAccountName: text(q.storageAccountName, "storageAccountName"),
      },
      scopes: Object.entries(body.scopes).map(([name, s]) => scopeOf(name, s)),
      thresholds: thresholdsOf(body.thresholds),
    });
    res.status(200).json({ canaryExecutionId: id });
  });
  router.get("/canary/:executionId", async (req, res) => {
    res.status(200).json(await getCanaryExecution(use, String(req.params.executionId)));
  });
  return router;
}

/** The API mounted at its prefix (`/kayenta` or `/kayenta/<secret>`); JSON bodies parsed. */
export function kayentaRouter(deps: HttpDeps, k: KayentaHttpDeps): Router {
  const router = Router();
  const json = express.json({ limit: deps.bodyLimitBytes, type: () => true, strict: true });
  if (k.secret === "") router.use("/kayenta", json, kayentaRoutes(deps, k));
  else router.use("/kayenta/:secret", secretGate(k.secret), json, kayentaRoutes(deps, k));
  return router;
}

/** An app serving only the Kayenta API (the `kayenta.port` listener), with the error handler. */
export function createKayentaApp(deps: HttpDeps, k: KayentaHttpDeps): Express {
  const app = baseApp();
  app.use(kayentaRouter(deps, k));
  app.use(notFoundHandler);
  app.use(createErrorHandler(deps.gate.logger));
  return app;
}
