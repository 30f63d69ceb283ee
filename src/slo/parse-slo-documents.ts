/**
 * @module slo/parse-slo-documents
 * The entry point from text to model: reads the YAML documents of one or several files,
 * recognises each document's format (slogate v1, Sloth, OpenSLO v1), converts it, resolves
 * OpenSLO `indicatorRef`s across all files, and reports duplicate SLO ids. Every problem is
 * collected; a bad document never stops the others. Pure (the caller reads the files).
 */
import { FieldReader } from "./field-reader.ts";
import type { ServiceSlos, Slo } from "./model.ts";
import { OPENSLO_API_VERSION, parseOpensloObjects, type OpensloObject } from "./parse-openslo.ts";
import { OPENSLO_V1ALPHA, parseOpensloV1alphaDocument } from "./parse-openslo-v1alpha.ts";
import { parseSlogateDocument, SLOGATE_API_VERSION } from "./parse-slogate.ts";
import { parseSlothK8sDocument, parseSlothPlainDocument } from "./parse-sloth.ts";
import type { Problem } from "./problem.ts";
import { sortProblems } from "./problem.ts";
import { readYamlDocuments, type YamlDocument } from "./yaml-source.ts";

/** One file's name and text. */
export interface SloSourceText {
  readonly file: string;
  readonly text: string;
}

/** What was read: services (one per slogate/Sloth document, per file and service for OpenSLO), all SLOs, problems. */
export interface ParsedSlos {
  readonly services: ServiceSlos[];
  readonly slos: Slo[];
  readonly problems: Problem[];
}

const SUPPORTED =
  "expected an SLO file: apiVersion: slogate.dev/v1, Sloth version: prometheus/v1, apiVersion: sloth.slok.dev/v1 or apiVersion: openslo/v1";

/** Parses one file's text (OpenSLO references resolve within the file only). */
export function parseSloText(text: string, file: string): ParsedSlos {
  return parseSloDocuments([{ file, text }]);
}

/**
 * Parses several files together. Services of documents with errors still appear with the SLOs
 * that converted cleanly; callers that need an all-or-nothing load check `problems`.
 */
export function parseSloDocuments(sources: readonly SloSourceText[]): ParsedSlos {
  const problems: Problem[] = [];
  const services: ServiceSlos[] = [];
  const openslo: OpensloObject[] = [];
  for (const src of sources) {
    const read = readYamlDocuments(src.text, src.file);
    problems.push(...read.problems);
    for (const doc of read.documents) {
      const r = new FieldReader(doc, problems);
      dispatch(doc, r, services, openslo);
    }
  }
  // OpenSLO: all objects together, grouped into services per file and service name.
  const opensloSlos = parseOpensloObjects(openslo);
  const groups = new Map<string, Slo[]>();
  for (const slo of opensloSlos) {
    const key = `${slo.source.file}\u0000${slo.service}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [slo]);
    else g.push(slo);
  }
  for (const g of groups.values()) {
    const first = g[0];
    if (first === undefined) continue;
    services.push({ service: first.service, labels: {}, slos: g, source: first.source });
  }
  const slos = dedupeIds(services, problems);
  return { services, slos, problems: sortProblems(dedupeProblems(problems)) };
}

function dispatch(
  doc: YamlDocument,
  r: FieldReader,
  services: ServiceSlos[],
  openslo: OpensloObject[],
): void {
  const v = doc.value;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      r.report([], "the document is an empty list", SUPPORTED);
      return;
    }
    // OpenSLO tooling (the go-sdk) writes several objects as one YAML list.
    v.forEach((item, i) => {
      const api = isMap(item) ? item["apiVersion"] : undefined;
      if (api === OPENSLO_API_VERSION) openslo.push({ r, path: [i] });
      else
        r.report(
          [i],
          "a list of documents is only read for OpenSLO v1 objects",
          `${SUPPORTED}; separate documents with ---`,
          { code: "SLO_UNSUPPORTED" },
        );
    });
    return;
  }
  if (!isMap(v)) {
    r.report(
      [],
      `expected a mapping at the top of the document, got ${v === null ? "nothing" : typeof v}`,
      SUPPORTED,
    );
    return;
  }
  const api = v["apiVersion"];
  const push = (s: ServiceSlos | undefined): void => {
    if (s !== undefined) services.push(s);
  };
  if (api === SLOGATE_API_VERSION) return push(parseSlogateDocument(r));
  if (api === "sloth.slok.dev/v1") return push(parseSlothK8sDocument(r));
  if (api === OPENSLO_V1ALPHA) return push(parseOpensloV1alphaDocument(r));
  if (api === OPENSLO_API_VERSION) {
    openslo.push({ r, path: [] });
    return;
  }
  if (api === undefined && v["version"] !== undefined) {
    if (v["version"] === "prometheus/v1") return push(parseSlothPlainDocument(r));
    r.report(
      ["version"],
      `unsupported Sloth version ${JSON.stringify(v["version"])}`,
      'Sloth files have version: "prometheus/v1"',
      { code: "SLO_UNSUPPORTED" },
    );
    return;
  }
  const unsupported = (path: string[], message: string, hint: string, onKey = false): void =>
    r.report(path, message, hint, { code: "SLO_UNSUPPORTED", onKey });
  if (typeof api === "string") {
    if (api.startsWith("slogate.dev/")) {
      return unsupported(
        ["apiVersion"],
        `unsupported apiVersion ${JSON.stringify(api)}`,
        `this slogate reads apiVersion: ${SLOGATE_API_VERSION}`,
      );
    }
    if (api.startsWith("openslo/")) {
      return unsupported(
        ["apiVersion"],
        `unsupported OpenSLO version ${JSON.stringify(api)}`,
        `slogate reads apiVersion: ${OPENSLO_API_VERSION}; convert ${api} objects to v1`,
      );
    }
    if (api.startsWith("pyrra.dev/")) {
      return unsupported(
        ["apiVersion"],
        "Pyrra ServiceLevelObjective files are not supported",
        "write the SLO in slogate's format (docs/slo-format.md); Pyrra's ratio and latency indicators map to sli.events and sli.latency",
      );
    }
    if (api.startsWith("monitoring.coreos.com/")) {
      return unsupported(
        ["kind"],
        "this is a Prometheus Operator resource (generated rules?), not an SLO file",
        "pass the SLO source files, not generated output",
      );
    }
    return unsupported(["apiVersion"], `unknown apiVersion ${JSON.stringify(api)}`, SUPPORTED);
  }
  if (v["groups"] !== undefined) {
    return unsupported(
      ["groups"],
      "this is a Prometheus rules file (generated by Sloth?), not an SLO file",
      "pass the SLO source files, not generated rules",
      true,
    );
  }
  if (v["spec_version"] !== undefined) {
    return unsupported(
      ["spec_version"],
      "Keptn SLO files are not supported",
      "write the SLO in slogate's format (docs/slo-format.md)",
      true,
    );
  }
  r.report([], "missing apiVersion: unknown file format", SUPPORTED, { code: "SLO_UNSUPPORTED" });
}

function dedupeIds(services: ServiceSlos[], problems: Problem[]): Slo[] {
  const byId = new Map<string, Slo>();
  const out: Slo[] = [];
  for (let s = 0; s < services.length; s++) {
    const svc = services[s];
    if (svc === undefined) continue;
    const kept: Slo[] = [];
    for (const slo of svc.slos) {
      const first = byId.get(slo.id);
      if (first !== undefined) {
        problems.push({
          file: slo.source.file,
          line: slo.source.line ?? 0,
          col: slo.source.col ?? 0,
          path: "",
          code: "SLO_INVALID",
          message: `duplicate SLO id ${JSON.stringify(slo.id)} (also at ${first.source.file}:${first.source.line ?? 0}:${first.source.col ?? 0})`,
          hint: "SLO ids are <service>-<name> and must be unique across all files: rename the SLO or the service",
          severity: "error",
        });
        continue;
      }
      byId.set(slo.id, slo);
      kept.push(slo);
      out.push(slo);
    }
    if (kept.length !== svc.slos.length) services[s] = { ...svc, slos: kept };
  }
  return out;
}

function dedupeProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.file}:${p.line}:${p.col}:${p.path}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
