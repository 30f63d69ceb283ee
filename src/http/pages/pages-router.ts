/**
 * @module http/pages/pages-router
 * The human pages: `/analyses` (recent and open analyses with filters), `/analyses/<id>` (one
 * analysis with its evidence plotted) and `/slos` (the served SLOs and load problems), all
 * server-rendered by `src/report/` with inline SVG and no script.
 *
 * Access: with `auth.tokens` empty every page is open. Otherwise an analysis page opens with
 * a valid signed link for that analysis (`?exp=&sig=`, see page-links.ts), a bearer token or
 * the login cookie `/login` sets after checking a token; the list pages with a bearer token or
 * the cookie. A link whose signature is wrong or expired is
 * refused in every mode, so a tampered link never passes silently. Refusals and errors are
 * an HTML page for browsers and the usual JSON error body for `Accept: application/json`.
 */
import { createHash } from "node:crypto";
import express, { Router, type Request, type Response } from "express";
import { SlogateError, isSlogateError } from "../../errors.ts";
import { buildAnalysisReport, reportSloOf } from "../../report/analysis-report.ts";
import { renderAnalysisPage } from "../../report/analysis-page.ts";
import { renderAnalysesPage, renderSlosPage, type AnalysisRow } from "../../report/list-pages.ts";
import { renderLoginPage } from "../../report/login-page.ts";
import { PAGE_CSS, messagePage, type PageNav } from "../../report/page-layout.ts";
import { tokenMatches } from "../bearer-auth.ts";
import { STATUS_BY_CODE, errorBody } from "../error-handler.ts";
import { getAnalysisDetail } from "../../app/analysis-queries.ts";
import type { HttpDeps, PagesDeps } from "../http-deps.ts";
import { SESSION_COOKIE, analysisPath } from "./page-links.ts";

/** What the pages need besides the gate. */
export type { PagesDeps } from "../http-deps.ts";

const CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(PAGE_CSS, "utf8").digest("base64")}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** Most analyses the list reads (newest first). */
export const LIST_LIMIT = 200;

/** How long a login cookie lasts. */
export const SESSION_SECONDS = 12 * 3600;

function sendHtml(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({
      "Content-Security-Policy": CSP,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": "no-store",
    })
    .type("html")
    .send(html);
}

const NAV: PageNav = { analyses: "/analyses", slos: "/slos" };

/** A same-site path to return to after signing in (anything else: the list). */
function safeNext(v: unknown): string {
  return typeof v === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(v) && v.length <= 2000 ? v : "/analyses";
}

/** Sends `e` as a page to browsers and as the JSON error body to API clients. */
function refuse(req: Request, res: Response, e: SlogateError, deps: HttpDeps): void {
  const status = typeof e.details.status === "number" ? e.details.status : STATUS_BY_CODE[e.code];
  if (status === 401) res.set("WWW-Authenticate", 'Bearer realm="slogate"');
  if (req.accepts(["html", "json"]) === "json") {
    res.status(status).set("Cache-Control", "no-store").json(errorBody(e));
    return;
  }
  const title = status === 401 ? "Not allowed" : status === 404 ? "Not found" : "Error";
  const signIn =
    status === 401 && deps.tokens.length > 0
      ? {
          href: `/login?next=${encodeURIComponent(safeNext(req.originalUrl.replace(/[?&](exp|sig)=[^&]*/g, "")))}`,
          text: "Sign in with a token",
        }
      : undefined;
  sendHtml(res, status, messagePage(title, e.message, e.hint, NAV, signIn));
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** A valid bearer token, or a valid login cookie. */
function bearerValid(req: Request, tokens: readonly string[], pages: PagesDeps): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
  if (m?.[1] !== undefined && tokenMatches(m[1], tokens)) return true;
  return pages.links.checkSession(cookie(req, SESSION_COOKIE)) === "valid";
}

function one(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Throws UNAUTHORIZED unless the request may read the analysis page of `id`. */
function authorizeAnalysis(req: Request, deps: HttpDeps, pages: PagesDeps, id: string): void {
  const check = pages.links.check(id, req.query.exp, req.query.sig);
  if (check === "valid") return;
  if (check === "invalid") {
    throw new SlogateError("UNAUTHORIZED", "this link's signature is not valid for this analysis", {
      hint: "the link was changed or made by another server; open the link from the verdict, Slack message or alert again, or ask the service for a fresh one (GET /api/v1/analyses/<id> with a token returns it)",
    });
  }
  if (check === "expired") {
    throw new SlogateError(
      "UNAUTHORIZED",
      `this link expired at ${new Date(Number(req.query.exp) * 1000).toISOString()}`,
      {
        hint: "ask the service for a fresh link (GET /api/v1/analyses/<id> with a token returns one), or raise pages.linkTtl",
      },
    );
  }
  if (deps.tokens.length === 0 || bearerValid(req, deps.tokens, pages)) return;
  throw new SlogateError("UNAUTHORIZED", "this page needs a signed link or a bearer token", {
    hint: "open the signed link slogate emitted (verdict, Slack, Alertmanager), sign in at /login, or send Authorization: Bearer <token>",
  });
}

function authorizeList(req: Request, deps: HttpDeps, pages: PagesDeps): void {
  if (deps.tokens.length === 0 || bearerValid(req, deps.tokens, pages)) return;
  throw new SlogateError("UNAUTHORIZED", "this page needs a bearer token or signing in", {
    hint: "sign in at /login with a token from auth.tokens, or send Authorization: Bearer <token>; analysis pages also open with the signed links slogate emits",
  });
}

/** The pages' routes; register before the JSON body parser (they take no body). */
export function pagesRouter(deps: HttpDeps, pages: PagesDeps): Router {
  const router = Router();
  const { store, catalog } = deps.gate;

  const guarded =
    (handler: (req: Request, res: Response) => void | Promise<void>) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        await handler(req, res);
      } catch (e) {
        if (isSlogateError(e)) return refuse(req, res, e, deps);
        throw e;
      }
    };

  router.get(
    "/login",
    guarded((req, res) => {
      const next = safeNext(req.query.next);
      if (deps.tokens.length === 0) {
        res.redirect(303, next);
        return;
      }
      sendHtml(res, 200, renderLoginPage({ action: "/login", next, nav: NAV }));
    }),
  );

  router.post(
    "/login",
    express.urlencoded({ extended: false, limit: 4096, parameterLimit: 10 }),
    guarded((req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const next = safeNext(body.next);
      if (deps.tokens.length === 0) {
        res.redirect(303, next);
        return;
      }
      const token = typeof body.token === "string" ? body.token : "";
      if (token === "" || !tokenMatches(token, deps.tokens)) {
        sendHtml(
          res,
          401,
          renderLoginPage({
            action: "/login",
            next,
            error: "That token is not one of the service's auth.tokens.",
            nav: NAV,
          }),
        );
        return;
      }
      res.cookie(SESSION_COOKIE, pages.links.session(SESSION_SECONDS), {
        httpOnly: true,
        sameSite: "strict",
        secure: pages.links.https,
        path: "/",
        maxAge: SESSION_SECONDS * 1000,
        encode: (v) => v,
      });
      res.redirect(303, next);
    }),
  );

  router.get(
    "/analyses",
    guarded(async (req, res) => {
      authorizeList(req, deps, pages);
      const filters = {
        service: one(req.query.service),
        slo: one(req.query.slo),
        verdict: one(req.query.verdict),
        rollout: one(req.query.rollout),
        status: one(req.query.status),
      };
      const status = filters.status === "open" || filters.status === "closed" ? filters.status : undefined;
      const served = new Map(catalog.list().map((s) => [s.id, s]));
      const listed = await store.listAnalyses({
        ...(status === undefined ? {} : { status }),
        limit: LIST_LIMIT,
      });
      const looksOf = await Promise.all(listed.map((a) => store.listLooks(a.id)));
      const rows: AnalysisRow[] = listed.map((a, i) => {
        const service = served.get(a.sloId)?.service;
        return {
          analysis: a,
          looks: looksOf[i] ?? [],
          ...(service === undefined ? {} : { service }),
          link: pages.links.path(a.id),
        };
      });
      const services = [...new Set(catalog.list().map((s) => s.service))].sort();
      const slos = [
        ...new Set([...catalog.list().map((s) => s.id), ...rows.map((r) => r.analysis.sloId)]),
      ].sort();
      sendHtml(
        res,
        200,
        renderAnalysesPage({
          rows,
          filters: Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)),
          services,
          slos,
          action: "/analyses",
          nav: NAV,
          generatedAt: deps.now(),
        }),
      );
    }),
  );

  // Analysis ids may contain '/' (Flagger's namespace/name): match the rest of the path.
  router.get(
    /^\/analyses\/(.+)$/,
    guarded(async (req, res) => {
      let id: string;
      try {
        id = decodeURIComponent((req.params as Record<string, string>)[0] ?? "");
      } catch {
        throw new SlogateError("BAD_REQUEST", "the analysis id in the path is not valid percent-encoding", {
          hint: "open the link slogate emitted unchanged",
        });
      }
      authorizeAnalysis(req, deps, pages, id);
      // Content negotiation: a client asking for JSON (a controller, a script, a test) gets the
      // API's answer for the same analysis under the same access rule.
      if (req.accepts(["text/html", "application/json"]) === "application/json") {
        res.json(await getAnalysisDetail(deps.gate, id));
        return;
      }
      const a = await store.getAnalysis(id);
      if (a === undefined) {
        throw new SlogateError("NOT_FOUND", `analysis ${JSON.stringify(id.slice(0, 200))} not found`, {
          hint: "it may have been removed by retention (retention.analyses); see the list at /analyses",
        });
      }
      const slo = catalog.list().find((s) => s.id === a.sloId);
      const baseline = a.baselineId === undefined ? undefined : await store.getBaseline(a.baselineId);
      const report = buildAnalysisReport({
        analysis: a,
        looks: await store.listLooks(id),
        baseline: baseline ?? null,
        ...(slo === undefined ? {} : { slo: reportSloOf(slo) }),
        grafanaUrl: pages.grafanaUrl,
        generatedAt: deps.now(),
      });
      sendHtml(res, 200, renderAnalysisPage(report, { ...NAV, json: `/api/v1${analysisPath(id)}` }));
    }),
  );

  router.get(
    "/slos",
    guarded((req, res) => {
      authorizeList(req, deps, pages);
      const st = catalog.status();
      sendHtml(
        res,
        200,
        renderSlosPage({
          slos: catalog.list().map((s) => ({
            id: s.id,
            service: s.service,
            name: s.name,
            kind: s.kind,
            objectivePercent: s.objectivePercent,
            sliType: s.sli.type,
            judge: s.canary.judge,
            source: { file: s.source.file, ...(s.source.line === undefined ? {} : { line: s.source.line }) },
            ...(s.notes === undefined ? {} : { notes: s.notes }),
          })),
          status: {
            valid: st.valid,
            lastLoadAt: st.lastLoadAt,
            ...(st.lastGoodAt === undefined ? {} : { lastGoodAt: st.lastGoodAt }),
            served: st.served,
            loadErrors: st.loadErrors,
            problems: st.problems,
          },
          analysesOf: (id) => `/analyses?slo=${encodeURIComponent(id)}`,
          nav: NAV,
          generatedAt: deps.now(),
        }),
      );
    }),
  );

  return router;
}
