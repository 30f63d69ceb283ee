import { describe, expect, it } from "vitest";
import { buildSlo } from "./testdata/hand-built-slos.ts";
import { defaultAlertmanagerOptions, generateAlertmanagerConfig, teamsOf } from "./alertmanager-config.ts";
import { sanitizeTeam } from "./team.ts";

const slos = [
  buildSlo("checkout", "availability", { labels: { team: "Payments" } }),
  buildSlo("search", "latency", { labels: { owner: "search team" } }),
  buildSlo("misc", "x", { labels: {} }),
];

describe("Alertmanager configuration", () => {
  it("has a receiver per team and tier, reading the Slack URL from the team's file", () => {
    const cfg = generateAlertmanagerConfig(slos, {
      ...defaultAlertmanagerOptions,
      slackUrlFile: "/run/secrets/{team}.url",
    });
    expect(cfg.receivers.map((r) => r.name)).toEqual([
      "slack-payments-page",
      "slack-payments-ticket",
      "slack-platform-page",
      "slack-platform-ticket",
      "slack-search-team-page",
      "slack-search-team-ticket",
    ]);
    expect(cfg.receivers[0]?.slack_configs[0]?.["api_url_file"]).toBe("/run/secrets/payments.url");
    expect(JSON.stringify(cfg)).not.toMatch(/hooks\.slack\.com|api_url"/);
  });

  it("inhibits tickets by pages of the same SLO only", () => {
    expect(generateAlertmanagerConfig(slos, defaultAlertmanagerOptions).inhibit_rules).toEqual([
      {
        source_matchers: ['sloth_severity="page"', 'sloth_id=~".+"'],
        target_matchers: ['sloth_severity="ticket"'],
        equal: ["sloth_id"],
      },
    ]);
  });

  it.each([
    ["Payments", "payments"],
    ["search team", "search-team"],
    ["--", "default"],
    ["a/b", "a-b"],
  ])("team %j becomes %j", (raw, team) => {
    expect(sanitizeTeam(raw)).toBe(team);
  });

  it("sends verdict alerts without the tier's group_wait, one group per analysis, on every route", () => {
    const cfg = generateAlertmanagerConfig(slos, defaultAlertmanagerOptions);
    const verdict = {
      matchers: ['alertname=~"SlogateCanaryFailed|SlogateCanaryVerdictFail"'],
      group_by: ["alertname", "sloth_id", "analysis"],
      group_wait: "0s",
    };
    const routes = cfg.route.routes ?? [];
    for (const team of routes.slice(0, -2)) {
      for (const tier of team.routes ?? []) expect(tier.routes).toEqual([verdict]);
    }
    expect(routes.at(-2)?.routes).toEqual([verdict]);
    expect(routes.at(-1)).toEqual({ ...verdict, receiver: "slack-platform-ticket" });
  });

  it("renders the failing checks' numbers, the analysis link and the runbook in the Slack text", () => {
    const slack = generateAlertmanagerConfig(slos, defaultAlertmanagerOptions).receivers[0]!
      .slack_configs[0]!;
    expect(slack["text"]).toContain("{{ .Annotations.checks }}");
    expect(slack["text"]).toContain("<{{ .Annotations.link }}|Analysis");
    expect(slack["text"]).toContain("<{{ .Annotations.runbook_url }}|Runbook>");
    expect(slack["title_link"]).toBe("{{ (index .Alerts 0).Annotations.link }}");
  });

  it("lists each team once, with the default and platform teams", () => {
    expect(teamsOf(slos, { ...defaultAlertmanagerOptions, defaultTeam: "ops" })).toEqual([
      "ops",
      "payments",
      "platform",
      "search-team",
    ]);
  });
});
