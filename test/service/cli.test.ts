/* eslint-disable @typescript-eslint/no-unsafe-call -- `expect.stringMatching` inside an object matcher is typed any */
/**
 * `slogate serve`, `analyze`, `backtest` and `baseline` run through the CLI entry point
 * (`main(argv, io)`), against a real Prometheus with synthetic canaries.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { CliIo } from "../../src/cli/io.ts";
import { SqliteStore } from "../../src/store/sqlite-store.ts";
import {
  BED_SERVICES,
  BED_START,
  startGateBed,
  type BedService,
  type GateBed,
} from "../../src/testbed/gate-bed.ts";

const REPO = resolve(import.meta.dirname, "../..");
let bed: GateBed;
beforeAll(async () => {
  bed = await startGateBed(["healthy", "latency"]);
});
afterAll(async () => {
  await bed?.stop();
});

function io(stopped: Promise<void> = Promise.resolve()) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: {},
    cwd: process.cwd(),
    stopped,
  };
  return { io: value, out: () => out.join(""), err: () => err.join("") };
}

const common = () => ["--prometheus", bed.prometheus.url, "--slos", bed.slosDir];

/** `--slo <service>-<name> --canary … --stable …` for a bed service. */
const arms = (s: BedService, slo: string) => [
  "--slo",
  `${s.service}-${slo}`,
  "--canary",
  s.canary,
  "--stable",
  s.stable,
];

describe("slogate analyze", () => {
  it("prints a final pass for a healthy canary and exits 0", async () => {
    const s = BED_SERVICES.healthy;
    const c = io();
    const code = await main(
      [
        "analyze",
        ...arms(s, "errors"),
        "--start",
        String(BED_START),
        "--time",
        String(BED_START + 1800),
        "--final",
        ...common(),
      ],
      c.io,
    );
    expect(c.err()).toBe("");
    expect(code).toBe(0);
    expect(c.out()).toMatch(/shop-healthy-errors: PASS \(final\)/);
    expect(c.out()).toMatch(/errors-relative\s+pass/);
  });

  it("prints JSON with --json and exits 1 on a latency regression", async () => {
    const s = BED_SERVICES.latency;
    const c = io();
    const code = await main(
      [
        "analyze",
        ...arms(s, "latency"),
        "--start",
        String(BED_START),
        "--time",
        String(BED_START + 600),
        "--json",
        ...common(),
      ],
      c.io,
    );
    expect(code).toBe(1);
    const body = JSON.parse(c.out());
    expect(body.verdict).toBe("fail");
    expect(body.arms.canary.total).toBeGreaterThan(0);
    // No link into a store that is gone with the command: null, and what to do instead.
    expect(body.link).toBeNull();
    expect(body.linkNote).toMatch(/--html/);
  });

  it.each([
    [["analyze"], 2],
    [["analyze", "--slo", "x", "--canary", "a"], 2],
    [["analyze", "--bogus"], 2],
  ])("exits %j with usage errors", async (argv, want) => {
    const c = io();
    expect(await main(argv, c.io)).toBe(want);
    expect(c.err()).toMatch(/usage: slogate analyze/);
  });
});

describe("slogate analyze exit codes from the real entry point", () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((ok) => {
      execFile(
        process.execPath,
        ["src/cli/main.ts", "analyze", ...args],
        { cwd: REPO },
        (err, stdout, stderr) => {
          ok({
            code: err === null ? 0 : typeof err.code === "number" ? err.code : null,
            out: stdout + stderr,
          });
        },
      );
    });

  it("exits 4 (nodata) for a canary whose selector matches no series, relative times as the help shows", async () => {
    const s = BED_SERVICES.healthy;
    const r = await run([
      ...arms({ ...s, canary: "no-such-hash" }, "errors"),
      "--start",
      String(BED_START),
      "--time",
      String(BED_START + 1800),
      ...common(),
    ]);
    expect(r.out).toMatch(/NODATA/);
    expect(r.code).toBe(4);
  });

  it("exits 5 (backend unavailable) when Prometheus cannot answer, naming the setting to change", async () => {
    const s = BED_SERVICES.healthy;
    const r = await run([
      ...arms(s, "errors"),
      "--start",
      "-15m",
      "--prometheus",
      "http://127.0.0.1:9",
      "--slos",
      bed.slosDir,
    ]);
    expect(r.out).toMatch(/PROMETHEUS_/);
    expect(r.code).toBe(5);
  });
});

describe("slogate backtest", () => {
  it("replays a regression look by look and stops at the first fail", async () => {
    const s = BED_SERVICES.latency;
    const c = io();
    const code = await main(
      [
        "backtest",
        ...arms(s, "latency"),
        "--from",
        String(BED_START),
        "--to",
        String(BED_START + 1800),
        "--interval",
        "3m",
        ...common(),
      ],
      c.io,
    );
    expect(code).toBe(1);
    expect(c.out()).toMatch(/baseline: captured/);
    expect(c.out()).toMatch(/first fail at look \d+/);
  });

  it("replays a healthy canary to a final pass, as JSON", async () => {
    const s = BED_SERVICES.healthy;
    const c = io();
    const code = await main(
      [
        "backtest",
        ...arms(s, "latency"),
        "--from",
        "2023-11-14T22:13:20Z",
        "--to",
        "2023-11-14T22:43:20Z",
        "--interval",
        "5m",
        "--json",
        ...common(),
      ],
      c.io,
    );
    expect(code).toBe(0);
    const body = JSON.parse(c.out());
    expect(body.looks).toHaveLength(6);
    expect(body.looks.map((l: { verdict: { verdict: string } }) => l.verdict.verdict)).toEqual(
      Array(6).fill("pass"),
    );
    expect(body.looks.at(-1).verdict.final).toBe(true);
  });
});

describe("slogate baseline", () => {
  it("captures baselines into the store of the data dir", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "slogate-cli-baseline-"));
    const s = BED_SERVICES.healthy;
    const c = io();
    const code = await main(
      [
        "baseline",
        "--slo",
        `${s.service}-latency`,
        "--stable",
        s.stable,
        "--time",
        String(BED_START),
        "--data-dir",
        dataDir,
        ...common(),
      ],
      c.io,
    );
    expect(c.err()).toBe("");
    expect(code).toBe(0);
    expect(c.out()).toMatch(
      new RegExp(
        `shop-healthy-latency: captured .* over the stable arm only, \\{rollouts_pod_template_hash="${s.stable}"\\}`,
      ),
    );
    const store = SqliteStore.open(dataDir);
    const b = await store.latestBaseline(`${s.service}-latency`);
    await store.close();
    expect(b?.counts.total).toBeGreaterThan(1000);
    expect(b?.counts.histogram?.bounds.at(-1)).toBe(Infinity);
    expect(b).toMatchObject({ from: BED_START - 3600, to: BED_START, source: "cli" });
  });

  it("captures nothing (exit 1) where the arm has no series", async () => {
    const c2 = io();
    const dataDir = mkdtempSync(join(tmpdir(), "slogate-cli-baseline-"));
    expect(
      await main(
        ["baseline", "--time", String(BED_START - 86400 * 30), "--data-dir", dataDir, ...common()],
        c2.io,
      ),
    ).toBe(1);
    expect(c2.out()).toMatch(/not captured: no series/);
  });
});

describe("slogate serve", () => {
  it("starts, answers /healthz and a verdict, and stops cleanly on the stop signal", async () => {
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((r) => {
      stop = r;
    });
    const c = io(stopped);
    const dataDir = mkdtempSync(join(tmpdir(), "slogate-cli-serve-"));
    const done = main(
      ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir, ...common()],
      c.io,
    );
    let url: string | undefined;
    for (let i = 0; i < 100 && url === undefined; i++) {
      const line = c
        .out()
        .split("\n")
        .find((l) => l.includes('"slogate listening"'));
      url = line === undefined ? undefined : (JSON.parse(line) as { url: string }).url;
      if (url === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const s = BED_SERVICES.healthy;
    const r = await fetch(
      `${url}/api/v1/verdict?slo=${s.service}-errors&canary=${s.canary}&stable=${s.stable}&start=${BED_START}&time=${BED_START + 300}`,
    );
    expect(r.status).toBe(200);
    expect(((await r.json()) as { verdict: string }).verdict).toBe("pass");
    stop();
    expect(await done).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it("refuses an invalid configuration with every problem listed", async () => {
    const c = io();
    await expect(main(["serve", "--port", "70000", "--prometheus", "not a url"], c.io)).rejects.toMatchObject(
      {
        code: "CONFIG_INVALID",
        message: expect.stringMatching(/listen\.port[\s\S]*prometheus\.url/),
      },
    );
  });
});
