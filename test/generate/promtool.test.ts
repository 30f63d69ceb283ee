/**
 * Generated rules checked by the real `promtool`: `check rules` on every generated rule file
 * (plain and the PrometheusRule's groups), and `test rules` unit tests showing the burn-rate
 * alerts fire and stay quiet at the right times and that the period SLI stays within 3.6 % of
 * the traffic-weighted truth on uneven traffic where Sloth's form is fifty times too high.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generateArtifacts } from "../../src/generate/generate-artifacts.ts";
import { renderRuleFile, toYaml } from "../../src/generate/render-rules.ts";
import { generateSelfRules } from "../../src/generate/self-rules.ts";
import { generateSloRuleGroups } from "../../src/generate/slo-rules.ts";
import { generateSlothFormRuleGroups } from "../../src/generate/sloth-form-rules.ts";
import type { RuleGroup } from "../../src/generate/rule-group.ts";
import { buildSlo, handBuiltSlos } from "../../src/generate/testdata/hand-built-slos.ts";
import { runTool, type ToolRun } from "../../src/testbed/tools.ts";
import type { Slo } from "../../src/slo/model.ts";
import { parseSloDocuments } from "../../src/slo/parse-slo-documents.ts";

/** The OpenSLO spec's own example SLO (counter: true, Timeslices of 1m at 95 %, 99.5 % over 1w). */
async function specExampleSlo(): Promise<Slo> {
  const file = join(HERE, "../fixtures/openslo/slos.yaml");
  const r = parseSloDocuments([{ file: "slos.yaml", text: await readFile(file, "utf8") }]);
  expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
  return r.slos[0]!;
}

const HERE = dirname(new URL(import.meta.url).pathname);
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slogate-promtool-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** promtool's exit code and output; a missing promtool fails the test instead of passing a negative control. */
function promtool(args: string[], cwd: string): Promise<ToolRun> {
  return runTool("promtool", args, { cwd });
}

describe("promtool check rules", () => {
  const files = generateArtifacts(handBuiltSlos).filter((f) => f.path.startsWith("rules/"));

  it.each(files.map((f) => [f.path, f.content]))("%s passes promtool check rules", async (path, content) => {
    const doc = parse(content) as { kind?: string; spec?: { groups: unknown } };
    const plain = doc.kind === "PrometheusRule" ? toYaml({ groups: doc.spec?.groups }) : content;
    const file = join(dir, path.replaceAll("/", "_"));
    await writeFile(file, plain);
    const r = await promtool(["check", "rules", file], dir);
    expect(r.out).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  it.each(["Timeslices", "RatioTimeslices"] as const)(
    "the rules of the spec's example SLO budgeted by %s pass promtool check rules",
    async (method) => {
      const slo = await specExampleSlo();
      const budgeting = method === "Timeslices" ? slo.budgeting! : { method, sliceSeconds: 300 };
      const file = join(dir, `timeslices-${method}.yml`);
      await writeFile(
        file,
        renderRuleFile(
          { name: "t", groups: generateSloRuleGroups({ ...slo, budgeting }, options) },
          "a test",
        ),
      );
      const r = await promtool(["check", "rules", file], dir);
      expect(r.out).toContain("SUCCESS");
      expect(r.code).toBe(0);
    },
  );

  it("rejects a broken rule file (the check can fail)", async () => {
    const file = join(dir, "broken.yml");
    await writeFile(file, "groups:\n  - name: x\n    rules:\n      - record: a:b\n        expr: sum(\n");
    expect((await promtool(["check", "rules", file], dir)).code).not.toBe(0);
  });
});

const options = { defaultTeam: "platform" };
const unitTests: [string, string, RuleGroup[]][] = [
  [
    "burn-rate alerts stay quiet while healthy, page after ~45 min of a 19.6x burn, ticket after ~110 min, and a 5-minute spike never pages",
    "burn-alerts.test.yml",
    generateSloRuleGroups(buildSlo("checkout", "availability"), options),
  ],
  [
    "slogate's period SLI is within 3.6 % of the traffic-weighted ratio on uneven traffic (0.00479 vs 0.00495)",
    "period-sli.test.yml",
    generateSloRuleGroups(buildSlo("uneven", "availability"), options),
  ],
  [
    "slogate's own alerts reach the SLO's team (or the platform team) at the right times",
    "self-alerts.test.yml",
    [
      ...generateSloRuleGroups(
        buildSlo("checkout", "availability", { labels: { team: "payments" } }),
        options,
      ),
      generateSelfRules({ platformTeam: "platform", baselineMaxAgeSeconds: 7 * 86_400 }),
    ],
  ],
  [
    "a threshold SLI's windows are exactly the share of bad evaluation points, the 30-day one through 4-minute sums",
    "threshold-sli.test.yml",
    generateSloRuleGroups(
      handBuiltSlos.find((s) => s.id === "queue-lag")!,
      options,
    ),
  ],
  [
    "Sloth's averaged period SLI is fifty times too high on the same traffic",
    "period-sli-sloth-form.test.yml",
    generateSlothFormRuleGroups(buildSlo("uneven", "availability")),
  ],
];

describe("promtool test rules", () => {
  it.each(unitTests)(
    "%s",
    async (_name, testFile, groups) => {
      const d = join(dir, testFile.replace(/\.test\.yml$/, ""));
      await mkdir(d, { recursive: true });
      await writeFile(join(d, "rules.yml"), renderRuleFile({ name: "t", groups }, "a test"));
      await copyFile(join(HERE, "promtool", testFile), join(d, testFile));
      const r = await promtool(["test", "rules", testFile], d);
      expect(r.out).toContain("SUCCESS");
      expect(r.code).toBe(0);
    },
    180_000,
  );

  it("Timeslices of the spec's example SLO: windows are shares of bad 1m slices (10 of 60 where occurrences give 0.025), alerts on slices", async () => {
    const d = join(dir, "timeslices");
    await mkdir(d, { recursive: true });
    await writeFile(
      join(d, "rules.yml"),
      renderRuleFile({ name: "t", groups: generateSloRuleGroups(await specExampleSlo(), options) }, "a test"),
    );
    await copyFile(join(HERE, "promtool", "timeslices.test.yml"), join(d, "timeslices.test.yml"));
    const r = await promtool(["test", "rules", "timeslices.test.yml"], d);
    expect(r.out).toContain("SUCCESS");
    expect(r.code).toBe(0);
  }, 180_000);

  it("the Timeslices test fails on the same SLO's occurrence rules (budgeting is not silently dropped)", async () => {
    const d = join(dir, "timeslices-negative");
    await mkdir(d, { recursive: true });
    const { budgeting: _dropped, ...occurrences } = await specExampleSlo();
    await writeFile(
      join(d, "rules.yml"),
      renderRuleFile({ name: "t", groups: generateSloRuleGroups(occurrences, options) }, "a test"),
    );
    await copyFile(join(HERE, "promtool", "timeslices.test.yml"), join(d, "timeslices.test.yml"));
    const r = await promtool(["test", "rules", "timeslices.test.yml"], d);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("slo:sli_error:ratio_rate1h");
  }, 180_000);

  it("the unit tests can fail: Sloth's form does not pass slogate's exactness test", async () => {
    const d = join(dir, "negative");
    await mkdir(d, { recursive: true });
    const groups = generateSlothFormRuleGroups(buildSlo("uneven", "availability"));
    await writeFile(join(d, "rules.yml"), renderRuleFile({ name: "t", groups }, "a test"));
    await copyFile(join(HERE, "promtool", "period-sli.test.yml"), join(d, "period-sli.test.yml"));
    const r = await promtool(["test", "rules", "period-sli.test.yml"], d);
    expect(r.code).not.toBe(0);
  });
});
