/**
 * @module promql/counter-form-cache
 * A bounded memo of what the reader learns from an SLO query template for one arm: the
 * template rendered (`renderQuery`, a lezer parse and type check) and classified
 * (`analyzeCounterQuery`, another parse). At every look of an analysis the same template
 * meets the same arm selector and only the window changes; when the template is a sum of
 * counter rates its raw selectors do not depend on the window, so they are worked out once.
 *
 * Exactness: an entry is kept only when rendering the template with two different windows
 * yields the same selectors (a template that puts `{{.window}}` anywhere but a range is
 * re-rendered at every call). Failures are never cached (the next call throws the same
 * error). Other query forms are rendered and classified at every call, as before. The memo
 * holds at most `capacity` entries and forgets the least recently used. Pure.
 */
import type { QueryTemplate } from "./query-template.ts";
import { analyzeCounterQuery } from "./counter-query.ts";
import type { LabelMatcher } from "./matchers.ts";
import { renderQuery } from "./template.ts";

/** How one template reads for one arm at one window. */
export type CounterForm =
  | { readonly kind: "counters"; readonly selectors: readonly string[] }
  | { readonly kind: "other"; readonly perSecond: boolean; readonly query: string };

/** Memo of counter forms per (template text, selector placeholder, arm matchers). */
export class CounterFormCache {
  readonly #capacity: number;
  readonly #entries = new Map<string, readonly string[] | null>();

  /** `capacity`: most entries kept (default 512). */
  constructor(capacity = 512) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  /** Number of entries held (for tests). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The form of `template` rendered for `arm` with `window` (a PromQL duration): the same
   * value as `renderQuery` + `analyzeCounterQuery`, with the parsing done once per template
   * and arm. Throws what `renderQuery` throws.
   */
  formOf(template: QueryTemplate, arm: readonly LabelMatcher[], window: string): CounterForm {
    const key = `${template.hasSelector ? "1" : "0"}${template.hasWindow ? "1" : "0"}\u0000${template.text}\u0000${JSON.stringify(arm)}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      // Refresh: a Map iterates in insertion order, so the first key is the least recent.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      if (hit !== null && WINDOW.test(window)) return { kind: "counters", selectors: hit };
    }
    const query = renderQuery(template, { window, selector: arm });
    const form = analyzeCounterQuery(query);
    if (hit === undefined)
      this.#remember(key, template, arm, window, form.kind === "counters" ? form.selectors : null);
    return form.kind === "counters" ? form : { kind: "other", perSecond: form.perSecond, query };
  }

  #remember(
    key: string,
    template: QueryTemplate,
    arm: readonly LabelMatcher[],
    window: string,
    selectors: readonly string[] | null,
  ): void {
    let kept: readonly string[] | null = null;
    if (selectors !== null) {
      // The selectors are window-free when another window renders the very same ones.
      const other = window === PROBE_WINDOWS[0] ? PROBE_WINDOWS[1] : PROBE_WINDOWS[0];
      let again: ReturnType<typeof analyzeCounterQuery> | undefined;
      try {
        again = analyzeCounterQuery(renderQuery(template, { window: other, selector: arm }));
      } catch {
        again = undefined;
      }
      if (
        again?.kind === "counters" &&
        again.selectors.length === selectors.length &&
        again.selectors.every((s, i) => s === selectors[i])
      ) {
        kept = selectors;
      }
    }
    this.#entries.set(key, kept);
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }
}

/** Two windows of different spelling and length, for the window-independence check. */
const PROBE_WINDOWS = ["61s", "3599999ms"] as const;

/** The windows `renderQuery` accepts (a cached form is returned for those only). */
const WINDOW = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
