/**
 * @module promql/inject-matchers
 * Adds an arm's label matchers to every vector selector of a parsed query — inside functions,
 * aggregations, subqueries, binary operations and `on()` joins alike — replacing any matcher
 * the query already had on the same label name. Matcher values are escaped by
 * `formatMatcher`, never pasted. Pure.
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";
import { SlogateError } from "../errors.ts";
import { formatMatcher, type LabelMatcher } from "./matchers.ts";
import { checkPromql } from "./promql-check.ts";

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
