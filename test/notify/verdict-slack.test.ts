/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are untyped by nature */
/**
 * A failed canary reaches Slack with its numbers, its link and its runbook, at once, through
 * the Alertmanager configuration `slogate generate` writes — every timer as generated — and a
 * real Alertmanager: the real gate service (notifications to Alertmanager) judges a canary
 * that fails 5 % of requests on a real Prometheus, Argo-style; a local HTTP sink stands in for
 * Slack's webhook. A plain ticket alert of the same team sent just before is held by its
 * 5-minute group_wait, so the verdict's delivery is the route's doing.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { run as generate } from "../../src/cli/commands/generate.ts";
import { startAlertmanager, type AlertmanagerInstance } from "../../src/testbed/alertmanager.ts";
import { BED_SERVICES, BED_START, startGateBed, type GateBed } from "../../src/testbed/gate-bed.ts";
import { postJson, startHarnessService } from "../../src/testbed/service-harness.ts";
import { startHttpSink, type HttpSink, type SinkRequest } from "../../src/testbed/http-sink.ts";

const SVC = BED_SERVICES.errors;
const RUNBOOK = "https://runbooks.example/shop-errors";
const SLO = `apiVersion: slogate.dev/v1
kind: ServiceLevels
service: ${SVC.service}
labels: { team: payments }
canary:
  selection: { mode: label, label: rollouts_pod_template_hash }
slos:
  - name: errors
    objective: "< 1%"
    sli:
      events:
        errors: sum(rate(http_requests_total{service="${SVC.service}",code=~"5.."}[{{.window}}]))
        total: sum(rate(http_requests_total{service="${SVC.service}"}[{{.window}}]))
    alerting:
      annotations: { runbook: "${RUNBOOK}" }
`;

let dir = "";
let bed: GateBed;
let sink: HttpSink;
let am: AlertmanagerInstance;
let gate: GateService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slogate-verdict-slack-"));
  await mkdir(join(dir, "slos"));
  await writeFile(join(dir, "slos", `${SVC.service}.yaml`), SLO);
  sink = await startHttpSink();
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
  await mkdir(join(dir, "secrets"));
  for (const team of ["payments", "platform"]) {
    await writeFile(join(dir, "secrets", `slack-${team}-url`), `${sink.url}/slack/${team}\n`);
  }
  [bed, am] = await Promise.all([
    startGateBed(["errors"]),
    startAlertmanager({ configFile: join(dir, "gen", "alertmanager", "alertmanager.yml") }),
  ]);
  gate = await startHarnessService({
    prometheusUrl: bed.prometheus.url,
    slosDir: join(dir, "slos"),
    configYaml: `notifications: { alertmanager: { urls: ["${am.url}"], resendInterval: 5s } }\n`,
  });
}, 180_000);

afterAll(async () => {
  await gate?.close();
  await Promise.all([am?.stop(), bed?.stop(), sink?.close()]);
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

const attachment = (r: SinkRequest): any =>
  ((r.json as { attachments?: unknown[] }).attachments ?? [])[0] ?? {};

describe("a failed canary in Slack through the generated Alertmanager routing", () => {
  it("arrives without the ticket group_wait, with every failing check's numbers, the analysis link and the runbook", async () => {
    // A plain ticket alert of the same team: held by the generated 5 m group_wait.
    const other = await fetch(`${am.url}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        {
          labels: { alertname: "SomethingElse", team: "payments", sloth_severity: "ticket", sloth_id: "x" },
          annotations: { summary: "held by group_wait" },
        },
      ]),
    });
    expect(other.status).toBe(200);

    let failed: any;
    for (let k = 1; k <= 10 && failed === undefined; k++) {
      const r = await postJson(`${gate.url}/api/v1/verdict`, {
        slo: `${SVC.service}-errors`,
        canary: SVC.canary,
        stable: SVC.stable,
        rollout: "shop/checkout",
        count: 10,
        start: BED_START,
        time: BED_START + k * 180,
      });
      expect(r.status).toBe(200);
      if (r.body.verdict === "fail") failed = r.body;
    }
    expect(failed?.verdict).toBe("fail");

    const firing = await sink.waitFor((r) => r.path === "/slack/payments", 30_000);
    const a = attachment(firing);
    expect(a.title).toBe(`[FIRING:1] SlogateCanaryFailed ${SVC.service}-errors`);
    expect(a.title_link).toBe(failed.link);
    const text = a.text as string;
    expect(text).toContain(`*Canary failed its SLO ${SVC.service}/errors (rollout shop/checkout):`);
    // One line per failing check: canary vs stable (vs limit), with the counts.
    const failing = (failed.checks as any[]).filter((c) => c.status === "fail");
    expect(failing.length).toBeGreaterThan(0);
    for (const c of failing) expect(text).toMatch(new RegExp(`• ${c.id}( \\(critical\\))?: canary \\d`));
    // The seeded scenario fails both checks: the objective's limit and stable.
    expect(failing.map((c) => c.id).sort()).toEqual(["errors-absolute", "errors-relative"]);
    expect(text).toMatch(/• errors-relative: canary [\d.]+% \(\d+\/\d+\) vs stable [\d.]+% \(\d+\/\d+\)/);
    expect(text).toMatch(/: canary [\d.]+% \(\d+\/\d+\) (vs stable [\d.]+% )?vs limit 1%/);
    expect(text).toContain(`<${failed.link}|Analysis ${failed.analysis.id}>`);
    expect(text).toContain(`<${RUNBOOK}|Runbook>`);
    // The link answers with the analysis.
    const detail = await fetch(failed.link, { headers: { Accept: "application/json" } });
    expect(detail.status).toBe(200);
    expect(((await detail.json()) as any).analysis.id).toBe(failed.analysis.id);
    // The plain ticket is still held by its group_wait.
    expect(sink.requests.filter((r) => String(attachment(r).title).includes("SomethingElse"))).toEqual([]);
  });
});
