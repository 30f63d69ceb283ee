/**
 * @module promql/arm-reach
 * Which vector selectors of a `{{.selector}}` template the arm's matchers would not reach —
 * found by rendering the template with a probe label and looking for selectors without it.
 * Pure.
 */
import { parser } from "@prometheus-io/lezer-promql";
import { CHECK_WINDOW } from "./placeholders.ts";
import type { QueryTemplate } from "./query-template.ts";
import { renderQuery } from "./template.ts";

const PROBE_LABEL = "__slogate_arm__";

/**
 * For a template with `{{.selector}}`: the vector selectors the arm's matchers would NOT reach
 * (their text), e.g. the denominator of `sum(rate(x{ {{.selector}} }[5m])) / sum(rate(y[5m]))`.
 * Empty for templates without the placeholder (every selector gets the arm) or that do not parse.
 */
export function selectorsWithoutArm(t: QueryTemplate): string[] {
  if (!t.hasSelector) return [];
  let rendered: string;
  try {
    rendered = renderQuery(t, {
      window: CHECK_WINDOW,
      selector: [{ name: PROBE_LABEL, op: "=", value: "1" }],
    });
  } catch {
    return [];
  }
  const out: string[] = [];
  parser.parse(rendered).iterate({
    enter: (n) => {
      if (n.name !== "VectorSelector") return undefined;
      const text = rendered.slice(n.from, n.to);
      if (!text.includes(PROBE_LABEL)) out.push(text);
      return false;
    },
  });
  return out;
}
