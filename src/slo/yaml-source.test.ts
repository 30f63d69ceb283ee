import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSloText } from "./parse-slo-documents.ts";
import { MAX_ALIAS_COUNT, MAX_SLO_FILE_CHARS, readYamlDocuments } from "./yaml-source.ts";

function billionLaughs(levels: number): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  return `${lines.join("\n")}\nslos: *a${levels}\n`;
}

describe("readYamlDocuments refuses bad input with a positioned problem", () => {
  it.each([
    ["an empty file", "", 1, 1, "file is empty"],
    ["a file of blanks and comments", "\n   \n# nothing\n", 1, 1, "file is empty"],
    [
      "binary junk",
      "apiVersion: x\n\u0000\u0001\u0002junk",
      2,
      1,
      "file is not text (NUL, control or invalid UTF-8 bytes)",
    ],
    [
      "invalid UTF-8 (decoded as U+FFFD)",
      "service: caf\uFFFD\n",
      1,
      13,
      "file is not text (NUL, control or invalid UTF-8 bytes)",
    ],
    [
      "a YAML bomb",
      billionLaughs(9),
      2,
      10,
      `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} expansions): refusing a possible YAML bomb`,
    ],
    ["deep nesting", `a: ${"[".repeat(100)}${"]".repeat(100)}`, 1, 68, "file nests deeper than 64 levels"],
    ["an unclosed quote", 'a: "x\nb: 1\n', 3, 1, 'YAML syntax error: Missing closing "quote'],
    ["a duplicate key", "a: 1\nb: 2\na: 3\n", 3, 1, 'duplicate key "a" in a mapping'],
    [
      "a bad indentation",
      "a:\n  b: 1\n c: 2\n",
      3,
      1,
      "YAML syntax error: All mapping items must start at the same column",
    ],
  ])("refuses %s", (_what, text, line, col, message) => {
    const r = readYamlDocuments(text, "f.yaml");
    expect(r.documents).toEqual([]);
    expect(r.problems.map((p) => [p.line, p.col, p.message])).toEqual([[line, col, message]]);
    expect(r.problems[0]?.hint).not.toBe("");
  });

  it("refuses block nesting too deep for the YAML reader instead of crashing", () => {
    const text = Array.from({ length: 1000 }, (_, i) => `${" ".repeat(i)}a:`).join("\n");
    const r = readYamlDocuments(text, "deep.yaml");
    expect(r.documents).toEqual([]);
    expect(r.problems.map((p) => [p.line, p.col, p.message])).toEqual([
      [202, 202, "file is indented deeper than 200 columns"],
    ]);
  });

  it("reports duplicate keys in a large mapping (linear check)", () => {
    const keys = Array.from({ length: 20000 }, (_, i) => `k${i}: v`);
    keys.push("k7: again");
    const r = readYamlDocuments(keys.join("\n"), "keys.yaml");
    expect(r.problems.map((p) => [p.line, p.col, p.message])).toEqual([
      [20001, 1, 'duplicate key "k7" in a mapping'],
    ]);
  });

  it("refuses a text over the size cap without parsing it", () => {
    const text = `a: "${"x".repeat(MAX_SLO_FILE_CHARS)}"\n`;
    const r = readYamlDocuments(text, "big.yaml");
    expect(r.documents).toEqual([]);
    expect(r.problems[0]?.message).toBe(
      `file is too large (${text.length} characters; the limit is ${MAX_SLO_FILE_CHARS})`,
    );
  });

  it("accepts a few aliases, as real files use them", () => {
    const r = readYamlDocuments("base: &b { team: x }\nother: *b\n", "f.yaml");
    expect(r.problems).toEqual([]);
    expect(r.documents[0]?.value).toEqual({ base: { team: "x" }, other: { team: "x" } });
  });

  it("reads every document of a multi-document file and skips empty ones", () => {
    const r = readYamlDocuments("---\na: 1\n---\n---\nb: 2\n", "f.yaml");
    expect(r.documents.map((d) => [d.index, d.value])).toEqual([
      [0, { a: 1 }],
      [2, { b: 2 }],
    ]);
  });

  it("places positions on keys, values and inside scalars", () => {
    const [doc] = readYamlDocuments(
      "a:\n  b: 'x y'\n  c: |\n    sum(\n      rate(x[5m])\n    )\n",
      "f.yaml",
    ).documents;
    expect(doc?.position(["a", "b"])).toEqual({ line: 2, col: 6 });
    expect(doc?.position(["a", "b"], true)).toEqual({ line: 2, col: 3 });
    expect(doc?.position(["a", "missing"])).toEqual({ line: 2, col: 3 });
    expect(doc?.positionInScalar(["a", "b"], 2)).toEqual({ line: 2, col: 9 });
    // "sum(\n  rate(x[5m])\n)\n": offset 7 is the "r" of rate.
    expect(doc?.positionInScalar(["a", "c"], 7)).toEqual({ line: 5, col: 7 });
  });
});

/** Junk yields at least one problem, each placed in the file, with a message and a hint. */
function expectWellFormed(r: ReturnType<typeof parseSloText>): void {
  expect(r.problems.length + r.slos.length).toBeGreaterThan(0);
  for (const p of r.problems) {
    expect(p.file).toBe("random.yaml");
    expect(p.line).toBeGreaterThanOrEqual(0);
    expect(p.message).not.toBe("");
    expect(p.hint).not.toBe("");
  }
}

describe("parsing never crashes on arbitrary input", () => {
  it("returns problems, never throws, for random text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const r = parseSloText(text, "random.yaml");
        expectWellFormed(r);
      }),
      { numRuns: 300 },
    );
  });

  it("returns problems, never throws, for random YAML-shaped data", () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.string(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(
          fc.constantFrom(
            "apiVersion",
            "kind",
            "service",
            "slos",
            "sli",
            "objective",
            "name",
            "events",
            "spec",
            "metadata",
            "x",
          ),
          tie("node"),
          { maxKeys: 5 },
        ),
      ),
    })).node;
    const header = fc.constantFrom(
      { apiVersion: "slogate.dev/v1", kind: "ServiceLevels" },
      { version: "prometheus/v1" },
      { apiVersion: "sloth.slok.dev/v1", kind: "PrometheusServiceLevel" },
      { apiVersion: "openslo/v1", kind: "SLO" },
      { apiVersion: "openslo/v1", kind: "SLI" },
    );
    fc.assert(
      fc.property(
        header,
        fc.dictionary(fc.constantFrom("service", "slos", "spec", "metadata", "labels"), value),
        (h, body) => {
          const r = parseSloText(JSON.stringify({ ...h, ...body }), "random.yaml");
          expectWellFormed(r);
        },
      ),
      { numRuns: 500 },
    );
  });
});
