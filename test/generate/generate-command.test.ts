/**
 * `slogate generate` on the example SLOs in `slos/`: the committed `rules/`, `alertmanager/`
 * and `grafana/` are exactly what the generators produce (CI fails on any difference), pass
 * `promtool check rules`, `amtool check-config` and the Grafana schemas; and `--check`
 * lists every changed, missing and stale file with exit code 1.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { run as generate } from "../../src/cli/commands/generate.ts";
import type { CliIo } from "../../src/cli/io.ts";
import { toYaml } from "../../src/generate/render-rules.ts";
import { loadValidators, validateDashboard } from "./grafana-schema.ts";

const exec = promisify(execFile);
const REPO = resolve(import.meta.dirname, "../..");

function io(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: {},
    cwd,
    stopped: new Promise(() => undefined),
    out,
    err,
  };
}

describe("the committed generated files", () => {
  it("are exactly what 'slogate generate --check' regenerates from slos/", async () => {
    const cli = io(REPO);
    const code = await generate(["--check"], cli);
    // The resource SLIs of slos/shop-resources.yaml are skipped, each with a note.
    expect(cli.err.join("").trimEnd().split("\n")).toEqual(
      ["cpu-per-pod", "memory-per-pod", "memory-saturation"].map(
        (n) =>
          `note: SLO shop-api-${n} (slos/shop-resources.yaml) is a resource SLI: it is judged per pod against stable at canary time and gets no recording rules, alerts or dashboard`,
      ),
    );
    expect(code).toBe(0);
  });

  it.each(["rules", "rules/prometheus-operator"])(
    "every rule file in %s/ passes promtool check rules",
    async (dir) => {
      const files = (await readdir(join(REPO, dir))).filter((f) => /\.ya?ml$/.test(f));
      expect(files.length).toBeGreaterThan(0);
      const tmp = await mkdtemp(join(tmpdir(), "slogate-committed-"));
      try {
        const paths: string[] = [];
        for (const f of files) {
          const text = await readFile(join(REPO, dir, f), "utf8");
          const doc = parse(text) as { kind?: string; spec?: { groups: unknown } };
          const path = join(tmp, f);
          await writeFile(path, doc.kind === "PrometheusRule" ? toYaml({ groups: doc.spec?.groups }) : text);
          paths.push(path);
        }
        const r = await exec("promtool", ["check", "rules", ...paths]);
        expect(r.stdout.match(/SUCCESS/g)?.length).toBe(files.length);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  );

  it("alertmanager/alertmanager.yml passes amtool check-config", async () => {
    const r = await exec("amtool", ["check-config", join(REPO, "alertmanager/alertmanager.yml")]);
    expect(r.stdout).toContain("SUCCESS");
  });

  it("every dashboard in grafana/dashboards/ validates against the Grafana schemas", async () => {
    const v = loadValidators();
    const files = (await readdir(join(REPO, "grafana/dashboards"))).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      expect([f, validateDashboard(v, await readFile(join(REPO, "grafana/dashboards", f), "utf8"))]).toEqual([
        f,
        [],
      ]);
    }
  });
});

describe("slogate generate --check", () => {
  let out = "";
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "slogate-generate-"));
    expect(await generate(["--out", out], io(REPO))).toBe(0);
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it("lists every changed, missing and stale file and exits 1", async () => {
    const copy = await mkdtemp(join(tmpdir(), "slogate-generate-copy-"));
    try {
      await cp(out, copy, { recursive: true });
      await writeFile(join(copy, "rules/saas-api.yml"), "# edited by hand\n");
      await rm(join(copy, "alertmanager/alertmanager.yml"));
      await writeFile(join(copy, "grafana/dashboards/slo-old-removed.json"), "{}\n");
      const cli = io(REPO);
      expect(await generate(["--check", "--out", copy], cli)).toBe(1);
      const msg = cli.err.join("");
      expect(msg).toContain("changed  rules/saas-api.yml");
      expect(msg).toContain("missing  alertmanager/alertmanager.yml");
      expect(msg).toContain("stale    grafana/dashboards/slo-old-removed.json");
      expect(msg).toContain("3 files differ");
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it("uses the Slack URL file path given at generation", async () => {
    const dir = await mkdtemp(join(tmpdir(), "slogate-generate-am-"));
    try {
      expect(await generate(["--out", dir, "--slack-url-file", "/tmp/sink/{team}.url"], io(REPO))).toBe(0);
      const am = await readFile(join(dir, "alertmanager/alertmanager.yml"), "utf8");
      expect(am).toContain("api_url_file: /tmp/sink/payments.url");
      expect(await generate(["--check", "--out", dir], io(REPO))).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [["--bogus"], 2],
    [["--baseline-max-age", "soon"], "BAD_REQUEST"],
    [["--slos", "does-not-exist"], "SLO"],
  ])("rejects %j without writing anything", async (args, want) => {
    const dir = await mkdtemp(join(tmpdir(), "slogate-generate-bad-"));
    try {
      const cli = io(REPO);
      const result = await generate([...args, "--out", dir], cli).then(
        (code) => code,
        (e: unknown) => (e as { code?: string }).code ?? "thrown",
      );
      if (typeof want === "number") expect(result).toBe(want);
      else expect(String(result) === "1" || String(result).startsWith(want)).toBe(true);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
