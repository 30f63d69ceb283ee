/**
 * @module http/base-app
 * The Express app both listeners start from (the main API and the Kayenta-only port).
 */
import express, { type Express } from "express";

/** An app with slogate's defaults: no `x-powered-by`, no ETags, the simple query parser, `GET /healthz`. */
export function baseApp(): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  return app;
}
