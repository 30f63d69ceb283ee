import { describe, expect, it } from "vitest";
import {
  buildCanaryAlertAnnotations,
  buildCanaryAlertLabels,
  labelFingerprint,
  rfc3339,
} from "./alertmanager-alert.ts";
import type { AlertmanagerNotifyConfig } from "../config/notify-config.ts";
import { makeEvent, makeSlo } from "./testdata/verdict-events.ts";

const config: AlertmanagerNotifyConfig = {
  urls: ["http://am:9093"],
  alertname: "SlogateCanaryFailed",
  severity: "ticket",
  labels: { env: "prod", team: "ignored" },
  resendIntervalSeconds: 60,
  staleAfterSeconds: 3600,
};

describe("buildCanaryAlertLabels", () => {
  it("gives the labels the generated routing matches, slogate's own winning over static ones", () => {
    expect(buildCanaryAlertLabels(makeEvent({ verdict: "fail" }), config, "platform")).toEqual({
      env: "prod",
      alertname: "SlogateCanaryFailed",
      service: "checkout",
      slo: "availability",
      sloth_id: "checkout-availability",
      analysis: "an-1",
      rollout: "shop/checkout",
      team: "payments",
      severity: "ticket",
      sloth_severity: "ticket",
    });
  });

  it.each([
    ["the SLO's team label, sanitized", makeSlo({ team: "Payments Core" }), "payments-core"],
    ["the default team when the SLO has none", makeSlo(), "platform"],
  ])("takes the team from %s", (_n, slo, team) => {
    expect(buildCanaryAlertLabels(makeEvent({ verdict: "fail", slo }), config, "platform").team).toBe(team);
  });

  it("leaves out an unknown rollout instead of sending an empty label", () => {
    const e = { ...makeEvent({ verdict: "fail" }), rollout: undefined };
    expect(buildCanaryAlertLabels(e, config, "platform")).not.toHaveProperty("rollout");
  });

  it("gives the same fingerprint to every look of one analysis, a different one to another analysis", () => {
    const look1 = labelFingerprint(
      buildCanaryAlertLabels(makeEvent({ verdict: "fail", at: 1 }), config, "platform"),
    );
    const look2 = labelFingerprint(
      buildCanaryAlertLabels(makeEvent({ verdict: "fail", at: 99 }), config, "platform"),
    );
    const other = labelFingerprint(
      buildCanaryAlertLabels(makeEvent({ verdict: "fail", analysisId: "an-2" }), config, "platform"),
    );
    expect(look1).toBe(look2);
    expect(other).not.toBe(look1);
  });

  it("fingerprints independently of label order", () => {
    expect(labelFingerprint({ a: "1", b: "2" })).toBe(labelFingerprint({ b: "2", a: "1" }));
  });
});

describe("buildCanaryAlertAnnotations", () => {
  const a = buildCanaryAlertAnnotations(makeEvent({ verdict: "fail" }));
  it("summarizes with the count of failing checks and the score", () => {
    expect(a.summary).toBe(
      "Canary failed its SLO checkout/availability (rollout shop/checkout): 2 of 3 checks failing, score 33.33",
    );
    expect(a.failing_check_count).toBe("2");
    expect(a.score).toBe("33.33");
    expect(a.objective).toBe("99.9%");
  });
  it("lists each failing check with its numbers, critical first", () => {
    expect((a.failing_checks ?? "").split("\n")).toEqual([
      "errors-absolute (critical): canary bad-event rate 2.1% exceeds the SLO's 0.1% budget rate [canary_ratio=0.021, objective_ratio=0.001, upper_bound=0.0262, lower_bound=0.0163]",
      "errors-relative: canary bad-event rate 2.1% is above stable's 0.4% + 0.5 pp (e-value 48.2 ≥ 1/α) [canary_bad=63, canary_total=3000, stable_bad=120, stable_total=30000, canary_ratio=0.021, stable_ratio=0.004, e_value=48.21, threshold=20]",
    ]);
  });
  it("links to the analysis", () => {
    expect(a.link).toBe("http://slogate.example:8080/api/v1/analyses/an-1");
  });
  it("has one line of numbers per failing check, critical first", () => {
    expect((a.checks ?? "").split("\n")).toEqual([
      expect.stringMatching(/^• errors-absolute \(critical\): /),
      expect.stringMatching(/^• errors-relative: /),
    ]);
  });
  it("carries the runbook of the SLO's alerting annotations, and none when there is none", () => {
    expect(a.runbook_url).toBeUndefined();
    const slo = makeSlo({ team: "payments" });
    const withRunbook = {
      ...slo,
      alerting: { ...slo.alerting, annotations: { runbook: "https://runbooks.example/checkout" } },
    };
    expect(buildCanaryAlertAnnotations(makeEvent({ verdict: "fail", slo: withRunbook })).runbook_url).toBe(
      "https://runbooks.example/checkout",
    );
  });
});

describe("rfc3339", () => {
  it("formats unix seconds as UTC RFC 3339", () => {
    expect(rfc3339(1_795_000_000.25)).toBe("2026-11-18T11:06:40.250Z");
  });
});
