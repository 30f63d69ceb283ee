/** `slogate validate --config FILE`: every problem of a service config, exit codes, JSON. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/commands/validate.ts";
import type { CliIo } from "../../src/cli/io.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BAD = "test/fixtures/config/bad.yaml";

async function validate(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    env,
    cwd: ROOT,
    stopped: new Promise(() => undefined),
  };
  const code = await run(args, io);
  return { code, out, err };
}

describe("slogate validate --config", () => {
  it("passes the annotated example from the real entry point", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["src/cli/main.ts", "validate", "--config", "slogate.example.yaml"],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? "" } },
    );
    expect(stdout).toBe("valid: config slogate.example.yaml, 0 errors\n");
  });

  it("prints every problem as file:line:col: error: message (path) hint: …, and exits 1", async () => {
    const r = await validate({}, "--config", BAD);
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    const lines = r.out.trimEnd().split("\n");
    expect(lines.at(-1)).toBe(`invalid: config ${BAD}, 5 errors`);
    expect(
      lines.slice(0, -1).map((l) => /^(\S+:\d+:\d+): error: .* \((\S+)\) hint: .+$/.exec(l)?.slice(1)),
    ).toEqual([
      [`${BAD}:4:9`, "listen.port"],
      [`${BAD}:7:3`, "prometheus.timeot"],
      [`${BAD}:9:13`, "baseline.schedule"],
      [`${BAD}:12:21`, "notifications.delivery.initialBackoff"],
      [`${BAD}:15:9`, "notifications.slack.routes[0]"],
    ]);
    expect(lines[1]).toContain('did you mean "timeout"?');
  });

  it("names an environment variable that overrides the file with a bad value", async () => {
    const r = await validate({ SLOGATE_LOG_LEVEL: "loud" }, "--config", "slogate.example.yaml");
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      '$SLOGATE_LOG_LEVEL: error: expected one of debug, info, warn, error, got the string "loud" (log.level) hint: write one of debug | info | warn | error\n' +
        "invalid: config slogate.example.yaml, 1 error\n",
    );
  });

  it("prints JSON with --format json, problems as the SLO validation prints them", async () => {
    const r = await validate({}, "--format", "json", "--config", BAD);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { valid: boolean; errors: number; config: string; problems: unknown[] };
    expect(json).toMatchObject({ valid: false, errors: 5, warnings: 0, config: BAD });
    expect(json.problems[0]).toEqual({
      file: BAD,
      line: 4,
      col: 9,
      path: "listen.port",
      code: "CONFIG_INVALID",
      message: "expected an integer between 0 and 65535, got number 99999",
      hint: "write listen.port as a whole number from 0 to 65535",
      severity: "error",
    });
  });

  it("reports a config file that cannot be read as one problem", async () => {
    const r = await validate({}, "--config", "test/fixtures/config/missing.yaml");
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      "test/fixtures/config/missing.yaml: error: cannot read config test/fixtures/config/missing.yaml: ENOENT hint: check the --config path (see slogate.example.yaml)\n" +
        "invalid: config test/fixtures/config/missing.yaml, 1 error\n",
    );
  });

  it("checks a config and SLO files together, failing when either has errors", async () => {
    const ok = await validate({}, "--config", "slogate.example.yaml", "slos/");
    expect(ok.code).toBe(0);
    expect(ok.out.split("\n")[0]).toBe("valid: config slogate.example.yaml, 0 errors");
    expect(ok.out.trimEnd().split("\n").at(-1)).toBe("valid: 5 services, 14 SLOs, 0 errors, 0 warnings");
    const bad = await validate({}, "--format", "json", "--config", BAD, "slos/");
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({ valid: false, errors: 5, config: BAD, slos: 14 });
  });

  it("reports the backend's credential and certificate files that cannot be read, at their settings", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-validate-files-"));
    try {
      writeFileSync(join(dir, "ca.crt"), "readable");
      const config = join(dir, "slogate.yaml");
      writeFileSync(
        config,
        [
          "prometheus:",
          "  url: https://prometheus:9090",
          `  auth: { bearerTokenFile: ${join(dir, "no-token")} }`,
          "  tls:",
          `    caFile: ${join(dir, "ca.crt")}`,
          `    certFile: ${join(dir, "no-cert")}`,
          `    keyFile: ${join(dir, "no-key")}`,
          "",
        ].join("\n"),
      );
      const r = await validate({}, "--config", config);
      expect(r.code).toBe(1);
      expect(r.out.trimEnd().split("\n")).toEqual([
        `${config}:3:28: error: cannot read ${join(dir, "no-token")}: ENOENT (prometheus.auth.bearerTokenFile) hint: serve reads this file at start (and again when it changes): mount the Secret there or fix the path`,
        `${config}:6:15: error: cannot read ${join(dir, "no-cert")}: ENOENT (prometheus.tls.certFile) hint: serve reads this file at start (and again when it changes): mount the Secret there or fix the path`,
        `${config}:7:14: error: cannot read ${join(dir, "no-key")}: ENOENT (prometheus.tls.keyFile) hint: serve reads this file at start (and again when it changes): mount the Secret there or fix the path`,
        `invalid: config ${config}, 3 errors`,
      ]);
      // Set by the environment: named by the variable; a readable file is no problem.
      writeFileSync(config, "prometheus: { url: 'http://prometheus:9090' }\n");
      const env = await validate(
        { SLOGATE_PROMETHEUS_BEARER_TOKEN_FILE: join(dir, "gone") },
        "--config",
        config,
      );
      expect(env.out).toContain(
        `$SLOGATE_PROMETHEUS_BEARER_TOKEN_FILE: error: cannot read ${join(dir, "gone")}: ENOENT (prometheus.auth.bearerTokenFile)`,
      );
      const fine = await validate(
        { SLOGATE_PROMETHEUS_BEARER_TOKEN_FILE: join(dir, "ca.crt") },
        "--config",
        config,
      );
      expect(fine.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a backends entry's files that cannot be read, at their settings", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-validate-backends-"));
    try {
      const config = join(dir, "slogate.yaml");
      writeFileSync(
        config,
        ["backends:", "  thanos:", `    auth: { bearerTokenFile: ${join(dir, "no-token")} }`, ""].join("\n"),
      );
      const r = await validate({}, "--config", config);
      expect(r.code).toBe(1);
      expect(r.out.trimEnd().split("\n")).toEqual([
        `${config}:3:30: error: cannot read ${join(dir, "no-token")}: ENOENT (backends.thanos.auth.bearerTokenFile) hint: serve reads this file at start (and again when it changes): mount the Secret there or fix the path`,
        `invalid: config ${config}, 1 error`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("still asks for something to check", async () => {
    const r = await validate({});
    expect(r.code).toBe(2);
    expect(r.err).toContain("give at least one SLO file or directory, or --config FILE");
  });
});
