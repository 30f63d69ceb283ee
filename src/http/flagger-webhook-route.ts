/**
 * @module http/flagger-webhook-route
 * Flagger webhooks, `POST /api/v1/flagger/<type>` with Flagger's body
 * `{name, namespace, phase, checksum, metadata}`. Translation only: validate the body, resolve
 * `metadata.slo` (comma-separated SLO ids), run the use case (`app/flagger-hooks`) and answer
 * 200 when Flagger may go on, 412 with a message otherwise (Flagger passes only on 200–202 and
 * shows a 4xx body as the event message; for `rollback`, 200 means "roll back"). Non-2xx
 * bodies become Kubernetes events and Flagger event messages: one JSON line of at most 1 KB
 * (`verdict`, `message`, `link`).
 */
import { Router } from "express";
import {
  assertFlaggerSlos,
  FLAGGER_WEBHOOK_TYPES,
  runFlaggerHook,
  type FlaggerPayload,
  type FlaggerWebhookType,
} from "../app/flagger-hooks.ts";
import { SlogateError } from "../errors.ts";
import type { Slo } from "../slo/model.ts";
import { verdictBody } from "../app/verdict-body.ts";
import { parseSloRefs } from "../app/slo-refs.ts";
import type { HttpDeps } from "./http-deps.ts";
import { objectName, optionalText, optionalTime, requiredText } from "./request-fields.ts";

/** Longest non-2xx body (bytes): Flagger turns it into an event message. */
export const FLAGGER_REFUSAL_BYTES = 1024;

/** `text` cut to at most `max` UTF-8 bytes, on one line, with "…" when cut. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (Buffer.byteLength(flat) <= max) return flat;
  let cut = flat.slice(0, max);
  while (Buffer.byteLength(cut) > max - 3) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** The compact non-2xx body: one JSON line of at most FLAGGER_REFUSAL_BYTES. */
function refusalBody(verdict: string, message: string, link: string): Record<string, unknown> {
  const overhead = Buffer.byteLength(JSON.stringify({ verdict, message: "", link }));
  return { verdict, message: oneLine(message, FLAGGER_REFUSAL_BYTES - overhead - 16), link };
}

function parsePayload(body: unknown, maxValueLength = 1000): FlaggerPayload {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new SlogateError("BAD_REQUEST", "Flagger webhook body must be a JSON object", {
      hint: "configure the webhook in the Canary's analysis.webhooks; Flagger sends {name, namespace, phase, metadata}",
    });
  }
  const b = body as Record<string, unknown>;
  const metadataRaw = b.metadata ?? {};
  if (metadataRaw === null || typeof metadataRaw !== "object" || Array.isArray(metadataRaw)) {
    throw new SlogateError("BAD_REQUEST", "metadata must be a map of strings", {
      hint: "set webhook metadata as strings",
    });
  }
  const metadata = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(metadataRaw as Record<string, unknown>).slice(0, 50)) {
    if (k === "token") continue; // checked by bearerAuth; never stored or echoed
    if (typeof v === "string" && v.length > 1000 && v.length <= maxValueLength) metadata[k] = v;
    else metadata[k] = optionalText(v, `metadata.${k.slice(0, 50)}`) ?? "";
  }
  const checksum = optionalText(b.checksum, "checksum") ?? "";
  if (!/^[A-Za-z0-9._-]{0,128}$/.test(checksum)) {
    throw new SlogateError("BAD_REQUEST", "checksum has unexpected characters", {
      hint: "send Flagger's checksum unchanged",
    });
  }
  return {
    name: objectName(b.name, "name"),
    namespace: objectName(b.namespace, "namespace"),
    phase: optionalText(b.phase, "phase") ?? "",
    checksum,
    metadata,
  };
}

function slosOf(deps: HttpDeps, p: FlaggerPayload): Slo[] {
  const refs = parseSloRefs(
    requiredText(p.metadata.slo, "metadata.slo"),
    "metadata.slo",
    "e.g. metadata: {slo: checkout-latency}",
  );
  const slos = refs.map((r) => deps.gate.catalog.get(r));
  assertFlaggerSlos(slos);
  return slos;
}

function targetOf(p: FlaggerPayload): string {
  return p.metadata.target === undefined || p.metadata.target === ""
    ? p.name
    : objectName(p.metadata.target, "metadata.target");
}

/** Routes of the Flagger webhook endpoint. */
export function flaggerWebhookRouter(deps: HttpDeps): Router {
  const router = Router();
  router.post("/api/v1/flagger/:type", async (req, res) => {
    const type = req.params.type as FlaggerWebhookType;
    if (!FLAGGER_WEBHOOK_TYPES.includes(type)) {
      throw new SlogateError(
        "NOT_FOUND",
        `unknown Flagger webhook type ${JSON.stringify(String(req.params.type).slice(0, 50))}`,
        {
          hint: `use one of ${FLAGGER_WEBHOOK_TYPES.join(", ")} in the webhook URL`,
        },
      );
    }
    // Event messages quote whole hook bodies: accept any size the body limit lets through.
    const p = parsePayload(req.body, type === "event" ? Number.MAX_SAFE_INTEGER : 1000);
    const at = optionalTime(p.metadata.time, "metadata.time") ?? deps.now();
    const slos = type === "event" && p.metadata.slo === undefined ? [] : slosOf(deps, p);
    const r = await runFlaggerHook(
      {
        ...deps.gate,
        buildArmMatchers: deps.buildArmMatchers,
        baselineWindowSeconds: deps.baselineWindowSeconds,
        lookIntervalSeconds: deps.flaggerLookIntervalSeconds ?? 0,
      },
      { type, payload: p, slos, target: type === "event" ? p.name : targetOf(p), at },
    );
    if (r.proceed) {
      res.status(200).json(r.looks === undefined ? r.body : { ...r.body, results: r.looks.map(verdictBody) });
      return;
    }
    // Non-2xx bodies become Kubernetes events and Flagger event messages: one short line.
    const summary = r.summary ?? { verdict: "refused", message: "", link: "" };
    res.status(412).json(refusalBody(summary.verdict, summary.message, summary.link));
  });
  return router;
}
