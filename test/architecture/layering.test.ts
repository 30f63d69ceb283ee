/**
 * The layering of docs/architecture.md, as `npm run deps` (dependency-cruiser with
 * .dependency-cruiser.cjs) enforces it: the real tree passes, and a small tree with one
 * deliberate violation of each rule fails with that rule's name.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

function cruise(cwd: string): Violation[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [BIN, "src", "--config", CONFIG, "--output-type", "json"], {
      cwd,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    // dependency-cruiser exits non-zero when it finds violations; the JSON is still printed.
    out = (e as { stdout?: string }).stdout ?? "";
    if (out === "") throw e;
  }
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "slogate-layering-"));
  dirs.push(dir);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("layering (npm run deps)", () => {
  it("the source tree has no violation", () => {
    expect(cruise(ROOT)).toEqual([]);
  });

  it("a small tree that keeps the layering has none (the control for the cases below)", () => {
    const dir = tree({
      "src/app/x.ts": 'import { y } from "../slo/y.ts";\nexport const x = y;\n',
      "src/slo/y.ts": "export const y = 1;\n",
      "src/main/m.ts":
        'import { readFileSync } from "node:fs";\nimport { x } from "../app/x.ts";\nexport const m = [x, readFileSync];\n',
    });
    expect(cruise(dir)).toEqual([]);
  });

  it.each([
    [
      "layer-stats",
      "a pure folder importing a use case",
      {
        "src/stats/t.ts": 'import { x } from "../app/x.ts";\nexport const t = x;\n',
        "src/app/x.ts": "export const x = 1;\n",
      },
    ],
    [
      "pure-no-io",
      "a pure folder reading a file",
      { "src/judge/t.ts": 'import { readFileSync } from "node:fs";\nexport const t = readFileSync;\n' },
    ],
    [
      "layer-promql",
      "a folder cycle (promql -> slo -> promql)",
      {
        "src/promql/a.ts": 'import { b } from "../slo/b.ts";\nexport const a = () => b;\n',
        "src/slo/b.ts": 'import { a } from "../promql/a.ts";\nexport const b = () => a;\n',
      },
    ],
    [
      "no-circular",
      "a module cycle inside one folder",
      {
        "src/app/a.ts": 'import { b } from "./b.ts";\nexport const a = () => b;\n',
        "src/app/b.ts": 'import { a } from "./a.ts";\nexport const b = () => a;\n',
      },
    ],
    [
      "layer-app",
      "a use case building an adapter",
      {
        "src/app/t.ts": 'import { S } from "../store/s.ts";\nexport const t = new S();\n',
        "src/store/s.ts": "export class S {}\n",
      },
    ],
    [
      "layer-http",
      "a route reading the store directly",
      {
        "src/http/r.ts": 'import { S } from "../store/s.ts";\nexport const r = S;\n',
        "src/store/s.ts": "export class S {}\n",
      },
    ],
    [
      "src-not-test",
      "product code loading test code",
      {
        "src/cli/demo.ts": 'import { h } from "../../test/h.ts";\nexport const d = h;\n',
        "test/h.ts": "export const h = 1;\n",
      },
    ],
  ])("refuses %s: %s", (rule, _what, files) => {
    const names = cruise(tree(files)).map((v) => v.rule.name);
    expect(names).toContain(rule);
  });
});
