/**
 * The Alertmanager target against two real Alertmanagers (an HA pair without clustering, so
 * each must receive every alert itself): firing, deduplication, periodic re-send, resolution.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { createNotifier, parseNotifyConfig, type Notifier } from "../../src/notify/notifier.ts";
import {
  startAlertmanager,
  type AlertmanagerInstance,
  type GettableAlert,
} from "../../src/testbed/alertmanager.ts";
import { makeEvent, makeSlo, recordingLogger } from "../../src/notify/testdata/verdict-events.ts";

const CONFIG = `
route:
  receiver: blackhole
  group_wait: 1h
receivers:
  - name: blackhole
`;

let ams: AlertmanagerInstance[] = [];
let notifier: Notifier | undefined;

beforeAll(async () => {
  ams = await Promise.all([
    startAlertmanager({ configYaml: CONFIG }),
    startAlertmanager({ configYaml: CONFIG }),
  ]);
});
afterEach(async () => {
  await notifier?.close();
  notifier = undefined;
});
afterAll(async () => {
  await Promise.all(ams.map((am) => am.stop()));
});

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ofAnalysis = (id: string) => (alerts: GettableAlert[]) =>
  alerts.filter((a) => a.labels.analysis === id);

function make(registry = new Registry(), resendInterval = "60s"): Notifier {
  return createNotifier(
    parseNotifyConfig({
      alertmanager: { urls: ams.map((am) => am.url), resendInterval, labels: { env: "test" } },
      delivery: { initialBackoff: "50ms", maxBackoff: "200ms" },
    }),
    { registry, logger: recordingLogger() },
  );
}

describe("Alertmanager notifications (real Alertmanager 0.25, HA pair)", () => {
  it("fires one alert with routing labels and numbers on every Alertmanager, however many looks fail", async () => {
    const registry = new Registry();
    notifier = make(registry);
    const now = Date.now() / 1000;
    for (let i = 0; i < 5; i++) {
      notifier.listener(
        makeEvent({ verdict: "fail", analysisId: "ha-1", previous: "fail", at: now - 60 + i }),
      );
    }
    for (const am of ams) {
      const alerts = await eventually(
        () => am.alerts().then(ofAnalysis("ha-1")),
        (a) => a.length === 1,
      );
      expect(alerts[0]?.labels).toEqual({
        alertname: "SlogateCanaryFailed",
        analysis: "ha-1",
        env: "test",
        rollout: "shop/checkout",
        service: "checkout",
        severity: "ticket",
        slo: "availability",
        sloth_id: "checkout-availability",
        sloth_severity: "ticket",
        team: "payments",
      });
      expect(alerts[0]?.annotations).toMatchObject({
        summary:
          "Canary failed its SLO checkout/availability (rollout shop/checkout): 2 of 3 checks failing, score 33.33",
        failing_check_count: "2",
        link: "http://slogate.example:8080/api/v1/analyses/ha-1",
      });
      expect(alerts[0]?.status.state).toBe("active");
      // Firing alerts expire on their own after 4 re-send periods if slogate stops re-sending.
      const endsIn = Date.parse(alerts[0]!.endsAt) / 1000 - now;
      expect(endsIn).toBeGreaterThan(200);
      expect(endsIn).toBeLessThan(260);
    }
    // Five identical looks were coalesced: far fewer deliveries than looks × Alertmanagers.
    const text = await registry.metrics();
    const sent = Number(
      /slogate_notifications_total\{target="alertmanager",outcome="sent"\} (\d+)/.exec(text)?.[1],
    );
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(sent).toBeLessThanOrEqual(4);
  });

  it("keeps a standing failure firing by re-sending it, pushing endsAt forward", async () => {
    notifier = make(new Registry(), "1s");
    notifier.listener(makeEvent({ verdict: "fail", analysisId: "resend-1" }));
    const first = await eventually(
      () => ams[0]!.alerts().then(ofAnalysis("resend-1")),
      (a) => a.length === 1,
    );
    const later = await eventually(
      () => ams[0]!.alerts().then(ofAnalysis("resend-1")),
      (a) => a.length === 1 && Date.parse(a[0]!.endsAt) > Date.parse(first[0]!.endsAt),
    );
    expect(later[0]!.startsAt).toBe(first[0]!.startsAt);
  });

  it.each([
    [
      "the failing analysis passes again",
      makeEvent({ verdict: "pass", previous: "fail", analysisId: "r-pass" }),
    ],
    [
      "the failing analysis is promoted",
      makeEvent({ verdict: "pass", phase: "closed", outcome: "promoted", analysisId: "r-promoted" }),
    ],
  ])("resolves the alert when %s", async (_n, closing) => {
    notifier = make();
    notifier.listener(makeEvent({ verdict: "fail", analysisId: closing.analysisId }));
    for (const am of ams)
      await eventually(
        () => am.alerts().then(ofAnalysis(closing.analysisId)),
        (a) => a.length === 1,
      );
    notifier.listener(closing);
    for (const am of ams)
      await eventually(
        () => am.alerts().then(ofAnalysis(closing.analysisId)),
        (a) => a.length === 0,
      );
  });

  it("keeps the alert firing after the failure closed the analysis, until a later analysis of the rollout passes", async () => {
    notifier = make();
    const slo = makeSlo({ name: "rollback", team: "payments" });
    notifier.listener(makeEvent({ verdict: "fail", analysisId: "rb-1", slo }));
    notifier.listener(
      makeEvent({ verdict: "fail", analysisId: "rb-1", slo, phase: "closed", outcome: "rolled-back" }),
    );
    // The fixed version's analysis: a non-final pass does not prove anything yet.
    notifier.listener(makeEvent({ verdict: "pass", analysisId: "rb-2", slo }));
    await new Promise((r) => setTimeout(r, 300));
    for (const am of ams) expect(await am.alerts().then(ofAnalysis("rb-1"))).toHaveLength(1);
    notifier.listener(makeEvent({ verdict: "pass", analysisId: "rb-2", slo, final: true }));
    for (const am of ams)
      await eventually(
        () => am.alerts().then(ofAnalysis("rb-1")),
        (a) => a.length === 0,
      );
  });

  it("keeps rollouts and SLOs apart: two failing SLOs of two rollouts are four alerts", async () => {
    notifier = make();
    for (const [analysisId, rollout] of [
      ["sep-1", "shop/a"],
      ["sep-2", "shop/b"],
    ] as const) {
      for (const name of ["availability", "latency"]) {
        notifier.listener(
          makeEvent({ verdict: "fail", analysisId, rollout, slo: makeSlo({ name, team: "payments" }) }),
        );
      }
    }
    const alerts = await eventually(
      () => ams[1]!.alerts().then((a) => a.filter((x) => x.labels.analysis?.startsWith("sep-"))),
      (a) => a.length === 4,
    );
    expect(new Set(alerts.map((a) => `${a.labels.rollout}/${a.labels.slo}`)).size).toBe(4);
  });

  it("replaces the alert of a rollout's earlier failed analysis when a later one fails too", async () => {
    notifier = make();
    const slo = makeSlo({ name: "replaced", team: "payments" });
    notifier.listener(makeEvent({ verdict: "fail", analysisId: "old-1", slo, rollout: "shop/r" }));
    await eventually(
      () => ams[0]!.alerts().then(ofAnalysis("old-1")),
      (a) => a.length === 1,
    );
    notifier.listener(makeEvent({ verdict: "fail", analysisId: "new-1", slo, rollout: "shop/r" }));
    await eventually(
      () =>
        ams[0]!
          .alerts()
          .then((a) => a.filter((x) => x.labels.slo === "replaced").map((x) => x.labels.analysis)),
      (ids) => ids.length === 1 && ids[0] === "new-1",
    );
  });
});
