/** `slogate validate` end to end: exit codes, human and JSON output. */
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/commands/validate.ts";
import type { CliIo } from "../../src/cli/io.ts";

const ROOT = resolve(import.meta.dirname, "../..");

async function validate(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    env: {},
    cwd: ROOT,
    stopped: new Promise(() => undefined),
  };
  const code = await run(args, io);
  return { code, out, err };
}

describe("slogate validate", () => {
  it("passes the example SLOs, noting how the imported Sloth file was converted", async () => {
    const r = await validate("slos/");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const lines = r.out.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("valid: 5 services, 14 SLOs, 0 errors, 0 warnings");
    expect(lines.slice(0, -1)).toEqual([
      expect.stringMatching(
        /^slos\/checkout-sloth\.yaml: note: checkout-requests-errors-raw: the bad-ratio query A \/ B was split into bad events /,
      ),
    ]);
  });

  it("exits 0 from the real entry point on slos/", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["src/cli/main.ts", "validate", "slos/"], {
      cwd: ROOT,
    });
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("valid: 5 services, 14 SLOs, 0 errors, 0 warnings");
  });

  it("prints file:line:col, severity, message, path and hint, and exits 1", async () => {
    const r = await validate("test/fixtures/slo/bad/unknown-field.yaml");
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      [
        'test/fixtures/slo/bad/unknown-field.yaml:5:5: error: missing required field "objective" (slos[0].objective) hint: e.g. objective: ">= 99.9%" or "p95 < 500ms"',
        'test/fixtures/slo/bad/unknown-field.yaml:6:5: error: unknown field "objectiv" in an SLO (slos[0].objectiv) hint: did you mean "objective"? allowed fields: name, description, kind, objective, sli, period, labels, alerting, canary',
        "invalid: 1 service, 0 SLOs, 2 errors, 0 warnings",
        "",
      ].join("\n"),
    );
  });

  it("names the line and column of every bad fixture", async () => {
    const r = await validate("test/fixtures/slo/bad");
    expect(r.code).toBe(1);
    const lines = r.out.trim().split("\n");
    const problems = lines.slice(0, -1);
    expect(problems.length).toBeGreaterThanOrEqual(13);
    for (const l of problems)
      expect(l).toMatch(/^test\/fixtures\/slo\/bad\/[a-z-]+\.yaml:\d+:\d+: (error|warning): .+ hint: .+/);
    const files = new Set(problems.map((l) => l.split(":")[0]));
    expect(files.size).toBe(13);
  });

  it("prints JSON with --format json", async () => {
    const r = await validate("--format", "json", "test/fixtures/slo/mixed-dir");
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as Record<string, unknown>;
    expect(json).toEqual({
      valid: false,
      errors: 1,
      warnings: 0,
      services: [
        {
          service: "cart",
          file: "test/fixtures/slo/mixed-dir/a-good.yaml",
          format: "slogate/v1",
          slos: ["cart-errors"],
        },
        { service: "search", file: "test/fixtures/slo/mixed-dir/b-bad.yaml", format: "slogate/v1", slos: [] },
        {
          service: "catalog",
          file: "test/fixtures/slo/mixed-dir/nested/c-sloth.yml",
          format: "sloth/prometheus-v1",
          slos: ["catalog-requests-availability"],
        },
      ],
      slos: 2,
      notes: {},
      problems: [
        {
          file: "test/fixtures/slo/mixed-dir/b-bad.yaml",
          line: 9,
          col: 89,
          path: "slos[0].sli.events.errors",
          code: "PROMQL_INVALID",
          message: "query is not valid PromQL: unexpected end of query",
          hint: "fix the PromQL; test it in the Prometheus UI with {{.window}} replaced by 5m",
          severity: "error",
        },
      ],
    });
  });

  it("shows paths relative to the working directory, in messages too", async () => {
    const r = await validate("test/fixtures/slo/duplicate-ids");
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      'test/fixtures/slo/duplicate-ids/b.yaml:7:5: error: duplicate SLO id "cart-errors" (also at test/fixtures/slo/duplicate-ids/a.yaml:7:5) hint: SLO ids are <service>-<name> and must be unique across all files: rename the SLO or the service\n' +
        "invalid: 2 services, 1 SLO, 1 error, 0 warnings\n",
    );
  });

  it("accepts the OpenSLO spec's own example files, noting how their plain counter queries are read", async () => {
    const r = await validate("test/fixtures/openslo/");
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("valid: 1 service, 1 SLO, 0 errors, 6 warnings");
    // The SLIs with Datadog and AppDynamics sources are used by no SLO: warnings only.
    expect(lines.filter((l) => l.includes(": warning: ")).length).toBe(6);
    expect(lines.filter((l) => l.includes(": note: "))).toEqual([
      'test/fixtures/openslo/slos.yaml: note: web-web-availability: test/fixtures/openslo/slos.yaml:25:24: "sum(http_requests{k8s_cluster=\\"prod\\",component=\\"web\\",code=~\\"2xx|4xx\\"})" is read as the rate of each counter over the window: "sum(rate(http_requests{k8s_cluster=\\"prod\\",component=\\"web\\",code=~\\"2xx|4xx\\"}[{{.window}}]))"',
      'test/fixtures/openslo/slos.yaml: note: web-web-availability: test/fixtures/openslo/slos.yaml:30:24: "sum(http_requests{k8s_cluster=\\"prod\\",component=\\"web\\"})" is read as the rate of each counter over the window: "sum(rate(http_requests{k8s_cluster=\\"prod\\",component=\\"web\\"}[{{.window}}]))"',
      "test/fixtures/openslo/slos.yaml: note: web-web-availability: budgetingMethod Timeslices: generated rules count 1m slices, a slice being good when at least 95 % of its events are good; canary analysis compares event counts",
    ]);
    // Each file with Prometheus sources on its own: the SLO file, the SLI file with its DataSources.
    const slo = await validate("test/fixtures/openslo/slos.yaml");
    expect([slo.code, slo.out.trimEnd().split("\n").at(-1)]).toEqual([
      0,
      "valid: 1 service, 1 SLO, 0 errors, 1 warning",
    ]);
    const slis = await validate("test/fixtures/openslo/slis.yaml", "test/fixtures/openslo/data_sources.yaml");
    expect(slis.code).toBe(0);
    expect(slis.out).not.toContain('metricSourceRef "prometheus" names no DataSource');
  });

  it("passes warnings unless --strict", async () => {
    const file = join("..", "shared", "specs", "openslo", "examples-v1", "slis.yaml");
    const lax = await validate(file);
    expect(lax.code).toBe(0);
    expect(lax.out).toMatch(/valid: 0 services, 0 SLOs, 0 errors, 6 warnings\n$/);
    const strict = await validate("--strict", file);
    expect(strict.code).toBe(1);
  });

  it.each([
    [[], "give at least one SLO file or directory"],
    [["--format", "xml", "slos"], "--format must be human or json"],
    [["--bogus", "slos"], "Unknown option '--bogus'"],
  ])("rejects the usage %j with exit 2", async (args, message) => {
    const r = await validate(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});
