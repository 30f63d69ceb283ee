/**
 * @module slo/parse-resource-sli
 * The `sli.resource` block of slogate's own format: a per-pod gauge query compared canary vs
 * stable per pod and step, with an optional absolute limit per pod. Every bad field is reported
 * at its `file:line:col`. Pure.
 *
 * ```yaml
 * sli:
 *   resource:
 *     measure: cpu            # cpu | memory | saturation | gauge
 *     query: sum by (pod) (rate(container_cpu_usage_seconds_total{container="api"}[{{.window}}]))
 *     podLabel: pod           # default pod
 *     step: 1m                # default 1m
 *     limit: 500m             # optional: at most 0.5 cores per pod
 * ```
 */
import { isValidLabelName } from "../promql/matchers.ts";
import { readOneOf } from "./canary-settings.ts";
import { parsePrometheusDuration } from "./duration.ts";
import type { FieldReader } from "./field-reader.ts";
import { RESOURCE_MEASURES, type ResourceSli } from "./model.ts";
import type { YamlPath } from "./problem.ts";
import { readQuery } from "./query-field.ts";
import { LIMIT_EXAMPLES, parseResourceQuantity } from "./resource-quantity.ts";

/** Default seconds between the evaluation points of a resource SLI. */
export const DEFAULT_RESOURCE_STEP_SECONDS = 60;
/**
 * Default objective of a resource SLO: 99 % of pod-steps within the limit. It only feeds the
 * generated rules (the canary judge compares pods and the limit directly).
 */
export const DEFAULT_RESOURCE_OBJECTIVE = 99;
/** Default label naming the pod in a resource query's result. */
export const DEFAULT_POD_LABEL = "pod";

const KEYS = ["measure", "query", "podLabel", "step", "limit"];

/** Reads `sli.resource` at `p`; undefined (with problems recorded) when unusable. */
export function readResourceSli(r: FieldReader, p: YamlPath): ResourceSli | undefined {
  if (r.map(p, true) === undefined) return undefined;
  const errors = r.errorCount();
  r.onlyKeys(p, KEYS, "sli.resource");
  const measure = readOneOf(r, [...p, "measure"], RESOURCE_MEASURES);
  if (r.get([...p, "measure"]) === undefined)
    r.missing([...p, "measure"], `measure: one of ${RESOURCE_MEASURES.join(", ")} (what the query measures)`);
  // A selector with the arm anywhere in a vector match (`*`, `/`, `and`, joins) restricts the
  // result to the arm's pods; only `or`/`unless` can let other series through.
  const text = r.get([...p, "query"]);
  const unionLike = typeof text === "string" && /\b(or|unless)\b/.test(text);
  const query = readQuery(r, [...p, "query"], { requireWindow: false, warnUnreached: unionLike });
  let podLabel = DEFAULT_POD_LABEL;
  const labelText = r.string([...p, "podLabel"]);
  if (labelText !== undefined) {
    if (isValidLabelName(labelText)) podLabel = labelText;
    else
      r.report(
        [...p, "podLabel"],
        `invalid label name ${JSON.stringify(labelText)}`,
        "podLabel is the label that names the pod in the query's result, e.g. pod; label names match [a-zA-Z_][a-zA-Z0-9_]*",
      );
  }
  let stepSeconds = DEFAULT_RESOURCE_STEP_SECONDS;
  const stepText = r.string([...p, "step"]);
  if (stepText !== undefined) {
    const s = parsePrometheusDuration(stepText);
    if (s === undefined || s < 1 || s > 3600)
      r.report(
        [...p, "step"],
        `step ${JSON.stringify(stepText)} is not a duration from 1s to 1h`,
        "e.g. step: 1m",
      );
    else stepSeconds = s;
  }
  let limit: ResourceSli["limit"];
  const rawLimit = r.get([...p, "limit"]);
  if (rawLimit !== undefined && rawLimit !== null && measure !== undefined) {
    const q = parseResourceQuantity(rawLimit, measure);
    if (q.ok) limit = { value: q.value, text: q.text };
    else r.report([...p, "limit"], q.message, q.hint);
  } else if (rawLimit === null) {
    r.report(
      [...p, "limit"],
      "limit is empty",
      `remove it or write a limit in ${LIMIT_EXAMPLES[measure ?? "gauge"]}`,
    );
  }
  if (measure === undefined || query === undefined || r.errorCount() !== errors) return undefined;
  return {
    type: "resource",
    measure,
    query,
    podLabel,
    stepSeconds,
    ...(limit === undefined ? {} : { limit }),
  };
}
