/** The annotated example in docs/slo-format.md is a valid file and means what it says. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSloText } from "../../src/slo/parse-slo-documents.ts";

const DOC = readFileSync(resolve(import.meta.dirname, "../../docs/slo-format.md"), "utf8");
const EXAMPLE = /```yaml\n([\s\S]*?)```/.exec(DOC)?.[1] ?? "";

describe("docs/slo-format.md", () => {
  it("its full example validates clean", () => {
    const r = parseSloText(EXAMPLE, "docs/slo-format.md");
    expect(r.problems).toEqual([]);
    expect(r.slos.map((s) => [s.name, s.kind, s.objectivePercent, s.sli.type])).toEqual([
      ["latency-p95", "latency", 95, "latency"],
      ["latency-fast", "latency", 95, "latency"],
      ["errors", "error-rate", 99, "events"],
      ["error-ratio", "error-rate", 99, "events"],
      ["queue-lag", "availability", 99, "threshold"],
      ["availability", "availability", 99.9, "events"],
      ["probe", "availability", 99.9, "probe"],
    ]);
  });

  it("its probe SLO carries the documented settings", () => {
    const probe = parseSloText(EXAMPLE, "docs/slo-format.md").slos.find((s) => s.name === "probe");
    expect(probe?.periodSeconds).toBe(28 * 86400);
    expect(probe?.labels).toEqual({ team: "platform", category: "probe" });
    expect(probe?.alerting.ticket.enabled).toBe(false);
    expect(probe?.canary).toEqual({
      judge: "sequential",
      selection: { mode: "label", label: "rollouts_pod_template_hash" },
      alpha: 0.05,
      minRequests: 1000,
      maxRegression: { relative: 0.1, absolutePoints: 0.5 },
      direction: "higher-is-worse",
      checks: {
        relative: { enabled: true, critical: false, weight: 1 },
        absolute: { enabled: true, critical: true, weight: 1 },
        baseline: { enabled: true, critical: false, weight: 1 },
      },
      maxBadRatio: 0.001,
      noDataGraceSeconds: 60,
    });
  });
});
