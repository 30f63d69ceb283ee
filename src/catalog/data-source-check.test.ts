import { describe, expect, it } from "vitest";
import { buildSlo } from "../generate/testdata/hand-built-slos.ts";
import type { Logger } from "../domain/verdict-event.ts";
import { checkDataSources, dataSourceProblems } from "./data-source-check.ts";

const withSource = (url?: string) =>
  buildSlo("web", "availability", {
    source: { file: "slos.yaml", format: "openslo/v1", line: 3, col: 1 },
    ...(url === undefined
      ? {}
      : { dataSource: { name: "prometheus", type: "Prometheus", url, headers: {} } }),
  });

describe("DataSources against the configured backend", () => {
  it.each([
    ["the same URL", "http://prometheus:9090", 0],
    ["the same URL with a trailing slash and another case", "HTTP://Prometheus:9090/", 0],
    ["no DataSource URL", undefined, 0],
    ["another backend", "http://prometheus.example.com", 1],
    ["another path on the same host", "http://prometheus:9090/tenant-a", 1],
  ])("warns %s %s times", (_what, url, n) => {
    expect(dataSourceProblems([withSource(url)], "http://prometheus:9090")).toHaveLength(n);
  });

  it("says what slogate does instead, at the SLO, and logs it", async () => {
    const warned: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      error: () => undefined,
      warn: (m) => void warned.push(m),
    };
    const load = checkDataSources(
      () => Promise.resolve({ slos: [withSource("http://prometheus.example.com")], problems: [] }),
      "http://127.0.0.1:9090",
      logger,
    );
    const r = await load([]);
    expect(r.slos).toHaveLength(1);
    expect(r.problems.map((p) => [p.file, p.line, p.severity, p.message])).toEqual([
      [
        "slos.yaml",
        3,
        "warning",
        'SLO web-availability: DataSource "prometheus" URL http://prometheus.example.com differs from the service backend http://127.0.0.1:9090; slogate queries the configured backend',
      ],
    ]);
    expect(warned).toEqual([r.problems[0]?.message]);
  });
});
