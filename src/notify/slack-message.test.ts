import { describe, expect, it } from "vitest";
import { buildSlackMessage, escapeMrkdwn, slackHeadline, type SlackBlock } from "./slack-message.ts";
import { makeEvent, makeSlo } from "./testdata/verdict-events.ts";

function sectionTexts(blocks: readonly SlackBlock[]): string[] {
  return blocks.flatMap((b) =>
    b.type === "section"
      ? [...(b.text === undefined ? [] : [b.text.text]), ...(b.fields ?? []).map((f) => f.text)]
      : [],
  );
}

describe("slackHeadline", () => {
  it.each([
    [
      "a failing look",
      makeEvent({ verdict: "fail" }),
      { kind: "verdict", from: "pass" } as const,
      ":red_circle: Canary failed: checkout/availability",
    ],
    [
      "a recovery",
      makeEvent({ verdict: "pass" }),
      { kind: "verdict", from: "fail" } as const,
      ":large_green_circle: Canary recovered: checkout/availability",
    ],
    [
      "an inconclusive final look",
      makeEvent({ verdict: "inconclusive", final: true }),
      { kind: "verdict", from: "pass" } as const,
      ":white_circle: Canary inconclusive: checkout/availability",
    ],
    [
      "a rollback",
      makeEvent({ verdict: "fail", phase: "closed", outcome: "rolled-back" }),
      { kind: "closed" } as const,
      ":rewind: Canary rolled back: checkout/availability (last verdict fail)",
    ],
    [
      "a promotion",
      makeEvent({ verdict: "pass", phase: "closed", outcome: "promoted" }),
      { kind: "closed" } as const,
      ":rocket: Canary promoted: checkout/availability (last verdict pass)",
    ],
  ])("says what happened for %s", (_n, event, change, expected) => {
    expect(slackHeadline(event, change)).toBe(expected);
  });
});

describe("buildSlackMessage", () => {
  const msg = buildSlackMessage(makeEvent({ verdict: "fail", previous: "pass" }), {
    kind: "verdict",
    from: "pass",
  });

  it("starts with a header and carries verdict, SLO, rollout and analysis link as fields", () => {
    expect(msg.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: ":red_circle: Canary failed: checkout/availability", emoji: true },
    });
    const fields = msg.blocks[1]?.type === "section" ? (msg.blocks[1].fields ?? []).map((f) => f.text) : [];
    expect(fields).toEqual([
      "*Verdict*\n`fail` (was `pass`) · score 33.33",
      "*SLO*\n`checkout-availability` · 99.9% error-rate",
      "*Rollout*\n`shop/checkout` (argo)",
      "*Analysis*\n<http://slogate.example:8080/api/v1/analyses/an-1|an-1>",
      "*Judge*\nsequential",
    ]);
  });

  it("lists the failing checks, critical first, with their numbers", () => {
    const texts = sectionTexts(msg.blocks);
    expect(texts).toContain("*Failing checks* (2 of 3)");
    const checks = texts.filter((t) => t.startsWith("*errors-"));
    expect(checks[0]).toBe(
      "*errors-absolute* (critical) · absolute\ncanary bad-event rate 2.1% exceeds the SLO's 0.1% budget rate\n" +
        "`canary_ratio=0.021, objective_ratio=0.001, upper_bound=0.0262, lower_bound=0.0163`",
    );
    expect(checks[1]).toContain("`canary_bad=63, canary_total=3000, stable_bad=120, stable_total=30000");
    expect(checks[1]).toContain("e_value=48.21");
    expect(checks).toHaveLength(2);
  });

  it("ends with a button to the analysis and a context line with the time", () => {
    expect(msg.blocks.at(-2)).toEqual({
      type: "actions",
      elements: [
        {
          type: "button",
          text: { type: "plain_text", text: "Open analysis" },
          url: "http://slogate.example:8080/api/v1/analyses/an-1",
          action_id: "open-analysis",
        },
      ],
    });
    expect(msg.blocks.at(-1)).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "slogate · 2026-11-18T11:06:40.000Z" }],
    });
  });

  it("has a plain-text fallback with the numbers", () => {
    expect(msg.text).toBe(
      ":red_circle: Canary failed: checkout/availability — 2 of 3 checks failing (score 33.33)",
    );
  });

  it("lists no checks when nothing failed", () => {
    const ok = buildSlackMessage(makeEvent({ verdict: "pass" }), { kind: "verdict", from: "fail" });
    expect(sectionTexts(ok.blocks).some((t) => t.includes("Failing checks"))).toBe(false);
  });

  it("bounds the listed checks and says how many were left out", () => {
    const m = buildSlackMessage(makeEvent({ verdict: "fail" }), { kind: "verdict", from: "pass" }, 1);
    expect(sectionTexts(m.blocks).filter((t) => t.startsWith("*errors-"))).toHaveLength(1);
    expect(m.blocks).toContainEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "…and 1 more failing checks" }],
    });
  });

  it("escapes user text and leaves out a button for a non-http link", () => {
    const slo = makeSlo({ service: "a<b>", name: "c&d" });
    const e = { ...makeEvent({ verdict: "fail", slo }), link: "not a url", rollout: "<!channel>" };
    const m = buildSlackMessage(e, { kind: "verdict", from: "pass" });
    const texts = sectionTexts(m.blocks).join("\n");
    expect(texts).toContain("`a&lt;b&gt;-c&amp;d`");
    expect(texts).toContain("`&lt;!channel&gt;`");
    expect(m.blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("keeps the header within Block Kit's 150 characters", () => {
    const slo = makeSlo({ name: "x".repeat(300) });
    const m = buildSlackMessage(makeEvent({ verdict: "fail", slo }), { kind: "verdict", from: "pass" });
    const header = m.blocks[0];
    expect(header?.type === "header" ? header.text.text.length : 0).toBe(150);
  });

  it("escapes &, < and > only", () => {
    expect(escapeMrkdwn("a & <b> *c*")).toBe("a &amp; &lt;b&gt; *c*");
  });
});
