/**
 * @module app/baseline-scope
 * Which series a baseline is captured over. A capture for an arm (Argo's `phase: start`,
 * Flagger's pre-rollout, `POST /api/v1/baselines` with `stable`) uses that arm's selector. A
 * capture of the whole service (node-cron schedule, the API or CLI without a stable arm)
 * excludes the canaries of the SLO's rollouts that are in progress, and of rollouts rolled back
 * or aborted within the window (their pods were never stable): each canary selector of one
 * matcher is negated (`rollouts_pod_template_hash!="<canary>"`, `pod!~"<target>-…"`). A canary
 * selected by several matchers cannot be excluded by a conjunction of matchers; then the single
 * in-progress analysis' stable selector is used, or nothing is captured (never a polluted
 * baseline). Pure apart from the store read.
 */
import { formatMatchers, type LabelMatcher } from "../promql/matchers.ts";
import type { AnalysisRecord, BaselineScope, Store } from "./store-port.ts";

/** The selector to capture over and how it was chosen, or why no capture is possible. */
export type ScopeChoice =
  | { readonly ok: true; readonly selector: readonly LabelMatcher[]; readonly scope: BaselineScope }
  | { readonly ok: false; readonly reason: string };

/** Outcomes after which the canary's pods were never the stable version. */
const NEVER_STABLE = new Set(["rolled-back", "aborted"]);

const NEGATED = { "=": "!=", "=~": "!~" } as const;

/** Renders a selector as PromQL braces, `{}` for none. */
export function selectorText(selector: readonly LabelMatcher[]): string {
  return `{${formatMatchers(selector)}}`;
}

/** The scope of a capture over an arm's own selector. */
export function armScope(selector: readonly LabelMatcher[]): BaselineScope {
  return {
    kind: "stable",
    note: `the stable arm only, ${selectorText(selector)}`,
  };
}

/**
 * Chooses the selector of a whole-service capture over `[from, to]`: the analyses of the SLO
 * that are open, or were rolled back or aborted after `from`, have their canaries excluded.
 */
export function chooseServiceScope(analyses: readonly AnalysisRecord[], from: number): ScopeChoice {
  const relevant = analyses.filter(
    (a) =>
      a.status === "open" ||
      (a.outcome !== undefined && NEVER_STABLE.has(a.outcome) && (a.closedAt ?? Infinity) >= from),
  );
  if (relevant.length === 0) {
    return {
      ok: true,
      selector: [],
      scope: { kind: "service", note: "the whole service: no rollout in progress" },
    };
  }
  const negations = new Map<string, LabelMatcher>();
  const multi: AnalysisRecord[] = [];
  for (const a of relevant) {
    const c = a.selectors.canary;
    const m = c.length === 1 ? c[0] : undefined;
    if (m === undefined || (m.op !== "=" && m.op !== "=~")) {
      multi.push(a);
      continue;
    }
    const n: LabelMatcher = { name: m.name, op: NEGATED[m.op], value: m.value };
    negations.set(selectorText([n]), n);
  }
  const ids = relevant.map((a) => a.id).sort();
  if (multi.length === 0) {
    const selector = [...negations.values()];
    return {
      ok: true,
      selector,
      scope: {
        kind: "service-without-canaries",
        excluded: ids,
        note: `the whole service without the canaries of ${ids.join(", ")}: ${selectorText(selector)}`,
      },
    };
  }
  const open = relevant.filter((a) => a.status === "open");
  const stables = new Set(open.map((a) => selectorText(a.selectors.stable)));
  if (open.length > 0 && stables.size === 1 && relevant.length === open.length) {
    const stable = open[0]?.selectors.stable ?? [];
    return {
      ok: true,
      selector: stable,
      scope: {
        kind: "stable",
        excluded: ids,
        note: `the stable arm of ${ids.join(", ")}, ${selectorText(stable)} (a canary selected by several matchers cannot be excluded from the whole service)`,
      },
    };
  }
  return {
    ok: false,
    reason: `the canary of ${multi.map((a) => a.id).join(", ")} is selected by several matchers (${multi.map((a) => selectorText(a.selectors.canary)).join(", ")}) and cannot be excluded from a whole-service baseline; capture with the stable arm (POST /api/v1/baselines with stable, slogate baseline --stable)`,
  };
}

/**
 * Closed analyses read per capture (newest first): those rolled back within a baseline window
 * are among the latest few; a capture of an SLO with more closes than this in one window may
 * miss the oldest of them.
 */
const CLOSED_LOOKED_AT = 200;

/** Reads the SLO's analyses that can matter for a capture over `[from, to]` and chooses. */
export async function serviceScope(store: Store, sloId: string, from: number): Promise<ScopeChoice> {
  const [open, closed] = await Promise.all([
    store.listAnalyses({ status: "open", sloId, limit: 10_000 }),
    store.listAnalyses({ status: "closed", sloId, limit: CLOSED_LOOKED_AT }),
  ]);
  return chooseServiceScope([...open, ...closed], from);
}
