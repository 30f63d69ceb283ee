/**
 * @module http/flagger-webhook-route
 * Flagger webhooks, `POST /api/v1/flagger/<type>` with Flagger's body
 * `{name, namespace, phase, checksum, metadata}`. Flagger passes only 200–202 and shows a
 * 4xx body as the event message, so a gate that does not pass answers 412 with a message.
 *
 * Per type: `confirm-rollout` is a readiness gate (the SLOs exist and Prometheus answers; it
 * pins nothing, as its checksum predates the revision's); `pre-rollout` captures a baseline of
 * the primary and opens the analysis; `rollout` and `confirm-traffic-increase` are non-final
 * looks (412 only on `fail`); `confirm-promotion` is the final look (200 only on `pass`);
 * `rollback` is inverted (200 — roll back — only when the analysis' last verdict is `fail`)
 * and reads the stored state without a look, since Flagger polls it every iteration right
 * before the `rollout` hook; `post-rollout` closes the analysis; `event` is recorded with
 * every metadata value Flagger sends (its `eventMessage` quotes whole hook bodies; only the
 * request body limit applies). `metadata.slo` names the SLO(s), comma-separated.
 * The canary arm is `<name>` (or `metadata.target`), the primary `<target>-primary`.
 *
 * Non-2xx bodies become Kubernetes events and Flagger event messages: they are one JSON line
 * of at most 1 KB (`verdict`, `message` — one reason per SLO — and `link`).
 */
import { Router } from "express";
import { analyzeLook, openAnalysis, type LookResult } from "../app/analyze-look.ts";
import { captureBaseline } from "../app/capture-baseline.ts";
import { closeAnalysis } from "../app/close-analysis.ts";
import { SlogateError } from "../errors.ts";
import type { Slo } from "../slo/model.ts";
import type { AnalysisOutcome } from "../store/types.ts";
import { verdictBody } from "./verdict-body.ts";
import type { HttpDeps } from "./http-deps.ts";
import { objectName, optionalText, optionalTime, requiredText } from "./request-fields.ts";

export const FLAGGER_WEBHOOK_TYPES = [
  "confirm-rollout",
  "pre-rollout",
  "rollout",
  "confirm-traffic-increase",
  "confirm-promotion",
  "post-rollout",
  "rollback",
  "event",
] as const;
export type FlaggerWebhookType = (typeof FLAGGER_WEBHOOK_TYPES)[number];

interface FlaggerPayload {
  readonly name: string;
  readonly namespace: string;
  readonly phase: string;
  readonly checksum: string;
  readonly metadata: Readonly<Record<string, string>>;
}

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

/** The compact non-2xx body: at most FLAGGER_REFUSAL_BYTES. */
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
  const metadata: Record<string, string> = {};
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
  const refs = requiredText(p.metadata.slo, "metadata.slo")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (refs.length === 0 || refs.length > 20) {
    throw new SlogateError("BAD_REQUEST", "metadata.slo must list 1 to 20 SLOs", {
      hint: "e.g. metadata: {slo: checkout-latency}",
    });
  }
  const slos = refs.map((r) => deps.gate.catalog.get(r));
  for (const slo of slos) {
    if (slo.canary.selection.mode !== "flagger") {
      throw new SlogateError(
        "SLO_UNSUPPORTED",
        `SLO ${slo.id} selects its arms by the label ${slo.canary.selection.label} (Argo Rollouts' pod-template hash), not by Flagger's workloads`,
        {
          hint: "set canary.selection: {mode: flagger} in the SLO file (label pod, or a workload label such as deployment)",
          details: { slo: slo.id },
        },
      );
    }
  }
  return slos;
}

function analysisIdOf(p: FlaggerPayload, slo: Slo): string {
  return `flagger:${p.namespace}/${p.name}:${slo.id}:${p.checksum || "-"}`;
}

function targetOf(p: FlaggerPayload): string {
  return p.metadata.target === undefined || p.metadata.target === ""
    ? p.name
    : objectName(p.metadata.target, "metadata.target");
}

function outcomeOfPhase(phase: string): AnalysisOutcome {
  return phase === "Succeeded" ? "promoted" : phase === "Failed" ? "rolled-back" : "aborted";
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
    const rollout = `${p.namespace}/${p.name}`;
    const at = optionalTime(p.metadata.time, "metadata.time") ?? deps.now();

    if (type === "event") {
      const slos = p.metadata.slo === undefined ? [] : slosOf(deps, p);
      const ev = deps.gate.store.appendEvent({
        at,
        kind: `flagger:${p.metadata.eventType ?? "event"}`,
        ...(slos[0] === undefined ? {} : { analysisId: analysisIdOf(p, slos[0]) }),
        payload: { rollout, phase: p.phase, checksum: p.checksum, metadata: p.metadata },
      });
      res.status(200).json({ recorded: true, event: ev.id });
      return;
    }

    const slos = slosOf(deps, p);
    const target = targetOf(p);
    const selectorsOf = (slo: Slo) => ({
      canary: deps.buildArmMatchers(slo, "canary", target),
      stable: deps.buildArmMatchers(slo, "stable", target),
    });

    if (type === "confirm-rollout") {
      // Flagger computes this hook's checksum before it records the new revision, so an
      // analysis id built from it is one no later hook uses: pin nothing here. The baseline is
      // captured at pre-rollout (weight 0, the primary still takes all traffic). This gate
      // holds the rollout (non-2xx) while the SLOs cannot be judged.
      await deps.probePrometheus();
      res.status(200).json({
        type,
        rollout,
        slos: slos.map((s) => s.id),
        message: "ready: the baseline of the primary is captured at pre-rollout",
      });
      return;
    }

    if (type === "pre-rollout") {
      const results = await Promise.all(
        slos.map(async (slo) => {
          const id = analysisIdOf(p, slo);
          const already = deps.gate.store
            .listBaselines({ sloId: slo.id, limit: 50 })
            .find((b) => b.analysisId === id);
          const captured =
            already !== undefined
              ? { captured: true as const, baseline: already }
              : await captureBaseline(deps.gate, {
                  slo,
                  selector: selectorsOf(slo).stable,
                  at,
                  windowSeconds: deps.baselineWindowSeconds,
                  source: "flagger",
                  analysisId: id,
                });
          const opened = await openAnalysis(deps.gate, {
            slo,
            analysisId: id,
            selectors: selectorsOf(slo),
            controller: "flagger",
            rollout,
            at,
            start: at,
          });
          // Pin exactly this capture (another baseline of the SLO may share its time).
          if (captured.captured && opened.looks === 0 && opened.baselineId !== captured.baseline.id) {
            deps.gate.store.setAnalysisBaseline(id, captured.baseline.id, deps.gate.wallClock());
          }
          return {
            slo: slo.id,
            analysis: id,
            link: deps.gate.link(id),
            ...(captured.captured
              ? { baseline: captured.baseline.id }
              : { baseline: null, reason: captured.reason }),
          };
        }),
      );
      // A primary without series (a brand-new service) must not block the rollout: the
      // canary-vs-SLO and canary-vs-primary checks still gate it.
      res.status(200).json({ type, rollout, baselines: results });
      return;
    }

    if (type === "post-rollout") {
      const closed = [];
      for (const slo of slos) {
        const id = analysisIdOf(p, slo);
        if (deps.gate.store.getAnalysis(id) === undefined) continue;
        const a = await closeAnalysis(deps.gate, id, outcomeOfPhase(p.phase), at);
        closed.push({ id: a.id, outcome: a.outcome, link: deps.gate.link(a.id) });
      }
      res.status(200).json({ type, rollout, closed });
      return;
    }

    if (type === "rollback") {
      // Polled every iteration while Progressing/Waiting/WaitingPromotion, right before the
      // rollout hook takes its look: read the state, take no look.
      const states = slos.map((slo) => {
        const id = analysisIdOf(p, slo);
        const a = deps.gate.store.getAnalysis(id);
        return {
          slo: slo.id,
          id,
          verdict: a?.lastVerdict ?? "none",
          looks: a?.looks ?? 0,
          link: deps.gate.link(id),
        };
      });
      const failed = states.filter((x) => x.verdict === "fail");
      if (failed.length > 0) {
        res.status(200).json({
          type,
          rollout,
          verdict: "fail",
          message: failed
            .map((x) => `${x.slo}: failed at look ${x.looks} — roll back (${x.link})`)
            .join("; "),
          analyses: states,
        });
        return;
      }
      res
        .status(412)
        .json(
          refusalBody(
            "no-rollback",
            `no rollback: ${states.map((x) => `${x.slo} ${x.verdict === "none" ? "has no look yet" : `last verdict ${x.verdict} after ${x.looks} looks`}`).join("; ")}`,
            states[0]?.link ?? "",
          ),
        );
      return;
    }

    const final = type === "confirm-promotion";
    const looks: LookResult[] = await Promise.all(
      slos.map((slo) => {
        const id = analysisIdOf(p, slo);
        return analyzeLook(deps.gate, {
          slo,
          analysisId: id,
          selectors: selectorsOf(slo),
          controller: "flagger",
          rollout,
          at,
          final,
        });
      }),
    );
    const verdicts = looks.map((l) => l.look.verdict.verdict);
    const overall = verdicts.includes("fail")
      ? "fail"
      : verdicts.every((v) => v === "pass")
        ? "pass"
        : "inconclusive";
    const message = looks
      .filter((l) => l.look.verdict.verdict !== "pass")
      .map((l) => `${l.analysis.sloId}: ${l.look.verdict.verdict} — ${l.look.verdict.reason} (${l.link})`)
      .join("; ");
    const body = {
      type,
      rollout,
      verdict: overall,
      message: message || "all SLOs pass",
      results: looks.map(verdictBody),
    };
    const status = final ? (overall === "pass" ? 200 : 412) : overall === "fail" ? 412 : 200;
    if (status === 200) res.status(200).json(body);
    else
      res
        .status(status)
        .json(
          refusalBody(
            overall,
            body.message,
            looks.find((l) => l.look.verdict.verdict !== "pass")?.link ?? looks[0]?.link ?? "",
          ),
        );
  });
  return router;
}
