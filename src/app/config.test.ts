import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { parseNotifyConfig } from "../notify/notifier.ts";
import { DEFAULT_CONFIG, parseServiceConfig } from "./config.ts";

function problemsOf(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseServiceConfig(yaml, env);
  } catch (e) {
    if (isSlogateError(e, "CONFIG_INVALID")) return e.details.problems as string[];
    throw e;
  }
  return [];
}

describe("parseServiceConfig", () => {
  it("gives the defaults for an empty file and no environment", () => {
    expect(parseServiceConfig("", {})).toEqual(DEFAULT_CONFIG);
  });

  it("reads the file and lets the environment override it", () => {
    const c = parseServiceConfig(
      "listen: {port: 9000}\nprometheus: {url: 'http://prom:9090/', timeout: 30s}\nretention: {analyses: 7d}\nbaseline: {window: 2h}",
      { SLOGATE_PORT: "9100", SLOGATE_TOKENS: "aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb", SLOGATE_SLOS: "a,b" },
    );
    expect(c.listen.port).toBe(9100);
    expect(c.prometheus).toMatchObject({ url: "http://prom:9090", timeoutSeconds: 30 });
    expect(c.retention.analysesSeconds).toBe(7 * 86400);
    expect(c.baseline.windowSeconds).toBe(7200);
    expect(c.auth.tokens).toEqual(["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]);
    expect(c.slos).toEqual(["a", "b"]);
  });

  it("lists every problem at once", () => {
    const problems = problemsOf(
      "listen: {port: 99999}\nprometheus: {url: 'ftp://x'}\nstore: {kind: redis}\nretention: {analyses: soon}\nauth: {tokens: [short]}\nlog: {level: loud}\nbogus: 1",
    );
    expect(problems).toHaveLength(7);
    expect(problems.join("\n")).toMatch(/listen\.port/);
    expect(problems.join("\n")).toMatch(/prometheus\.url/);
    expect(problems.join("\n")).toMatch(/store\.kind/);
    expect(problems.join("\n")).toMatch(/retention\.analyses/);
    expect(problems.join("\n")).toMatch(/auth\.tokens/);
    expect(problems.join("\n")).toMatch(/log\.level/);
    expect(problems.join("\n")).toMatch(/bogus: unknown setting/);
  });

  it.each([
    ["YAML syntax errors", "listen: [unclosed"],
    ["a list at the top", "- a\n- b"],
    ["a bad cron expression", "baseline: {schedule: 'every day'}"],
    ["a port that is text", "listen: {port: eighty}"],
  ])("refuses %s with CONFIG_INVALID", (_label, yaml) => {
    let err: unknown;
    try {
      parseServiceConfig(yaml, {});
    } catch (e) {
      err = e;
    }
    expect(isSlogateError(err, "CONFIG_INVALID")).toBe(true);
  });

  it("accepts an empty schedule to disable scheduled baselines and step 0 to disable series", () => {
    const c = parseServiceConfig("baseline: {schedule: ''}\nseries: {step: 0}", {});
    expect(c.baseline.schedule).toBe("");
    expect(c.seriesStepSeconds).toBe(0);
  });

  it("reads the pages section, with the secret and Grafana URL from the environment", () => {
    const c = parseServiceConfig("pages: {linkTtl: 2d, grafanaUrl: 'http://grafana:3000/'}", {
      SLOGATE_PAGES_SECRET: "s".repeat(32),
    });
    expect(c.pages).toEqual({
      secret: "s".repeat(32),
      linkTtlSeconds: 2 * 86400,
      grafanaUrl: "http://grafana:3000",
    });
  });

  it.each([
    ["a short secret", "pages: {secret: short}", /pages\.secret/],
    ["a TTL that is not a duration", "pages: {linkTtl: forever}", /pages\.linkTtl/],
    ["a Grafana URL that is not http(s)", "pages: {grafanaUrl: 'ftp://g'}", /pages\.grafanaUrl/],
    ["an unknown pages setting", "pages: {colour: red}", /pages\.colour: unknown setting/],
  ])("refuses %s", (_label, yaml, problem) => {
    expect(problemsOf(yaml).join("\n")).toMatch(problem);
  });

  it("parses slogate.example.yaml, whose notifications section the notifier accepts", () => {
    const text = readFileSync(join(import.meta.dirname, "..", "..", "slogate.example.yaml"), "utf8");
    const c = parseServiceConfig(text, {});
    expect(c.publicUrl).toBe("http://slogate.monitoring:8080");
    expect(() => parseNotifyConfig(c.notifications)).not.toThrow();
  });
});
