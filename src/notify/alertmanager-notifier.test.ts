import { describe, expect, it } from "vitest";
import { AlertmanagerNotifier, resolves } from "./alertmanager-notifier.ts";
import { DEFAULT_DELIVERY_POLICY } from "../config/notify-config.ts";
import { parseNotifyConfig } from "../config/read-notifications.ts";
import { makeEvent, recordingLogger } from "./testdata/verdict-events.ts";
import { startHttpSink, type SinkRequest } from "../testbed/http-sink.ts";

describe("resolves (does an event end the canary alert raised by analysis an-1?)", () => {
  it.each([
    ["the failing analysis passes again", makeEvent({ verdict: "pass", analysisId: "an-1" }), true],
    [
      "the failing analysis ends inconclusive",
      makeEvent({ verdict: "inconclusive", analysisId: "an-1", final: true }),
      true,
    ],
    [
      "the failing analysis is promoted",
      makeEvent({ verdict: "pass", analysisId: "an-1", phase: "closed", outcome: "promoted" }),
      true,
    ],
    ["the failing analysis fails again", makeEvent({ verdict: "fail", analysisId: "an-1" }), false],
    [
      "the failing analysis is closed because of the failure",
      makeEvent({ verdict: "fail", analysisId: "an-1", phase: "closed", outcome: "rolled-back" }),
      false,
    ],
    [
      "a later analysis passes its final look",
      makeEvent({ verdict: "pass", analysisId: "an-2", final: true }),
      true,
    ],
    [
      "a later analysis is promoted",
      makeEvent({ verdict: "pass", analysisId: "an-2", phase: "closed", outcome: "promoted" }),
      true,
    ],
    [
      "a later analysis passes a look that is not final",
      makeEvent({ verdict: "pass", analysisId: "an-2" }),
      false,
    ],
    [
      "a later analysis ends inconclusive",
      makeEvent({ verdict: "inconclusive", analysisId: "an-2", final: true }),
      false,
    ],
  ])("%s: %s", (_n, event, expected) => {
    expect(resolves(event, "an-1")).toBe(expected);
  });
});

describe("AlertmanagerNotifier re-sending (against a local HTTP sink standing in for Alertmanager)", () => {
  it("re-sends a standing alert with endsAt pushed forward, and stops once it is stale", async () => {
    const sink = await startHttpSink();
    let clock = 1_800_000_000;
    const n = new AlertmanagerNotifier({
      config: {
        ...parseNotifyConfig({ alertmanager: { urls: [sink.url], resendInterval: "60s", staleAfter: "10m" } })
          .alertmanager!,
      },
      defaultTeam: "platform",
      policy: DEFAULT_DELIVERY_POLICY,
      logger: recordingLogger(),
      now: () => clock,
      onOutcome: () => {},
      onLengthChange: () => {},
    });
    try {
      const endsAt = (r: SinkRequest): string[] => (r.json as { endsAt: string }[]).map((a) => a.endsAt);
      n.handle(makeEvent({ verdict: "fail", at: clock }));
      n.handle(makeEvent({ verdict: "fail", phase: "closed", outcome: "rolled-back", at: clock }));
      await sink.waitFor(() => sink.requests.length === 1);
      expect(endsAt(sink.requests[0]!)).toEqual([new Date((clock + 240) * 1000).toISOString()]);

      clock += 60;
      n.resendFiring();
      await sink.waitFor(() => sink.requests.length === 2);
      expect(endsAt(sink.requests[1]!)).toEqual([new Date((clock + 240) * 1000).toISOString()]);

      clock += 601;
      n.resendFiring();
      expect(n.firingCount).toBe(0);
      await new Promise((r) => setTimeout(r, 100));
      expect(sink.requests).toHaveLength(2);
      expect(sink.requests.every((r) => r.path === "/api/v2/alerts" && r.method === "POST")).toBe(true);
    } finally {
      await n.close();
      await sink.close();
    }
  });
});
