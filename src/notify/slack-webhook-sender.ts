/**
 * @module notify/slack-webhook-sender
 * Posts one message to a Slack incoming webhook with `@slack/webhook`, its own retries turned
 * off (the delivery queue retries, with backoff and `Retry-After`), and its errors turned into
 * NOTIFY_FAILED with the retry information. The webhook URL is a secret: it may come from a
 * file (re-read at every send, so a rotated secret is picked up) and is never logged.
 */
import { readFile } from "node:fs/promises";
import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } from "@slack/webhook";
import type { SlackWebhookSource } from "../config/notify-config.ts";
import type { SlackMessage } from "./slack-message.ts";
import { deliveryFailure, describeError, httpFailure } from "./delivery-failure.ts";

/** Defaults added to every message of a route. */
export interface SlackSendDefaults {
  readonly channel?: string;
  readonly username?: string;
  readonly iconEmoji?: string;
}

/** Resolves the webhook URL of `source`; rejects with NOTIFY_FAILED (retryable: a secret may be mounted late). */
export async function resolveWebhookUrl(source: SlackWebhookSource): Promise<string> {
  if ("url" in source) return source.url;
  let text: string;
  try {
    text = await readFile(source.file, "utf8");
  } catch (e) {
    throw deliveryFailure(
      `cannot read Slack webhook URL file ${source.file}: ${describeError(e)}`,
      { retryable: true },
      e,
    );
  }
  const url = text.trim();
  if (!/^https?:\/\/\S+$/.test(url)) {
    throw deliveryFailure(`Slack webhook URL file ${source.file} does not hold an http(s) URL`, {
      retryable: false,
    });
  }
  return url;
}

/** Sends `message`; `signal` carries the request timeout and shutdown. Rejects with NOTIFY_FAILED. */
export async function sendSlackMessage(
  source: SlackWebhookSource,
  message: SlackMessage,
  defaults: SlackSendDefaults,
  signal: AbortSignal,
): Promise<void> {
  const url = await resolveWebhookUrl(source);
  let retryAfter: string | null = null;
  const webhook = new IncomingWebhook(url, {
    retryConfig: { retries: 0 },
    // Our fetch: adds the queue's signal and keeps `Retry-After`, which the library's error drops.
    fetch: async (u, init) => {
      const res = await fetch(u, {
        ...init,
        signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal,
      });
      retryAfter = res.headers.get("retry-after");
      return res;
    },
    ...(defaults.channel === undefined ? {} : { channel: defaults.channel }),
    ...(defaults.username === undefined ? {} : { username: defaults.username }),
    ...(defaults.iconEmoji === undefined ? {} : { icon_emoji: defaults.iconEmoji }),
  });
  try {
    await webhook.send({ text: message.text, blocks: message.blocks });
  } catch (e) {
    if (e instanceof IncomingWebhookHTTPError) {
      throw httpFailure("Slack webhook", e.statusCode, e.body, retryAfter, Date.now());
    }
    const original = e instanceof IncomingWebhookRequestError ? e.original : e;
    throw deliveryFailure(`Slack webhook unreachable: ${describeError(original)}`, { retryable: true }, e);
  }
}
