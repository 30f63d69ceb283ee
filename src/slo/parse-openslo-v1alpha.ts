/**
 * @module slo/parse-openslo-v1alpha
 * OpenSLO v1alpha `SLO` documents as Sloth reads them (`sloth generate` accepts them):
 * `objectives[].ratioMetrics.{good,total}` with `source: prometheus`, `queryType: promql`, and
 * `target` as a fraction. Converted like Sloth does: one SLO per objective named
 * `<metadata.name>-<index>`, alerts off; the period comes from the single `timeWindows` entry
 * (Sloth only accepts 30 days). Other v1alpha shapes (threshold indicators) are reported. Pure.
 */
import { defaultAlertingSettings } from "./canary-defaults.ts";
import { mergeCanarySettings } from "./canary-settings.ts";
import { shiftDecimal } from "./duration.ts";
import type { FieldReader } from "./field-reader.ts";
import type { QueryTemplate } from "../promql/query-template.ts";
import type { ServiceSlos, Slo } from "./model.ts";
import { readName } from "./names.ts";
import { inferKind } from "./parse-sloth.ts";
import { parseObjective } from "./objective.ts";
import type { YamlPath } from "./problem.ts";
import { readQuery } from "./query-field.ts";

export const OPENSLO_V1ALPHA = "openslo/v1alpha";

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  second: 1,
  minute: 60,
  hour: 3600,
  day: 86400,
  week: 604800,
  month: 30 * 86400,
  quarter: 90 * 86400,
  year: 365 * 86400,
};

/** Converts one `openslo/v1alpha` document (`kind: SLO`; `Service` is accepted and unused). */
export function parseOpensloV1alphaDocument(r: FieldReader): ServiceSlos | undefined {
  r.onlyKeys([], ["apiVersion", "kind", "metadata", "spec"], "an OpenSLO v1alpha object");
  const kind = r.string(["kind"], true);
  if (kind === "Service") return undefined;
  if (kind !== undefined && kind !== "SLO") {
    r.report(
      ["kind"],
      `unsupported OpenSLO v1alpha kind ${JSON.stringify(kind)}`,
      "slogate reads kind: SLO (and accepts Service)",
      {
        code: "SLO_UNSUPPORTED",
      },
    );
    return undefined;
  }
  const docErrors = r.errorCount();
  r.map(["metadata"], true);
  r.onlyKeys(["metadata"], ["name", "displayName", "labels", "annotations"], "metadata");
  const name = readName(r, ["metadata", "name"], "SLO");
  if (r.map(["spec"], true) === undefined) return undefined;
  r.onlyKeys(
    ["spec"],
    ["service", "description", "budgetingMethod", "objectives", "timeWindows", "indicator"],
    "an OpenSLO v1alpha SLO spec",
  );
  const service = readName(r, ["spec", "service"], "service");
  const description = r.string(["spec", "description"]);
  if (r.get(["spec", "indicator"]) !== undefined) {
    r.report(
      ["spec", "indicator"],
      "OpenSLO v1alpha threshold indicators cannot be converted: slogate needs good and total event counts",
      "use objectives[].ratioMetrics with good and total PromQL queries",
      {
        code: "SLO_UNSUPPORTED",
        onKey: true,
      },
    );
  }
  const budgeting = r.string(["spec", "budgetingMethod"]);
  if (budgeting !== undefined && budgeting !== "Occurrences") {
    r.report(
      ["spec", "budgetingMethod"],
      `budgetingMethod ${JSON.stringify(budgeting)} is evaluated as Occurrences (good events / total events)`,
      "set budgetingMethod: Occurrences to state what slogate evaluates",
      {
        severity: "warning",
        code: "SLO_UNSUPPORTED",
      },
    );
  }
  const period = readTimeWindows(r, ["spec", "timeWindows"]);
  const list = r.list(["spec", "objectives"], true);
  if (list !== undefined && list.length === 0)
    r.report(["spec", "objectives"], "objectives is empty", "add an objective with ratioMetrics and target");
  const objectives: { index: number; percent: number; good: QueryTemplate; total: QueryTemplate }[] = [];
  (list ?? []).forEach((_, i) => {
    const p: YamlPath = ["spec", "objectives", i];
    if (r.map(p) === undefined) return;
    r.onlyKeys(
      p,
      ["displayName", "op", "value", "target", "timeSliceTarget", "ratioMetrics"],
      "an objective",
    );
    const target = r.number([...p, "target"], true);
    let percent: number | undefined;
    if (target !== undefined) {
      if (!(target > 0 && target < 1)) {
        r.report(
          [...p, "target"],
          `target ${target} is out of range`,
          "target is a fraction between 0 and 1 (exclusive), e.g. 0.999",
        );
      } else {
        const checked = parseObjective(shiftDecimal(target, 2));
        if (checked.ok) percent = checked.objective.goodPercent;
        else r.report([...p, "target"], checked.message, checked.hint);
      }
    }
    const rp = [...p, "ratioMetrics"];
    if (r.map(rp, true) === undefined) return;
    r.onlyKeys(rp, ["good", "total", "incremental"], "ratioMetrics");
    const good = readMetric(r, [...rp, "good"]);
    const total = readMetric(r, [...rp, "total"]);
    if (percent !== undefined && good !== undefined && total !== undefined)
      objectives.push({ index: i, percent, good, total });
  });
  if (name === undefined || service === undefined || period === undefined || r.errorCount() > docErrors) {
    return service === undefined ? undefined : serviceOf(r, service, []);
  }
  const pos = r.doc.position([]);
  const slos: Slo[] = objectives.map((o) => {
    const sli = { type: "events", good: o.good, total: o.total } as const;
    const kind = inferKind(name, {}, sli);
    return {
      id: `${service}-${name}-${o.index}`,
      service,
      name: `${name}-${o.index}`,
      ...(description === undefined ? {} : { description }),
      kind,
      objectivePercent: o.percent,
      sli,
      periodSeconds: period,
      labels: {},
      // Sloth turns the alerts of OpenSLO SLOs off; so does slogate, for the same rules.
      alerting: {
        ...defaultAlertingSettings(),
        page: { enabled: false, labels: {}, annotations: {} },
        ticket: { enabled: false, labels: {}, annotations: {} },
      },
      canary: mergeCanarySettings(kind),
      source: { file: r.doc.file, format: "openslo/v1alpha", line: pos.line, col: pos.col },
    };
  });
  return serviceOf(r, service, slos);
}

function serviceOf(r: FieldReader, service: string, slos: Slo[]): ServiceSlos {
  const pos = r.doc.position([]);
  return {
    service,
    labels: {},
    slos,
    source: { file: r.doc.file, format: "openslo/v1alpha", line: pos.line, col: pos.col },
  };
}

function readMetric(r: FieldReader, path: YamlPath): QueryTemplate | undefined {
  if (r.map(path, true) === undefined) return undefined;
  r.onlyKeys(path, ["source", "queryType", "query", "metadata"], "a ratio metric");
  const source = r.string([...path, "source"], true);
  if (source !== undefined && source !== "prometheus" && source !== "sloth") {
    r.report(
      [...path, "source"],
      `source ${JSON.stringify(source)} is not supported: slogate reads Prometheus only`,
      "use source: prometheus with queryType: promql",
      { code: "SLO_UNSUPPORTED" },
    );
  }
  const queryType = r.string([...path, "queryType"], true);
  if (queryType !== undefined && queryType !== "promql") {
    r.report(
      [...path, "queryType"],
      `queryType ${JSON.stringify(queryType)} is not supported`,
      "use queryType: promql",
      { code: "SLO_UNSUPPORTED" },
    );
  }
  return readQuery(r, [...path, "query"]);
}

function readTimeWindows(r: FieldReader, path: YamlPath): number | undefined {
  const list = r.list(path, true);
  if (list === undefined) return undefined;
  if (list.length !== 1) {
    r.report(
      path,
      `timeWindows has ${list.length} entries`,
      "give exactly one time window, e.g. count: 30, unit: Day",
    );
    return undefined;
  }
  const p = [...path, 0];
  if (r.map(p) === undefined) return undefined;
  r.onlyKeys(p, ["count", "unit", "isRolling", "calendar"], "a time window");
  const count = r.number([...p, "count"], true);
  const unit = r.string([...p, "unit"], true);
  if (count === undefined || unit === undefined) return undefined;
  const per = UNIT_SECONDS[unit.toLowerCase()];
  if (per === undefined) {
    r.report(
      [...p, "unit"],
      `unknown time unit ${JSON.stringify(unit)}`,
      "use Second, Minute, Hour, Day, Week, Month, Quarter or Year",
    );
    return undefined;
  }
  const seconds = count * per;
  if (!Number.isInteger(count) || seconds < 86400 || seconds > 400 * 86400) {
    r.report(
      p,
      `time window of ${count} ${unit} is out of range`,
      "the SLO period is between 1 day and 400 days; 30 Day is usual",
    );
    return undefined;
  }
  return seconds;
}
