/**
 * @module slo/ratio-decomposition
 * Splits a ratio query template into the event queries it divides, so a ratio-only SLI
 * (Sloth `sli.raw.error_ratio_query`, OpenSLO `ratioMetric.raw`, slogate `errorRatio`) gets
 * exact event counts and gates canaries like any `events` SLI.
 *
 * Decomposed (parsed with `@prometheus-io/lezer-promql`, outer parentheses ignored):
 *   `A / B` and `1 - (A / B)`, where A and B are each an ungrouped `sum(f(x[{{.window}}]))`
 *   with the same f, `rate` or `increase`, over a plain range selection (no `by`/`without`,
 *   no `on`/`ignoring`/`bool` on the division, no offset or subquery).
 * For a bad-ratio query `A / B` gives bad = A, total = B; `1 - A / B` gives good = A, total = B
 * (a good-ratio query the other way round). Anything else — gauge averages such as
 * `sum(sum_over_time(g[w])) / sum(count_over_time(g[w]))`, grouped sums, arithmetic inside the
 * sums — is left as a ratio: those are not counts of events. Pure.
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";
import { findPlaceholders, parseQueryTemplate } from "../promql/placeholders.ts";
import type { QueryTemplate } from "../promql/query-template.ts";
import type { Sli } from "./model.ts";

/** The result of a successful split, with the sentence the importer records in the SLO's notes. */
export interface RatioDecomposition {
  readonly sli: Extract<Sli, { type: "events" }>;
  readonly note: string;
}

const COUNTER_FUNCTIONS = new Set(["rate", "increase"]);

/**
 * Replaces every `{{...}}` placeholder by PromQL of the same length (a duration for
 * `.window`, blanks otherwise), so offsets of the parse tree are offsets of the template.
 */
function parsableText(text: string): string {
  let out = "";
  let last = 0;
  for (const p of findPlaceholders(text)) {
    out += text.slice(last, p.offset);
    out += p.name === ".window" ? `${"1".repeat(p.length - 1)}s` : " ".repeat(p.length);
    last = p.offset + p.length;
  }
  return out + text.slice(last);
}

/** Children that are expressions (not error nodes or comments). */
function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c !== null; c = c.nextSibling) {
    if (!c.type.isError && c.name !== "LineComment") out.push(c);
  }
  return out;
}

function unparen(n: SyntaxNode): SyntaxNode {
  let cur = n;
  while (cur.name === "ParenExpr") {
    const inner = children(cur)[0];
    if (inner === undefined) return cur;
    cur = inner;
  }
  return cur;
}

/** The counter function of `sum(f(x[{{.window}}]))`, or undefined when `n` is not of that form. */
function eventSum(n: SyntaxNode, text: string, template: string): string | undefined {
  if (n.name !== "AggregateExpr") return undefined;
  const parts = children(n);
  const op = parts[0];
  if (op?.name !== "AggregateOp" || text.slice(op.from, op.to) !== "sum" || parts.length !== 2)
    return undefined;
  const body = parts[1];
  if (body?.name !== "FunctionCallBody") return undefined;
  const args = children(body);
  const call = args.length === 1 && args[0] !== undefined ? unparen(args[0]) : undefined;
  if (call?.name !== "FunctionCall") return undefined;
  const [id, callBody] = children(call);
  if (id?.name !== "FunctionIdentifier" || callBody === undefined) return undefined;
  const fn = text.slice(id.from, id.to);
  if (!COUNTER_FUNCTIONS.has(fn)) return undefined;
  const callArgs = children(callBody);
  if (callArgs.length !== 1 || callArgs[0]?.name !== "MatrixSelector") return undefined;
  const range = children(callArgs[0]).find((c) => c.name !== "VectorSelector");
  // The range must be the window placeholder: the event count then follows the window asked.
  if (range === undefined || !/^\{\{-?\s*\.window\s*-?\}\}$/.test(template.slice(range.from, range.to)))
    return undefined;
  return fn;
}

/** `A / B` with both sides event sums of the same function: their template slices. */
function division(n: SyntaxNode, text: string, template: string): { a: string; b: string } | undefined {
  if (n.name !== "BinaryExpr") return undefined;
  const parts = children(n);
  if (parts.length !== 3 || parts[1]?.name !== "Div") return undefined;
  const lhs = parts[0] === undefined ? undefined : unparen(parts[0]);
  const rhs = parts[2] === undefined ? undefined : unparen(parts[2]);
  if (lhs === undefined || rhs === undefined) return undefined;
  const fa = eventSum(lhs, text, template);
  const fb = eventSum(rhs, text, template);
  if (fa === undefined || fa !== fb) return undefined;
  return { a: template.slice(lhs.from, lhs.to), b: template.slice(rhs.from, rhs.to) };
}

/**
 * Splits `ratio` (a template of the BAD ratio when `meaning` is `bad`, of the GOOD ratio when
 * `good`) into an `events` SLI; undefined when it is not a division of two event sums.
 */
export function decomposeRatio(
  ratio: QueryTemplate,
  meaning: "bad" | "good",
): RatioDecomposition | undefined {
  const template = ratio.text;
  const text = parsableText(template);
  const tree = parser.parse(text);
  let broken = false;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) broken = true;
      return !broken;
    },
  });
  if (broken) return undefined;
  const top = children(tree.topNode)[0];
  if (top === undefined) return undefined;
  const root = unparen(top);
  let complement = false;
  let split = division(root, text, template);
  if (split === undefined && root.name === "BinaryExpr") {
    const parts = children(root);
    const one = parts[0];
    if (
      parts.length === 3 &&
      parts[1]?.name === "Sub" &&
      one?.name === "NumberDurationLiteral" &&
      Number(text.slice(one.from, one.to)) === 1 &&
      parts[2] !== undefined
    ) {
      split = division(unparen(parts[2]), text, template);
      complement = true;
    }
  }
  if (split === undefined) return undefined;
  const numerator = parseQueryTemplate(split.a.trim());
  const total = parseQueryTemplate(split.b.trim());
  // bad ratio A/B: A counts bad events; 1 − A/B: A counts good ones (the reverse for a good ratio).
  const numeratorIsBad = (meaning === "bad") !== complement;
  const sli: RatioDecomposition["sli"] = numeratorIsBad
    ? { type: "events", bad: numerator, total }
    : { type: "events", good: numerator, total };
  const note = `the ${meaning}-ratio query ${complement ? "1 - (A / B)" : "A / B"} was split into ${numeratorIsBad ? "bad" : "good"} events ${JSON.stringify(numerator.text)} and total events ${JSON.stringify(total.text)}, so canaries are judged on exact event counts`;
  return { sli, note };
}
