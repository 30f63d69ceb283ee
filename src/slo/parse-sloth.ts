/**
 * @module slo/parse-sloth
 * Sloth's SLO files: the plain `version: "prometheus/v1"` form (snake_case) and the
 * Kubernetes `apiVersion: sloth.slok.dev/v1`, `kind: PrometheusServiceLevel` form
 * (camelCase under `spec`). SLIs: `events` (error and total queries) and `raw` (error ratio);
 * SLI plugins cannot be mapped and are reported. Sloth files carry no period: 30 days, as in
 * Sloth. The SLO kind is inferred from names and labels ("latency", "availability") and
 * histogram queries, else error-rate. Pure.
 */
import { readAlerting } from "./alerting-settings.ts";
import { DEFAULT_PERIOD_SECONDS } from "./canary-defaults.ts";
import { mergeCanarySettings, sliCanaryDefaults } from "./canary-settings.ts";
import { decomposeRatio } from "./ratio-decomposition.ts";
import type { FieldReader } from "./field-reader.ts";
import { collectServiceSlos } from "./service-slos.ts";
import type { ServiceSlos, Sli, Slo, SloFormat, SloKind } from "./model.ts";
import { readName } from "./names.ts";
import { parseObjective } from "./objective.ts";
import { readLabelMap } from "./parse-slogate.ts";
import type { YamlPath } from "./problem.ts";
import { readQuery } from "./query-field.ts";

interface Spelling {
  readonly format: SloFormat;
  readonly root: YamlPath;
  readonly errorQuery: string;
  readonly totalQuery: string;
  readonly errorRatioQuery: string;
}

const PLAIN: Spelling = {
  format: "sloth/prometheus-v1",
  root: [],
  errorQuery: "error_query",
  totalQuery: "total_query",
  errorRatioQuery: "error_ratio_query",
};
const K8S: Spelling = {
  format: "sloth/k8s-v1",
  root: ["spec"],
  errorQuery: "errorQuery",
  totalQuery: "totalQuery",
  errorRatioQuery: "errorRatioQuery",
};

/** Converts a `version: "prometheus/v1"` document. */
export function parseSlothPlainDocument(r: FieldReader): ServiceSlos | undefined {
  r.onlyKeys([], ["version", "service", "labels", "slos"], "a Sloth prometheus/v1 document");
  return parseService(r, PLAIN);
}

/** Converts an `apiVersion: sloth.slok.dev/v1` document (`kind: PrometheusServiceLevel`). */
export function parseSlothK8sDocument(r: FieldReader): ServiceSlos | undefined {
  const kind = r.string(["kind"], true);
  if (kind === undefined) return undefined;
  if (kind === "AlertWindows") {
    r.report(
      ["kind"],
      "Sloth AlertWindows configures alert windows, not SLOs",
      "slogate uses the Google SRE windows for the SLO period; remove this file from the SLO paths",
      { code: "SLO_UNSUPPORTED" },
    );
    return undefined;
  }
  if (kind !== "PrometheusServiceLevel") {
    r.report(
      ["kind"],
      `unsupported Sloth kind ${JSON.stringify(kind)}`,
      "slogate reads kind: PrometheusServiceLevel",
      { code: "SLO_UNSUPPORTED" },
    );
    return undefined;
  }
  r.onlyKeys([], ["apiVersion", "kind", "metadata", "spec"], "a PrometheusServiceLevel");
  if (r.map(["spec"], true) === undefined) return undefined;
  r.onlyKeys(["spec"], ["service", "labels", "slos"], "a PrometheusServiceLevel spec");
  return parseService(r, K8S);
}

function parseService(r: FieldReader, s: Spelling): ServiceSlos | undefined {
  const docErrors = r.errorCount();
  const service = readName(r, [...s.root, "service"], "service");
  const labels = readLabelMap(r, [...s.root, "labels"]);
  const list = r.list([...s.root, "slos"], true);
  if (list !== undefined && list.length === 0)
    r.report([...s.root, "slos"], "slos is empty", "add at least one SLO");
  // Errors at service level refuse every SLO of the service, errors in an SLO refuse that SLO.
  const serviceOk = r.errorCount() === docErrors;
  return collectServiceSlos(r, {
    slosPath: [...s.root, "slos"],
    list,
    service,
    labels,
    serviceOk,
    format: s.format,
    parseSlo: (path) => parseSlo(r, path, s, service ?? "", labels),
  });
}

function parseSlo(
  r: FieldReader,
  path: YamlPath,
  s: Spelling,
  service: string,
  serviceLabels: Record<string, string>,
): Slo | undefined {
  if (r.map(path) === undefined) {
    r.report(path, "an SLO must be a mapping", "see Sloth's prometheus/v1 spec");
    return undefined;
  }
  r.onlyKeys(path, ["name", "objective", "description", "labels", "sli", "alerting"], "a Sloth SLO");
  const name = readName(r, [...path, "name"], "SLO");
  const description = r.string([...path, "description"]);
  const rawObjective = r.number([...path, "objective"], true);
  let objective: number | undefined;
  if (rawObjective !== undefined) {
    const o = parseObjective(rawObjective);
    if (o.ok) objective = o.objective.goodPercent;
    else r.report([...path, "objective"], o.message, o.hint);
  }
  const sloLabels = readLabelMap(r, [...path, "labels"]);
  const sli = readSli(r, [...path, "sli"], s);
  const alerting = readAlerting(
    r,
    [...path, "alerting"],
    s.format === "sloth/k8s-v1" ? "sloth-k8s" : "sloth",
  );
  if (name === undefined || objective === undefined || sli === undefined) return undefined;
  const kind = inferKind(name, sloLabels, sli);
  // A raw ratio of two event sums is split so canaries are judged on exact counts.
  const split = sli.type === "ratio" ? decomposeRatio(sli.badRatio, "bad") : undefined;
  const converted = split?.sli ?? sli;
  const pos = r.doc.position(path);
  return {
    id: `${service}-${name}`,
    service,
    name,
    ...(description === undefined ? {} : { description }),
    kind,
    objectivePercent: objective,
    sli: converted,
    periodSeconds: DEFAULT_PERIOD_SECONDS,
    labels: { ...serviceLabels, ...sloLabels },
    alerting,
    canary: mergeCanarySettings(kind, sliCanaryDefaults(converted)),
    source: { file: r.doc.file, format: s.format, line: pos.line, col: pos.col },
    ...(split === undefined ? {} : { notes: [split.note] }),
  };
}

function readSli(r: FieldReader, path: YamlPath, s: Spelling): Sli | undefined {
  const m = r.map(path, true);
  if (m === undefined) return undefined;
  r.onlyKeys(path, ["events", "raw", "plugin"], "a Sloth sli");
  if (m["plugin"] !== undefined) {
    r.report(
      [...path, "plugin"],
      "Sloth SLI plugins cannot be converted: slogate needs the PromQL",
      "replace the plugin with sli.events (error and total queries) or sli.raw",
      { code: "SLO_UNSUPPORTED", onKey: true },
    );
    return undefined;
  }
  const hasEvents = m["events"] !== undefined;
  const hasRaw = m["raw"] !== undefined;
  if (hasEvents === hasRaw) {
    r.report(
      path,
      hasEvents ? "sli has both events and raw" : "sli has neither events nor raw",
      "give exactly one of events or raw",
    );
    return undefined;
  }
  if (hasEvents) {
    const p = [...path, "events"];
    if (r.map(p, true) === undefined) return undefined;
    r.onlyKeys(p, [s.errorQuery, s.totalQuery], "sli.events");
    const bad = readQuery(r, [...p, s.errorQuery]);
    const total = readQuery(r, [...p, s.totalQuery]);
    if (bad === undefined || total === undefined) return undefined;
    return { type: "events", bad, total };
  }
  const p = [...path, "raw"];
  if (r.map(p, true) === undefined) return undefined;
  r.onlyKeys(p, [s.errorRatioQuery], "sli.raw");
  const ratio = readQuery(r, [...p, s.errorRatioQuery]);
  return ratio === undefined ? undefined : { type: "ratio", badRatio: ratio };
}

/** Sloth has no SLO kind: infer it from the name, the labels and the queries. */
export function inferKind(name: string, labels: Readonly<Record<string, string>>, sli: Sli): SloKind {
  const words = [name, ...Object.values(labels)].join(" ").toLowerCase();
  if (words.includes("latency")) return "latency";
  if (words.includes("availability")) return "availability";
  const queries =
    sli.type === "events"
      ? [sli.bad?.text, sli.good?.text, sli.total.text]
      : sli.type === "ratio"
        ? [sli.badRatio.text]
        : [];
  if (queries.some((q) => q !== undefined && /_bucket\s*\{[^}]*\ble\s*=/.test(q))) return "latency";
  if (sli.type === "latency") return "latency";
  return sli.type === "probe" || (sli.type === "events" && sli.good !== undefined)
    ? "availability"
    : "error-rate";
}
