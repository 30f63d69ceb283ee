/**
 * @module promql/template
 * SLO query templates: detecting the `{{.window}}` / `{{.selector}}` placeholders, rendering a
 * template for one arm of a canary, and checking that a template is valid PromQL.
 *
 * A template without `{{.selector}}` (every imported Sloth or OpenSLO query) gets the arm's
 * matchers injected into every vector selector of its parsed syntax tree — inside functions,
 * aggregations, subqueries, binary operations and `on()` joins alike — replacing any matcher
 * the query already had on the same label name. Matcher values are escaped by
 * `formatMatcher`, never pasted. Pure.
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";
import { SlogateError } from "../errors.ts";
import type { QueryTemplate } from "./query-template.ts";
import { formatMatcher, formatMatchers, type LabelMatcher } from "./matchers.ts";

/** Any `{{ ... }}` action, as Go templates spell them. */
const ACTION = /\{\{-?\s*([^{}]*?)\s*-?\}\}/g;
const WINDOW = /^\.window$/;
const SELECTOR = /^\.selector$/;

/** The window used when a template is checked without a real window. */
const CHECK_WINDOW = "5m";

/** One `{{ ... }}` placeholder found in a template. */
export interface Placeholder {
  /** What is inside the braces, trimmed (`.window`). */
  readonly name: string;
  /** Offset of the opening `{{` in the template text. */
  readonly offset: number;
  readonly length: number;
  readonly known: boolean;
}

/** Lists every `{{ ... }}` placeholder of a template, known or not. */
export function findPlaceholders(text: string): Placeholder[] {
  const out: Placeholder[] = [];
  for (const m of text.matchAll(ACTION)) {
    const name = m[1] ?? "";
    out.push({
      name,
      offset: m.index,
      length: m[0].length,
      known: WINDOW.test(name) || SELECTOR.test(name),
    });
  }
  return out;
}

/** Reads a query template: keeps the text and records which placeholders it uses. */
export function parseQueryTemplate(text: string): QueryTemplate {
  const ps = findPlaceholders(text);
  return {
    text,
    hasWindow: ps.some((p) => WINDOW.test(p.name)),
    hasSelector: ps.some((p) => SELECTOR.test(p.name)),
  };
}

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

/**
 * Substitutes placeholders and returns a function mapping offsets in the result back to
 * offsets in the template (a position inside a substituted value maps to its placeholder).
 */
function substitute(
  text: string,
  window: string,
  selector: string,
): { text: string; toTemplateOffset: (offset: number) => number } {
  const spans: { outFrom: number; outTo: number; inFrom: number; inTo: number }[] = [];
  let out = "";
  let last = 0;
  for (const p of findPlaceholders(text)) {
    if (!p.known) continue;
    out += text.slice(last, p.offset);
    const value = WINDOW.test(p.name) ? window : selector;
    spans.push({
      outFrom: out.length,
      outTo: out.length + value.length,
      inFrom: p.offset,
      inTo: p.offset + p.length,
    });
    out += value;
    last = p.offset + p.length;
  }
  out += text.slice(last);
  const toTemplateOffset = (offset: number): number => {
    let shift = 0;
    for (const s of spans) {
      if (offset < s.outFrom) break;
      if (offset < s.outTo) return s.inFrom;
      shift = s.inTo - s.outTo;
    }
    return offset + shift;
  };
  return { text: out, toTemplateOffset };
}

/**
 * Adds `matchers` to every vector selector of `query` (valid PromQL without placeholders),
 * replacing existing matchers on the same label names. Throws PROMQL_INVALID when the query
 * does not parse.
 */
export function injectMatchers(query: string, matchers: readonly LabelMatcher[]): string {
  const check = checkPromql(query);
  if (!check.ok) {
    throw new SlogateError("PROMQL_INVALID", `query does not parse: ${check.message}`, {
      hint: "fix the query in the SLO file (run 'slogate validate')",
      details: { query, offset: check.offset },
    });
  }
  if (matchers.length === 0) return query;
  const added = matchers.map(formatMatcher);
  const names = new Set(matchers.map((m) => m.name));
  const edits: { from: number; to: number; text: string }[] = [];
  const tree = parser.parse(query);
  tree.iterate({
    enter: (ref) => {
      if (ref.name !== "VectorSelector") return undefined;
      edits.push({ from: ref.from, to: ref.to, text: rewriteSelector(query, ref.node, names, added) });
      return false;
    },
  });
  let out = query;
  for (const e of edits.sort((a, b) => b.from - a.from)) {
    out = out.slice(0, e.from) + e.text + out.slice(e.to);
  }
  return out;
}

function rewriteSelector(
  query: string,
  node: SyntaxNode,
  replaced: ReadonlySet<string>,
  added: readonly string[],
): string {
  const ident = node.getChild("Identifier");
  const name = ident === null ? "" : query.slice(ident.from, ident.to);
  const kept: string[] = [];
  const list = node.getChild("LabelMatchers");
  if (list !== null) {
    for (let c = list.firstChild; c !== null; c = c.nextSibling) {
      const text = query.slice(c.from, c.to);
      if (c.name === "UnquotedLabelMatcher") {
        const ln = c.getChild("LabelName");
        const label = ln === null ? "" : query.slice(ln.from, ln.to);
        if (!replaced.has(label)) kept.push(text);
      } else if (c.name === "QuotedLabelMatcher") {
        const qn = c.getChild("QuotedLabelName");
        const label = qn === null ? "" : unquote(query.slice(qn.from, qn.to));
        if (!replaced.has(label)) kept.push(text);
      } else if (c.name === "QuotedLabelName") {
        // `{"metric.name"}`: the metric name in UTF-8 spelling; always kept.
        kept.push(text);
      }
    }
  }
  return `${name}{${[...kept, ...added].join(",")}}`;
}

/** Unquotes a PromQL string literal ("...", '...' or `...`). */
function unquote(literal: string): string {
  const q = literal[0];
  const body = literal.slice(1, -1);
  if (q === "`") return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_m, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    const simple: Record<string, string> = {
      n: "\n",
      r: "\r",
      t: "\t",
      a: "\x07",
      b: "\b",
      f: "\f",
      v: "\v",
    };
    return simple[e] ?? e;
  });
}
