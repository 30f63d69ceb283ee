import { describe, expect, it } from "vitest";
import { resolves } from "./alertmanager-notifier.ts";
import { makeEvent } from "../../test/notify/verdict-events.ts";

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
