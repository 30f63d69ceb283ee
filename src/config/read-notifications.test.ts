import { describe, expect, it } from "vitest";
import { parseNotifyConfig } from "./read-notifications.ts";
import { isSlogateError } from "../errors.ts";

function problemsOf(raw: unknown): string[] {
  try {
    parseNotifyConfig(raw);
  } catch (e) {
    if (isSlogateError(e, "CONFIG_INVALID")) return e.details.problems as string[];
    throw e;
  }
  return [];
}

describe("parseNotifyConfig", () => {
  it("treats a missing section as no notifications with default delivery", () => {
    const c = parseNotifyConfig(undefined);
    expect(c.alertmanager).toBeUndefined();
    expect(c.slack).toBeUndefined();
    expect(c.defaultTeam).toBe("platform");
    expect(c.delivery).toMatchObject({ queueCapacity: 1000, maxAttempts: 5, timeoutSeconds: 5 });
  });

  it("reads a full section with durations and applies defaults to the rest", () => {
    const c = parseNotifyConfig({
      defaultTeam: "sre",
      alertmanager: {
        urls: ["http://am-0:9093", "http://am-1:9093/"],
        resendInterval: "30s",
        labels: { env: "prod" },
      },
      slack: {
        routes: [
          { match: { team: "payments" }, webhookUrlFile: "/secrets/payments", channel: "#pay" },
          {
            name: "checkout-latency",
            match: { service: "checkout", slo: "latency" },
            webhookUrl: "https://hooks.slack.com/x",
          },
        ],
        default: { webhookUrl: "https://hooks.slack.com/default" },
      },
      delivery: {
        queueCapacity: 50,
        maxAttempts: 3,
        initialBackoff: "500ms",
        maxBackoff: "1m30s",
        timeout: 2,
      },
    });
    expect(c.defaultTeam).toBe("sre");
    expect(c.alertmanager).toEqual({
      urls: ["http://am-0:9093", "http://am-1:9093/"],
      alertname: "SlogateCanaryFailed",
      severity: "ticket",
      labels: { env: "prod" },
      resendIntervalSeconds: 30,
      staleAfterSeconds: 3600,
    });
    expect(c.slack?.routes.map((r) => [r.name, r.match, r.webhook, r.channel])).toEqual([
      ["route-0", { team: "payments" }, { file: "/secrets/payments" }, "#pay"],
      [
        "checkout-latency",
        { service: "checkout", slo: "latency" },
        { url: "https://hooks.slack.com/x" },
        undefined,
      ],
      ["default", {}, { url: "https://hooks.slack.com/default" }, undefined],
    ]);
    expect(c.delivery).toEqual({
      queueCapacity: 50,
      maxAttempts: 3,
      initialBackoffSeconds: 0.5,
      maxBackoffSeconds: 90,
      maxRetryAfterSeconds: 60,
      timeoutSeconds: 2,
      closeTimeoutSeconds: 5,
    });
  });

  it.each([
    ["a list instead of a map", [], "notifications: expected a mapping, got a list"],
    ["an unknown top-level key", { slakc: {} }, 'notifications.slakc: unknown field "slakc"'],
    [
      "Alertmanager without URLs",
      { alertmanager: {} },
      'notifications.alertmanager.urls: missing required field "urls"',
    ],
    [
      "an Alertmanager URL that is not http",
      { alertmanager: { urls: ["ftp://x"] } },
      "notifications.alertmanager.urls[0]: expected an http or https URL, not ftp:",
    ],
    [
      "a duplicated Alertmanager URL",
      { alertmanager: { urls: ["http://a:9093", "http://a:9093"] } },
      "lists the same URL twice",
    ],
    [
      "a bad duration",
      { alertmanager: { urls: ["http://a"], resendInterval: "soon" } },
      "notifications.alertmanager.resendInterval: expected a duration",
    ],
    [
      "a bad static label name",
      { alertmanager: { urls: ["http://a"], labels: { "bad-name": "x" } } },
      "notifications.alertmanager.labels.bad-name",
    ],
    [
      "a Slack route without webhook",
      { slack: { routes: [{ match: { team: "a" } }] } },
      "notifications.slack.routes[0]: the route needs webhookUrl or webhookUrlFile",
    ],
    [
      "a Slack route with both webhook forms",
      { slack: { default: { webhookUrl: "https://x", webhookUrlFile: "/f" } } },
      "either webhookUrl or webhookUrlFile",
    ],
    [
      "a Slack route without match",
      { slack: { routes: [{ webhookUrl: "https://x" }] } },
      'notifications.slack.routes[0].match: missing required field "match"',
    ],
    [
      "a Slack match on an unknown key",
      { slack: { routes: [{ match: { env: "x" }, webhookUrl: "https://x" }] } },
      'notifications.slack.routes[0].match.env: unknown field "env"',
    ],
    ["Slack without any route", { slack: {} }, "notifications.slack: slack needs `routes`"],
    [
      "a zero queue",
      { delivery: { queueCapacity: 0 } },
      "notifications.delivery.queueCapacity: expected an integer between 1",
    ],
    [
      "maxBackoff below initialBackoff",
      { delivery: { initialBackoff: "10s", maxBackoff: "1s" } },
      "notifications.delivery.maxBackoff: maxBackoff (1s) must be at least initialBackoff",
    ],
  ])("rejects %s with its path", (_name, raw, expected) => {
    expect(problemsOf(raw).join("\n")).toContain(expected);
  });

  it.each<[string, unknown, number | undefined]>([
    ["a Prometheus duration", "1m30s", 90],
    ["weeks, as everywhere in the config", "2w", 14 * 86400],
    ["a number of seconds", 0.25, 0.25],
    ["a fraction inside a duration string (refused, as everywhere in the config)", "1.5s", undefined],
    ["a numeric string", "30", undefined],
  ])("reads %s with the one duration grammar", (_name, value, seconds) => {
    const raw = { delivery: { maxRetryAfter: value } };
    if (seconds === undefined) {
      expect(problemsOf(raw).join("\n")).toContain(
        "notifications.delivery.maxRetryAfter: expected a duration",
      );
    } else {
      expect(parseNotifyConfig(raw).delivery.maxRetryAfterSeconds).toBe(seconds);
    }
  });

  it("reports every problem at once", () => {
    const problems = problemsOf({
      alertmanager: { urls: ["nope"] },
      slack: { routes: [{ match: {} }] },
      delivery: { maxAttempts: -1 },
    });
    expect(problems.length).toBeGreaterThanOrEqual(4);
  });

  it("throws a CONFIG_INVALID error whose message lists the problems and hint points to the docs", () => {
    let err: unknown;
    try {
      parseNotifyConfig({ alertmanager: { urls: "http://a" } });
    } catch (e) {
      err = e;
    }
    expect(isSlogateError(err, "CONFIG_INVALID")).toBe(true);
    expect((err as Error).message).toContain("notifications.alertmanager.urls");
    expect((err as { hint: string }).hint).toContain("docs/notifications.md");
  });
});
