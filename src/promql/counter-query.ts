/**
 * @module promql/counter-query
 * Recognises the queries whose event counts can be read EXACTLY from raw counter samples:
 * sums of `rate(...)` / `increase(...)` over plain range selections,
 * e.g. `sum(rate(http_requests_total{code=~"5.."}[5m]))`,
 * `sum by (x) (increase(a[1h])) + sum(rate(b[1h]))`. For those the reader fetches the raw
 * samples of each selector and adds up the counter increments itself (no extrapolation).
 * Anything else (offsets, `@`, subqueries, other functions, arithmetic besides `+`) is
 * reported as `other`, with whether it uses `rate`/`irate` (per-second values) so the
 * reader can fall back to value × window. Pure (parses with `@prometheus-io/lezer-promql`).
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";

export type CounterQuery =
  | { readonly kind: "counters"; readonly selectors: readonly string[] }
  | { readonly kind: "other"; readonly perSecond: boolean };

function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c !== null; c = c.nextSibling) out.push(c);
  return out;
}

function counterSelectors(q: string, n: SyntaxNode): string[] | null {
  switch (n.name) {
    case "ParenExpr": {
      const inner = children(n);
      return inner.length === 1 && inner[0] ? counterSelectors(q, inner[0]) : null;
    }
    case "BinaryExpr": {
      const cs = children(n);
      if (cs.length !== 3 || cs[1]?.name !== "Add" || !cs[0] || !cs[2]) return null;
      const a = counterSelectors(q, cs[0]);
      const b = counterSelectors(q, cs[2]);
      return a && b ? [...a, ...b] : null;
    }
    case "AggregateExpr": {
      const op = n.getChild("AggregateOp");
      if (op?.firstChild?.name !== "Sum") return null;
      const body = n.getChild("FunctionCallBody");
      const args = body ? children(body) : [];
      return args.length === 1 && args[0] ? counterSelectors(q, args[0]) : null;
    }
    case "FunctionCall": {
      const fn = n.getChild("FunctionIdentifier")?.firstChild?.name;
      if (fn !== "Rate" && fn !== "Increase") return null;
      const body = n.getChild("FunctionCallBody");
      const args = body ? children(body) : [];
      const m = args[0];
      if (args.length !== 1 || m?.name !== "MatrixSelector") return null;
      const vs = m.getChild("VectorSelector");
      return vs ? [q.slice(vs.from, vs.to)] : null;
    }
    default:
      return null;
  }
}

/** Classifies a rendered (placeholder-free) PromQL query. */
export function analyzeCounterQuery(query: string): CounterQuery {
  const tree = parser.parse(query);
  let hasError = false;
  let perSecond = false;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) hasError = true;
      if (n.name === "Rate" || n.name === "Irate") perSecond = true;
    },
  });
  const top = tree.topNode.firstChild;
  if (!hasError && top) {
    const sels = counterSelectors(query, top);
    if (sels && sels.length > 0) return { kind: "counters", selectors: sels };
  }
  return { kind: "other", perSecond };
}
