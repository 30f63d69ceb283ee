/**
 * @module promql/template
 * Rendering an SLO query template for one arm of a canary: the window substituted, the arm's
 * matchers put in `{{.selector}}` or, for a template without it (every imported Sloth or
 * OpenSLO query), injected into every vector selector (`./inject-matchers.ts`), and the result
 * checked as PromQL. Placeholders: `./placeholders.ts`; checks: `./promql-check.ts`. Pure.
 */
import { SlogateError } from "../errors.ts";
import { injectMatchers } from "./inject-matchers.ts";
import { formatMatchers, type LabelMatcher } from "./matchers.ts";
import { findPlaceholders, substitute } from "./placeholders.ts";
import { checkPromql } from "./promql-check.ts";
import type { QueryTemplate } from "./query-template.ts";

/** Values substituted into a template for one arm. */
export interface TemplateVars {
  /** A PromQL duration, e.g. `5m` or `3600s`. */
  readonly window: string;
  /** The arm's label matchers; empty renders the query unchanged (apart from the window). */
  readonly selector: readonly LabelMatcher[];
}

const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

/**
 * Renders a template for one arm. Throws PROMQL_INVALID when the result does not parse, when
 * the template holds an unknown placeholder, or when the window is not a PromQL duration.
 */
export function renderQuery(t: QueryTemplate, vars: TemplateVars): string {
  if (!DURATION.test(vars.window)) {
    throw new SlogateError("PROMQL_INVALID", `invalid window ${JSON.stringify(vars.window)}`, {
      hint: "use a PromQL duration such as 5m, 1h or 3600s",
    });
  }
  const unknown = findPlaceholders(t.text).find((p) => !p.known);
  if (unknown !== undefined) {
    throw new SlogateError("PROMQL_INVALID", `unknown placeholder {{${unknown.name}}} in query`, {
      hint: "only {{.window}} and {{.selector}} are supported",
      details: { query: t.text, offset: unknown.offset },
    });
  }
  const selector = formatMatchers(vars.selector);
  const substituted = substitute(t.text, vars.window, selector).text;
  const withArm =
    t.hasSelector || vars.selector.length === 0 ? substituted : injectMatchers(substituted, vars.selector);
  const check = checkPromql(withArm);
  if (!check.ok) {
    throw new SlogateError("PROMQL_INVALID", `rendered query does not parse: ${check.message}`, {
      hint: "fix the query template in the SLO file (run 'slogate validate')",
      details: { query: withArm, offset: check.offset },
    });
  }
  return withArm;
}
