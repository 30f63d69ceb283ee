import { describe, expect, it } from "vitest";
import type { LabelMatcher } from "../promql/matchers.ts";
import { chooseServiceScope } from "./baseline-scope.ts";
import type { AnalysisRecord } from "./store-port.ts";

const hash = (v: string): LabelMatcher[] => [{ name: "rollouts_pod_template_hash", op: "=", value: v }];

function analysis(
  id: string,
  canary: LabelMatcher[],
  stable: LabelMatcher[],
  closed?: { outcome: AnalysisRecord["outcome"]; at: number },
): AnalysisRecord {
  return {
    id,
    sloId: "shop-errors",
    controller: "argo",
    selectors: { canary, stable },
    start: 1000,
    createdAt: 1000,
    updatedAt: 1000,
    status: closed === undefined ? "open" : "closed",
    ...(closed === undefined ? {} : { outcome: closed.outcome, closedAt: closed.at }),
    looks: 1,
  };
}

describe("chooseServiceScope", () => {
  it("captures the whole service when no rollout is in progress", () => {
    const c = chooseServiceScope([], 0);
    expect(c).toMatchObject({ ok: true, selector: [], scope: { kind: "service" } });
  });

  it("negates each open analysis' canary matcher, once per distinct canary", () => {
    const c = chooseServiceScope(
      [
        analysis("a", hash("c1"), hash("s")),
        analysis("a:2", hash("c1"), hash("s")),
        analysis("b", [{ name: "pod", op: "=~", value: "podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }], []),
      ],
      0,
    );
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.selector).toEqual([
      { name: "rollouts_pod_template_hash", op: "!=", value: "c1" },
      { name: "pod", op: "!~", value: "podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" },
    ]);
    expect(c.scope.kind).toBe("service-without-canaries");
    expect(c.scope.excluded).toEqual(["a", "a:2", "b"]);
    expect(c.scope.note).toContain('rollouts_pod_template_hash!="c1"');
  });

  it.each([
    ["rolled-back within the window", "rolled-back", 500, true],
    ["aborted within the window", "aborted", 500, true],
    ["rolled back before the window", "rolled-back", 99, false],
    ["promoted within the window (its canary is the stable now)", "promoted", 500, false],
    ["expired within the window (the outcome is unknown)", "expired", 500, false],
  ] as const)("a closed analysis %s is excluded: %s", (_name, outcome, at, excluded) => {
    const c = chooseServiceScope([analysis("x", hash("bad"), hash("s"), { outcome, at })], 100);
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.selector.length > 0).toBe(excluded);
  });

  it("uses the stable selector when the one open canary has several matchers", () => {
    const stable = [...hash("s"), { name: "track", op: "=" as const, value: "stable" }];
    const c = chooseServiceScope(
      [analysis("m", [...hash("c"), { name: "track", op: "=", value: "canary" }], stable)],
      0,
    );
    expect(c).toMatchObject({ ok: true, selector: stable, scope: { kind: "stable", excluded: ["m"] } });
  });

  it("captures nothing when several-matcher canaries of different rollouts cannot be excluded", () => {
    const two = (v: string): LabelMatcher[] => [...hash(v), { name: "track", op: "=", value: v }];
    const c = chooseServiceScope(
      [analysis("m1", two("c1"), two("s1")), analysis("m2", two("c2"), two("s2"))],
      0,
    );
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.reason).toContain("m1");
    expect(c.reason).toContain("stable");
  });
});
