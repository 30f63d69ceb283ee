/**
 * The generated Alertmanager configuration checked by the real `amtool` (0.25):
 * `check-config`, and `config routes test` for where each kind of alert goes.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateArtifacts } from "../../src/generate/generate-artifacts.ts";
import { buildSlo } from "../../src/generate/testdata/hand-built-slos.ts";

const run = promisify(execFile);
let dir = "";
let config = "";

const slos = [
  buildSlo("checkout", "availability", { labels: { team: "payments" } }),
  buildSlo("search", "latency", { labels: { owner: "search" } }),
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slogate-amtool-"));
  config = join(dir, "alertmanager.yml");
  const file = generateArtifacts(slos).find((f) => f.path === "alertmanager/alertmanager.yml");
  await writeFile(config, file?.content ?? "");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("generated Alertmanager configuration", () => {
  it("passes amtool check-config", async () => {
    const r = await run("amtool", ["check-config", config]);
    expect(r.stdout).toContain("SUCCESS");
  });

  it.each([
    [
      "a page burn alert of payments",
      ["team=payments", "sloth_severity=page", "sloth_id=checkout-availability"],
      "slack-payments-page",
    ],
    ["a ticket burn alert of payments", ["team=payments", "sloth_severity=ticket"], "slack-payments-ticket"],
    ["a page of the search team (owner label)", ["team=search", "sloth_severity=page"], "slack-search-page"],
    [
      "a failing verdict of search",
      ["alertname=SlogateCanaryVerdictFail", "team=search", "sloth_severity=ticket"],
      "slack-search-ticket",
    ],
    [
      "Prometheus query errors",
      ["alertname=SlogatePrometheusQueryErrors", "team=platform", "sloth_severity=page"],
      "slack-platform-page",
    ],
    ["a page of an unknown team", ["team=nobody", "sloth_severity=page"], "slack-platform-page"],
    ["an alert with no labels", ["alertname=Other"], "slack-platform-ticket"],
  ])("routes %s to %s", async (_name, labels, receiver) => {
    const r = await run("amtool", ["config", "routes", "test", `--config.file=${config}`, ...labels]);
    expect(r.stdout.trim()).toBe(receiver);
  });
});
