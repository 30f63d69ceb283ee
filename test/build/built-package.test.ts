/**
 * The package as the container image ships it: `npm run build` output (`dist/`) with
 * production dependencies only (`npm ci --omit=dev`), no `src/`, no `test/`, no dev tools.
 * Every CLI command runs from it: validate, generate, serve, analyze, backtest, baseline and
 * demo (which starts its own Prometheus from the test bed compiled into `dist/testbed`).
 */
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BED_SERVICES, BED_START, startGateBed, type GateBed } from "../../src/testbed/gate-bed.ts";

const exec = promisify(execFile);
const REPO = resolve(import.meta.dirname, "../..");
let app: string;
let bed: GateBed;

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), "slogate-image-"));
  await exec(
    process.execPath,
    [
      join(REPO, "node_modules/typescript/bin/tsc"),
      "-p",
      join(REPO, "tsconfig.build.json"),
      "--outDir",
      join(app, "dist"),
    ],
    { cwd: REPO },
  );
  for (const f of ["package.json", "package-lock.json"]) cpSync(join(REPO, f), join(app, f));
  cpSync(join(REPO, "slos"), join(app, "slos"), { recursive: true });
  await exec("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: app });
  bed = await startGateBed(["healthy"]);
}, 300_000);
afterAll(async () => {
  await bed?.stop();
  if (app !== undefined) rmSync(app, { recursive: true, force: true });
});

/** Runs the built CLI; resolves with its exit code and output (also for a non-zero exit). */
async function slogate(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await exec(process.execPath, ["dist/cli/main.js", ...args], { cwd: app, timeout: 120_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === "number" ? err.code : -1,
      out: `${err.stdout ?? ""}${err.stderr ?? ""}`,
    };
  }
}

describe("the built package (dist/ with production dependencies only)", () => {
  it("has no dev dependency installed", async () => {
    await expect(exec(process.execPath, ["-e", "require.resolve('vitest')"], { cwd: app })).rejects.toThrow();
  });

  it("validate", async () => {
    const r = await slogate(["validate", "slos/"]);
    expect(r.out).toMatch(/valid: \d+ services/);
    expect(r.code).toBe(0);
  });

  it("generate", async () => {
    const out = join(app, "generated");
    const r = await slogate(["generate", "--slos", "slos", "--out", out]);
    expect(r.code, r.out).toBe(0);
  });

  it("analyze, backtest and baseline against a real Prometheus", async () => {
    const s = BED_SERVICES.healthy;
    const common = ["--prometheus", bed.prometheus.url, "--slos", bed.slosDir];
    const arm = ["--slo", `${s.service}-errors`, "--canary", s.canary, "--stable", s.stable];
    const a = await slogate([
      "analyze",
      ...arm,
      "--start",
      String(BED_START),
      "--time",
      String(BED_START + 1800),
      "--final",
      ...common,
    ]);
    expect(a.out).toMatch(/PASS/);
    expect(a.code).toBe(0);
    const b = await slogate([
      "backtest",
      ...arm,
      "--from",
      String(BED_START),
      "--to",
      String(BED_START + 1800),
      "--interval",
      "5m",
      ...common,
    ]);
    expect(b.code, b.out).toBe(0);
    const dataDir = mkdtempSync(join(tmpdir(), "slogate-image-data-"));
    const c = await slogate([
      "baseline",
      "--slo",
      `${s.service}-errors`,
      "--stable",
      s.stable,
      "--time",
      String(BED_START),
      "--data-dir",
      dataDir,
      ...common,
    ]);
    rmSync(dataDir, { recursive: true, force: true });
    expect(c.code, c.out).toBe(0);
  });

  it("serve answers /healthz and stops on SIGTERM", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "slogate-image-serve-"));
    const child = spawn(
      process.execPath,
      [
        "dist/cli/main.js",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data-dir",
        dataDir,
        "--prometheus",
        bed.prometheus.url,
        "--slos",
        bed.slosDir,
      ],
      { cwd: app, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      let log = "";
      const url = await new Promise<string>((ok, fail) => {
        const t = setTimeout(() => fail(new Error(`serve did not start: ${log}`)), 30_000);
        child.stdout.on("data", (d: Buffer) => {
          log += d.toString();
          const m = /"url":"(http:\/\/[^"]+)"/.exec(log);
          if (m?.[1] !== undefined) {
            clearTimeout(t);
            ok(m[1]);
          }
        });
        child.on("exit", (c) => fail(new Error(`serve exited ${c}: ${log}`)));
      });
      const r = await fetch(`${url}/healthz`);
      expect(r.status).toBe(200);
      const exited = new Promise<number | null>((ok) => child.on("exit", (c) => ok(c)));
      child.kill("SIGTERM");
      expect(await exited).not.toBeNull();
    } finally {
      child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("demo promotes the good canary and aborts the bad one", async () => {
    const r = await slogate(["demo"]);
    expect(r.out).toContain("demo: the good canary was promoted and the bad one aborted.");
    expect(r.code).toBe(0);
  }, 180_000);
});
