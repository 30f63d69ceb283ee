/**
 * @module notify/notifier
 * The composition of slogate's notifications: `createNotifier(config, deps)` returns a
 * `VerdictListener` for the service to call after every look and on close, and a `close()`
 * for shutdown. The listener only updates in-memory state and queues work: it never awaits,
 * never throws (a bad event is logged and ignored), and delivery failures never reach the
 * verdict path — they are retried, counted in `/metrics` and logged.
 *
 * ```ts
 * const notifier = createNotifier(config.notifications, { registry, logger });
 * service.onVerdict(notifier.listener);
 * // on shutdown:
 * await notifier.close();
 * ```
 */
import type { Registry } from "prom-client";
import type { Logger, VerdictEvent, VerdictListener } from "../domain/verdict-event.ts";
import type { NotifyConfig } from "../config/notify-config.ts";
import type { OutboxInput, Store } from "../app/store-port.ts";
import { inMemoryQueues, type NotifyQueueFactory, type NotifyTarget } from "./delivery-queue.ts";
import { OutboxQueue } from "./outbox-queue.ts";
import { AlertmanagerNotifier } from "./alertmanager-notifier.ts";
import { SlackNotifier } from "./slack-notifier.ts";
import { createNotifyMetrics } from "./notify-metrics.ts";
import { describeError } from "./delivery-failure.ts";

export type { NotifyConfig } from "../config/notify-config.ts";
/** Reads a `notifications:` section given as plain data (re-exported for callers building a notifier by hand). */
export { parseNotifyConfig } from "../config/read-notifications.ts";

export interface NotifierDeps {
  /** The service's registry (`/metrics`). */
  readonly registry: Registry;
  readonly logger: Logger;
  /** Unix seconds; defaults to the wall clock. */
  readonly now?: () => number;
  /**
   * Deliver through the store's outbox (several replicas, or surviving restarts): each
   * notification is kept once and delivered by one replica; firing alerts live in the store.
   */
  readonly outbox?: {
    readonly store: Store;
    /** This replica's name in claims and leases. */
    readonly owner: string;
    /** Seconds between outbox polls (default 1). */
    readonly pollSeconds?: number;
  };
}

export interface Notifier {
  /** Give to the service: called synchronously with every verdict event. */
  readonly listener: VerdictListener;
  /**
   * With an outbox: the notifications of `event` as outbox rows, for the use case to write in
   * the same transaction as the look (Slack messages; Alertmanager alerts follow the stored
   * firing state through the listener). Never throws: a bad event plans nothing.
   */
  readonly plan?: (event: VerdictEvent) => OutboxInput[];
  /** Notifications not yet delivered, per target. */
  queueLength(target: NotifyTarget): number;
  /** Stops timers, flushes queues within `delivery.closeTimeout`, drops (and counts) the rest. */
  close(): Promise<void>;
}

/** Builds the notifier of `config` (targets not configured are simply absent). */
export function createNotifier(config: NotifyConfig, deps: NotifierDeps): Notifier {
  const now = deps.now ?? ((): number => Date.now() / 1000);
  const targets: NotifyTarget[] = [];
  if (config.alertmanager !== undefined) targets.push("alertmanager");
  if (config.slack !== undefined) targets.push("slack");
  const metrics = createNotifyMetrics(deps.registry, targets);
  const outbox = deps.outbox;
  const queues: NotifyQueueFactory =
    outbox === undefined
      ? inMemoryQueues
      : (o) =>
          new OutboxQueue({
            ...o,
            outbox: outbox.store,
            owner: outbox.owner,
            ...(outbox.pollSeconds === undefined ? {} : { pollSeconds: outbox.pollSeconds }),
          });

  const handlers: [NotifyTarget, (e: VerdictEvent) => void][] = [];
  let alertmanager: AlertmanagerNotifier | undefined;
  let slack: SlackNotifier | undefined;
  const queueLength = (target: NotifyTarget): number =>
    (target === "alertmanager" ? alertmanager?.queueLength : slack?.queueLength) ?? 0;

  if (config.alertmanager !== undefined) {
    const am = new AlertmanagerNotifier({
      config: config.alertmanager,
      defaultTeam: config.defaultTeam,
      policy: config.delivery,
      logger: deps.logger,
      now,
      onOutcome: (outcome, n) => metrics.count("alertmanager", outcome, n),
      onLengthChange: () => metrics.setQueueLength("alertmanager", queueLength("alertmanager")),
      queues,
      ...(outbox === undefined ? {} : { shared: { store: outbox.store, owner: outbox.owner } }),
    });
    alertmanager = am;
    handlers.push(["alertmanager", (e) => am.handle(e)]);
  }
  if (config.slack !== undefined) {
    const sl = new SlackNotifier({
      config: config.slack,
      defaultTeam: config.defaultTeam,
      policy: config.delivery,
      logger: deps.logger,
      onOutcome: (outcome, n) => metrics.count("slack", outcome, n),
      onLengthChange: () => metrics.setQueueLength("slack", queueLength("slack")),
      queues,
      shared: outbox !== undefined,
    });
    slack = sl;
    handlers.push(["slack", (e) => sl.handle(e)]);
  }

  let closed = false;
  const listener: VerdictListener = (event) => {
    if (closed) return;
    for (const [target, handle] of handlers) {
      try {
        handle(event);
      } catch (e) {
        try {
          deps.logger.error("notification skipped: could not handle verdict event", {
            target,
            reason: describeError(e),
          });
        } catch {
          // A failing logger must not reach the verdict path either.
        }
      }
    }
  };

  const plan = (event: VerdictEvent): OutboxInput[] => {
    if (slack === undefined || outbox === undefined || closed) return [];
    try {
      const p = slack.plan(event);
      return p === undefined
        ? []
        : [{ target: `slack:${p.route}`, key: p.key, payload: { item: p.message }, notBefore: now() }];
    } catch (e) {
      deps.logger.error("notification not planned: could not handle verdict event", {
        target: "slack",
        reason: describeError(e),
      });
      return [];
    }
  };

  return {
    listener,
    ...(outbox === undefined ? {} : { plan }),
    queueLength,
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all([alertmanager?.close(), slack?.close()]);
    },
  };
}
