/**
 * @module promql/window-rewrite
 * Rewrites, on the parsed PromQL of a query template, the queries OpenSLO files are written
 * with into the windowed form slogate evaluates over any window (`{{.window}}`):
 * - `rewriteFixedRanges`: every fixed range — `rate(x[5m])`, the range of a subquery
 *   `(…)[1h:1m]` — becomes `[{{.window}}]` (a subquery keeps its resolution, and the ranges
 *   inside it, which the inner expression uses at each of its steps);
 * - `wrapInstantSelectors`: a query of instant selectors combined by `sum`, `+`, `-` and
 *   multiplication or division by a number (`sum(http_requests{…})`, an OpenSLO `counter:
 *   true` query) gets each selector wrapped as `rate(x[{{.window}}])` — the raw-counter form the
 *   Prometheus reader counts exactly, and the per-second form Sloth's recordings (`rate5m`) and
 *   dashboards expect — or, for gauges, `avg_over_time(x[{{.window}}])`.
 * Edits are made at node positions of the parsed query and mapped back to the template text,
 * so `{{.selector}}` placeholders survive. Pure (parses with `@prometheus-io/lezer-promql`).
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";
import { CHECK_WINDOW, substitute } from "./placeholders.ts";

const WINDOW = "{{.window}}";

/** One rewritten range: where it was in the template text and what it said. */
export interface RangeRewrite {
  /** Offset of the range's duration (`5m`) in the template text. */
  readonly offset: number;
  /** The duration as written. */
  readonly was: string;
}

/** A template with edits, and where the edits were made. */
interface Edit {
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.from - a.from))
    out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}

/** Parses a template with a sample window and an empty selector; offsets map back to it. */
function parseTemplate(template: string): {
  readonly text: string;
  readonly top: SyntaxNode;
  readonly toTemplate: (offset: number) => number;
} {
  const sub = substitute(template, CHECK_WINDOW, "");
  return { text: sub.text, top: parser.parse(sub.text).topNode, toTemplate: sub.toTemplateOffset };
}

/** The range of a matrix selector or subquery: its first direct DurationExpr child. */
function rangeOf(n: SyntaxNode): SyntaxNode | null {
  for (let c = n.firstChild; c !== null; c = c.nextSibling) if (c.name === "DurationExpr") return c;
  return null;
}

/**
 * Replaces every fixed range of matrix selectors and subqueries with `{{.window}}`. Meant for
 * templates without `{{.window}}` (ranges of a template that has it are kept as written).
 */
export function rewriteFixedRanges(template: string): { text: string; rewrites: RangeRewrite[] } {
  const { text, top, toTemplate } = parseTemplate(template);
  const edits: Edit[] = [];
  const rewrites: RangeRewrite[] = [];
  const visit = (n: SyntaxNode): void => {
    if (n.name === "MatrixSelector" || n.name === "SubqueryExpr") {
      const d = rangeOf(n);
      if (d !== null) {
        const from = toTemplate(d.from);
        const was = text.slice(d.from, d.to);
        edits.push({ from, to: from + was.length, text: WINDOW });
        rewrites.push({ offset: from, was });
      }
      // Ranges inside a subquery (`rate(x[5m])` in `max_over_time(rate(x[5m])[1h:1m])`) are
      // the inner expression's own smoothing, evaluated at each step: kept as written.
      if (n.name === "SubqueryExpr") return;
    }
    for (let c = n.firstChild; c !== null; c = c.nextSibling) visit(c);
  };
  visit(top);
  return { text: applyEdits(template, edits), rewrites: rewrites.sort((a, b) => a.offset - b.offset) };
}

/** True when the template has a range selection or subquery anywhere. */
export function hasRangeSelection(template: string): boolean {
  const { top } = parseTemplate(template);
  let found = false;
  top.cursor().iterate((n) => {
    if (n.name === "MatrixSelector" || n.name === "SubqueryExpr") found = true;
    return !found;
  });
  return found;
}

/** The result of wrapping instant selectors: the new template, or where the query is not of that shape. */
export type WrapResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly offset: number; readonly message: string };

function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c !== null; c = c.nextSibling) out.push(c);
  return out;
}

const LINEAR_OPS = new Set(["Add", "Sub"]);
const SCALING_OPS = new Set(["Mul", "Div"]);

/**
 * Wraps each instant vector selector of a linear query (selectors combined by `sum`, `+`, `-`,
 * parentheses, and `*` or `/` by a number) as `fn(selector[{{.window}}])`. For counters
 * (`rate`) the rate of such a combination is the combination of the rates (resets handled per
 * series, which the sum of raw counters would not), so the meaning is kept; anything else
 * (`max`, functions, comparisons, vector/vector arithmetic) is refused with the
 * offset (in the template text) of the first part that is not of that shape.
 */
export function wrapInstantSelectors(template: string, fn: "rate" | "avg_over_time"): WrapResult {
  const { text, top, toTemplate } = parseTemplate(template);
  const selectors: SyntaxNode[] = [];
  const refuse = (n: SyntaxNode, what: string): WrapResult => ({
    ok: false,
    offset: toTemplate(n.from),
    message: `${what} ${JSON.stringify(text.slice(n.from, n.to).slice(0, 40))}`,
  });
  const visit = (n: SyntaxNode): WrapResult | undefined => {
    switch (n.name) {
      case "VectorSelector":
        selectors.push(n);
        return undefined;
      case "NumberDurationLiteral":
        return undefined;
      case "ParenExpr": {
        const inner = children(n);
        return inner.length === 1 && inner[0] ? visit(inner[0]) : refuse(n, "unexpected");
      }
      case "AggregateExpr": {
        const op = n.getChild("AggregateOp");
        if (op?.firstChild?.name !== "Sum")
          return refuse(n, `the aggregation ${op === null ? "" : text.slice(op.from, op.to)}() in`);
        const body = n.getChild("FunctionCallBody");
        const args = body === null ? [] : children(body);
        return args.length === 1 && args[0] ? visit(args[0]) : refuse(n, "unexpected");
      }
      case "BinaryExpr": {
        const cs = children(n).filter(
          (c) => c.name !== "BoolModifier" && c.name !== "MatchingModifierClause",
        );
        const [a, op, b] = cs;
        if (cs.length !== 3 || a === undefined || op === undefined || b === undefined)
          return refuse(n, "unexpected");
        if (LINEAR_OPS.has(op.name)) return visit(a) ?? visit(b);
        if (SCALING_OPS.has(op.name) && b.name === "NumberDurationLiteral") return visit(a);
        if (op.name === "Mul" && a.name === "NumberDurationLiteral") return visit(b);
        return refuse(n, `the operator ${text.slice(op.from, op.to)} in`);
      }
      case "FunctionCall": {
        const id = n.getChild("FunctionIdentifier");
        return refuse(n, `the function ${id === null ? "" : text.slice(id.from, id.to)}() in`);
      }
      default:
        return refuse(n, "the expression");
    }
  };
  const first = top.firstChild;
  if (first === null) return { ok: false, offset: 0, message: "the query is empty" };
  const bad = visit(first);
  if (bad !== undefined) return bad;
  const edits: Edit[] = [];
  for (const s of selectors) {
    edits.push({ from: toTemplate(s.from), to: toTemplate(s.from), text: `${fn}(` });
    edits.push({ from: toTemplate(s.to), to: toTemplate(s.to), text: `[${WINDOW}])` });
  }
  return { ok: true, text: applyEdits(template, edits) };
}
