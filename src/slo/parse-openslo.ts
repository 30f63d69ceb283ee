/**
 * @module slo/parse-openslo
 * OpenSLO v1 (`apiVersion: openslo/v1`): `SLO` objects with an inline `indicator` or an
 * `indicatorRef` to an `SLI` object in any of the files read together. Converted:
 * `ratioMetric` with `good` or `bad` plus `total`, or `raw` (`rawType: success|failure`), all
 * from Prometheus metric sources; `thresholdMetric` with the objective's `op` and `value`
 * (a `threshold` SLI: good = evaluation points where `query op value` holds, one point per
 * minute in canary reads); objectives by `target` (0–1) or `targetPercent`; rolling time
 * windows. Each objective of a multi-objective SLO becomes its own Slo. A `raw` ratio that
 * divides two event sums is split into good/bad and total queries (`decomposeRatio`, noted in
 * the SLO's `notes`); other raw ratios stay ratios, judged by `kayenta` on per-step points.
 * Reported, not dropped: non-Prometheus sources, composite objectives.
 * Warned and converted: `Timeslices`/`RatioTimeslices` budgeting (evaluated as occurrences)
 * and calendar windows (evaluated as rolling). Service, DataSource and alerting kinds are
 * accepted and not used. Pure.
 */
import { isValidLabelName } from "../promql/matchers.ts";
import { parseQueryTemplate } from "../promql/placeholders.ts";
import { defaultAlertingSettings, DEFAULT_PERIOD_SECONDS } from "./canary-defaults.ts";
import { mergeCanarySettings, sliCanaryDefaults } from "./canary-settings.ts";
import { parseOpensloDuration, shiftDecimal } from "./duration.ts";
import { FieldReader } from "./field-reader.ts";
import type { QueryTemplate } from "../promql/query-template.ts";
import { THRESHOLD_OPS, type Sli, type Slo, type SloKind, type ThresholdOp } from "./model.ts";
import { isValidSloName } from "./names.ts";
import { parseObjective } from "./objective.ts";
import type { Problem, YamlPath } from "./problem.ts";
import { readQuery } from "./query-field.ts";
import { decomposeRatio } from "./ratio-decomposition.ts";

/** Seconds between the evaluation points of an OpenSLO thresholdMetric in canary reads. */
export const THRESHOLD_STEP_SECONDS = 60;

/** What an SLI spec converts to: a whole SLI, or a threshold query waiting for op and value. */
type SliSpec =
  | { readonly sli: Sli; readonly kind: SloKind; readonly note?: string }
  | { readonly threshold: QueryTemplate };

/** One OpenSLO object: the reader of its document and its path there (`[]` or `[i]`). */
export interface OpensloObject {
  readonly r: FieldReader;
  readonly path: YamlPath;
}

export const OPENSLO_API_VERSION = "openslo/v1";
const KINDS = [
  "SLO",
  "SLI",
  "Service",
  "DataSource",
  "AlertPolicy",
  "AlertCondition",
  "AlertNotificationTarget",
];
const METADATA_KEYS = ["name", "displayName", "labels", "annotations", "namespace"];

/** Converts all OpenSLO objects read together; SLI references resolve across all of them. */
export function parseOpensloObjects(objects: readonly OpensloObject[]): Slo[] {
  const slis = new Map<string, OpensloObject>();
  const slos: OpensloObject[] = [];
  for (const o of objects) {
    const { r, path } = o;
    r.onlyKeys(path, ["apiVersion", "kind", "metadata", "spec"], "an OpenSLO object");
    const kind = r.string([...path, "kind"], true);
    if (kind === undefined) continue;
    if (!KINDS.includes(kind)) {
      r.report(
        [...path, "kind"],
        `unknown OpenSLO kind ${JSON.stringify(kind)}`,
        `OpenSLO v1 kinds are ${KINDS.join(", ")}`,
      );
      continue;
    }
    if (kind !== "SLO" && kind !== "SLI") continue;
    r.map([...path, "metadata"], true);
    r.onlyKeys([...path, "metadata"], METADATA_KEYS, "metadata");
    const name = r.string([...path, "metadata", "name"], true);
    if (name === undefined) continue;
    if (kind === "SLO") slos.push(o);
    else {
      const first = slis.get(name);
      if (first !== undefined) {
        const at = first.r.doc.position(first.path);
        r.report(
          [...path, "metadata", "name"],
          `duplicate SLI name ${JSON.stringify(name)} (also at ${first.r.doc.file}:${at.line}:${at.col})`,
          "give every SLI a different metadata.name",
        );
      } else slis.set(name, o);
    }
  }
  const out: Slo[] = [];
  const used = new Set<string>();
  for (const o of slos) out.push(...convertSlo(o, slis, used));
  // SLIs no SLO uses are still checked, so a file of SLIs is not silently accepted; their
  // problems are warnings, since nothing slogate serves depends on them.
  for (const [name, o] of slis) {
    if (used.has(name)) continue;
    const found: Problem[] = [];
    readSliSpec(new FieldReader(o.r.doc, found), [...o.path, "spec"]);
    for (const p of found) {
      o.r.problems.push({
        ...p,
        message: `SLI ${JSON.stringify(name)} (used by no SLO): ${p.message}`,
        severity: "warning",
      });
    }
  }
  return out;
}

function convertSlo(o: OpensloObject, slis: ReadonlyMap<string, OpensloObject>, used: Set<string>): Slo[] {
  const { r, path } = o;
  const sp = [...path, "spec"];
  const errorsBefore = r.errorCount();
  if (r.map(sp, true) === undefined) return [];
  r.onlyKeys(
    sp,
    [
      "description",
      "service",
      "indicator",
      "indicatorRef",
      "timeWindow",
      "budgetingMethod",
      "objectives",
      "alertPolicies",
    ],
    "an OpenSLO SLO spec",
  );
  const name = sloName(r, [...path, "metadata", "name"]);
  const service = sloName(r, [...sp, "service"], true);
  const description = r.string([...sp, "description"]);
  const labels = openSloLabels(r, [...path, "metadata", "labels"]);
  const period = readTimeWindow(r, [...sp, "timeWindow"]);
  readBudgetingMethod(r, sp);
  const sli = readIndicator(r, sp, slis, used);
  const objectives = readObjectives(r, sp, sli);
  // Any error in this SLO or its SLI refuses the SLO: nothing is served half-read.
  if (name === undefined || service === undefined || sli === undefined || r.errorCount() > errorsBefore)
    return [];
  return buildSlos(o, {
    name,
    service,
    labels,
    period,
    sli,
    objectives,
    ...(description === undefined ? {} : { description }),
  });
}

/** One objective of an OpenSLO SLO, read and checked. */
interface ReadObjective {
  readonly percent: number;
  readonly suffix: string;
  readonly index: number;
  readonly threshold?: { op: ThresholdOp; value: number };
}

/** Checks `budgetingMethod`: Occurrences is what slogate evaluates; Timeslices warn. */
function readBudgetingMethod(r: FieldReader, sp: YamlPath): void {
  const budgeting = r.string([...sp, "budgetingMethod"]);
  if (budgeting !== undefined) {
    if (budgeting === "Timeslices" || budgeting === "RatioTimeslices") {
      r.report(
        [...sp, "budgetingMethod"],
        `budgetingMethod ${budgeting} is evaluated as Occurrences (good events / total events); timeSliceTarget and timeSliceWindow are not used`,
        "set budgetingMethod: Occurrences to state what slogate evaluates",
        { severity: "warning", code: "SLO_UNSUPPORTED" },
      );
    } else if (budgeting !== "Occurrences") {
      r.report(
        [...sp, "budgetingMethod"],
        `unknown budgetingMethod ${JSON.stringify(budgeting)}`,
        "use Occurrences, Timeslices or RatioTimeslices",
      );
    }
  }
}

/** The SLO's indicator, inline or by `indicatorRef` (recorded in `used`). */
function readIndicator(
  r: FieldReader,
  sp: YamlPath,
  slis: ReadonlyMap<string, OpensloObject>,
  used: Set<string>,
): SliSpec | undefined {
  const hasInline = r.get([...sp, "indicator"]) !== undefined;
  const hasRef = r.get([...sp, "indicatorRef"]) !== undefined;
  let sli: SliSpec | undefined;
  if (hasInline === hasRef) {
    r.report(
      sp,
      hasInline ? "SLO has both indicator and indicatorRef" : "SLO has neither indicator nor indicatorRef",
      "give exactly one: an inline indicator or indicatorRef naming an SLI",
    );
  } else if (hasInline) {
    const ip = [...sp, "indicator"];
    if (r.map(ip, true) !== undefined) {
      r.onlyKeys(ip, ["metadata", "spec"], "indicator");
      sli = readSliSpec(r, [...ip, "spec"]);
    }
  } else {
    const ref = r.string([...sp, "indicatorRef"], true);
    if (ref !== undefined) {
      const target = slis.get(ref);
      used.add(ref);
      if (target === undefined) {
        r.report(
          [...sp, "indicatorRef"],
          `indicatorRef ${JSON.stringify(ref)} names no SLI in the files read`,
          `pass the file that defines kind: SLI with metadata.name: ${ref} too`,
        );
      } else {
        sli = readSliSpec(target.r, [...target.path, "spec"]);
      }
    }
  }
  return sli;
}

/** The objectives, each with its target percent (and, for thresholdMetric SLIs, op and value). */
function readObjectives(r: FieldReader, sp: YamlPath, sli: SliSpec | undefined): ReadObjective[] {
  const op = [...sp, "objectives"];
  const list = r.list(op, true);
  if (list !== undefined && list.length === 0)
    r.report(op, "objectives is empty", "add an objective with target (0–1) or targetPercent");
  const objectives: ReadObjective[] = [];
  (list ?? []).forEach((_, i) => {
    const p = [...op, i];
    if (r.map(p) === undefined) return;
    r.onlyKeys(
      p,
      [
        "displayName",
        "name",
        "op",
        "value",
        "target",
        "targetPercent",
        "timeSliceTarget",
        "timeSliceWindow",
        "indicator",
        "indicatorRef",
        "compositeWeight",
      ],
      "an objective",
    );
    if (
      r.get([...p, "indicator"]) !== undefined ||
      r.get([...p, "indicatorRef"]) !== undefined ||
      r.get([...p, "compositeWeight"]) !== undefined
    ) {
      r.report(
        p,
        "composite SLOs (an indicator per objective) cannot be converted",
        "write one SLO per indicator",
        { code: "SLO_UNSUPPORTED" },
      );
      return;
    }
    const target = r.number([...p, "target"]);
    const targetPercent = r.number([...p, "targetPercent"]);
    if ((target === undefined) === (targetPercent === undefined)) {
      if (r.get([...p, "target"]) === undefined && r.get([...p, "targetPercent"]) === undefined)
        r.report(
          p,
          "objective has neither target nor targetPercent",
          "add target: 0.999 (a fraction) or targetPercent: 99.9",
        );
      else if (target !== undefined)
        r.report(p, "objective has both target and targetPercent", "keep one of them");
      return;
    }
    if (target !== undefined && !(target > 0 && target < 1)) {
      r.report(
        [...p, "target"],
        `target ${target} is out of range`,
        "target is a fraction between 0 and 1 (exclusive), e.g. 0.999; use targetPercent for 99.9",
      );
      return;
    }
    const percent = target !== undefined ? shiftDecimal(target, 2) : (targetPercent ?? 0);
    const checked = parseObjective(percent);
    if (!checked.ok) {
      r.report([...p, target !== undefined ? "target" : "targetPercent"], checked.message, checked.hint);
      return;
    }
    let threshold: { op: ThresholdOp; value: number } | undefined;
    if (sli !== undefined && "threshold" in sli) {
      threshold = readThresholdObjective(r, p);
      if (threshold === undefined) return;
    }
    const label = r.string([...p, "name"]) ?? r.string([...p, "displayName"]);
    objectives.push({
      percent,
      suffix: slug(label ?? "") || String(i + 1),
      index: i,
      ...(threshold === undefined ? {} : { threshold }),
    });
  });
  return objectives;
}

/** One slogate SLO per objective (named `<name>-<objective>` when there are several). */
function buildSlos(
  o: OpensloObject,
  h: {
    readonly name: string;
    readonly service: string;
    readonly description?: string;
    readonly labels: Record<string, string>;
    readonly period: number;
    readonly sli: SliSpec;
    readonly objectives: readonly ReadObjective[];
  },
): Slo[] {
  const { r, path } = o;
  const { name, service, description, labels, period, sli, objectives } = h;
  const pos = r.doc.position(path);
  const taken = new Set<string>();
  return objectives.map((obj) => {
    let sloName = objectives.length === 1 ? name : `${name}-${obj.suffix}`;
    if (taken.has(sloName)) sloName = `${name}-${obj.index + 1}`;
    taken.add(sloName);
    const converted: { sli: Sli; kind: SloKind; note?: string } =
      "threshold" in sli
        ? {
            sli: {
              type: "threshold",
              query: sli.threshold,
              op: obj.threshold?.op ?? "lte",
              value: obj.threshold?.value ?? 0,
              stepSeconds: THRESHOLD_STEP_SECONDS,
            },
            // The share of good points is an availability-like ratio.
            kind: "availability",
          }
        : sli;
    return {
      id: `${service}-${sloName}`,
      service,
      name: sloName,
      ...(description === undefined ? {} : { description }),
      kind: converted.kind,
      objectivePercent: obj.percent,
      sli: converted.sli,
      periodSeconds: period,
      labels,
      alerting: defaultAlertingSettings(),
      canary: mergeCanarySettings(converted.kind, sliCanaryDefaults(converted.sli)),
      source: { file: r.doc.file, format: "openslo/v1", line: pos.line, col: pos.col },
      ...(converted.note === undefined ? {} : { notes: [converted.note] }),
    };
  });
}

/** Reads `op` and `value` of an objective of a thresholdMetric SLO. */
function readThresholdObjective(r: FieldReader, p: YamlPath): { op: ThresholdOp; value: number } | undefined {
  const op = r.string([...p, "op"], true);
  const value = r.number([...p, "value"], true);
  if (op !== undefined && !(THRESHOLD_OPS as readonly string[]).includes(op)) {
    r.report(
      [...p, "op"],
      `op ${JSON.stringify(op)} is not one of ${THRESHOLD_OPS.join(", ")}`,
      "a thresholdMetric objective compares the query with value: op lt, lte, gt or gte",
    );
    return undefined;
  }
  if (op === undefined || value === undefined) return undefined;
  return { op: op as ThresholdOp, value };
}

function readSliSpec(r: FieldReader, sp: YamlPath): SliSpec | undefined {
  const m = r.map(sp, true);
  if (m === undefined) return undefined;
  r.onlyKeys(sp, ["description", "thresholdMetric", "ratioMetric"], "an SLI spec");
  if (m["thresholdMetric"] !== undefined) {
    if (m["ratioMetric"] !== undefined) {
      r.report(sp, "SLI has both thresholdMetric and ratioMetric", "give exactly one of them");
      return undefined;
    }
    const q = readSource(r, [...sp, "thresholdMetric"], "a thresholdMetric", false);
    return q === undefined ? undefined : { threshold: q };
  }
  const rp = [...sp, "ratioMetric"];
  if (r.map(rp, true) === undefined) return undefined;
  r.onlyKeys(rp, ["counter", "good", "bad", "total", "rawType", "raw"], "ratioMetric");
  r.boolean([...rp, "counter"]);
  const has = (k: string): boolean => r.get([...rp, k]) !== undefined;
  if (has("raw")) {
    if (has("good") || has("bad") || has("total")) {
      r.report(
        rp,
        "ratioMetric has raw together with good, bad or total",
        "use either raw (with rawType) or good/bad with total",
      );
      return undefined;
    }
    const rawType = r.string([...rp, "rawType"], true);
    if (rawType !== undefined && rawType !== "success" && rawType !== "failure") {
      r.report(
        [...rp, "rawType"],
        `rawType ${JSON.stringify(rawType)} is not success or failure`,
        "rawType: success (the query is the good ratio) or failure (the bad ratio)",
      );
      return undefined;
    }
    const q = readSource(r, [...rp, "raw"]);
    if (q === undefined || rawType === undefined) return undefined;
    const split = decomposeRatio(q, rawType === "failure" ? "bad" : "good");
    if (split !== undefined) return { sli: split.sli, kind: "error-rate", note: split.note };
    const badRatio = rawType === "failure" ? q : parseQueryTemplate(`1 - (${q.text})`);
    return { sli: { type: "ratio", badRatio }, kind: "error-rate" };
  }
  if (has("good") === has("bad")) {
    r.report(
      rp,
      has("good") ? "ratioMetric has both good and bad" : "ratioMetric has none of good, bad or raw",
      "give good or bad, plus total (or raw with rawType)",
    );
    return undefined;
  }
  const goodOrBad = has("good") ? "good" : "bad";
  const q = readSource(r, [...rp, goodOrBad]);
  const total = has("total") ? readSource(r, [...rp, "total"]) : undefined;
  if (!has("total")) r.missing([...rp, "total"], "add total with the query counting all events");
  if (q === undefined || total === undefined) return undefined;
  return goodOrBad === "good"
    ? { sli: { type: "events", good: q, total }, kind: "availability" }
    : { sli: { type: "events", bad: q, total }, kind: "error-rate" };
}

/** Reads `{metricSource: {type: Prometheus, spec: {query}}}`. */
function readSource(
  r: FieldReader,
  path: YamlPath,
  what = "a ratioMetric part",
  requireWindow = true,
): QueryTemplate | undefined {
  if (r.map(path, true) === undefined) return undefined;
  r.onlyKeys(path, ["metricSource"], what);
  const mp = [...path, "metricSource"];
  if (r.map(mp, true) === undefined) return undefined;
  r.onlyKeys(mp, ["metricSourceRef", "type", "spec"], "metricSource");
  const type = r.string([...mp, "type"]);
  if (type === undefined && r.get([...mp, "metricSourceRef"]) === undefined) {
    r.missing([...mp, "type"], "add type: Prometheus");
    return undefined;
  }
  if (type !== undefined && type.toLowerCase() !== "prometheus") {
    r.report(
      [...mp, "type"],
      `metricSource type ${JSON.stringify(type)} is not supported: slogate reads Prometheus only`,
      "use a Prometheus metric source with spec.query in PromQL",
      { code: "SLO_UNSUPPORTED" },
    );
    return undefined;
  }
  if (r.map([...mp, "spec"], true) === undefined) return undefined;
  r.onlyKeys([...mp, "spec"], ["query"], "a Prometheus metricSource spec");
  return readQuery(r, [...mp, "spec", "query"], { requireWindow });
}

function readTimeWindow(r: FieldReader, path: YamlPath): number {
  const list = r.list(path);
  if (list === undefined) return DEFAULT_PERIOD_SECONDS;
  if (list.length !== 1) {
    r.report(path, `timeWindow has ${list.length} entries`, "OpenSLO v1 allows exactly one time window");
    return DEFAULT_PERIOD_SECONDS;
  }
  const p = [...path, 0];
  if (r.map(p) === undefined) return DEFAULT_PERIOD_SECONDS;
  r.onlyKeys(p, ["duration", "isRolling", "calendar"], "a timeWindow");
  const text = r.string([...p, "duration"], true);
  const rolling = r.boolean([...p, "isRolling"]);
  if (rolling === false || r.get([...p, "calendar"]) !== undefined) {
    r.report(
      p,
      "calendar time windows are evaluated as rolling windows of the same duration",
      "set isRolling: true to state what slogate evaluates",
      { severity: "warning", code: "SLO_UNSUPPORTED" },
    );
  }
  if (text === undefined) return DEFAULT_PERIOD_SECONDS;
  const s = parseOpensloDuration(text);
  if (s === undefined) {
    r.report(
      [...p, "duration"],
      `${JSON.stringify(text)} is not an OpenSLO duration`,
      "write a number and one unit: m (minutes), h, d, w, M (months), Q, Y — e.g. 28d",
    );
    return DEFAULT_PERIOD_SECONDS;
  }
  if (s < 86400 || s > 400 * 86400) {
    r.report(
      [...p, "duration"],
      `time window ${text} is out of range`,
      "the SLO period is between 1d and 400d; note that 1m is one minute in OpenSLO (1M is a month)",
    );
    return DEFAULT_PERIOD_SECONDS;
  }
  return s;
}

function sloName(r: FieldReader, path: YamlPath, required = false): string | undefined {
  const n = r.string(path, required, true);
  if (n === undefined) return undefined;
  if (!isValidSloName(n)) {
    r.report(
      path,
      `invalid name ${JSON.stringify(n)}`,
      "use letters, digits, '-', '_' and '.' (at most 128 characters)",
    );
    return undefined;
  }
  return n;
}

/** OpenSLO labels may be lists; they become comma-joined Prometheus label values. */
function openSloLabels(r: FieldReader, path: YamlPath): Record<string, string> {
  const m = r.map(path);
  const out: Record<string, string> = {};
  if (m === undefined) return out;
  for (const [k, v] of Object.entries(m)) {
    const name = isValidLabelName(k) ? k : k.replace(/[^a-zA-Z0-9_]/g, "_").replace(/^([0-9])/, "_$1");
    if (Array.isArray(v)) out[name] = v.map(String).join(",");
    else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[name] = String(v);
    else
      r.report(
        [...path, k],
        `label ${JSON.stringify(k)} must be a string or a list of strings`,
        "e.g. team: [team-a]",
      );
  }
  return out;
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
}
