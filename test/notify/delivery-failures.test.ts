/**
 * Receivers that misbehave — an Alertmanager that is down, Slack answering 500 or 429, a sink
 * that never answers — and what the notifier does about it: the listener returns at once and
 * never throws, queues stay bounded, retries follow the policy, and `/metrics` plus the logs
 * say what happened.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import type { VerdictEvent } from "../../src/domain/verdict-event.ts";
import { createNotifier, parseNotifyConfig, type Notifier } from "../../src/notify/notifier.ts";
import { freePort } from "../../src/testbed/free-port.ts";
import { startHttpSink, type HttpSink } from "../../src/testbed/http-sink.ts";
import { makeEvent, recordingLogger } from "../../src/notify/testdata/verdict-events.ts";

let sink: HttpSink;
let notifier: Notifier | undefined;

beforeEach(async () => {
  sink = await startHttpSink();
});
afterEach(async () => {
  await notifier?.close();
  notifier = undefined;
  await sink.close();
});

async function metric(registry: Registry, target: string, outcome: string): Promise<number> {
  const m = await registry.getSingleMetric("slogate_notifications_total")?.get();
  return m?.values.find((v) => v.labels.target === target && v.labels.outcome === outcome)?.value ?? 0;
}

async function queueGauge(registry: Registry, target: string): Promise<number> {
  const m = await registry.getSingleMetric("slogate_notification_queue_length")?.get();
  return m?.values.find((v) => v.labels.target === target)?.value ?? 0;
}

async function until(cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A change for Slack on every call: a new analysis failing. */
function failing(i: number): VerdictEvent {
  return makeEvent({ verdict: "fail", analysisId: `an-${i}` });
}

describe("the verdict path never waits for delivery", () => {
  it("returns from the listener before anything is sent, and the event is queued", () => {
    const registry = new Registry();
    notifier = createNotifier(
      parseNotifyConfig({
        slack: { default: { webhookUrl: `${sink.url}/hook` } },
        delivery: { closeTimeout: "50ms" },
      }),
      { registry, logger: recordingLogger() },
    );
    sink.reply(() => "hang");
    const result: unknown = notifier.listener(failing(1));
    expect(result).toBeUndefined();
    expect(sink.requests).toHaveLength(0);
    expect(notifier.queueLength("slack")).toBe(1);
  });

  it("never throws, even for an event it cannot read, and logs it", () => {
    const logger = recordingLogger();
    notifier = createNotifier(
      parseNotifyConfig({
        alertmanager: { urls: ["http://127.0.0.1:9"] },
        slack: { default: { webhookUrl: `${sink.url}/hook` } },
      }),
      { registry: new Registry(), logger },
    );
    expect(() => notifier!.listener(null as unknown as VerdictEvent)).not.toThrow();
    expect(() => notifier!.listener({ analysisId: "x" } as unknown as VerdictEvent)).not.toThrow();
    expect(
      logger.lines.filter((l) => l.msg === "notification skipped: could not handle verdict event"),
    ).toHaveLength(4);
  });
});

describe("Alertmanager down", () => {
  it("retries with backoff, then drops and counts, logging the URL and the reason", async () => {
    const registry = new Registry();
    const logger = recordingLogger();
    const url = `http://127.0.0.1:${await freePort()}`;
    notifier = createNotifier(
      parseNotifyConfig({
        alertmanager: { urls: [url] },
        delivery: { maxAttempts: 3, initialBackoff: "20ms", maxBackoff: "50ms" },
      }),
      { registry, logger },
    );
    notifier.listener(failing(1));
    await until(async () => (await metric(registry, "alertmanager", "dropped")) === 1);
    expect(await metric(registry, "alertmanager", "retried")).toBe(2);
    expect(await metric(registry, "alertmanager", "sent")).toBe(0);
    expect(await queueGauge(registry, "alertmanager")).toBe(0);
    const drop = logger.lines.find((l) => l.msg === "notification dropped");
    expect(drop?.level).toBe("error");
    expect(drop?.fields).toMatchObject({ target: "alertmanager", destination: url });
    expect(String(drop?.fields.reason)).toMatch(
      /gave up after 3 attempts: Alertmanager .* unreachable.*ECONNREFUSED/,
    );
  });
});

describe("Slack errors", () => {
  it("retries a 500 and delivers when Slack recovers", async () => {
    const registry = new Registry();
    let calls = 0;
    sink.reply(() => (++calls <= 2 ? { status: 500, body: "internal_error" } : { status: 200, body: "ok" }));
    notifier = createNotifier(
      parseNotifyConfig({
        slack: { default: { webhookUrl: `${sink.url}/hook` } },
        delivery: { initialBackoff: "20ms", maxBackoff: "50ms" },
      }),
      { registry, logger: recordingLogger() },
    );
    notifier.listener(failing(1));
    await until(async () => (await metric(registry, "slack", "sent")) === 1);
    expect(await metric(registry, "slack", "retried")).toBe(2);
    expect(sink.requests).toHaveLength(3);
  });

  it("drops a message Slack rejects (4xx other than 429) without retrying", async () => {
    const registry = new Registry();
    const logger = recordingLogger();
    sink.reply(() => ({ status: 404, body: "no_service" }));
    notifier = createNotifier(parseNotifyConfig({ slack: { default: { webhookUrl: `${sink.url}/hook` } } }), {
      registry,
      logger,
    });
    notifier.listener(failing(1));
    await until(async () => (await metric(registry, "slack", "dropped")) === 1);
    expect(await metric(registry, "slack", "retried")).toBe(0);
    expect(logger.lines.find((l) => l.msg === "notification dropped")?.fields).toMatchObject({
      target: "slack",
      destination: "slack route default",
      status: 404,
      reason: "rejected: Slack webhook answered HTTP 404: no_service",
    });
    // The webhook URL is a secret and never appears in logs.
    expect(JSON.stringify(logger.lines)).not.toContain(sink.url);
  });

  it.each([
    ["waits as long as a 429's Retry-After asks", "1", { maxRetryAfter: "5s" }, 1],
    ["caps a Retry-After beyond the limit", "3600", { maxRetryAfter: "300ms" }, 0.3],
  ])("%s", async (_n, retryAfter, delivery, expectedWait) => {
    const registry = new Registry();
    const logger = recordingLogger();
    let calls = 0;
    sink.reply(() =>
      ++calls === 1
        ? { status: 429, body: "rate_limited", headers: { "retry-after": retryAfter } }
        : { status: 200 },
    );
    notifier = createNotifier(
      parseNotifyConfig({
        slack: { default: { webhookUrl: `${sink.url}/hook` } },
        delivery: { initialBackoff: "10ms", maxBackoff: "20ms", ...delivery },
      }),
      { registry, logger },
    );
    notifier.listener(failing(1));
    await until(async () => (await metric(registry, "slack", "sent")) === 1);
    const warn = logger.lines.find((l) => l.msg === "notification failed, retrying");
    expect(warn?.fields).toMatchObject({ target: "slack", status: 429, retryInSeconds: expectedWait });
    expect(await metric(registry, "slack", "retried")).toBe(1);
  });
});

describe("a sink that never answers", () => {
  it("keeps the queue bounded, drops the oldest and shows it in /metrics", async () => {
    const registry = new Registry();
    sink.reply(() => "hang");
    notifier = createNotifier(
      parseNotifyConfig({
        slack: { default: { webhookUrl: `${sink.url}/hook` } },
        delivery: { queueCapacity: 5, timeout: "10s", closeTimeout: "50ms" },
      }),
      { registry, logger: recordingLogger() },
    );
    let maxLength = 0;
    for (let i = 0; i < 200; i++) {
      notifier.listener(failing(i));
      maxLength = Math.max(maxLength, notifier.queueLength("slack"));
    }
    expect(maxLength).toBe(5);
    await until(() => sink.pending() === 1);
    expect(await queueGauge(registry, "slack")).toBe(5);
    expect(await metric(registry, "slack", "dropped")).toBe(195);
    // Only one request is held open at a time per destination.
    expect(sink.requests).toHaveLength(1);
    await notifier.close();
    notifier = undefined;
    expect(await metric(registry, "slack", "dropped")).toBe(200);
    expect(await queueGauge(registry, "slack")).toBe(0);
  });

  it("times a hung request out and retries it", async () => {
    const registry = new Registry();
    let calls = 0;
    sink.reply(() => (++calls === 1 ? "hang" : { status: 200 }));
    notifier = createNotifier(
      parseNotifyConfig({
        slack: { default: { webhookUrl: `${sink.url}/hook` } },
        delivery: { timeout: "200ms", initialBackoff: "10ms", maxBackoff: "20ms" },
      }),
      { registry, logger: recordingLogger() },
    );
    notifier.listener(failing(1));
    await until(async () => (await metric(registry, "slack", "sent")) === 1);
    expect(await metric(registry, "slack", "retried")).toBe(1);
  });
});
