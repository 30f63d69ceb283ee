/**
 * @module notify/slack-message
 * The Slack Block Kit message for a verdict change of an analysis: a header saying what
 * happened, fields (verdict and score, SLO and objective, rollout, analysis), the judge's
 * reason, each failing check with its numbers, and a button to the analysis. Respects Block
 * Kit's limits (header 150 chars, section text 3000, 10 fields, 50 blocks). Pure.
 */
import type { VerdictEvent } from "../domain/verdict-event.ts";
import type { Verdict } from "../domain/verdict.ts";
import { countedChecks, failingChecks, formatEvidence, formatNumber } from "./check-evidence.ts";

/** Why a message is sent. */
export type SlackChange = { readonly kind: "verdict"; readonly from: Verdict } | { readonly kind: "closed" };

interface PlainText {
  readonly type: "plain_text";
  readonly text: string;
  readonly emoji?: boolean;
}
interface Mrkdwn {
  readonly type: "mrkdwn";
  readonly text: string;
}
/** The Block Kit blocks slogate uses (a subset of Slack's `KnownBlock`). */
export type SlackBlock =
  | { readonly type: "header"; readonly text: PlainText }
  | { readonly type: "section"; readonly text?: Mrkdwn; readonly fields?: readonly Mrkdwn[] }
  | { readonly type: "context"; readonly elements: readonly Mrkdwn[] }
  | { readonly type: "divider" }
  | {
      readonly type: "actions";
      readonly elements: readonly {
        readonly type: "button";
        readonly text: PlainText;
        readonly url: string;
        readonly action_id: string;
      }[];
    };

/** A webhook payload: `text` is the notification fallback, `blocks` the rendered message. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: SlackBlock[];
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function mrkdwn(text: string, max = 3000): Mrkdwn {
  return { type: "mrkdwn", text: clip(text, max) };
}

const VERDICT_ICON: Record<Verdict, string> = {
  fail: ":red_circle:",
  pass: ":large_green_circle:",
  inconclusive: ":white_circle:",
  nodata: ":black_circle:",
};

const OUTCOME_TEXT: Record<NonNullable<VerdictEvent["outcome"]>, { icon: string; text: string }> = {
  promoted: { icon: ":rocket:", text: "promoted" },
  "rolled-back": { icon: ":rewind:", text: "rolled back" },
  aborted: { icon: ":no_entry:", text: "aborted" },
  expired: { icon: ":hourglass:", text: "expired" },
};

/** The one-line headline (also the notification text). */
export function slackHeadline(event: VerdictEvent, change: SlackChange): string {
  const where = `${event.slo.service}/${event.slo.name}`;
  const v = event.verdict.verdict;
  if (change.kind === "closed") {
    const o = OUTCOME_TEXT[event.outcome ?? "expired"];
    return `${o.icon} Canary ${o.text}: ${where} (last verdict ${v})`;
  }
  if (v === "fail") return `${VERDICT_ICON.fail} Canary failed: ${where}`;
  if (v === "pass")
    return `${VERDICT_ICON.pass} Canary ${change.from === "fail" ? "recovered" : "passing"}: ${where}`;
  return `${VERDICT_ICON.inconclusive} Canary inconclusive: ${where}`;
}

function isHttpUrl(s: string): boolean {
  return /^https?:\/\/\S+$/.test(s) && s.length <= 3000;
}

/** Builds the message for `event`. `maxChecks` bounds how many failing checks are listed. */
export function buildSlackMessage(event: VerdictEvent, change: SlackChange, maxChecks = 10): SlackMessage {
  const v = event.verdict;
  const headline = slackHeadline(event, change);
  const failing = failingChecks(v);
  const counted = countedChecks(v);
  const link = isHttpUrl(event.link) ? event.link : undefined;

  const fields: Mrkdwn[] = [
    mrkdwn(
      `*Verdict*\n\`${v.verdict}\`${change.kind === "verdict" && change.from !== v.verdict ? ` (was \`${change.from}\`)` : ""}` +
        ` · score ${formatNumber(v.score)}${v.final ? " · final" : ""}`,
      2000,
    ),
    mrkdwn(
      `*SLO*\n\`${escapeMrkdwn(event.slo.id)}\` · ${formatNumber(event.slo.objectivePercent)}% ${escapeMrkdwn(event.slo.kind)}`,
      2000,
    ),
  ];
  if (event.rollout !== undefined) {
    fields.push(
      mrkdwn(
        `*Rollout*\n\`${escapeMrkdwn(event.rollout)}\`${event.controller === undefined ? "" : ` (${event.controller})`}`,
        2000,
      ),
    );
  }
  fields.push(
    mrkdwn(
      `*Analysis*\n${link === undefined ? "" : `<${link}|`}${escapeMrkdwn(event.analysisId)}${link === undefined ? "" : ">"}`,
      2000,
    ),
  );
  if (event.phase === "closed" && event.outcome !== undefined) {
    fields.push(mrkdwn(`*Outcome*\n${OUTCOME_TEXT[event.outcome].text}`, 2000));
  }
  fields.push(mrkdwn(`*Judge*\n${v.judge}`, 2000));

  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: clip(headline, 150), emoji: true } },
    { type: "section", fields: fields.slice(0, 10) },
    { type: "section", text: mrkdwn(escapeMrkdwn(v.reason === "" ? "(no reason given)" : v.reason)) },
  ];

  if (failing.length > 0) {
    blocks.push({ type: "divider" });
    blocks.push({
      type: "section",
      text: mrkdwn(`*Failing checks* (${failing.length} of ${counted.length})`),
    });
    for (const c of failing.slice(0, maxChecks)) {
      const ev = formatEvidence(c.evidence);
      blocks.push({
        type: "section",
        text: mrkdwn(
          `*${escapeMrkdwn(c.id)}*${c.critical ? " (critical)" : ""} · ${c.kind}\n${escapeMrkdwn(c.reason)}` +
            (ev === "" ? "" : `\n\`${escapeMrkdwn(ev)}\``),
        ),
      });
    }
    if (failing.length > maxChecks) {
      blocks.push({
        type: "context",
        elements: [mrkdwn(`…and ${failing.length - maxChecks} more failing checks`)],
      });
    }
  }

  if (link !== undefined) {
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          text: { type: "plain_text", text: "Open analysis" },
          url: link,
          action_id: "open-analysis",
        },
      ],
    });
  }
  blocks.push({
    type: "context",
    elements: [mrkdwn(`slogate · ${new Date(Math.round(event.at * 1000)).toISOString()}`)],
  });

  const summary =
    failing.length > 0
      ? ` — ${failing.length} of ${counted.length} checks failing (score ${formatNumber(v.score)})`
      : "";
  return { text: clip(`${headline}${summary}`, 3000), blocks };
}
