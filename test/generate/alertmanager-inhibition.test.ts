/**
 * The generated Alertmanager configuration loaded into a real Alertmanager (0.25, test bed):
 * a page of an SLO inhibits the tickets of the same SLO (`sloth_id`) and of nothing else, and
 * each alert is routed to its team's receiver for its tier. The Slack URL files point at a
 * local address (`--slack-url-file`); no notification needs to be delivered for these checks.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultGenerateOptions, generateArtifacts } from "../../src/generate/generate-artifacts.ts";
import {
  startAlertmanager,
  type AlertmanagerInstance,
  type GettableAlert,
} from "../../src/testbed/alertmanager.ts";
import { buildSlo } from "../../src/generate/testdata/hand-built-slos.ts";

const slos = [
  buildSlo("checkout", "availability", { labels: { team: "payments" } }),
  buildSlo("checkout", "latency", { labels: { team: "payments" } }),
];

let dir = "";
let am: AlertmanagerInstance | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slogate-am-inhibit-"));
  const options = { ...defaultGenerateOptions, slackUrlFile: join(dir, "slack-{team}-url") };
  for (const team of ["payments", "platform"])
    await writeFile(join(dir, `slack-${team}-url`), "http://127.0.0.1:9/slack\n");
  const config = generateArtifacts(slos, options).find(
    (f) => f.path === "alertmanager/alertmanager.yml",
  )!.content;
  am = await startAlertmanager({ configYaml: config });
}, 60_000);
afterAll(async () => {
  await am?.stop();
  await rm(dir, { recursive: true, force: true });
});

function alert(alertname: string, labels: Record<string, string>): Record<string, unknown> {
  return {
    labels: { alertname, ...labels },
    annotations: { summary: alertname },
    startsAt: new Date().toISOString(),
  };
}

describe("generated routing and inhibition in a real Alertmanager", () => {
  it("mutes the ticket of the paged SLO only, and routes each alert to its team and tier", async () => {
    const base = { team: "payments", sloth_service: "checkout" };
    const res = await fetch(`${am!.url}/api/v2/alerts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify([
        alert("CheckoutAvailabilityErrorBudgetBurn", {
          ...base,
          sloth_id: "checkout-availability",
          sloth_severity: "page",
          severity: "page",
        }),
        alert("CheckoutAvailabilityErrorBudgetBurn", {
          ...base,
          sloth_id: "checkout-availability",
          sloth_severity: "ticket",
          severity: "ticket",
        }),
        alert("SlogateCanaryVerdictFail", {
          ...base,
          sloth_id: "checkout-availability",
          sloth_severity: "ticket",
          service: "checkout",
          slo: "availability",
        }),
        alert("CheckoutLatencyErrorBudgetBurn", {
          ...base,
          sloth_id: "checkout-latency",
          sloth_severity: "ticket",
          severity: "ticket",
        }),
        alert("SlogateSloConfigInvalid", { team: "platform", sloth_severity: "ticket" }),
      ]),
    });
    expect(res.status).toBe(200);
    const expected = [
      "CheckoutAvailabilityErrorBudgetBurn checkout-availability page: active -> slack-payments-page",
      "CheckoutAvailabilityErrorBudgetBurn checkout-availability ticket: suppressed -> slack-payments-ticket",
      "CheckoutLatencyErrorBudgetBurn checkout-latency ticket: active -> slack-payments-ticket",
      "SlogateCanaryVerdictFail checkout-availability ticket: suppressed -> slack-payments-ticket",
      "SlogateSloConfigInvalid - ticket: active -> slack-platform-ticket",
    ];
    // Alertmanager's inhibitor learns of alerts from its own subscription, asynchronously
    // (inhibit/inhibit.go, Inhibitor.run), while GET /api/v2/alerts works out each alert's
    // state on the spot: a ticket read before the inhibitor has seen its page reads "active"
    // for a moment. So the view is read until it matches (bounded), then read again to show
    // it stays.
    const view = async (): Promise<string[]> =>
      (await am!.alerts())
        .map(
          (a: GettableAlert) =>
            `${a.labels["alertname"]} ${a.labels["sloth_id"] ?? "-"} ${a.labels["sloth_severity"]}: ${a.status.state} -> ${a.receivers.map((r) => r.name).join(",")}`,
        )
        .sort();
    let seen: string[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      seen = await view();
      if (JSON.stringify(seen) === JSON.stringify(expected)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(seen).toEqual(expected);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await view()).toEqual(expected);
  });
});
