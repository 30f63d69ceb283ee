/**
 * @module promql/verdict-query
 * The small query language slogate answers on its Prometheus-compatible `GET /api/v1/query`
 * (for Flagger's `prometheus` metric provider, docs/service.md): parsed with the PromQL
 * grammar (`@prometheus-io/lezer-promql`), so the text is read exactly as Prometheus would
 * tokenize it, then narrowed to two forms:
 *
 * - `vector(<number>)` — Flagger's liveness probe is `vector(1)`; answers that number;
 * - `slogate_verdict{label="value", …}` — equality matchers only, each label at most once,
 *   labels from `VERDICT_LABELS` (`slo` or `service` required).
 *
 * Anything else (other functions, operators, regex or negative matchers, unknown labels,
 * ranges, offsets) is refused with a message saying what is accepted. Pure.
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";
import { SlogateError } from "../errors.ts";

/** The metric name of the verdict series. */
export const VERDICT_METRIC = "slogate_verdict";

/**
 * Labels a verdict query may match on: `slo` (ids or unique names, comma-separated: all must
 * pass) or `service` (all its SLOs); the arms as Flagger names them (`target`: the canary
 * `<target>`, the primary `<target>-primary`, per the SLO's `canary.selection`) or as label
 * values (`canary`, `stable`); `namespace` and `interval` (Flagger's `{{ namespace }}` and
 * `{{ interval }}`); `time` is not a label (use the `time` parameter).
 */
export const VERDICT_LABELS = [
  "slo",
  "service",
  "target",
  "canary",
  "stable",
  "namespace",
  "interval",
] as const;
export type VerdictLabel = (typeof VERDICT_LABELS)[number];

/** A parsed query. */
export type VerdictQuery =
  | { readonly kind: "constant"; readonly value: number }
  | { readonly kind: "verdict"; readonly labels: Readonly<Partial<Record<VerdictLabel, string>>> };

const ACCEPTED =
  'slogate answers vector(1) and slogate_verdict{slo="<slo>", target="{{ target }}", namespace="{{ namespace }}", interval="{{ interval }}"} (equality matchers only; see docs/service.md)';

function refuse(message: string): never {
  throw new SlogateError("BAD_REQUEST", message, { hint: ACCEPTED });
}

/** Decodes a PromQL string literal (Go's quoting: "…", '…' with escapes, `…` raw). */
export function unquotePromqlString(literal: string): string {
  const q = literal[0];
  if (literal.length < 2 || literal.at(-1) !== q || (q !== '"' && q !== "'" && q !== "`")) {
    refuse(`not a string literal: ${literal}`);
  }
  const body = literal.slice(1, -1);
  if (q === "`") return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = {
      n: "\n",
      t: "\t",
      r: "\r",
      "\\": "\\",
      '"': '"',
      "'": "'",
      a: "\u0007",
      b: "\b",
      f: "\f",
      v: "\v",
    };
    if (e !== undefined && e in simple) {
      out += simple[e];
      continue;
    }
    const hexLength = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    const hex = body.slice(i + 1, i + 1 + hexLength);
    if (hexLength > 0 && /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLength) {
      out += String.fromCodePoint(Number.parseInt(hex, 16));
      i += hexLength;
      continue;
    }
    refuse(`unsupported escape \\${e ?? ""} in ${literal}`);
  }
  return out;
}

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) out.push(c);
  return out;
}

function hasError(node: SyntaxNode): boolean {
  let bad = false;
  node.toTree().iterate({
    enter: (n) => {
      if (n.type.isError) bad = true;
      return !bad;
    },
  });
  return bad;
}

function readVector(text: string, call: SyntaxNode): VerdictQuery {
  const fn = call.getChild("FunctionIdentifier");
  const body = call.getChild("FunctionCallBody");
  const name = fn === null ? "" : text.slice(fn.from, fn.to);
  if (name !== "vector" || body === null) refuse(`function ${name}() is not answered here`);
  const args = childrenOf(body).filter((n) => n.name !== "(" && n.name !== ")" && n.name !== ",");
  const arg = args[0];
  if (args.length !== 1 || arg?.name !== "NumberDurationLiteral") {
    refuse("vector() is answered for one number only, e.g. vector(1)");
  }
  const value = Number(text.slice(arg.from, arg.to));
  if (!Number.isFinite(value)) refuse(`vector(${text.slice(arg.from, arg.to)}) is not a finite number`);
  return { kind: "constant", value };
}

function readSelector(text: string, sel: SyntaxNode): VerdictQuery {
  const id = sel.getChild("Identifier");
  const matchers = sel.getChild("LabelMatchers");
  const labels: Partial<Record<VerdictLabel, string>> = {};
  let metric = id === null ? undefined : text.slice(id.from, id.to);
  for (const m of matchers === null ? [] : childrenOf(matchers)) {
    if (m.name === "{" || m.name === "}" || m.name === ",") continue;
    if (m.name !== "UnquotedLabelMatcher") refuse(`unsupported matcher ${text.slice(m.from, m.to)}`);
    const nameNode = m.getChild("LabelName");
    const op = m.getChild("MatchOp");
    const value = m.getChild("StringLiteral");
    if (nameNode === null || op === null || value === null)
      refuse(`unsupported matcher ${text.slice(m.from, m.to)}`);
    const name = text.slice(nameNode.from, nameNode.to);
    const opText = text.slice(op.from, op.to);
    if (opText !== "=") refuse(`only equality matchers are answered (${name}${opText}… is not)`);
    const v = unquotePromqlString(text.slice(value.from, value.to));
    if (name === "__name__") {
      if (metric !== undefined && metric !== v) refuse(`two metric names: ${metric} and ${v}`);
      metric = v;
      continue;
    }
    if (!(VERDICT_LABELS as readonly string[]).includes(name)) {
      refuse(`label ${name} is not one of ${VERDICT_LABELS.join(", ")}`);
    }
    if (labels[name as VerdictLabel] !== undefined) refuse(`label ${name} is matched twice`);
    labels[name as VerdictLabel] = v;
  }
  if (metric !== VERDICT_METRIC)
    refuse(`metric ${metric ?? "(none)"} is not served here, only ${VERDICT_METRIC}`);
  if (labels.slo === undefined && labels.service === undefined)
    refuse(`${VERDICT_METRIC} needs slo="…" or service="…"`);
  if (labels.target === undefined && (labels.canary === undefined || labels.stable === undefined)) {
    refuse(`${VERDICT_METRIC} needs target="{{ target }}" (Flagger) or both canary="…" and stable="…"`);
  }
  return { kind: "verdict", labels };
}

/** Parses a query of the language above; BAD_REQUEST (Prometheus' `bad_data`) otherwise. */
export function parseVerdictQuery(query: string): VerdictQuery {
  const text = query.trim();
  if (text === "") refuse("empty query");
  if (text.length > 4096) refuse(`query of ${text.length} characters (at most 4096)`);
  const tree = parser.parse(text);
  const top = tree.topNode;
  if (hasError(top)) refuse(`cannot parse ${JSON.stringify(text)} as PromQL`);
  const expr = top.firstChild;
  if (expr === null || expr.nextSibling !== null)
    refuse(`cannot parse ${JSON.stringify(text)} as one expression`);
  if (expr.name === "FunctionCall") return readVector(text, expr);
  if (expr.name === "VectorSelector") return readSelector(text, expr);
  return refuse(`${expr.name} expressions are not answered here`);
}
