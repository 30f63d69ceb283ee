import { describe, expect, it } from "vitest";
import { parseSloText } from "./parse-slo-documents.ts";

const PLAIN = (slo: string, extra = ""): string =>
  `version: "prometheus/v1"\nservice: svc\n${extra}slos:\n  - name: s\n    objective: 99.9\n${slo}`;
const EVENTS = `    sli:\n      events:\n        error_query: sum(rate(x{code="5"}[{{.window}}]))\n        total_query: sum(rate(x[{{.window}}]))\n`;

describe("Sloth import", () => {
  it.each([
    [
      "an SLI plugin",
      PLAIN("    sli:\n      plugin:\n        id: sloth-common/availability\n"),
      [[7, 7, "slos[0].sli.plugin", "Sloth SLI plugins cannot be converted: slogate needs the PromQL"]],
    ],
    [
      "an unknown field with a snake/camel mix-up",
      PLAIN(
        "    sli:\n      events:\n        errorQuery: sum(rate(x[{{.window}}]))\n        total_query: sum(rate(x[{{.window}}]))\n",
      ),
      [
        [8, 9, "slos[0].sli.events.errorQuery", 'unknown field "errorQuery" in sli.events'],
        [8, 9, "slos[0].sli.events.error_query", 'missing required field "error_query"'],
      ],
    ],
    [
      "a string objective",
      'version: "prometheus/v1"\nservice: svc\nslos:\n  - name: s\n    objective: "99.9"\n' + EVENTS,
      [[5, 16, "slos[0].objective", 'expected a number, got the string "99.9"']],
    ],
    [
      "an objective given as a fraction",
      PLAIN(EVENTS).replace("99.9", "0.999"),
      [[5, 16, "slos[0].objective", "objective 0.999 promises less than 1 % good events"]],
    ],
    [
      "both events and raw",
      PLAIN(`${EVENTS}      raw:\n        error_ratio_query: x\n`),
      [[7, 7, "slos[0].sli", "sli has both events and raw"]],
    ],
    [
      "an unsupported version",
      'version: "prometheus/v2"\nservice: s\nslos: []\n',
      [[1, 10, "version", 'unsupported Sloth version "prometheus/v2"']],
    ],
    [
      "an unknown Kubernetes kind",
      "apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevels\nspec: {}\n",
      [[2, 7, "kind", 'unsupported Sloth kind "PrometheusServiceLevels"']],
    ],
  ])("reports %s", (_what, text, expected) => {
    const r = parseSloText(text, "sloth.yaml");
    expect(r.problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual(expected);
  });

  it.each([
    ["requests-latency", {}, "latency"],
    ["requests-availability", {}, "availability"],
    ["s", { category: "latency" }, "latency"],
    ["s", {}, "error-rate"],
  ])("infers the kind of SLO %s with labels %j as %s", (name, labels, kind) => {
    const text = PLAIN(`    labels: ${JSON.stringify(labels)}\n${EVENTS}`).replace(
      "name: s",
      `name: ${name}`,
    );
    expect(parseSloText(text, "sloth.yaml").slos[0]?.kind).toBe(kind);
  });

  it("infers latency from a histogram bucket query", () => {
    const text = PLAIN(
      '    sli:\n      events:\n        error_query: sum(rate(h_count[{{.window}}])) - sum(rate(h_bucket{le="0.3"}[{{.window}}]))\n        total_query: sum(rate(h_count[{{.window}}]))\n',
    );
    expect(parseSloText(text, "sloth.yaml").slos[0]?.kind).toBe("latency");
  });
});
