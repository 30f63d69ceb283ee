/**
 * End to end, with real components only:
 * - a real Prometheus loaded with synthetic canary traffic (`src/sim`): `checkout` (team
 *   payments) whose canary fails 5 % of requests, `search` (team search) whose canary is healthy;
 * - the Alertmanager configuration written by `slogate generate` (the CLI command), with its
 *   Slack URL files (`--slack-url-file`) pointing at a local HTTP sink; only its group timers
 *   are shortened in a temp copy so the test does not wait the generated 5 minutes;
 * - a real Alertmanager 0.25 loaded with it;
 * - the real gate service (`startGateService`: express app, use cases, store, judge) with the
 *   notifier wired in through its `notifications:` config, driven over HTTP as Argo's `web`
 *   provider does (`POST /api/v1/verdict`), with `time`/`start` placing the looks on the
 *   synthetic timeline.
 * A failing analysis makes the sink receive Alertmanager's Slack payload on the payments
 * route; the alert keeps firing after slogate closed the failed analysis; the passing
 * analysis of the fixed version of the same rollout resolves it (the sink receives the
 * resolved payload); the healthy search analysis sends nothing. Then the verdict endpoint's answers are shown unchanged with Alertmanager down
 * and Slack hanging, the answers arriving while Slack still holds the request.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { parseNotifyConfig } from "../../src/config/read-notifications.ts";
import { parseServiceConfig } from "../../src/config/read-service-config.ts";
import { startGateService, type GateService } from "../../src/main/gate-service.ts";
import { armMatchersOf, armReaders } from "../../src/main/arm-readers.ts";
import type { Logger } from "../../src/domain/verdict-event.ts";
import { run as generate } from "../../src/cli/commands/generate.ts";
import { SCENARIOS, defineScenario } from "../../src/sim/scenarios.ts";
import { simulateScrapes } from "../../src/sim/scrapes.ts";
import { startAlertmanager, type AlertmanagerInstance } from "../../src/testbed/alertmanager.ts";
import { freePort } from "../../src/testbed/free-port.ts";
import { startPrometheus, type PrometheusBed } from "../../src/testbed/prometheus.ts";
import { startHttpSink, type HttpSink, type SinkRequest } from "../../src/testbed/http-sink.ts";
import { recordingLogger } from "../../src/notify/testdata/verdict-events.ts";

const CHECKOUT_SLO = `apiVersion: slogate.dev/v1
kind: ServiceLevels
service: checkout
labels:
  team: payments
slos:
  - name: errors
    objective: "< 1%"
    sli:
      events:
        errors: sum(rate(http_requests_total{service="checkout",code=~"5..",{{.selector}}}[{{.window}}]))
        total: sum(rate(http_requests_total{service="checkout",{{.selector}}}[{{.window}}]))
`;
const SEARCH_SLO = CHECKOUT_SLO.replaceAll("checkout", "search").replace("team: payments", "team: search");

const CHECKOUT = SCENARIOS["error-spike"];
/** The fixed checkout version, rolled out two hours later (after the failed one was rolled back). */
const CHECKOUT_FIXED = defineScenario({ name: "checkout-fixed", canary: { hash: "8e1f2a3b4" } });
const FIXED_AFTER = 7200;
const SEARCH = defineScenario({
  name: "healthy-search",
  service: "search",
  canary: { hash: "5b8c7d9e1" },
  stable: { hash: "4a7b6c8d2" },
});

/** Argo's web provider body for one look (`time`/`start` put it on the synthetic timeline). */
interface Look {
  slo: string;
  canary: string;
  stable: string;
  rollout: string;
  count: number;
  start: number;
  time: number;
}

let dir = "";
let start = 0;
let sink: HttpSink;
let prometheus: PrometheusBed;
let am: AlertmanagerInstance;
const services: GateService[] = [];

/** The generated config with only its group timers shortened; every other line as generated. */
function withShortTimers(generated: string): string {
  const doc = parseYaml(generated) as { route: Record<string, unknown> };
  const visit = (route: Record<string, unknown>): void => {
    if ("group_wait" in route) route.group_wait = "1s";
    if ("group_interval" in route) route.group_interval = "1s";
    for (const child of (route.routes as Record<string, unknown>[] | undefined) ?? []) visit(child);
  };
  visit(doc.route);
  return stringifyYaml(doc);
}

async function startService(notifications: unknown, logger: Logger): Promise<GateService> {
  const port = await freePort();
  const config = parseServiceConfig(
    [
      `listen: { host: 127.0.0.1, port: ${port} }`,
      `prometheus: { url: "${prometheus.url}" }`,
      `slos: ["${join(dir, "slos")}"]`,
      "store: { kind: memory }",
      'baseline: { schedule: "" }',
    ].join("\n"),
    {},
  );
  const service = await startGateService({
    config:
      notifications === undefined ? config : { ...config, notifications: parseNotifyConfig(notifications) },
    logger,
    createArmReaders: armReaders,
    buildArmMatchers: armMatchersOf,
    watch: false,
  });
  services.push(service);
  return service;
}

async function postLook(service: GateService, look: Look): Promise<Record<string, unknown>> {
  const res = await fetch(`${service.url}/api/v1/verdict`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(look),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`verdict HTTP ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Looks every 5 minutes of the 30-minute analysis, Argo-style (count = 6). */
function looksOf(slo: string, scenario: typeof CHECKOUT, rollout: string, from = start): Look[] {
  return [1, 2, 3, 4, 5, 6].map((k) => ({
    slo,
    canary: scenario.canary.hash,
    stable: scenario.stable.hash,
    rollout,
    count: 6,
    start: from,
    time: from + k * 300,
  }));
}

interface SlackAttachment {
  title: string;
  text: string;
}
const attachment = (r: SinkRequest): SlackAttachment =>
  ((r.json as { attachments?: SlackAttachment[] }).attachments ?? [])[0] ?? { title: "", text: "" };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slogate-e2e-"));
  start = Math.floor(Date.now() / 1000 / 60) * 60 - 3 * 3600;
  await mkdir(join(dir, "slos"));
  await writeFile(join(dir, "slos", "checkout.yaml"), CHECKOUT_SLO);
  await writeFile(join(dir, "slos", "search.yaml"), SEARCH_SLO);

  sink = await startHttpSink();

  // slogate generate, as a user runs it, with the Slack URL files in our temp dir.
  const out: string[] = [];
  const code = await generate(
    [
      "--slos",
      join(dir, "slos"),
      "--out",
      join(dir, "gen"),
      "--slack-url-file",
      join(dir, "secrets", "slack-{team}-url"),
    ],
    {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      env: {},
      cwd: dir,
      stopped: new Promise(() => {}),
    },
  );
  if (code !== 0) throw new Error(`slogate generate failed:\n${out.join("")}`);
  const generated = await readFile(join(dir, "gen", "alertmanager", "alertmanager.yml"), "utf8");
  await mkdir(join(dir, "secrets"));
  for (const team of ["payments", "search", "platform"]) {
    await writeFile(join(dir, "secrets", `slack-${team}-url`), `${sink.url}/slack/${team}\n`);
  }
  await writeFile(join(dir, "alertmanager.yml"), withShortTimers(generated));

  // The fixed version's data starts after the failed one's ends, so the stable series do not overlap.
  const history = [
    ...simulateScrapes(CHECKOUT, { seed: 11, start }).series,
    ...simulateScrapes(SEARCH, { seed: 12, start }).series,
    ...simulateScrapes(CHECKOUT_FIXED, { seed: 13, start: start + FIXED_AFTER }).series,
  ];
  [prometheus, am] = await Promise.all([
    startPrometheus({ history }),
    startAlertmanager({ configFile: join(dir, "alertmanager.yml") }),
  ]);
}, 180_000);

afterAll(async () => {
  for (const s of services) await s.close();
  await Promise.all([am?.stop(), prometheus?.stop(), sink?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe("a failing canary reaches Slack through the generated Alertmanager routing", () => {
  it("fires on the payments route when checkout fails, resolves when the fixed version passes, stays quiet for a passing search", async () => {
    const logger = recordingLogger();
    const service = await startService(
      { alertmanager: { urls: [am.url], resendInterval: "5s" }, delivery: { initialBackoff: "100ms" } },
      logger,
    );

    // The healthy search canary passes every look; Argo would promote it.
    const searchVerdicts: unknown[] = [];
    for (const look of looksOf("search-errors", SEARCH, "shop/search")) {
      searchVerdicts.push((await postLook(service, look)).verdict);
    }
    expect(searchVerdicts).toEqual(["pass", "pass", "pass", "pass", "pass", "pass"]);

    // The checkout canary fails 5 % of requests: some look answers "fail"; Argo aborts there.
    let failed: Record<string, unknown> | undefined;
    for (const look of looksOf("checkout-errors", CHECKOUT, "shop/checkout")) {
      const body = await postLook(service, look);
      expect(body.verdict).not.toBe("inconclusive");
      if (body.verdict === "fail") {
        failed = body;
        break;
      }
    }
    expect(failed?.verdict).toBe("fail");
    const analysisId = (failed?.analysis as { id: string }).id;

    const firing = await sink.waitFor(
      (r) => r.path === "/slack/payments" && attachment(r).title.startsWith("[FIRING"),
      30_000,
    );
    expect(firing.method).toBe("POST");
    expect((firing.json as { channel: string }).channel).toBe("#alerts-payments-ticket");
    expect(attachment(firing).title).toBe("[FIRING:1] SlogateCanaryFailed checkout-errors");
    expect(attachment(firing).text).toContain(
      "*Canary failed its SLO checkout/errors (rollout shop/checkout):",
    );
    expect(attachment(firing).text).toMatch(/\d+ of \d+ checks failing, score \d+/);
    const alerts = await am.alerts();
    expect(
      alerts.map((a) => [
        a.labels.alertname,
        a.labels.analysis,
        a.labels.team,
        a.receivers.map((r) => r.name),
      ]),
    ).toEqual([["SlogateCanaryFailed", analysisId, "payments", ["slack-payments-ticket"]]]);

    // slogate ended the analysis at its failing look and Argo rolled back: the alert keeps firing.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await am.alerts()).map((a) => a.labels.analysis)).toEqual([analysisId]);

    // The fixed version of the same rollout passes its analysis: that resolves the alert.
    const fixed: unknown[] = [];
    for (const look of looksOf("checkout-errors", CHECKOUT_FIXED, "shop/checkout", start + FIXED_AFTER)) {
      const body = await postLook(service, look);
      fixed.push([body.verdict, body.final]);
    }
    expect(fixed.at(-1)).toEqual(["pass", true]);
    const resolved = await sink.waitFor(
      (r) => r.path === "/slack/payments" && attachment(r).title.startsWith("[RESOLVED]"),
      30_000,
    );
    expect(attachment(resolved).title).toBe("[RESOLVED] SlogateCanaryFailed checkout-errors");
    expect(await am.alerts()).toEqual([]);

    // Nothing for the passing search canary, on any route.
    expect(sink.requests.filter((r) => r.path !== "/slack/payments")).toEqual([]);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/slogate_notifications_total\{target="alertmanager",outcome="sent"\} [1-9]/);
    expect(metrics).toContain('slogate_notifications_total{target="alertmanager",outcome="dropped"} 0');
  });
});

describe("broken receivers do not change the verdict endpoint", () => {
  it("answers the same verdicts with Alertmanager down and Slack hanging, before Slack has answered", async () => {
    const hanging = await startHttpSink();
    hanging.reply(() => "hang");
    try {
      const quiet = await startService(undefined, recordingLogger());
      const broken = await startService(
        {
          alertmanager: { urls: [`http://127.0.0.1:${await freePort()}`] },
          slack: { default: { webhookUrl: `${hanging.url}/hook` } },
          delivery: { timeout: "60s", initialBackoff: "50ms", closeTimeout: "100ms" },
        },
        recordingLogger(),
      );
      const strip = (b: Record<string, unknown>): unknown => ({ ...b, link: undefined });
      for (const look of looksOf("checkout-errors", CHECKOUT, "shop/checkout")) {
        const [a, b] = [await postLook(quiet, look), await postLook(broken, look)];
        expect(strip(b)).toEqual(strip(a));
        if (a.verdict === "fail") break;
      }
      // The failing answer came back while Slack still held the notification's request.
      await hanging.waitFor((r) => r.path === "/hook", 10_000);
      expect(hanging.pending()).toBe(1);
      const metrics = await (await fetch(`${broken.url}/metrics`)).text();
      expect(metrics).toMatch(/slogate_notifications_total\{target="alertmanager",outcome="retried"\} [1-9]/);
      expect(metrics).toContain('slogate_notification_queue_length{target="slack"} 1');
      expect(hanging.requests).toHaveLength(1);
    } finally {
      await hanging.close();
    }
  });
});
