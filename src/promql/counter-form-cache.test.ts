import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { CounterFormCache } from "./counter-form-cache.ts";
import { analyzeCounterQuery } from "./counter-query.ts";
import type { LabelMatcher } from "./matchers.ts";
import { parseQueryTemplate } from "./placeholders.ts";
import { renderQuery } from "./template.ts";

const ARM: LabelMatcher[] = [{ name: "rollouts_pod_template_hash", op: "=", value: "abc123" }];
const WINDOWS = ["180s", "360s", "61s", "3599999ms", "2h"];

/** What the reader computed before the memo: render, then classify. */
function direct(text: string, arm: readonly LabelMatcher[], window: string) {
  const query = renderQuery(parseQueryTemplate(text), { window, selector: arm });
  const form = analyzeCounterQuery(query);
  return form.kind === "counters" ? form : { ...form, query };
}

describe("the memo of counter forms", () => {
  it.each([
    ['sum(rate(http_requests_total{code=~"5..",{{.selector}}}[{{.window}}]))'],
    ["sum(rate(http_requests_total[{{.window}}]))"],
    ["sum(increase(a[{{.window}}])) + sum(rate(b{ {{.selector}} }[{{.window}}]))"],
    ['sum(rate(x{w="{{.window}}"}[{{.window}}]))'],
    ["sum(rate(a[{{.window}}])) / sum(rate(b[{{.window}}]))"],
    ["sum(rate(a[5m]))"],
  ])("gives what rendering and classifying give, look after look: %s", (text) => {
    const cache = new CounterFormCache();
    const t = parseQueryTemplate(text);
    for (const arm of [ARM, [], [{ name: "pod", op: "=~", value: 'x"}) or vector(1) #' } as const]]) {
      for (const w of [...WINDOWS, ...WINDOWS]) expect(cache.formOf(t, arm, w)).toEqual(direct(text, arm, w));
    }
  });

  it("throws the template's error at every call and remembers nothing for it", () => {
    const cache = new CounterFormCache();
    const t = parseQueryTemplate("sum(rate(a[{{.window}}])) {{.nope}}");
    for (let i = 0; i < 2; i++) {
      let code: string | undefined;
      try {
        cache.formOf(t, ARM, "5m");
      } catch (e) {
        code = isSlogateError(e) ? e.code : "other";
      }
      expect(code).toBe("PROMQL_INVALID");
    }
    expect(cache.size).toBe(0);
  });

  it("keeps at most its capacity, forgetting the least recently used", () => {
    const cache = new CounterFormCache(3);
    const t = parseQueryTemplate("sum(rate(a{ {{.selector}} }[{{.window}}]))");
    const arm = (v: string): LabelMatcher[] => [{ name: "h", op: "=", value: v }];
    for (const v of ["a", "b", "c", "a", "d", "e", "a"]) cache.formOf(t, arm(v), "5m");
    expect(cache.size).toBe(3);
    expect(cache.formOf(t, arm("a"), "10m")).toEqual(direct(t.text, arm("a"), "10m"));
  });
});
