/**
 * @module slo/parse-slogate
 * slogate's own SLO format, `apiVersion: slogate.dev/v1`, `kind: ServiceLevels`: one service
 * per document, several SLOs, each with an objective, an SLI (events, errorRatio, latency or
 * probe) and optional canary and alerting settings. See docs/slo-format.md. Pure.
 */
import { isValidLabelName, type LabelMatcher } from "../promql/matchers.ts";
import { readAlerting } from "./alerting-settings.ts";
import { DEFAULT_PERIOD_SECONDS } from "./canary-defaults.ts";
import {
  mergeCanarySettings,
  sliCanaryDefaults,
  readCanaryOverrides,
  readOneOf,
  type CanaryOverrides,
} from "./canary-settings.ts";
import { parseLatencyThreshold, parsePrometheusDuration } from "./duration.ts";
import type { FieldReader } from "./field-reader.ts";
import { collectServiceSlos } from "./service-slos.ts";
import { THRESHOLD_OPS, type ServiceSlos, type Sli, type Slo, type SloKind } from "./model.ts";
import { readName } from "./names.ts";
import { parseObjective, type Objective } from "./objective.ts";
import type { YamlPath } from "./problem.ts";
import { readQuery } from "./query-field.ts";
import { DEFAULT_RESOURCE_OBJECTIVE, readResourceSli } from "./parse-resource-sli.ts";
import { decomposeRatio } from "./ratio-decomposition.ts";

export const SLOGATE_API_VERSION = "slogate.dev/v1";
export const SLOGATE_KIND = "ServiceLevels";

const TOP_KEYS = ["apiVersion", "kind", "service", "description", "labels", "period", "canary", "slos"];
const SLO_KEYS = [
  "name",
  "description",
  "kind",
  "objective",
  "sli",
  "period",
  "labels",
  "alerting",
  "canary",
];
const KINDS: readonly SloKind[] = ["latency", "error-rate", "availability", "resource"];
const HISTOGRAM = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Converts one `slogate.dev/v1` document; problems go to the reader. */
export function parseSlogateDocument(r: FieldReader): ServiceSlos | undefined {
  const docErrors = r.errorCount();
  r.onlyKeys([], TOP_KEYS, "a ServiceLevels document");
  const kind = r.string(["kind"], true);
  if (kind !== undefined && kind !== SLOGATE_KIND) {
    r.report(
      ["kind"],
      `unsupported kind ${JSON.stringify(kind)} for ${SLOGATE_API_VERSION}`,
      `use kind: ${SLOGATE_KIND}`,
      { code: "SLO_UNSUPPORTED" },
    );
  }
  const service = readName(r, ["service"], "service");
  const labels = readLabels(r, ["labels"]);
  const period = readPeriod(r, ["period"]) ?? DEFAULT_PERIOD_SECONDS;
  const serviceCanary = readCanaryOverrides(r, ["canary"]);
  const list = r.list(["slos"], true);
  if (list !== undefined && list.length === 0) r.report(["slos"], "slos is empty", "add at least one SLO");
  // An error at service level (labels, period, canary…) refuses every SLO of the service, an
  // error in an SLO refuses that SLO: nothing is served half-read.
  const serviceOk = r.errorCount() === docErrors;
  return collectServiceSlos(r, {
    slosPath: ["slos"],
    list,
    service,
    labels,
    serviceOk,
    format: "slogate/v1",
    parseSlo: (path) => parseSlo(r, path, service ?? "", labels, period, serviceCanary),
  });
}

function parseSlo(
  r: FieldReader,
  path: YamlPath,
  service: string,
  serviceLabels: Readonly<Record<string, string>>,
  servicePeriod: number,
  serviceCanary: CanaryOverrides,
): Slo | undefined {
  if (r.map(path) === undefined) {
    r.report(path, "an SLO must be a mapping", "see docs/slo-format.md for the fields of an SLO");
    return undefined;
  }
  r.onlyKeys(path, SLO_KEYS, "an SLO");
  const name = readName(r, [...path, "name"], "SLO");
  const description = r.string([...path, "description"]);
  const explicitKind = readOneOf(r, [...path, "kind"], KINDS);
  const rawObjective = r.get([...path, "objective"]);
  let objective: Objective | undefined;
  // A resource SLI is judged per pod against stable and its limit; its objective (the share of
  // pod-steps within the limit) is optional.
  const resource = r.get([...path, "sli", "resource"]) !== undefined;
  if ((rawObjective === undefined || rawObjective === null) && resource)
    objective = { goodPercent: DEFAULT_RESOURCE_OBJECTIVE, form: "good" };
  else if (rawObjective === undefined || rawObjective === null)
    r.missing([...path, "objective"], 'e.g. objective: ">= 99.9%" or "p95 < 500ms"');
  else {
    const o = parseObjective(rawObjective);
    if (o.ok) objective = o.objective;
    else r.report([...path, "objective"], o.message, o.hint);
  }
  const sliResult = readSli(r, [...path, "sli"], objective);
  const period = readPeriod(r, [...path, "period"]) ?? servicePeriod;
  const labels = { ...serviceLabels, ...readLabels(r, [...path, "labels"]) };
  const alerting = readAlerting(r, [...path, "alerting"], "slogate");
  const sloCanary = readCanaryOverrides(r, [...path, "canary"]);
  if (name === undefined || objective === undefined || sliResult === undefined) return undefined;
  const kind = explicitKind ?? sliResult.kind;
  if (kind !== "latency" && sliResult.sli.type === "latency") {
    r.report([...path, "kind"], `a latency SLI cannot have kind ${kind}`, "remove kind or set kind: latency");
    return undefined;
  }
  if ((kind === "resource") !== (sliResult.sli.type === "resource")) {
    r.report(
      [...path, "kind"],
      sliResult.sli.type === "resource"
        ? `a resource SLI cannot have kind ${kind}`
        : `kind resource needs a resource SLI, not ${sliResult.sli.type}`,
      sliResult.sli.type === "resource"
        ? "remove kind or set kind: resource"
        : "use sli.resource, or remove kind",
    );
    return undefined;
  }
  const canary = mergeCanarySettings(kind, sliCanaryDefaults(sliResult.sli), serviceCanary, sloCanary);
  if (sliResult.sli.type === "resource" && canary.judge !== "sequential") {
    r.report(
      [...path, "canary", "judge"],
      `a resource SLI is judged per pod by its own sequential test, not by the ${canary.judge} judge`,
      "remove canary.judge (or set judge: sequential) for this SLO",
    );
    return undefined;
  }
  if (sliResult.sli.type === "ratio" && canary.judge === "sequential") {
    r.report(
      [...path, "canary", "judge"],
      "the sequential judge needs event counts, and this ratio query cannot be split into bad and total events",
      "use judge: kayenta (the default for ratio SLIs) or threshold, or write the SLI as events (errors and total queries)",
    );
    return undefined;
  }
  const pos = r.doc.position(path);
  return {
    id: `${service}-${name}`,
    service,
    name,
    ...(description === undefined ? {} : { description }),
    kind,
    objectivePercent: objective.goodPercent,
    sli: sliResult.sli,
    periodSeconds: period,
    labels,
    alerting,
    canary,
    source: { file: r.doc.file, format: "slogate/v1", line: pos.line, col: pos.col },
    ...(sliResult.note === undefined ? {} : { notes: [sliResult.note] }),
  };
}

function readSli(
  r: FieldReader,
  path: YamlPath,
  objective: Objective | undefined,
): { sli: Sli; kind: SloKind; note?: string } | undefined {
  const m = r.map(path, true);
  if (m === undefined) return undefined;
  const types = ["events", "errorRatio", "latency", "probe", "threshold", "resource"];
  r.onlyKeys(path, types, "sli");
  const present = types.filter((t) => m[t] !== undefined);
  if (present.length !== 1) {
    r.report(
      path,
      present.length === 0 ? "sli has no type" : `sli has several types: ${present.join(", ")}`,
      "give the sli exactly one of: events, errorRatio, latency, probe, threshold, resource",
    );
    return undefined;
  }
  const quantileOnly = (): void => {
    r.report(
      [...path.slice(0, -1), "objective"],
      `objective ${JSON.stringify(r.get([...path.slice(0, -1), "objective"]))} is a latency quantile but the SLI is not latency`,
      "use a latency SLI, or write the objective as a percentage",
    );
  };
  switch (present[0]) {
    case "events": {
      const p = [...path, "events"];
      if (r.map(p, true) === undefined) return undefined;
      r.onlyKeys(p, ["errors", "good", "total"], "sli.events");
      const hasErrors = r.get([...p, "errors"]) !== undefined;
      const hasGood = r.get([...p, "good"]) !== undefined;
      if (hasErrors === hasGood) {
        r.report(
          p,
          hasErrors ? "sli.events has both errors and good" : "sli.events has neither errors nor good",
          "give exactly one of errors (bad events) or good, plus total",
        );
      }
      const errors = hasErrors ? readQuery(r, [...p, "errors"]) : undefined;
      const good = hasGood ? readQuery(r, [...p, "good"]) : undefined;
      const total = readQuery(r, [...p, "total"]);
      if (objective?.form === "quantile") quantileOnly();
      if (
        total === undefined ||
        hasErrors === hasGood ||
        (errors ?? good) === undefined ||
        objective?.form === "quantile"
      )
        return undefined;
      return {
        sli: {
          type: "events",
          ...(errors === undefined ? {} : { bad: errors }),
          ...(good === undefined ? {} : { good }),
          total,
        },
        kind: errors !== undefined ? "error-rate" : "availability",
      };
    }
    case "errorRatio": {
      const q = readQuery(r, [...path, "errorRatio"]);
      if (objective?.form === "quantile") quantileOnly();
      if (q === undefined || objective?.form === "quantile") return undefined;
      const split = decomposeRatio(q, "bad");
      if (split !== undefined) return { sli: split.sli, kind: "error-rate", note: split.note };
      return { sli: { type: "ratio", badRatio: q }, kind: "error-rate" };
    }
    case "threshold": {
      if (objective?.form === "quantile") {
        quantileOnly();
        return undefined;
      }
      return readThreshold(r, [...path, "threshold"]);
    }
    case "latency":
      return readLatency(r, [...path, "latency"], objective);
    case "resource": {
      if (objective?.form === "quantile") {
        quantileOnly();
        return undefined;
      }
      const sli = readResourceSli(r, [...path, "resource"]);
      return sli === undefined ? undefined : { sli, kind: "resource" };
    }
    default: {
      const p = [...path, "probe"];
      if (r.map(p, true) === undefined) return undefined;
      r.onlyKeys(p, ["metric", "selector"], "sli.probe");
      const metric = readMetricName(r, [...p, "metric"]);
      const matchers = readSelector(r, [...p, "selector"]);
      if (objective?.form === "quantile") quantileOnly();
      if (metric === undefined || matchers === undefined || objective?.form === "quantile") return undefined;
      return { sli: { type: "probe", metric, matchers }, kind: "availability" };
    }
  }
}

/** `threshold: {query, op, value, step}`: good points are those where `query op value` holds. */
function readThreshold(r: FieldReader, p: YamlPath): { sli: Sli; kind: SloKind } | undefined {
  if (r.map(p, true) === undefined) return undefined;
  r.onlyKeys(p, ["query", "op", "value", "step"], "sli.threshold");
  const query = readQuery(r, [...p, "query"], { requireWindow: false });
  const op = readOneOf(r, [...p, "op"], THRESHOLD_OPS);
  if (r.get([...p, "op"]) === undefined)
    r.missing([...p, "op"], "op: lt, lte, gt or gte (what a good point satisfies)");
  const value = r.number([...p, "value"], true);
  let stepSeconds = 60;
  const stepText = r.string([...p, "step"]);
  if (stepText !== undefined) {
    const s = parsePrometheusDuration(stepText);
    if (s === undefined || s < 1 || s > 3600) {
      r.report(
        [...p, "step"],
        `step ${JSON.stringify(stepText)} is not a duration from 1s to 1h`,
        "e.g. step: 1m",
      );
      return undefined;
    }
    stepSeconds = s;
  }
  if (query === undefined || op === undefined || value === undefined) return undefined;
  return { sli: { type: "threshold", query, op, value, stepSeconds }, kind: "availability" };
}

function readLatency(
  r: FieldReader,
  p: YamlPath,
  objective: Objective | undefined,
): { sli: Sli; kind: SloKind } | undefined {
  if (r.map(p, true) === undefined) return undefined;
  r.onlyKeys(p, ["histogram", "selector", "threshold", "buckets"], "sli.latency");
  let metric = readMetricName(r, [...p, "histogram"]);
  if (metric !== undefined && /_(bucket|count|sum)$/.test(metric)) {
    r.report(
      [...p, "histogram"],
      `histogram ${JSON.stringify(metric)} names a series, not the histogram`,
      `write the base name: ${JSON.stringify(metric.replace(/_(bucket|count|sum)$/, ""))}`,
    );
    metric = undefined;
  }
  const matchers = readSelector(r, [...p, "selector"]);
  let threshold: number | undefined;
  const thresholdText = r.string([...p, "threshold"], false, true);
  if (thresholdText !== undefined) {
    threshold = parseLatencyThreshold(thresholdText);
    if (threshold === undefined)
      r.report(
        [...p, "threshold"],
        `${JSON.stringify(thresholdText)} is not a latency threshold`,
        "write it with a unit, e.g. 500ms or 1.5s",
      );
  }
  const buckets = readBuckets(r, [...p, "buckets"]);
  if (
    objective?.form === "quantile" &&
    thresholdText !== undefined &&
    threshold !== undefined &&
    threshold !== objective.thresholdSeconds
  ) {
    r.report(
      [...p, "threshold"],
      `threshold ${thresholdText} contradicts the objective's ${objective.thresholdSeconds}s`,
      "give the threshold once: in the objective (p95 < 500ms) or here",
    );
    return undefined;
  }
  if (objective?.form === "bad") {
    r.report(
      [...p.slice(0, -2), "objective"],
      "a latency objective is the share of fast requests, not of errors",
      'write e.g. ">= 95%" with a threshold, or "p95 < 500ms"',
    );
    return undefined;
  }
  const t = objective?.thresholdSeconds ?? threshold;
  if (t === undefined) {
    if (objective !== undefined && thresholdText === undefined) {
      r.report(
        p,
        "latency SLI has no threshold",
        'write the objective as "p95 < 500ms", or add threshold: 500ms with objective ">= 95%"',
      );
    }
    return undefined;
  }
  if (buckets !== undefined && !buckets.includes(t)) {
    r.report(
      thresholdText === undefined ? [...p.slice(0, -2), "objective"] : [...p, "threshold"],
      `latency threshold ${t}s is not a bucket boundary of ${metric ?? "the histogram"} (buckets: ${buckets.join(", ")})`,
      "choose a threshold equal to one of the buckets, or add that bucket to the histogram; a threshold between buckets cannot be counted exactly",
    );
    return undefined;
  }
  if (metric === undefined || matchers === undefined) return undefined;
  return {
    sli: {
      type: "latency",
      metric,
      matchers,
      thresholdSeconds: t,
      ...(objective?.quantile === undefined ? {} : { quantile: objective.quantile }),
    },
    kind: "latency",
  };
}

function readMetricName(r: FieldReader, path: YamlPath): string | undefined {
  const name = r.string(path, true);
  if (name === undefined) return undefined;
  if (!HISTOGRAM.test(name)) {
    r.report(
      path,
      `invalid metric name ${JSON.stringify(name)}`,
      "metric names match [a-zA-Z_:][a-zA-Z0-9_:]*; put label matchers under selector",
    );
    return undefined;
  }
  return name;
}

/** `selector: {service: api}` → equality matchers. */
function readSelector(r: FieldReader, path: YamlPath): LabelMatcher[] | undefined {
  const m = r.map(path);
  if (m === undefined) return r.get(path) === undefined ? [] : undefined;
  const out: LabelMatcher[] = [];
  let ok = true;
  for (const k of Object.keys(m)) {
    if (!isValidLabelName(k)) {
      r.report(
        [...path, k],
        `invalid label name ${JSON.stringify(k)}`,
        "label names match [a-zA-Z_][a-zA-Z0-9_]*",
        { onKey: true },
      );
      ok = false;
      continue;
    }
    if (k === "le") {
      r.report(
        [...path, k],
        "the le label is chosen by slogate from the threshold",
        "remove le from the selector",
        { onKey: true },
      );
      ok = false;
      continue;
    }
    const v = r.string([...path, k], true, true);
    if (v === undefined) ok = false;
    else out.push({ name: k, op: "=", value: v });
  }
  return ok ? out : undefined;
}

function readBuckets(r: FieldReader, path: YamlPath): number[] | undefined {
  const list = r.list(path);
  if (list === undefined) return undefined;
  const out: number[] = [];
  list.forEach((_, i) => {
    const n = r.number([...path, i]);
    if (n !== undefined) {
      if (n > 0) out.push(n);
      else
        r.report(
          [...path, i],
          `bucket ${n} is not positive`,
          "buckets are the histogram's le boundaries in seconds",
        );
    }
  });
  return out;
}

function readLabels(r: FieldReader, path: YamlPath): Record<string, string> {
  const labels = r.stringMap(path);
  for (const k of Object.keys(labels)) {
    if (!isValidLabelName(k)) {
      r.report(
        [...path, k],
        `invalid label name ${JSON.stringify(k)}`,
        "label names match [a-zA-Z_][a-zA-Z0-9_]*",
        { onKey: true },
      );
      delete labels[k];
    }
  }
  return labels;
}

function readPeriod(r: FieldReader, path: YamlPath): number | undefined {
  const text = r.string(path);
  if (text === undefined) return undefined;
  const s = parsePrometheusDuration(text);
  if (s === undefined) {
    r.report(
      path,
      `${JSON.stringify(text)} is not a duration`,
      "write the SLO period as a Prometheus duration, e.g. 30d or 28d",
    );
    return undefined;
  }
  if (s < 86400 || s > 400 * 86400) {
    r.report(
      path,
      `period ${text} is out of range`,
      "the SLO period is between 1d and 400d; 28d or 30d is usual",
    );
    return undefined;
  }
  return s;
}

export { readLabels as readLabelMap, readPeriod as readSloPeriod };
