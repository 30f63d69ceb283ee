/**
 * @module notify/slack-notifier
 * Turns verdict events into Slack messages: one per verdict CHANGE of an analysis (not per
 * look), plus one when the analysis closes, unless it was a clean promotion with nothing
 * announced before (those are announced only with `announcePromotions`). Routes each message to the first configured route whose
 * `match` (service, SLO, team) fits, and delivers through one bounded queue per route.
 *
 * Change detection: the last verdict announced for the analysis and SLO if this process
 * announced one, else the event's `previous` verdict (so a restart does not repeat or miss a
 * change), else `pass` (a first look that passes is quiet). A close right after the look that
 * decided it (same verdict, same look time) is not announced again. With `shared` (several
 * replicas, outbox queues) only the stored `previous` verdict counts, and messages are keyed
 * by analysis, SLO and look time so the outbox holds each once.
 */
import type { Logger, VerdictEvent } from "../domain/verdict-event.ts";
import type { Verdict } from "../domain/verdict.ts";
import type { DeliveryPolicy, SlackNotifyConfig, SlackRoute } from "../config/notify-config.ts";
import {
  inMemoryQueues,
  type DeliveryOutcome,
  type NotifyQueue,
  type NotifyQueueFactory,
} from "./delivery-queue.ts";
import { buildSlackMessage, type SlackChange, type SlackMessage } from "./slack-message.ts";
import { sendSlackMessage } from "./slack-webhook-sender.ts";
import { sanitizeTeam, sloTeam } from "./slo-team.ts";

/** Analyses remembered for change detection; the oldest are forgotten beyond this. */
const MAX_TRACKED = 10_000;

export interface SlackNotifierDeps {
  readonly config: SlackNotifyConfig;
  readonly defaultTeam: string;
  readonly policy: DeliveryPolicy;
  readonly logger: Logger;
  readonly onOutcome: (outcome: DeliveryOutcome, count: number) => void;
  readonly onLengthChange: () => void;
  /** Queues of the routes (in memory by default; the store's outbox for several replicas). */
  readonly queues?: NotifyQueueFactory;
  /**
   * Several replicas share the verdict stream: decide changes on the event's `previous`
   * verdict (from the store) only, not on what this replica happened to announce.
   */
  readonly shared?: boolean;
}

/** The first route matching `event`, or undefined. */
export function selectSlackRoute(
  routes: readonly SlackRoute[],
  event: VerdictEvent,
  defaultTeam: string,
): SlackRoute | undefined {
  const team = sloTeam(event.slo, defaultTeam);
  return routes.find((r) => {
    const m = r.match;
    if (m.service !== undefined && m.service !== event.slo.service) return false;
    if (m.slo !== undefined && m.slo !== event.slo.name && m.slo !== event.slo.id) return false;
    if (m.team !== undefined && sanitizeTeam(m.team) !== team) return false;
    return true;
  });
}

/** What was last announced for an analysis and SLO: the verdict and the time of its look. */
export interface Announced {
  readonly verdict: Verdict;
  readonly at: number;
}

/**
 * Decides whether `event` is worth a message given what was last announced (undefined when
 * nothing was). Pure; exported for tests.
 */
export function slackChangeFor(
  event: VerdictEvent,
  last: Announced | undefined,
  announcePromotions: boolean,
): SlackChange | undefined {
  const v = event.verdict.verdict;
  if (event.phase === "closed") {
    // The service closes an analysis right after the look that decided it (a fail, a final
    // pass): when that look's message went out, the close adds nothing.
    if (last !== undefined && last.verdict === v && last.at === event.at) return undefined;
    const eventful =
      last !== undefined ||
      event.outcome !== "promoted" ||
      v !== "pass" ||
      (event.previous !== undefined && event.previous !== "pass");
    return eventful || announcePromotions ? { kind: "closed" } : undefined;
  }
  const from = last?.verdict ?? event.previous ?? "pass";
  return v === from ? undefined : { kind: "verdict", from };
}

/** Slack delivery for all routes. */
export class SlackNotifier {
  readonly #d: SlackNotifierDeps;
  readonly #queues = new Map<string, NotifyQueue<SlackMessage>>();
  readonly #announced = new Map<string, Announced>();
  #seq = 0;

  constructor(deps: SlackNotifierDeps) {
    this.#d = deps;
    for (const route of deps.config.routes) {
      const defaults = {
        ...(route.channel === undefined ? {} : { channel: route.channel }),
        ...(deps.config.username === undefined ? {} : { username: deps.config.username }),
        ...(deps.config.iconEmoji === undefined ? {} : { iconEmoji: deps.config.iconEmoji }),
      };
      this.#queues.set(
        route.name,
        (deps.queues ?? inMemoryQueues)<SlackMessage>({
          target: "slack",
          destination: deps.shared === true ? `slack:${route.name}` : `slack route ${route.name}`,
          policy: deps.policy,
          batchSize: 1,
          deliver: async (items, signal) => {
            for (const m of items) await sendSlackMessage(route.webhook, m, defaults, signal);
          },
          onOutcome: deps.onOutcome,
          onLengthChange: deps.onLengthChange,
          logger: deps.logger,
        }),
      );
    }
  }

  /** Messages waiting or in flight, all routes. */
  get queueLength(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  /** Handles one event synchronously (queues at most one message). */
  handle(event: VerdictEvent): void {
    const key = `${event.analysisId}\u0000${event.slo.id}`;
    const last = this.#d.shared === true ? undefined : this.#announced.get(key);
    const change = slackChangeFor(event, last, this.#d.config.announcePromotions);
    if (event.phase === "closed") this.#announced.delete(key);
    else if (change !== undefined) this.#remember(key, { verdict: event.verdict.verdict, at: event.at });
    if (change === undefined) return;
    const planned = this.#message(event, change);
    if (planned === undefined) return;
    const messageKey = this.#d.shared === true ? planned.key : `m${++this.#seq}`;
    this.#queues.get(planned.route)?.enqueue(messageKey, planned.message);
  }

  /**
   * Shared mode: the message `event` calls for (route, outbox key, message) without queueing
   * it, to be written with the look; `handle` queueing it again is a no-op (same key).
   */
  plan(event: VerdictEvent): { route: string; key: string; message: SlackMessage } | undefined {
    const change = slackChangeFor(event, undefined, this.#d.config.announcePromotions);
    return change === undefined ? undefined : this.#message(event, change);
  }

  #message(
    event: VerdictEvent,
    change: SlackChange,
  ): { route: string; key: string; message: SlackMessage } | undefined {
    const route = selectSlackRoute(this.#d.config.routes, event, this.#d.defaultTeam);
    if (route === undefined) {
      this.#d.logger.debug("no Slack route for verdict change", {
        slo: event.slo.id,
        analysis: event.analysisId,
      });
      return undefined;
    }
    // One key per analysis, SLO and look time: the message of the deciding look and the
    // close right after it share a key, and an outbox keeps only the first.
    return {
      route: route.name,
      key: JSON.stringify([event.analysisId, event.slo.id, event.at]),
      message: buildSlackMessage(event, change, this.#d.config.maxChecks),
    };
  }

  /** Flushes within the close timeout, then drops the rest. */
  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
  }

  #remember(key: string, v: Announced): void {
    this.#announced.delete(key);
    this.#announced.set(key, v);
    if (this.#announced.size > MAX_TRACKED) {
      const oldest = this.#announced.keys().next().value;
      if (oldest !== undefined) this.#announced.delete(oldest);
    }
  }
}
