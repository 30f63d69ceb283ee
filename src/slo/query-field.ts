/**
 * @module slo/query-field
 * Reads a PromQL query template from a file and checks it: a string, valid PromQL once the
 * placeholders are filled, only known placeholders, and `{{.window}}` present where the query
 * must be evaluated over a window. PromQL errors are placed inside the file. Pure.
 */
import { checkQueryTemplate } from "../promql/promql-check.ts";
import { parseQueryTemplate } from "../promql/placeholders.ts";
import { selectorsWithoutArm } from "../promql/arm-reach.ts";
import type { QueryTemplate } from "../promql/query-template.ts";
import type { FieldReader } from "./field-reader.ts";
import type { YamlPath } from "./problem.ts";

/** Reads and checks the query at `path`; undefined (with problems recorded) when unusable. */
export function readQuery(
  r: FieldReader,
  path: YamlPath,
  options: {
    required?: boolean;
    requireWindow?: boolean;
    /**
     * Warn about vector selectors `{{.selector}}` does not reach (default true). Resource SLIs
     * turn it off: their arm is joined in (`* on (pod) group_left() kube_pod_labels{…}`), and
     * vector matching restricts the result to the arm's pods.
     */
    warnUnreached?: boolean;
  } = {},
): QueryTemplate | undefined {
  const text = r.nonEmptyString(path, options.required ?? true);
  if (text === undefined) return undefined;
  const check = checkQueryTemplate(text);
  if (!check.ok) {
    r.report(
      path,
      `query is not valid PromQL: ${check.message}`,
      "fix the PromQL; test it in the Prometheus UI with {{.window}} replaced by 5m",
      {
        code: "PROMQL_INVALID",
        at: r.doc.positionInScalar(path, check.offset),
      },
    );
    return undefined;
  }
  const t = parseQueryTemplate(text);
  if ((options.requireWindow ?? true) && !t.hasWindow) {
    r.report(
      path,
      "query has no {{.window}} placeholder",
      "write counters as rate(metric[{{.window}}]) so the query can be evaluated over any window (5m for canary steps, 30d for the SLO period)",
      { code: "PROMQL_INVALID" },
    );
    return undefined;
  }
  const unreached = (options.warnUnreached ?? true) ? selectorsWithoutArm(t) : [];
  if (unreached.length > 0) {
    r.report(
      path,
      `{{.selector}} is missing from ${unreached.map((x) => JSON.stringify(x)).join(", ")}: those series are not restricted to the canary or stable arm`,
      "put {{.selector}} in every vector selector, or remove it everywhere to let slogate add the arm's matchers to each selector",
      { code: "PROMQL_INVALID", severity: "warning" },
    );
  }
  return t;
}
