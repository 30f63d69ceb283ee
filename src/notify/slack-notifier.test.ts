import { describe, expect, it } from "vitest";
import { selectSlackRoute, slackChangeFor } from "./slack-notifier.ts";
import type { SlackRoute } from "../config/notify-config.ts";
import { makeEvent, makeSlo } from "./testdata/verdict-events.ts";

describe("slackChangeFor", () => {
  const at = (verdict: "pass" | "fail", t: number) => ({ verdict, at: t });
  it.each([
    ["a first look that passes is quiet", makeEvent({ verdict: "pass" }), undefined, undefined],
    [
      "a first look that fails is announced",
      makeEvent({ verdict: "fail" }),
      undefined,
      { kind: "verdict", from: "pass" },
    ],
    [
      "a fail after a pass is announced",
      makeEvent({ verdict: "fail", previous: "pass" }),
      undefined,
      { kind: "verdict", from: "pass" },
    ],
    [
      "a fail after an announced fail is quiet",
      makeEvent({ verdict: "fail", previous: "fail" }),
      at("fail", 1),
      undefined,
    ],
    [
      "a fail after a fail known only from the event (restart) is quiet",
      makeEvent({ verdict: "fail", previous: "fail" }),
      undefined,
      undefined,
    ],
    [
      "a pass after an announced fail is a recovery",
      makeEvent({ verdict: "pass", previous: "fail" }),
      at("fail", 1),
      { kind: "verdict", from: "fail" },
    ],
    [
      "what was announced wins over the event's previous",
      makeEvent({ verdict: "fail", previous: "fail" }),
      at("pass", 1),
      { kind: "verdict", from: "pass" },
    ],
    [
      "a final inconclusive is announced",
      makeEvent({ verdict: "inconclusive", previous: "pass", final: true }),
      undefined,
      { kind: "verdict", from: "pass" },
    ],
    [
      "a clean promotion is quiet",
      makeEvent({ verdict: "pass", phase: "closed", outcome: "promoted", previous: "pass" }),
      undefined,
      undefined,
    ],
    [
      "a promotion after an announced recovery is announced",
      makeEvent({ verdict: "pass", phase: "closed", outcome: "promoted", at: 900 }),
      at("pass", 600),
      { kind: "closed" },
    ],
    [
      "the close right after the announced failing look is not announced again",
      makeEvent({ verdict: "fail", phase: "closed", outcome: "rolled-back", at: 600 }),
      at("fail", 600),
      undefined,
    ],
    [
      "a later close of an analysis that failed earlier is announced",
      makeEvent({ verdict: "fail", phase: "closed", outcome: "aborted", at: 900 }),
      at("fail", 600),
      { kind: "closed" },
    ],
    [
      "a rollback nothing was announced for is announced",
      makeEvent({ verdict: "fail", phase: "closed", outcome: "rolled-back" }),
      undefined,
      { kind: "closed" },
    ],
    [
      "an expired analysis is announced",
      makeEvent({ verdict: "pass", phase: "closed", outcome: "expired" }),
      undefined,
      { kind: "closed" },
    ],
  ] as const)("%s", (_n, event, last, expected) => {
    expect(slackChangeFor(event, last, false)).toEqual(expected);
  });

  it("announces clean promotions when configured to", () => {
    const e = makeEvent({ verdict: "pass", phase: "closed", outcome: "promoted" });
    expect(slackChangeFor(e, undefined, true)).toEqual({ kind: "closed" });
  });
});

describe("selectSlackRoute", () => {
  const route = (name: string, match: SlackRoute["match"]): SlackRoute => ({
    name,
    match,
    webhook: { url: `http://x/${name}` },
  });
  const routes = [
    route("checkout-latency", { service: "checkout", slo: "latency" }),
    route("payments", { team: "Payments" }),
    route("by-id", { slo: "search-availability" }),
    route("default", {}),
  ];
  it.each([
    [
      "an SLO matched by service and name",
      makeSlo({ name: "latency", team: "payments" }),
      "checkout-latency",
    ],
    ["a team (compared as the generated routing sanitizes it)", makeSlo({ team: "payments" }), "payments"],
    ["an SLO matched by its id", makeSlo({ service: "search" }), "by-id"],
    ["anything else, by the default", makeSlo({ service: "other", team: "web" }), "default"],
  ])("routes %s", (_n, slo, expected) => {
    expect(selectSlackRoute(routes, makeEvent({ verdict: "fail", slo }), "platform")?.name).toBe(expected);
  });

  it("finds nothing when no route matches and there is no default", () => {
    expect(
      selectSlackRoute(
        routes.slice(0, 2),
        makeEvent({ verdict: "fail", slo: makeSlo({ service: "x" }) }),
        "platform",
      ),
    ).toBeUndefined();
  });
});
