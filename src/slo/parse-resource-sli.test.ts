import { describe, expect, it } from "vitest";
import type { Slo } from "./model.ts";
import { parseSloText } from "./parse-slo-documents.ts";
import { parseResourceQuantity } from "./resource-quantity.ts";

const HEAD = "apiVersion: slogate.dev/v1\nkind: ServiceLevels\nservice: shop\nslos:\n  - name: cpu\n";
const CPU = 'sum by (pod) (rate(container_cpu_usage_seconds_total{container="api"}[{{.window}}]))';

function parse(body: string): ReturnType<typeof parseSloText> {
  return parseSloText(HEAD + body, "shop.yaml");
}

function only(body: string): Slo {
  const r = parse(body);
  expect(r.problems).toEqual([]);
  expect(r.slos).toHaveLength(1);
  return r.slos[0] as Slo;
}

/** Problems as `line:col message`. */
function problems(body: string): string[] {
  return parse(body).problems.map((p) => `${p.line}:${p.col} ${p.message}`);
}

describe("slogate v1: resource SLIs", () => {
  it("reads a CPU SLI with the defaults: pod label, 1m step, +10 % per pod, 10 steps, no objective needed", () => {
    const slo = only(`    sli:\n      resource:\n        measure: cpu\n        query: ${CPU}\n`);
    expect(slo.kind).toBe("resource");
    expect(slo.objectivePercent).toBe(99);
    expect(slo.sli).toEqual({
      type: "resource",
      measure: "cpu",
      query: { text: CPU, hasWindow: true, hasSelector: false },
      podLabel: "pod",
      stepSeconds: 60,
    });
    expect(slo.canary.maxRegression).toEqual({ relative: 0.1 });
    expect(slo.canary.minRequests).toBe(10);
    expect(slo.canary.judge).toBe("sequential");
  });

  it("reads a memory SLI with a limit, a pod label, a step and its own margin", () => {
    const slo = only(
      `    objective: 99.5\n    sli:\n      resource:\n        measure: memory\n        query: sum by (kubernetes_pod_name) (container_memory_working_set_bytes)\n        podLabel: kubernetes_pod_name\n        step: 30s\n        limit: 1Gi\n    canary:\n      maxRegression: { relative: 0.2 }\n`,
    );
    expect(slo.objectivePercent).toBe(99.5);
    expect(slo.sli).toMatchObject({
      measure: "memory",
      podLabel: "kubernetes_pod_name",
      stepSeconds: 30,
      limit: { value: 2 ** 30, text: "1Gi" },
    });
    expect(slo.canary.maxRegression).toEqual({ relative: 0.2 });
  });

  it.each([
    ["cpu", "500m", 0.5],
    ["cpu", "2", 2],
    ["cpu", 1.5, 1.5],
    ["memory", "512Mi", 512 * 2 ** 20],
    ["memory", "2G", 2e9],
    ["memory", "1e9", 1e9],
    ["memory", "1.5Gi", 1.5 * 2 ** 30],
    ["saturation", "80%", 0.8],
    ["saturation", 0.9, 0.9],
    ["gauge", "1.5k", 1500],
  ] as const)("parses a %s limit %s as %s", (measure, text, value) => {
    const q = parseResourceQuantity(text, measure);
    expect(q.ok && q.value).toBeCloseTo(value, 9);
  });

  it.each([
    ["memory", "500m", /less than one byte \(m means milli, not mega\)/],
    ["cpu", "80%", /is a percentage, but cpu is measured in cores/],
    ["cpu", "1 GB", /is not a quantity/],
    ["cpu", -1, /is not a positive number/],
    ["memory", "0Gi", /is not positive/],
  ] as const)("refuses a %s limit %s", (measure, text, message) => {
    const q = parseResourceQuantity(text, measure);
    expect(q.ok).toBe(false);
    if (!q.ok) expect(q.message).toMatch(message);
  });

  it("places every bad field at its line and column", () => {
    const got = problems(
      [
        "    sli:",
        "      resource:",
        "        measure: disk",
        `        query: ${CPU}`,
        "        podLabel: 9pod",
        "        step: 2h",
        "        limit: 1 GB",
        "        limits: 1Gi",
      ].join("\n") + "\n",
    );
    expect(got).toEqual([
      expect.stringMatching(/^8:18 "disk" is not one of cpu, memory, saturation, gauge/),
      expect.stringMatching(/^10:19 invalid label name "9pod"/),
      expect.stringMatching(/^11:15 step "2h" is not a duration from 1s to 1h/),
      expect.stringMatching(/^13:9 unknown field "limits" in sli\.resource/),
    ]);
  });

  it("places a bad limit and a missing measure, and refuses PromQL that does not parse", () => {
    expect(
      problems(
        `    sli:\n      resource:\n        measure: memory\n        query: ${CPU}\n        limit: 500m\n`,
      ),
    ).toEqual([expect.stringMatching(/^10:16 memory limit "500m" is less than one byte/)]);
    expect(problems(`    sli:\n      resource:\n        query: ${CPU}\n`)).toEqual([
      expect.stringMatching(/^8:9 missing required field "measure"/),
    ]);
    expect(
      problems(
        `    sli:\n      resource:\n        measure: cpu\n        query: sum by (pod) (rate(x[{{.window}}])\n`,
      ),
    ).toEqual([expect.stringMatching(/^9:\d+ query is not valid PromQL/)]);
  });

  it("refuses another judge, a latency objective and a mismatched kind", () => {
    const sli = `    sli:\n      resource:\n        measure: cpu\n        query: ${CPU}\n`;
    expect(problems(`${sli}    canary:\n      judge: kayenta\n`)).toEqual([
      expect.stringMatching(/judged per pod by its own sequential test, not by the kayenta judge/),
    ]);
    expect(problems(`    objective: p95 < 1s\n${sli}`)).toEqual([
      expect.stringMatching(/is a latency quantile but the SLI is not latency/),
    ]);
    expect(problems(`    kind: error-rate\n${sli}`)).toEqual([
      expect.stringMatching(/^6:11 a resource SLI cannot have kind error-rate/),
    ]);
  });

  it("warns about an arm that does not reach a series only when `or` could let others through", () => {
    const joined = `sum by (pod) (rate(container_cpu_usage_seconds_total[{{.window}}]) * on (pod) group_left() max by (pod) (kube_pod_labels{ {{.selector}} }))`;
    expect(problems(`    sli:\n      resource:\n        measure: cpu\n        query: ${joined}\n`)).toEqual(
      [],
    );
    const union = `sum by (pod) (rate(a[{{.window}}])) or sum by (pod) (b{ {{.selector}} })`;
    expect(
      parse(`    sli:\n      resource:\n        measure: cpu\n        query: ${union}\n`).problems[0]
        ?.message,
    ).toMatch(/\{\{\.selector\}\} is missing from "a"/);
  });
});
