/**
 * The Slack target against a local HTTP sink standing in for Slack's webhook endpoint:
 * the messages `@slack/webhook` posts, their Block Kit blocks, one message per verdict change,
 * routing per team and per SLO, and webhook URLs read from files.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { createNotifier, parseNotifyConfig, type Notifier } from "../../src/notify/notifier.ts";
import { startHttpSink, type HttpSink } from "../../src/testbed/http-sink.ts";
import { makeEvent, makeSlo, recordingLogger } from "../../src/notify/testdata/verdict-events.ts";

let sink: HttpSink;
let dir: string;
let notifier: Notifier | undefined;

beforeAll(async () => {
  sink = await startHttpSink();
  dir = await mkdtemp(join(tmpdir(), "slogate-slack-"));
});
afterEach(async () => {
  await notifier?.close();
  notifier = undefined;
  sink.requests.length = 0;
});
afterAll(async () => {
  await sink.close();
  await rm(dir, { recursive: true, force: true });
});

async function settle(n: Notifier): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (n.queueLength("slack") > 0) {
    if (Date.now() > deadline) throw new Error("Slack queue did not drain");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("Slack notifications through @slack/webhook", () => {
  it("posts one Block Kit message per verdict change, not per look", async () => {
    notifier = createNotifier(
      parseNotifyConfig({
        slack: { default: { webhookUrl: `${sink.url}/hooks/default` }, username: "slogate" },
      }),
      { registry: new Registry(), logger: recordingLogger() },
    );
    const looks = [
      makeEvent({ verdict: "pass", at: 100 }),
      makeEvent({ verdict: "fail", previous: "pass", at: 160 }),
      makeEvent({ verdict: "fail", previous: "fail", at: 220 }),
      makeEvent({ verdict: "fail", previous: "fail", at: 280 }),
      makeEvent({ verdict: "pass", previous: "fail", at: 340 }),
      makeEvent({ verdict: "pass", previous: "pass", at: 400 }),
      makeEvent({ verdict: "pass", previous: "pass", at: 460, phase: "closed", outcome: "promoted" }),
    ];
    for (const e of looks) notifier.listener(e);
    await settle(notifier);

    expect(sink.requests.map((r) => [r.method, r.path, r.headers["content-type"]])).toEqual([
      ["POST", "/hooks/default", "application/json"],
      ["POST", "/hooks/default", "application/json"],
      ["POST", "/hooks/default", "application/json"],
    ]);
    const bodies = sink.requests.map(
      (r) => r.json as { text: string; username: string; blocks: { type: string }[] },
    );
    expect(bodies.map((b) => b.text)).toEqual([
      ":red_circle: Canary failed: checkout/availability — 2 of 3 checks failing (score 33.33)",
      ":large_green_circle: Canary recovered: checkout/availability",
      ":rocket: Canary promoted: checkout/availability (last verdict pass)",
    ]);
    expect(bodies.every((b) => b.username === "slogate")).toBe(true);

    const failing = bodies[0]!;
    expect(failing.blocks.map((b) => b.type)).toEqual([
      "header",
      "section",
      "section",
      "divider",
      "section",
      "section",
      "section",
      "actions",
      "context",
    ]);
    expect(failing.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: ":red_circle: Canary failed: checkout/availability", emoji: true },
    });
    expect(JSON.stringify(failing.blocks)).toContain(
      "`canary_bad=63, canary_total=3000, stable_bad=120, stable_total=30000, canary_ratio=0.021, stable_ratio=0.004, e_value=48.21, threshold=20`",
    );
    expect(failing.blocks[7]).toMatchObject({
      type: "actions",
      elements: [{ type: "button", url: "http://slogate.example:8080/api/v1/analyses/an-1" }],
    });
  });

  it("posts a single message for a failing look and the close it causes, as the service emits them", async () => {
    notifier = createNotifier(
      parseNotifyConfig({ slack: { default: { webhookUrl: `${sink.url}/hooks/default` } } }),
      {
        registry: new Registry(),
        logger: recordingLogger(),
      },
    );
    notifier.listener(makeEvent({ verdict: "pass", analysisId: "svc-1", at: 300 }));
    notifier.listener(makeEvent({ verdict: "fail", previous: "pass", analysisId: "svc-1", at: 600 }));
    notifier.listener(
      makeEvent({
        verdict: "fail",
        previous: "pass",
        analysisId: "svc-1",
        at: 600,
        phase: "closed",
        outcome: "rolled-back",
      }),
    );
    await settle(notifier);
    expect(sink.requests.map((r) => (r.json as { text: string }).text)).toEqual([
      ":red_circle: Canary failed: checkout/availability — 2 of 3 checks failing (score 33.33)",
    ]);
  });

  it("routes per team and per SLO, with webhook URLs from files and channel overrides", async () => {
    const paymentsFile = join(dir, "payments-url");
    await writeFile(paymentsFile, `${sink.url}/hooks/payments\n`);
    notifier = createNotifier(
      parseNotifyConfig({
        slack: {
          routes: [
            { match: { service: "search", slo: "latency" }, webhookUrl: `${sink.url}/hooks/search-latency` },
            { match: { team: "payments" }, webhookUrlFile: paymentsFile, channel: "#payments-deploys" },
          ],
          default: { webhookUrl: `${sink.url}/hooks/default` },
        },
      }),
      { registry: new Registry(), logger: recordingLogger() },
    );
    notifier.listener(makeEvent({ verdict: "fail", analysisId: "a1", slo: makeSlo({ team: "payments" }) }));
    notifier.listener(
      makeEvent({
        verdict: "fail",
        analysisId: "a2",
        slo: makeSlo({ service: "search", name: "latency", team: "payments" }),
      }),
    );
    notifier.listener(
      makeEvent({ verdict: "fail", analysisId: "a3", slo: makeSlo({ service: "web", team: "frontend" }) }),
    );
    await settle(notifier);
    const byPath = Object.fromEntries(
      sink.requests.map((r) => [r.path, r.json as { channel?: string; text: string }]),
    );
    expect(Object.keys(byPath).sort()).toEqual([
      "/hooks/default",
      "/hooks/payments",
      "/hooks/search-latency",
    ]);
    expect(byPath["/hooks/payments"]?.channel).toBe("#payments-deploys");
    expect(byPath["/hooks/payments"]?.text).toContain("checkout/availability");
    expect(byPath["/hooks/search-latency"]?.text).toContain("search/latency");
    expect(byPath["/hooks/default"]?.text).toContain("web/availability");
  });

  it("counts sent messages in /metrics", async () => {
    const registry = new Registry();
    notifier = createNotifier(
      parseNotifyConfig({ slack: { default: { webhookUrl: `${sink.url}/hooks/m` } } }),
      {
        registry,
        logger: recordingLogger(),
      },
    );
    notifier.listener(makeEvent({ verdict: "fail", analysisId: "m1" }));
    notifier.listener(makeEvent({ verdict: "fail", analysisId: "m2" }));
    await settle(notifier);
    const text = await registry.metrics();
    expect(text).toContain('slogate_notifications_total{target="slack",outcome="sent"} 2');
    expect(text).toContain('slogate_notifications_total{target="slack",outcome="dropped"} 0');
    expect(text).toContain('slogate_notification_queue_length{target="slack"} 0');
  });
});
