/**
 * Notifications through the store's outbox, as several replicas on one real PostgreSQL
 * deliver them: one Slack message per verdict change however many replicas see the event,
 * retries and lease take-over after a replica dies, nothing lost across a restart, and
 * Alertmanager alerts fired by one replica resolved by another (real Alertmanager).
 */
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createNotifier, parseNotifyConfig, type Notifier } from "../../src/notify/notifier.ts";
import { PostgresStore } from "../../src/store/postgres-store.ts";
import { startAlertmanager, type AlertmanagerInstance } from "../../src/testbed/alertmanager.ts";
import { startPostgres, type PostgresBed } from "../../src/testbed/postgres.ts";
import { startHttpSink, type HttpSink } from "../../src/testbed/http-sink.ts";
import { makeEvent, recordingLogger } from "../../src/notify/testdata/verdict-events.ts";

let db: PostgresBed;
let sink: HttpSink;
let am: AlertmanagerInstance;
let schemas = 0;
const stores: PostgresStore[] = [];
const notifiers: Notifier[] = [];

beforeAll(async () => {
  [db, sink, am] = await Promise.all([
    startPostgres(),
    startHttpSink(),
    startAlertmanager({
      configYaml: "route:\n  receiver: blackhole\n  group_wait: 1h\nreceivers:\n  - name: blackhole\n",
    }),
  ]);
});
afterEach(async () => {
  await Promise.all(notifiers.splice(0).map((n) => n.close()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
  sink.requests.length = 0;
  sink.reply(() => ({ status: 200, body: "ok" }));
});
afterAll(async () => {
  await Promise.all([db?.destroy(), sink?.close(), am?.stop()]);
});

async function store(schema: string): Promise<PostgresStore> {
  const s = await PostgresStore.open({ url: db.url, schema });
  stores.push(s);
  return s;
}

const SLACK = {
  slack: { default: { webhookUrl: "" } },
  delivery: { initialBackoff: "50ms", maxBackoff: "100ms" },
};

function replica(s: PostgresStore, owner: string, config: unknown): Notifier {
  const n = createNotifier(parseNotifyConfig(config), {
    registry: new Registry(),
    logger: recordingLogger(),
    outbox: { store: s, owner, pollSeconds: 0.1 },
  });
  notifiers.push(n);
  return n;
}

function slackConfig(): unknown {
  return { ...SLACK, slack: { default: { webhookUrl: `${sink.url}/hooks/x` } } };
}

async function until(ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

const slackTexts = (): string[] => sink.requests.filter((r) => r.path === "/hooks/x").map((r) => r.body);

describe("notifications through the PostgreSQL outbox", () => {
  it("posts one Slack message per verdict change across three replicas, even when all of them see an event", async () => {
    const schema = `n${++schemas}`;
    const rs = [
      replica(await store(schema), "r1", slackConfig()),
      replica(await store(schema), "r2", slackConfig()),
      replica(await store(schema), "r3", slackConfig()),
    ];
    const looks = [
      makeEvent({ verdict: "pass", at: 100 }),
      makeEvent({ verdict: "fail", previous: "pass", at: 160 }),
      makeEvent({ verdict: "fail", previous: "fail", at: 220 }),
      makeEvent({ verdict: "pass", previous: "fail", at: 280 }),
      makeEvent({ verdict: "fail", previous: "pass", at: 340 }),
      makeEvent({ verdict: "fail", previous: "pass", at: 340, phase: "closed", outcome: "rolled-back" }),
    ];
    // Each event goes to one replica in turn, and to all three for the changes at 160 and 280.
    looks.forEach((e, i) => rs[i % 3]!.listener(e));
    rs[1]!.listener(looks[1]!);
    rs[2]!.listener(looks[1]!);
    rs[0]!.listener(looks[3]!);
    const s = stores[0]!;
    await until(
      async () => slackTexts().length >= 3 && (await s.pendingNotifications("slack:default")) === 0,
    );
    await new Promise((r) => setTimeout(r, 300)); // room for a duplicate to show up
    const texts = slackTexts();
    expect(texts).toHaveLength(3); // pass→fail, fail→pass, pass→fail (the close adds nothing)
    expect(texts[0]).toMatch(/fail/i);
  });

  it("plans a verdict change's message for the look's transaction, and the listener adds no second one", async () => {
    const schema = `n${++schemas}`;
    const s = await store(schema);
    const r = replica(s, "r1", slackConfig());
    const change = makeEvent({ verdict: "fail", previous: "pass", at: 700, analysisId: "planned" });
    const quiet = makeEvent({ verdict: "fail", previous: "fail", at: 760, analysisId: "planned" });
    expect(r.plan!(quiet)).toEqual([]);
    const rows = r.plan!(change);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ target: "slack:default" });
    await s.createAnalysis({
      id: "planned",
      sloId: change.slo.id,
      controller: "argo",
      selectors: { canary: [], stable: [] },
      start: 600,
      createdAt: 600,
      updatedAt: 600,
    });
    await s.appendLook(
      { analysisId: "planned", seq: 1, at: 700, verdict: change.verdict, recordedAt: 701 },
      { judgeState: {}, updatedAt: 701, notifications: rows },
    );
    r.listener(change);
    await until(() => slackTexts().length === 1);
    await new Promise((res) => setTimeout(res, 300));
    expect(slackTexts()).toHaveLength(1);
  });

  it("retries a failing webhook from the outbox and delivers once when it recovers", async () => {
    const schema = `n${++schemas}`;
    let calls = 0;
    sink.reply(() => (++calls <= 2 ? { status: 503, body: "busy" } : { status: 200, body: "ok" }));
    const r = replica(await store(schema), "r1", slackConfig());
    r.listener(makeEvent({ verdict: "fail", previous: "pass", at: 500 }));
    await until(() => sink.requests.some((q) => q.path === "/hooks/x") && calls >= 3);
    await until(async () => (await stores[0]!.pendingNotifications("slack:default")) === 0);
    expect(calls).toBe(3);
  });

  it("delivers what a dead replica had claimed once its lease runs out, and what a stopped one queued", async () => {
    const schema = `n${++schemas}`;
    const s = await store(schema);
    // A replica queued two messages and died holding one of them (claimed, never settled).
    await s.enqueueNotifications(
      [
        {
          target: "slack:default",
          key: "dead-claimed",
          payload: { item: { text: "from the dead" } },
          notBefore: 0,
        },
        {
          target: "slack:default",
          key: "dead-queued",
          payload: { item: { text: "left behind" } },
          notBefore: 0,
        },
      ],
      1,
    );
    const claimed = await s.claimNotifications("slack:default", "dead", Date.now() / 1000, 1.5, 1);
    expect(claimed).toHaveLength(1);
    const t0 = Date.now();
    replica(await store(schema), "alive", slackConfig());
    await until(() => slackTexts().length === 2, 15_000);
    const bodies = slackTexts().map((b) => (JSON.parse(b) as { text: string }).text);
    expect(bodies.sort()).toEqual(["from the dead", "left behind"]);
    // The claimed one waited for the lease; the dead replica's late word is refused.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(await s.settleNotification(claimed[0]!.id, "dead", { delivered: true }, Date.now() / 1000)).toBe(
      false,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(slackTexts()).toHaveLength(2);
  });

  it("resolves an Alertmanager alert fired by a replica that has stopped, from another replica", async () => {
    const schema = `n${++schemas}`;
    const config = { alertmanager: { urls: [am.url], resendInterval: "60s" } };
    const first = replica(await store(schema), "r1", config);
    const now = Date.now() / 1000;
    first.listener(makeEvent({ verdict: "fail", analysisId: "am-1", previous: "pass", at: now - 30 }));
    const firing = async () => (await am.alerts()).filter((a) => a.labels.analysis === "am-1");
    await until(async () => (await firing()).length === 1);
    await first.close();
    // The alert is in the store, not only in the stopped replica's memory.
    const s = await store(schema);
    expect(
      (await s.listState("alertmanager-firing")).map((r) => (r.value as { analysisId: string }).analysisId),
    ).toEqual(["am-1"]);
    const second = replica(s, "r2", config);
    second.listener(makeEvent({ verdict: "pass", analysisId: "am-1", previous: "fail", at: now }));
    await until(async () => (await firing()).length === 0);
    await until(async () => (await s.listState("alertmanager-firing")).length === 0);
  });

  it("keeps re-sending an alert fired before a restart, from the replica that comes up", async () => {
    const schema = `n${++schemas}`;
    const config = { alertmanager: { urls: [am.url], resendInterval: "1s" } };
    const first = replica(await store(schema), "r1", config);
    first.listener(
      makeEvent({ verdict: "fail", analysisId: "am-2", previous: "pass", at: Date.now() / 1000 - 10 }),
    );
    const alert = async () => (await am.alerts()).find((a) => a.labels.analysis === "am-2");
    await until(async () => (await alert()) !== undefined);
    await first.close();
    const endsAt = Date.parse((await alert())!.endsAt);
    // A new replica has no event for it: it re-sends from the stored firing state once it holds the lease.
    replica(await store(schema), "r2", config);
    await until(async () => Date.parse((await alert())?.endsAt ?? "0") > endsAt + 500, 15_000);
    expect((await alert())!.startsAt).toBeDefined();
  });
});
