/**
 * Measures the verdict endpoint's latency with notifications off, with healthy receivers,
 * and with broken ones (Alertmanager down, Slack hanging), on the same data, and prints the
 * numbers. Not a test (no timing assertions): run it by hand.
 *
 *   node test/notify/verdict-latency.ts [analyses=300]
 *
 * Three gate services (real service wiring, memory store) read one real Prometheus loaded with
 * the `error-spike` scenario. Each analysis is driven Argo-style (`POST /api/v1/verdict`, a
 * look every 5 simulated minutes) until it fails, so every analysis raises one Alertmanager
 * alert and one Slack message. Requests alternate between the three services look by look; the
 * first 20 analyses warm up and are not counted.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseNotifyConfig } from "../../src/config/read-notifications.ts";
import { parseServiceConfig } from "../../src/config/read-service-config.ts";
import { startGateService, type GateService } from "../../src/main/gate-service.ts";
import { armMatchersOf, armReaders } from "../../src/main/arm-readers.ts";
import { SCENARIOS } from "../../src/sim/scenarios.ts";
import { simulateScrapes } from "../../src/sim/scrapes.ts";
import { freePort } from "../../src/testbed/free-port.ts";
import { startPrometheus } from "../../src/testbed/prometheus.ts";
import { startAlertmanager } from "../../src/testbed/alertmanager.ts";
import { startHttpSink } from "../../src/testbed/http-sink.ts";
import { recordingLogger } from "../../src/notify/testdata/verdict-events.ts";

const SLO = `apiVersion: slogate.dev/v1
kind: ServiceLevels
service: checkout
labels: { team: payments }
slos:
  - name: errors
    objective: "< 1%"
    sli:
      events:
        errors: sum(rate(http_requests_total{service="checkout",code=~"5..",{{.selector}}}[{{.window}}]))
        total: sum(rate(http_requests_total{service="checkout",{{.selector}}}[{{.window}}]))
`;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const analyses = Number(process.argv[2] ?? 300);
  const warmup = 20;
  const dir = await mkdtemp(join(tmpdir(), "slogate-latency-"));
  await mkdir(join(dir, "slos"));
  await writeFile(join(dir, "slos", "checkout.yaml"), SLO);
  const start = Math.floor(Date.now() / 1000 / 60) * 60 - 2 * 3600;
  const scenario = SCENARIOS["error-spike"];
  const prometheus = await startPrometheus({ history: simulateScrapes(scenario, { seed: 5, start }).series });
  const am = await startAlertmanager({
    configYaml: "route: { receiver: none }\nreceivers: [{ name: none }]\n",
  });
  const okSlack = await startHttpSink();
  const hangingSlack = await startHttpSink();
  hangingSlack.reply(() => "hang");
  const deadAm = `http://127.0.0.1:${await freePort()}`;

  const start1 = async (notifications: unknown): Promise<GateService> => {
    const config = parseServiceConfig(
      [
        `listen: { host: 127.0.0.1, port: ${await freePort()} }`,
        `prometheus: { url: "${prometheus.url}" }`,
        `slos: ["${join(dir, "slos")}"]`,
        "store: { kind: memory }",
        'baseline: { schedule: "" }',
        'log: { level: "warn" }',
      ].join("\n"),
      {},
    );
    return startGateService({
      config:
        notifications === undefined ? config : { ...config, notifications: parseNotifyConfig(notifications) },
      logger: recordingLogger(),
      createArmReaders: armReaders,
      buildArmMatchers: armMatchersOf,
      watch: false,
    });
  };
  const services: [string, GateService][] = [
    ["notifications off", await start1(undefined)],
    [
      "healthy receivers",
      await start1({
        alertmanager: { urls: [am.url] },
        slack: { default: { webhookUrl: `${okSlack.url}/hook` } },
      }),
    ],
    [
      "Alertmanager down + Slack hanging",
      await start1({
        alertmanager: { urls: [deadAm] },
        slack: { default: { webhookUrl: `${hangingSlack.url}/hook` } },
        delivery: { queueCapacity: 50, timeout: "30s", closeTimeout: "100ms" },
      }),
    ],
  ];
  const times = new Map<string, number[]>(services.map(([name]) => [name, []]));
  const verdicts = new Map<string, string[]>(services.map(([name]) => [name, []]));
  try {
    for (let i = -warmup; i < analyses; i++) {
      const done = new Set<string>();
      for (let k = 1; k <= 6 && done.size < services.length; k++) {
        for (const [name, service] of services) {
          if (done.has(name)) continue;
          const body = JSON.stringify({
            slo: "checkout-errors",
            canary: scenario.canary.hash,
            stable: scenario.stable.hash,
            analysis: `bench-${i}`,
            rollout: `bench/r${i}`,
            count: 6,
            start,
            time: start + k * 300,
          });
          const t0 = performance.now();
          const res = await fetch(`${service.url}/api/v1/verdict`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          });
          const json = (await res.json()) as { verdict?: string };
          if (i >= 0) times.get(name)?.push(performance.now() - t0);
          verdicts.get(name)?.push(`${i}/${k}:${json.verdict ?? res.status}`);
          if (json.verdict === "fail") done.add(name);
        }
      }
    }
    const reference = JSON.stringify(verdicts.get("notifications off"));
    console.log(`verdict endpoint latency, ${analyses} analyses driven until they fail (ms)`);
    console.log("| services | requests | p50 | p95 | p99 | max | same verdicts as 'off' |");
    console.log("|---|---|---|---|---|---|---|");
    for (const [name, service] of services) {
      const t = [...(times.get(name) ?? [])].sort((a, b) => a - b);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      const same = JSON.stringify(verdicts.get(name)) === reference ? "yes" : "NO";
      console.log(
        `| ${name} | ${t.length} | ${quantile(t, 0.5).toFixed(2)} | ${quantile(t, 0.95).toFixed(2)} | ` +
          `${quantile(t, 0.99).toFixed(2)} | ${(t.at(-1) ?? NaN).toFixed(2)} | ${same} |`,
      );
      const lines = metrics.split("\n").filter((l) => l.startsWith("slogate_notification"));
      if (lines.length > 0) console.log(lines.map((l) => `    ${l}`).join("\n"));
    }
  } finally {
    for (const [, s] of services) await s.close();
    await Promise.all([am.stop(), prometheus.stop(), okSlack.close(), hangingSlack.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
