import { afterEach, describe, expect, it } from "vitest";
import { requireTool, runTool } from "./tools.ts";

describe("test-bed tools", () => {
  const saved = process.env.PROMTOOL_BIN;
  afterEach(() => {
    if (saved === undefined) delete process.env.PROMTOOL_BIN;
    else process.env.PROMTOOL_BIN = saved;
  });

  it("finds promtool on PATH", () => {
    expect(requireTool("promtool")).toMatch(/promtool$/);
  });

  it("says which Debian package to install when a binary is missing", () => {
    process.env.PROMTOOL_BIN = "/nonexistent/promtool";
    expect(() => requireTool("promtool")).toThrow(/install the Debian package 'prometheus'.*PROMTOOL_BIN/);
  });

  it("a missing checker rejects instead of reading as a failed check", async () => {
    process.env.PROMTOOL_BIN = "/nonexistent/promtool";
    await expect(runTool("promtool", ["check", "rules", "x.yml"])).rejects.toThrow(/not installed/);
  });

  it("a check that fails resolves with its non-zero exit code and output", async () => {
    const r = await runTool("promtool", ["check", "rules", "/nonexistent/rules.yml"]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/rules\.yml/);
  });
});
