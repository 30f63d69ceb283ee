import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ruleGroupsYaml, yamlScalar } from "./rule-yaml.ts";

describe("rule YAML", () => {
  it.each([
    ["slo:sli_error:ratio_rate5m", "slo:sli_error:ratio_rate5m"],
    ["5m", "5m"],
    ["1 - x", "1 - x"],
    ["2001-12-14 21:59:43.10 -5", '"2001-12-14 21:59:43.10 -5"'],
    ["2", '"2"'],
    ["99.9", '"99.9"'],
    ["yes", '"yes"'],
    ["On", '"On"'],
    ["#alerts-team", '"#alerts-team"'],
    ["a: b", '"a: b"'],
    ["a #b", '"a #b"'],
    ["{{ $labels.x }}", '"{{ $labels.x }}"'],
    ["-1", '"-1"'],
    ["", '""'],
    ["trailing ", '"trailing "'],
    ["High error rate on 'svc' requests", "High error rate on 'svc' requests"],
    ['sum(rate(x{a="b"}[5m]))', 'sum(rate(x{a="b"}[5m]))'],
  ])("%j is written as %s", (value, yaml) => {
    expect(yamlScalar(value)).toBe(yaml);
  });

  it("writes groups that read back as the same data, whatever the strings hold", () => {
    const odd = [
      'x"}) or vector(1) #',
      "line1\nline2",
      " lead",
      "1:30",
      "0x1F",
      "null",
      "~",
      "a\\b",
      "é ü",
      "tab\there",
      "x\n",
      "x\n\n",
      "a\n  b\n",
      "a\n\nb",
    ];
    const groups = [
      {
        name: "g",
        rules: odd.map((v, i) => ({
          kind: "alert" as const,
          alert: `A${i}`,
          expr: v,
          for: "5m",
          labels: { value: v, n: String(i) },
          annotations: { summary: v },
        })),
      },
    ];
    const back = parse(ruleGroupsYaml(groups)) as { groups: { rules: Record<string, unknown>[] }[] };
    expect(back.groups[0]?.rules).toEqual(
      odd.map((v, i) => ({
        alert: `A${i}`,
        expr: v,
        for: "5m",
        labels: { n: String(i), value: v },
        annotations: { summary: v },
      })),
    );
  });
});
