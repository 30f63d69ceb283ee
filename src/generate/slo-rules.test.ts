import { describe, expect, it } from "vitest";
import { buildSlo, defaultAlerting, handBuiltSlos } from "./testdata/hand-built-slos.ts";
import type { AlertingRule, RecordingRule, Rule } from "./rule-group.ts";
import { defaultAlertName, generateSloRuleGroups } from "./slo-rules.ts";

const options = { defaultTeam: "platform" };

function rules(slo = buildSlo("checkout", "availability")): Rule[] {
  return generateSloRuleGroups(slo, options).flatMap((g) => g.rules);
}
function recordingOf(rs: Rule[], name: string, window?: string): RecordingRule {
  const r = rs.find(
    (x) =>
      x.kind === "record" &&
      x.record === name &&
      (window === undefined || x.labels["sloth_window"] === window),
  );
  if (r?.kind !== "record") throw new Error(`no ${name}`);
  return r;
}
function alerts(rs: Rule[]): AlertingRule[] {
  return rs.filter((r): r is AlertingRule => r.kind === "alert");
}

describe("SLO rules", () => {
  it("reads the raw series only in the two 5-minute event recordings", () => {
    const raw = rules().filter((r) => r.expr.includes("http_requests_total"));
    expect(raw.map((r) => (r.kind === "record" ? r.record : r.alert))).toEqual([
      "slo:sli_bad_events:rate5m",
      "slo:sli_total_events:rate5m",
    ]);
  });

  it.each(["30m", "1h", "2h", "6h"])(
    "the %s error ratio divides the sums of the 5-minute bad and total recordings",
    (w) => {
      expect(recordingOf(rules(), `slo:sli_error:ratio_rate${w}`).expr).toBe(
        `sum_over_time(slo:sli_bad_events:rate5m{sloth_id="checkout-availability"}[${w}])\n/\nsum_over_time(slo:sli_total_events:rate5m{sloth_id="checkout-availability"}[${w}])`,
      );
    },
  );

  it.each(["1d", "3d", "30d"])(
    "the %s error ratio divides the sums of 5-minute event counts sampled every 4 minutes",
    (w) => {
      const groups = generateSloRuleGroups(buildSlo("checkout", "availability"), options);
      const long = groups.find((g) => g.name === "slogate-slo-sli-long-recordings-checkout-availability");
      expect(long?.interval).toBe("4m");
      const r = long?.rules.find((x) => x.kind === "record" && x.record === `slo:sli_error:ratio_rate${w}`);
      expect(r?.expr).toBe(
        `sum_over_time(slo:sli_bad_events:increase5m{sloth_id="checkout-availability"}[${w}])\n/\nsum_over_time(slo:sli_total_events:increase5m{sloth_id="checkout-availability"}[${w}])`,
      );
      expect(long?.rules.slice(0, 2).map((x) => x.expr)).toEqual([
        'slo:sli_bad_events:rate5m{sloth_id="checkout-availability"} * 300',
        'slo:sli_total_events:rate5m{sloth_id="checkout-availability"} * 300',
      ]);
    },
  );

  it("carries Sloth's identity labels on every recording", () => {
    for (const r of rules().filter((x) => x.kind === "record" && x.record.startsWith("slo:"))) {
      expect(r.labels).toMatchObject({
        sloth_id: "checkout-availability",
        sloth_service: "checkout",
        sloth_slo: "availability",
        team: "web",
      });
    }
  });

  it.each([
    [99.9, "vector(0.999)", "vector(0.001)", "0.0144", "0.001"],
    [99.95, "vector(0.9995)", "vector(0.0005)", "0.0072", "0.0005"],
    [99.99, "vector(0.9999)", "vector(0.0001)", "0.00144", "0.0001"],
  ])("objective %s is written as exact decimals", (objective, obj, budget, pageQuick, ticketSlow) => {
    const rs = rules(buildSlo("a", "b", { objectivePercent: objective }));
    expect(recordingOf(rs, "slo:objective:ratio").expr).toBe(obj);
    expect(recordingOf(rs, "slo:error_budget:ratio").expr).toBe(budget);
    const [page, ticket] = alerts(rs);
    expect(page?.expr).toContain(`> ${pageQuick})`);
    expect(ticket?.expr).toContain(`> ${ticketSlow})`);
    expect(rs.map((r) => r.expr).join("\n")).not.toMatch(/\d\.\d{12,}/);
  });

  it("gives page and ticket alerts a stable tier label that SLO labels cannot override", () => {
    const slo = buildSlo("a", "b", {
      alerting: {
        ...defaultAlerting,
        name: "MyAlert",
        labels: { category: "availability" },
        page: { enabled: true, labels: { severity: "pageteam", sloth_severity: "x" }, annotations: {} },
      },
    });
    const [page, ticket] = alerts(rules(slo));
    expect(page?.alert).toBe("MyAlert");
    expect(page?.labels).toMatchObject({
      severity: "pageteam",
      sloth_severity: "page",
      category: "availability",
      team: "web",
    });
    expect(ticket?.labels).toMatchObject({ severity: "ticket", sloth_severity: "ticket" });
  });

  it("omits disabled alerts and the alert group when both are disabled", () => {
    const off = { enabled: false, labels: {}, annotations: {} };
    const groups = generateSloRuleGroups(
      buildSlo("a", "b", { alerting: { ...defaultAlerting, page: off, ticket: off } }),
      options,
    );
    expect(groups.map((g) => g.name)).toEqual([
      "slogate-slo-sli-recordings-a-b",
      "slogate-slo-sli-long-recordings-a-b",
      "slogate-slo-meta-recordings-a-b",
    ]);
  });

  it("a ratio SLI reads its query per window and averages the 5-minute ratio over the period", () => {
    const rs = rules(handBuiltSlos[3]);
    expect(recordingOf(rs, "slo:sli_error:ratio_rate1h").expr).toBe("1 - avg_over_time(wifi_up[1h])");
    expect(recordingOf(rs, "slo:sli_error:ratio_rate30d").expr).toBe(
      'avg_over_time(slo:sli_error:ratio_rate5m{sloth_id="wifi-ratio"}[30d])',
    );
  });

  it.each([
    ["checkout-availability", "CheckoutAvailabilityErrorBudgetBurn"],
    ["my_svc-p99.latency", "MySvcP99LatencyErrorBudgetBurn"],
    ["9lives-x", "Slo9livesXErrorBudgetBurn"],
  ])("the default alert name of %s is %s", (id, name) => {
    expect(defaultAlertName(buildSlo("s", "n", { id }))).toBe(name);
  });

  it("escapes an SLO id with quotes in every selector", () => {
    const rs = rules(buildSlo("a", 'b"c', { id: 'a-b"c' }));
    expect(recordingOf(rs, "slo:sli_error:ratio_rate1h").expr).toContain('{sloth_id="a-b\\"c"}');
  });
});
