import { describe, expect, it } from "vitest";
import { SlogateError } from "../errors.ts";
import { buildSlo } from "../generate/testdata/hand-built-slos.ts";
import type { Logger } from "../domain/verdict-event.ts";
import { dataSourceNote } from "../slo/parse-openslo.ts";
import { noteDataSources } from "./data-source-check.ts";

const dataSource = { name: "thanos", type: "Prometheus", url: "http://thanos:10902", headers: {} };
const withSource = (id: string, ds?: typeof dataSource) =>
  buildSlo(id, "availability", {
    source: { file: "slos.yaml", format: "openslo/v1", line: 3, col: 1 },
    ...(ds === undefined ? {} : { dataSource: ds, notes: ["other note", dataSourceNote(ds)] }),
  });

function logger(): Logger & { lines: [string, string][] } {
  const lines: [string, string][] = [];
  return {
    lines,
    debug: () => undefined,
    info: (m) => void lines.push(["info", m]),
    warn: (m) => void lines.push(["warn", m]),
    error: (m) => void lines.push(["error", m]),
  };
}

describe("SLOs with a DataSource are noted with the backend they are read from", () => {
  it("replaces the parser's note by the service's, logs it, and leaves SLOs without a DataSource alone", async () => {
    const log = logger();
    const plain = withSource("web");
    const load = noteDataSources(
      () => Promise.resolve({ slos: [plain, withSource("api", dataSource)], problems: [] }),
      (slo) => `read from ${slo.dataSource?.url ?? ""}`,
      log,
    );
    const r = await load([]);
    expect(r.problems).toEqual([]);
    expect(r.slos[0]).toBe(plain);
    expect(r.slos[1]?.notes).toEqual(["other note", "read from http://thanos:10902"]);
    expect(log.lines).toEqual([["info", "SLO api-availability: read from http://thanos:10902"]]);
  });

  it("does not serve an SLO whose backend cannot be used: an error at the SLO, logged", async () => {
    const log = logger();
    const load = noteDataSources(
      () => Promise.resolve({ slos: [withSource("web"), withSource("api", dataSource)], problems: [] }),
      () => {
        throw new SlogateError("CONFIG_INVALID", "SLO api-availability: backends.thanos.tls is set but …", {
          hint: "use an https URL",
        });
      },
      log,
    );
    const r = await load([]);
    expect(r.slos.map((s) => s.id)).toEqual(["web-availability"]);
    expect(r.problems.map((p) => [p.file, p.line, p.severity, p.message, p.hint])).toEqual([
      ["slos.yaml", 3, "error", "SLO api-availability: backends.thanos.tls is set but …", "use an https URL"],
    ]);
    expect(log.lines.map(([level]) => level)).toEqual(["error"]);
  });
});
