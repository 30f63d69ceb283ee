/**
 * @module promql/promql-check
 * Checking PromQL text with the lezer parser: syntax errors with their offset, the range-vector
 * arguments functions need, and templates checked as the user wrote them. Pure.
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";
import { CHECK_WINDOW, findPlaceholders, substitute } from "./placeholders.ts";

/** Result of checking PromQL text. `offset` is a 0-based character offset into the text. */
export type PromqlCheck =
  { readonly ok: true } | { readonly ok: false; readonly message: string; readonly offset: number };

/** Parses `text` as PromQL and reports the first syntax error with its offset. */
export function checkPromql(text: string): PromqlCheck {
  if (text.trim() === "") return { ok: false, message: "query is empty", offset: 0 };
  const tree = parser.parse(text);
  let error: { from: number; to: number } | undefined;
  tree.iterate({
    enter: (n) => {
      if (error !== undefined) return false;
      if (n.type.isError) {
        error = { from: n.from, to: n.to };
        return false;
      }
      return undefined;
    },
  });
  if (error === undefined) return checkTypes(text, tree.topNode);
  const at = error.from;
  if (at >= text.length) {
    return { ok: false, message: "unexpected end of query", offset: text.length };
  }
  const near = text.slice(at, Math.max(error.to, at + 1)).slice(0, 20);
  return { ok: false, message: `syntax error at ${JSON.stringify(near)}`, offset: at };
}

/** Functions whose argument at the given index must be a range vector (`x[5m]`, a subquery). */
const RANGE_ARGUMENT: Readonly<Record<string, number>> = Object.fromEntries([
  ...[
    "rate",
    "irate",
    "increase",
    "delta",
    "idelta",
    "deriv",
    "changes",
    "resets",
    "predict_linear",
    "holt_winters",
    "double_exponential_smoothing",
    "absent_over_time",
    "present_over_time",
    "avg_over_time",
    "min_over_time",
    "max_over_time",
    "sum_over_time",
    "count_over_time",
    "stddev_over_time",
    "stdvar_over_time",
    "last_over_time",
    "first_over_time",
    "mad_over_time",
  ].map((f) => [f, 0] as const),
  ["quantile_over_time", 1] as const,
]);

/** Node types that produce a range vector. */
function isRangeVector(n: SyntaxNode): boolean {
  if (n.name === "MatrixSelector" || n.name === "SubqueryExpr") return true;
  if (n.name === "ParenExpr" || n.name === "OffsetExpr" || n.name === "StepInvariantExpr") {
    const inner = n.firstChild;
    return inner !== null && isRangeVector(inner);
  }
  return false;
}

/** Expression children of a call or aggregation body (the arguments). */
function argumentsOf(body: SyntaxNode | null): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = body?.firstChild ?? null; c !== null; c = c.nextSibling) {
    if (c.type.isError || c.name === "LineComment") continue;
    out.push(c);
  }
  return out;
}

/**
 * The type errors Prometheus reports that the grammar does not: `rate(x)` (an instant vector
 * where a range vector is needed) and `sum(x[5m])` (a range vector where an instant vector is).
 */
function checkTypes(text: string, top: SyntaxNode): PromqlCheck {
  let found: PromqlCheck = { ok: true };
  const visit = (n: SyntaxNode): void => {
    if (!found.ok) return;
    if (n.name === "FunctionCall") {
      const id = n.getChild("FunctionIdentifier");
      const fn = id === null ? "" : text.slice(id.from, id.to);
      const index = RANGE_ARGUMENT[fn];
      const arg = index === undefined ? undefined : argumentsOf(n.getChild("FunctionCallBody"))[index];
      if (arg !== undefined && !isRangeVector(arg)) {
        found = {
          ok: false,
          message: `${fn}() needs a range vector such as metric[{{.window}}], got ${JSON.stringify(text.slice(arg.from, arg.to).slice(0, 40))}`,
          offset: arg.from,
        };
        return;
      }
    } else if (n.name === "AggregateExpr") {
      const args = argumentsOf(n.getChild("FunctionCallBody"));
      const last = args[args.length - 1];
      if (last !== undefined && isRangeVector(last)) {
        const op = n.getChild("AggregateOp");
        found = {
          ok: false,
          message: `${op === null ? "aggregation" : `${text.slice(op.from, op.to)}()`} needs an instant vector, got the range vector ${JSON.stringify(text.slice(last.from, last.to).slice(0, 40))}`,
          offset: last.from,
        };
        return;
      }
    }
    for (let c = n.firstChild; c !== null; c = c.nextSibling) visit(c);
  };
  visit(top);
  return found;
}

/**
 * Checks a template: unknown placeholders, then PromQL syntax after substituting a sample
 * window and an empty selector. Offsets refer to the template text as the user wrote it.
 */
export function checkQueryTemplate(text: string): PromqlCheck {
  const unknown = findPlaceholders(text).find((p) => !p.known);
  if (unknown !== undefined) {
    return {
      ok: false,
      message: `unknown placeholder {{${unknown.name}}}; only {{.window}} and {{.selector}} are supported`,
      offset: unknown.offset,
    };
  }
  const sub = substitute(text, CHECK_WINDOW, "");
  const r = checkPromql(sub.text);
  if (r.ok) return r;
  return { ok: false, message: r.message, offset: sub.toTemplateOffset(r.offset) };
}
