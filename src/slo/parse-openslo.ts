/**
 * @module slo/parse-openslo
 * OpenSLO v1 (`apiVersion: openslo/v1`): `SLO` objects with an inline `indicator` or an
 * `indicatorRef` to an `SLI` object in any of the files read together. Converted:
 * `ratioMetric` with `good` or `bad` plus `total`, or `raw` (`rawType: success|failure`), all
 * from Prometheus metric sources; `thresholdMetric` with the objective's `op` and `value`
 * (a `threshold` SLI: good = evaluation points where `query op value` holds, one point per
 * minute in canary reads); objectives by `target` (0–1) or `targetPercent`; rolling time
 * windows from 5m. Each objective of a multi-objective SLO becomes its own Slo. A `raw` ratio
 * that divides two event sums is split into good/bad and total queries (`decomposeRatio`, noted
 * in the SLO's `notes`); other raw ratios stay ratios, judged by `kayenta` on per-step points.
 * Queries are made windowed by `./openslo-source.ts`: `counter: true` instant queries
 * (`sum(http_requests{…})`) are read as the rate of each counter (exact raw-counter reads),
 * `counter: false` ratios become per-step `ratio` SLIs over the gauges' window averages, fixed
 * ranges become `{{.window}}` (warned, noted). `metricSourceRef` resolves to a `DataSource`
 * object of the files read together (carried as `slo.dataSource`). `Timeslices` and
 * `RatioTimeslices` budgeting are carried as `slo.budgeting` (generated rules count slices).
 * Names with `/`, `|` or `\` (valid OpenSLO names) are served with `-` in their place, the name
 * as written kept as `displayName`.
 * Reported, not dropped: non-Prometheus sources, composite objectives.
 * Warned and converted: calendar windows (evaluated as rolling). Service and alerting kinds are
 * accepted and not used. Pure.
 */
import { isValidLabelName } from "../promql/matchers.ts";
import { defaultAlertingSettings, DEFAULT_PERIOD_SECONDS } from "./canary-defaults.ts";
import { mergeCanarySettings, sliCanaryDefaults } from "./canary-settings.ts";
import { parseOpensloDuration, shiftDecimal } from "./duration.ts";
import { FieldReader } from "./field-reader.ts";
import type { QueryTemplate } from "../promql/query-template.ts";
import {
  THRESHOLD_OPS,
  type DataSourceRef,
  type Sli,
  type Slo,
  type SloKind,
  type ThresholdOp,
  type TimesliceBudgeting,
} from "./model.ts";
import { isValidSloName } from "./names.ts";
import { parseObjective } from "./objective.ts";
import {
  readMetricSource,
  windowOpensloQuery,
  type MetricSource,
  type OpensloObject,
  type QueryUse,
} from "./openslo-source.ts";
import type { Problem, YamlPath } from "./problem.ts";
import { decomposeRatio } from "./ratio-decomposition.ts";
import { parseQueryTemplate } from "../promql/placeholders.ts";

export type { OpensloObject } from "./openslo-source.ts";

/** Seconds between the evaluation points of an OpenSLO thresholdMetric in canary reads. */
export const THRESHOLD_STEP_SECONDS = 60;

/** What an SLI spec converts to: a whole SLI, or a threshold query waiting for op and value. */
type SliSpec = ({ readonly sli: Sli; readonly kind: SloKind } | { readonly threshold: QueryTemplate }) & {
  readonly notes: readonly string[];
  readonly dataSource?: DataSourceRef;
};

/** The objects an SLO may refer to by name: SLIs and DataSources. */
interface Refs {
  readonly slis: ReadonlyMap<string, OpensloObject>;
  readonly dataSources: ReadonlyMap<string, OpensloObject>;
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
  const dataSources = new Map<string, OpensloObject>();
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
    if (kind !== "SLO" && kind !== "SLI" && kind !== "DataSource") continue;
    r.map([...path, "metadata"], true);
    r.onlyKeys([...path, "metadata"], METADATA_KEYS, "metadata");
    const name = r.string([...path, "metadata", "name"], true);
    if (name === undefined) continue;
    if (kind === "SLO") slos.push(o);
    else {
      const byName = kind === "SLI" ? slis : dataSources;
      const first = byName.get(name);
      if (first !== undefined) {
        const at = first.r.doc.position(first.path);
        r.report(
          [...path, "metadata", "name"],
          `duplicate ${kind} name ${JSON.stringify(name)} (also at ${first.r.doc.file}:${at.line}:${at.col})`,
          `give every ${kind} a different metadata.name`,
        );
      } else byName.set(name, o);
    }
  }
  const out: Slo[] = [];
  const used = new Set<string>();
  const refs: Refs = { slis, dataSources };
  for (const o of slos) out.push(...convertSlo(o, refs, used));
  // SLIs no SLO uses are still checked, so a file of SLIs is not silently accepted; their
  // problems are warnings, since nothing slogate serves depends on them.
  for (const [name, o] of slis) {
    if (used.has(name)) continue;
    const found: Problem[] = [];
    readSliSpec(new FieldReader(o.r.doc, found), [...o.path, "spec"], dataSources);
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

function convertSlo(o: OpensloObject, refs: Refs, used: Set<string>): Slo[] {
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
  const displayName = r.string([...path, "metadata", "displayName"]);
  const labels = openSloLabels(r, [...path, "metadata", "labels"]);
  const period = readTimeWindow(r, [...sp, "timeWindow"]);
  const method = readBudgetingMethod(r, sp);
  const sli = readIndicator(r, sp, refs, used);
  const objectives = readObjectives(r, sp, sli, method, period);
  const policies = r.get([...sp, "alertPolicies"]);
  if (Array.isArray(policies) && policies.length > 0)
    r.report(
      [...sp, "alertPolicies"],
      "alertPolicies are not used: slogate generates multi-window burn-rate alerts for every SLO",
      "see slogate generate (page and ticket tiers, Alertmanager routes); remove alertPolicies or keep them for other tools",
      { severity: "warning", onKey: true },
    );
  // Any error in this SLO or its SLI refuses the SLO: nothing is served half-read.
  if (name === undefined || service === undefined || sli === undefined || r.errorCount() > errorsBefore)
    return [];
  const notes = [...name.notes, ...service.notes];
  if (period < 86_400)
    notes.push(
      `the period ${formatSeconds(period)} is shorter than a day: burn-rate alert tiers whose long window exceeds it are not generated`,
    );
  return buildSlos(o, {
    name: name.id,
    service: service.id,
    labels,
    period,
    sli,
    objectives,
    notes,
    ...(description === undefined ? {} : { description }),
    ...(displayName !== undefined || name.written !== name.id
      ? { displayName: displayName ?? name.written }
      : {}),
  });
}

function formatSeconds(s: number): string {
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** One objective of an OpenSLO SLO, read and checked. */
interface ReadObjective {
  readonly percent: number;
  readonly suffix: string;
  readonly index: number;
  readonly threshold?: { op: ThresholdOp; value: number };
  readonly budgeting?: TimesliceBudgeting;
}

type BudgetingMethod = "Occurrences" | TimesliceBudgeting["method"];

/** Reads `budgetingMethod` (absent: Occurrences). */
function readBudgetingMethod(r: FieldReader, sp: YamlPath): BudgetingMethod {
  const budgeting = r.string([...sp, "budgetingMethod"]);
  if (budgeting === undefined || budgeting === "Occurrences") return "Occurrences";
  if (budgeting === "Timeslices" || budgeting === "RatioTimeslices") return budgeting;
  r.report(
    [...sp, "budgetingMethod"],
    `unknown budgetingMethod ${JSON.stringify(budgeting)}`,
    "use Occurrences, Timeslices or RatioTimeslices",
  );
  return "Occurrences";
}

/** Shortest and longest time slice: a rule group's interval, and at most a day. */
const MIN_SLICE_SECONDS = 60;
const MAX_SLICE_SECONDS = 86_400;

/** `timeSliceWindow` (a duration shorthand, or a number of minutes) and `timeSliceTarget` of one objective. */
function readTimeslices(
  r: FieldReader,
  p: YamlPath,
  method: BudgetingMethod,
  period: number,
): TimesliceBudgeting | undefined | "error" {
  const wp = [...p, "timeSliceWindow"];
  const tp = [...p, "timeSliceTarget"];
  if (method === "Occurrences") {
    for (const k of [wp, tp]) {
      if (r.get(k) !== undefined)
        r.report(
          k,
          `${String(k[k.length - 1])} is not used with budgetingMethod Occurrences`,
          "set budgetingMethod: Timeslices to count time slices, or remove it",
          { severity: "warning", onKey: true },
        );
    }
    return undefined;
  }
  const raw = r.get(wp);
  if (raw === undefined) {
    r.missing(wp, `${method} budgeting needs the length of a slice, e.g. timeSliceWindow: 1m`);
    return "error";
  }
  const seconds =
    typeof raw === "number"
      ? Number.isInteger(raw) && raw > 0
        ? raw * 60
        : undefined
      : typeof raw === "string"
        ? parseOpensloDuration(raw)
        : undefined;
  if (seconds === undefined) {
    r.report(
      wp,
      `timeSliceWindow ${JSON.stringify(raw)} is not a duration`,
      "write e.g. 1m, 5m or 1h (a number alone is minutes)",
    );
    return "error";
  }
  if (seconds < MIN_SLICE_SECONDS || seconds > MAX_SLICE_SECONDS || seconds > period || seconds % 60 !== 0) {
    r.report(
      wp,
      `timeSliceWindow ${JSON.stringify(raw).replace(/^"|"$/g, "")} is out of range`,
      "a slice is a whole number of minutes from 1m to 1d and no longer than the time window",
    );
    return "error";
  }
  if (method === "RatioTimeslices") {
    if (r.get(tp) !== undefined)
      r.report(
        tp,
        "timeSliceTarget is not used with RatioTimeslices (the mean of the slices' ratios is compared with target)",
        "remove it, or use budgetingMethod: Timeslices",
        {
          severity: "warning",
          onKey: true,
        },
      );
    return { method, sliceSeconds: seconds };
  }
  const target = r.number(tp, true);
  if (target === undefined) return "error";
  if (!(target > 0 && target < 1)) {
    r.report(
      tp,
      `timeSliceTarget ${target} is out of range`,
      "the share of good events that makes a slice good, between 0 and 1 (exclusive), e.g. 0.95",
    );
    return "error";
  }
  const percent = shiftDecimal(target, 2);
  const checked = parseObjective(percent);
  if (!checked.ok) {
    r.report(tp, checked.message, checked.hint);
    return "error";
  }
  return { method, sliceSeconds: seconds, sliceTargetPercent: percent };
}

/** The SLO's indicator, inline or by `indicatorRef` (recorded in `used`). */
function readIndicator(r: FieldReader, sp: YamlPath, refs: Refs, used: Set<string>): SliSpec | undefined {
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
      sli = readSliSpec(r, [...ip, "spec"], refs.dataSources);
    }
  } else {
    const ref = r.string([...sp, "indicatorRef"], true);
    if (ref !== undefined) {
      const target = refs.slis.get(ref);
      used.add(ref);
      if (target === undefined) {
        r.report(
          [...sp, "indicatorRef"],
          `indicatorRef ${JSON.stringify(ref)} names no SLI in the files read`,
          `pass the file that defines kind: SLI with metadata.name: ${ref} too`,
        );
      } else {
        sli = readSliSpec(target.r, [...target.path, "spec"], refs.dataSources);
      }
    }
  }
  return sli;
}

/** The objectives, each with its target percent (and, for thresholdMetric SLIs, op and value). */
function readObjectives(
  r: FieldReader,
  sp: YamlPath,
  sli: SliSpec | undefined,
  method: BudgetingMethod,
  period: number,
): ReadObjective[] {
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
    } else if (sli !== undefined && r.get([...p, "value"]) !== undefined) {
      r.report(
        [...p, "value"],
        "value is not used: op and value compare a thresholdMetric, and this SLI is a ratioMetric",
        "remove value; the objective of a ratioMetric is its target",
        { severity: "warning", onKey: true },
      );
    }
    const budgeting = readTimeslices(r, p, method, period);
    if (budgeting === "error") return;
    const label = r.string([...p, "name"]) ?? r.string([...p, "displayName"]);
    objectives.push({
      percent,
      suffix: slug(label ?? "") || String(i + 1),
      index: i,
      ...(threshold === undefined ? {} : { threshold }),
      ...(budgeting === undefined ? {} : { budgeting }),
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
    readonly notes: readonly string[];
    readonly displayName?: string;
  },
): Slo[] {
  const { r, path } = o;
  const { name, service, description, labels, period, sli, objectives, displayName } = h;
  const pos = r.doc.position(path);
  const taken = new Set<string>();
  const notes = [...h.notes, ...sli.notes];
  if (sli.dataSource?.url !== undefined) notes.push(dataSourceNote(sli.dataSource));
  return objectives.map((obj) => {
    const b = obj.budgeting;
    const budgetNote =
      b === undefined
        ? []
        : [
            b.method === "Timeslices"
              ? `budgetingMethod Timeslices: generated rules count ${formatSeconds(b.sliceSeconds)} slices, a slice being good when at least ${b.sliceTargetPercent ?? 0} % of its events are good; canary analysis compares event counts`
              : `budgetingMethod RatioTimeslices: generated rules average the good ratios of ${formatSeconds(b.sliceSeconds)} slices; canary analysis compares event counts`,
          ];
    let sloName = objectives.length === 1 ? name : `${name}-${obj.suffix}`;
    if (taken.has(sloName)) sloName = `${name}-${obj.index + 1}`;
    taken.add(sloName);
    const converted: { sli: Sli; kind: SloKind } =
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
      ...(displayName === undefined ? {} : { displayName }),
      ...(description === undefined ? {} : { description }),
      kind: converted.kind,
      objectivePercent: obj.percent,
      sli: converted.sli,
      periodSeconds: period,
      labels,
      alerting: defaultAlertingSettings(),
      canary: mergeCanarySettings(converted.kind, sliCanaryDefaults(converted.sli)),
      source: { file: r.doc.file, format: "openslo/v1", line: pos.line, col: pos.col },
      ...(sli.dataSource === undefined ? {} : { dataSource: sli.dataSource }),
      ...(obj.budgeting === undefined ? {} : { budgeting: obj.budgeting }),
      ...(notes.length + budgetNote.length === 0 ? {} : { notes: [...notes, ...budgetNote] }),
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

function readSliSpec(
  r: FieldReader,
  sp: YamlPath,
  dataSources: ReadonlyMap<string, OpensloObject>,
): SliSpec | undefined {
  const m = r.map(sp, true);
  if (m === undefined) return undefined;
  r.onlyKeys(sp, ["description", "thresholdMetric", "ratioMetric"], "an SLI spec");
  if (m["thresholdMetric"] !== undefined) {
    if (m["ratioMetric"] !== undefined) {
      r.report(sp, "SLI has both thresholdMetric and ratioMetric", "give exactly one of them");
      return undefined;
    }
    // A threshold query is compared at each evaluation point: its ranges are kept as written.
    const src = readMetricSource(r, [...sp, "thresholdMetric"], "a thresholdMetric", dataSources);
    if (src === undefined) return undefined;
    return { threshold: src.query, notes: [], ...oneDataSource(src) };
  }
  const rp = [...sp, "ratioMetric"];
  if (r.map(rp, true) === undefined) return undefined;
  r.onlyKeys(rp, ["counter", "good", "bad", "total", "rawType", "raw"], "ratioMetric");
  const counter = r.boolean([...rp, "counter"]);
  const has = (k: string): boolean => r.get([...rp, k]) !== undefined;
  const part = (
    k: string,
    use: QueryUse,
  ): { src: MetricSource; query: QueryTemplate; notes: readonly string[] } | undefined => {
    const src = readMetricSource(r, [...rp, k], "a ratioMetric part", dataSources);
    if (src === undefined) return undefined;
    const w = windowOpensloQuery(r, src.queryPath, src.query, use);
    return w === undefined ? undefined : { src, query: w.query, notes: w.notes };
  };
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
    const raw = part("raw", "raw-ratio");
    if (raw === undefined || rawType === undefined) return undefined;
    const q = raw.query;
    const extra = oneDataSource(raw.src);
    const split = decomposeRatio(q, rawType === "failure" ? "bad" : "good");
    if (split !== undefined)
      return { sli: split.sli, kind: "error-rate", notes: [...raw.notes, split.note], ...extra };
    const badRatio = rawType === "failure" ? q : parseQueryTemplate(`1 - (${q.text})`);
    return { sli: { type: "ratio", badRatio }, kind: "error-rate", notes: raw.notes, ...extra };
  }
  if (has("good") === has("bad")) {
    r.report(
      rp,
      has("good") ? "ratioMetric has both good and bad" : "ratioMetric has none of good, bad or raw",
      "give good or bad, plus total (or raw with rawType)",
    );
    return undefined;
  }
  const use: QueryUse = counter === true ? "counter" : counter === false ? "gauge" : "unknown-counter";
  const goodOrBad = has("good") ? "good" : "bad";
  const q = part(goodOrBad, use);
  const total = has("total") ? part("total", use) : undefined;
  if (!has("total")) r.missing([...rp, "total"], "add total with the query counting all events");
  if (q === undefined || total === undefined) return undefined;
  const ds = dataSourceOf([q.src, total.src]);
  if (ds === "mixed") {
    r.report(
      rp,
      "the parts of ratioMetric name different DataSources",
      "slogate reads one SLO from one backend: refer to the same DataSource in good/bad and total",
    );
    return undefined;
  }
  const notes = [...q.notes, ...total.notes];
  if (counter === false) {
    // Gauges are no event counts: the ratio of the gauges is judged on per-step points.
    const badRatio =
      goodOrBad === "bad"
        ? parseQueryTemplate(`(${q.query.text})\n/\n(${total.query.text})`)
        : parseQueryTemplate(`1 - (${q.query.text})\n/\n(${total.query.text})`);
    notes.push(
      "counter: false: the gauges' ratio has no event counts, so canaries are judged on its per-step values",
    );
    return { sli: { type: "ratio", badRatio }, kind: "error-rate", notes, ...ds };
  }
  return goodOrBad === "good"
    ? { sli: { type: "events", good: q.query, total: total.query }, kind: "availability", notes, ...ds }
    : { sli: { type: "events", bad: q.query, total: total.query }, kind: "error-rate", notes, ...ds };
}

/** The one DataSource of an SLI's parts (`{}` when none names one), or "mixed". */
function dataSourceOf(parts: readonly MetricSource[]): { dataSource?: DataSourceRef } | "mixed" {
  const named = parts.map((p) => p.dataSource).filter((d) => d !== undefined);
  const first = named[0];
  if (first === undefined) return {};
  if (named.length !== parts.length || named.some((d) => d.name !== first.name)) return "mixed";
  return { dataSource: first };
}

function oneDataSource(src: MetricSource): { dataSource?: DataSourceRef } {
  return src.dataSource === undefined ? {} : { dataSource: src.dataSource };
}

/** Shortest SLO period: the base window every other window is chained from. */
const MIN_PERIOD_SECONDS = 300;

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
  if (s < MIN_PERIOD_SECONDS || s > 400 * 86400) {
    r.report(
      [...p, "duration"],
      `time window ${text} is out of range`,
      "the SLO period is between 5m (the shortest window slogate evaluates) and 400d; note that 1m is one minute in OpenSLO (1M is a month)",
    );
    return DEFAULT_PERIOD_SECONDS;
  }
  return s;
}

/** OpenSLO names (`^[a-z0-9][a-z0-9.|/\\-]*`) may hold `/`, `|` and `\\`; ids may not. */
const OPENSLO_NAME = /^[a-z0-9][a-z0-9.|/\\-]*$/;
const ID_UNSAFE = /[|/\\]+/g;

/** A name as written and as served (`id`), with a note when they differ. */
interface ReadName {
  readonly written: string;
  readonly id: string;
  readonly notes: readonly string[];
}

function sloName(r: FieldReader, path: YamlPath, required = false): ReadName | undefined {
  const n = r.string(path, required, true);
  if (n === undefined) return undefined;
  const id = OPENSLO_NAME.test(n) ? n.replace(ID_UNSAFE, "-").replace(/-+$/, "") : n;
  if (!isValidSloName(id)) {
    r.report(
      path,
      `invalid name ${JSON.stringify(n)}`,
      "use letters, digits, '-', '_' and '.' (at most 128 characters); OpenSLO's '/', '|' and '\\' are served as '-'",
    );
    return undefined;
  }
  const notes =
    id === n
      ? []
      : [
          `the name ${JSON.stringify(n)} is served as ${JSON.stringify(id)} (ids and rule names allow no '/', '|' or '\\')`,
        ];
  return { written: n, id, notes };
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

/**
 * The note on an SLO whose DataSource names a URL (what `slogate validate` shows; the service
 * replaces it by the backend it actually reads from). The URL without user info.
 */
export function dataSourceNote(ds: DataSourceRef): string {
  let url = ds.url ?? "";
  try {
    const u = new URL(url);
    if (u.username !== "" || u.password !== "") {
      u.username = "";
      u.password = "";
      url = u.toString();
    }
  } catch {
    // kept as written
  }
  return `DataSource ${JSON.stringify(ds.name)} (${url}): slogate serve reads this SLO from that backend (backends.${ds.name} in the service config sets its URL, auth and TLS)`;
}
