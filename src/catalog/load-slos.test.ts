import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSloFiles } from "./load-slos.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const FIXTURES = join(ROOT, "test/fixtures/slo");

let tmp = "";
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "slogate-load-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const SLOTH = (service: string): string =>
  `version: "prometheus/v1"\nservice: ${service}\nslos:\n  - name: errors\n    objective: 99\n    sli:\n      events:\n        error_query: sum(rate(x{code="5"}[{{.window}}]))\n        total_query: sum(rate(x[{{.window}}]))\n`;

describe("loadSloFiles", () => {
  it("loads the example SLOs in slos/ cleanly", async () => {
    const r = await loadSloFiles([join(ROOT, "slos")]);
    expect(r.problems).toEqual([]);
    expect(r.slos.map((s) => `${s.id} ${s.objectivePercent}`)).toEqual([
      "analytics-api-latency-p95 95",
      "analytics-api-availability 99.99",
      "checkout-requests-availability 99.9",
      "checkout-requests-errors-raw 99.5",
      "payments-api-latency-p95 95",
      "payments-api-errors 99.9",
      "payments-api-availability 99.9",
      "saas-api-latency-p95 95",
      "saas-api-latency-p99 99",
      "saas-api-errors 99",
      "saas-api-availability 99.9",
      "shop-api-cpu-per-pod 99",
      "shop-api-memory-per-pod 99",
      "shop-api-memory-saturation 99",
    ]);
    expect(r.services.map((s) => [s.service, s.labels["team"]])).toEqual([
      ["analytics-api", "data"],
      ["checkout", "payments"],
      ["payments-api", "payments"],
      ["saas-api", "platform"],
      ["shop-api", "shop"],
    ]);
  });

  it("loads the good files of a directory with one bad file, recursively, and reports the bad one", async () => {
    const dir = join(FIXTURES, "mixed-dir");
    const r = await loadSloFiles([dir]);
    expect(r.slos.map((s) => s.id)).toEqual(["cart-errors", "catalog-requests-availability"]);
    expect(r.problems.map((p) => [p.file, p.line, p.col, p.message])).toEqual([
      [join(dir, "b-bad.yaml"), 9, 89, "query is not valid PromQL: unexpected end of query"],
    ]);
  });

  it("resolves OpenSLO indicatorRefs across files", async () => {
    const r = await loadSloFiles([join(FIXTURES, "openslo-refs")]);
    expect(r.problems).toEqual([]);
    expect(
      r.slos.map((s) => [s.id, s.objectivePercent, s.periodSeconds / 86400, s.sli.type, s.labels]),
    ).toEqual([
      ["home-wifi-wifi-satisfaction", 95, 28, "ratio", { team: "home,infra" }],
      ["api-api-availability-internal", 99.95, 28, "events", {}],
      ["api-api-availability-sla", 99.9, 28, "events", {}],
    ]);
  });

  it.each([
    ["binary.yaml", 3, 1, "file is not text (NUL, control or invalid UTF-8 bytes)"],
    ["deep-nesting.yaml", 4, 71, "file nests deeper than 64 levels"],
    ["duplicate-names.yaml", 11, 11, 'duplicate SLO name "errors" (also slos[0])'],
    ["empty.yaml", 1, 1, "file is empty"],
    [
      "latency-threshold.yaml",
      6,
      16,
      "latency threshold 0.3s is not a bucket boundary of http_request_duration_seconds (buckets: 0.1, 0.25, 0.5, 1)",
    ],
    ["missing-window.yaml", 9, 17, "query has no {{.window}} placeholder"],
    [
      "objective-out-of-range.yaml",
      6,
      16,
      "objective 100 is out of range: the percentage of good events must be above 0 and below 100",
    ],
    ["promql-error.yaml", 9, 74, 'query is not valid PromQL: syntax error at ")"'],
    ["syntax-error.yaml", 8, 1, 'YAML syntax error: Missing closing "quote'],
    ["unknown-field.yaml", 5, 5, 'missing required field "objective"'],
    ["wrong-api-version.yaml", 1, 13, 'unsupported apiVersion "slogate.dev/v2"'],
    ["wrong-types.yaml", 4, 9, "expected a mapping, got a list"],
    [
      "yaml-bomb.yaml",
      5,
      10,
      "YAML aliases expand too much (more than 100 expansions): refusing a possible YAML bomb",
    ],
  ])("reports the bad fixture %s at %i:%i", async (name, line, col, message) => {
    const r = await loadSloFiles([join(FIXTURES, "bad", name)]);
    // Only duplicate-names has a valid SLO (the first of the two).
    expect(r.slos.map((s) => s.id)).toEqual(name === "duplicate-names.yaml" ? ["checkout-errors"] : []);
    expect(r.problems[0]).toMatchObject({
      file: join(FIXTURES, "bad", name),
      line,
      col,
      message,
      severity: "error",
    });
  });

  it("refuses a 10 MB file without reading it", async () => {
    const big = join(tmp, "big.yaml");
    await writeFile(big, Buffer.alloc(10 * 1024 * 1024, "a"));
    const r = await loadSloFiles([big]);
    expect(r.problems.map((p) => [p.line, p.col, p.message])).toEqual([
      [1, 1, "file is too large (10.0 MiB; the limit is 512 KiB)"],
    ]);
  });

  it("reports duplicate SLO ids across files and keeps the first", async () => {
    const dir = join(tmp, "dupes");
    await mkdir(dir);
    await writeFile(join(dir, "a.yaml"), SLOTH("shop"));
    await writeFile(join(dir, "b.yml"), SLOTH("shop"));
    const r = await loadSloFiles([dir]);
    expect(r.slos.map((s) => s.source.file)).toEqual([join(dir, "a.yaml")]);
    expect(r.problems.map((p) => [p.file, p.line, p.message])).toEqual([
      [join(dir, "b.yml"), 4, `duplicate SLO id "shop-errors" (also at ${join(dir, "a.yaml")}:4:5)`],
    ]);
  });

  it("reads a file named explicitly whatever its extension, and the same file once", async () => {
    const f = join(tmp, "slo.txt");
    await writeFile(f, SLOTH("txt"));
    const r = await loadSloFiles([f, f]);
    expect(r.problems).toEqual([]);
    expect(r.slos.map((s) => s.id)).toEqual(["txt-errors"]);
  });

  it.each([
    ["a missing path", "does-not-exist", "SLO_NOT_FOUND", /^cannot read .*does-not-exist: ENOENT$/],
    [
      "a directory without SLO files",
      "empty-dir",
      "SLO_NOT_FOUND",
      /^no \.yaml or \.yml files in .*empty-dir$/,
    ],
  ])("reports %s", async (_what, name, code, message) => {
    if (name === "empty-dir") await mkdir(join(tmp, name), { recursive: true });
    const r = await loadSloFiles([join(tmp, name)]);
    expect(r.slos).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.code).toBe(code);
    expect(r.problems[0]?.message).toMatch(message);
  });
});
