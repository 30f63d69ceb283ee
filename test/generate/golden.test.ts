/**
 * Golden files: each `testdata/in-<name>.yaml` (slogate v1, Sloth plain and Kubernetes, Sloth
 * raw ratio, OpenSLO v1) generates exactly the files under `testdata/out-<name>/`.
 * Rewrite them with `UPDATE_GOLDEN=1 npx vitest run test/generate/golden.test.ts`.
 * The Sloth inputs are verbatim copies of Sloth's examples (../shared/specs/sloth-examples).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSloFiles } from "../../src/catalog/load-slos.ts";
import { diffWithDisk } from "../../src/cli/commands/generate.ts";
import { generateArtifacts } from "../../src/generate/generate-artifacts.ts";
import { hasErrors } from "../../src/slo/problem.ts";

const TESTDATA = join(import.meta.dirname, "testdata");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const inputs = readdirSync(TESTDATA)
  .filter((f) => /^in-.+\.yaml$/.test(f))
  .sort();

describe("golden files", () => {
  it("covers the slogate, Sloth and OpenSLO input formats", async () => {
    const formats = new Set<string>();
    for (const input of inputs) {
      for (const s of (await loadSloFiles([join(TESTDATA, input)])).slos) formats.add(s.source.format);
    }
    expect([...formats].sort()).toEqual(["openslo/v1", "slogate/v1", "sloth/k8s-v1", "sloth/prometheus-v1"]);
  });

  it.each(inputs)("%s generates testdata/out-* exactly", async (input) => {
    const loaded = await loadSloFiles([join(TESTDATA, input)]);
    expect(hasErrors(loaded.problems)).toBe(false);
    const slos = loaded.slos.map((s) => ({ ...s, source: { ...s.source, file: input } }));
    const files = generateArtifacts(slos);
    const out = join(TESTDATA, input.replace(/^in-(.+)\.yaml$/, "out-$1"));
    if (UPDATE) {
      rmSync(out, { recursive: true, force: true });
      for (const f of files) {
        mkdirSync(dirname(join(out, f.path)), { recursive: true });
        writeFileSync(join(out, f.path), f.content);
      }
    }
    expect(await diffWithDisk(files, out)).toEqual({ changed: [], missing: [], stale: [] });
  });
});
