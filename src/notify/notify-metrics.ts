/**
 * @module notify/notify-metrics
 * The notification metrics of docs/metrics.md, registered on the service's prom-client
 * registry: `slogate_notifications_total{target,outcome}` and
 * `slogate_notification_queue_length{target}`. Re-uses them when already registered (a
 * notifier re-created on config reload keeps counting on the same series).
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { DeliveryOutcome, NotifyTarget } from "./delivery-queue.ts";

export interface NotifyMetrics {
  count(target: NotifyTarget, outcome: DeliveryOutcome, n: number): void;
  setQueueLength(target: NotifyTarget, n: number): void;
}

const TOTAL = "slogate_notifications_total";
const QUEUE = "slogate_notification_queue_length";
const TARGETS: readonly NotifyTarget[] = ["alertmanager", "slack"];
const OUTCOMES: readonly DeliveryOutcome[] = ["sent", "retried", "dropped"];

/** Registers (or finds) the notification metrics on `registry`. */
export function createNotifyMetrics(
  registry: Registry,
  targets: readonly NotifyTarget[] = TARGETS,
): NotifyMetrics {
  const existingTotal = registry.getSingleMetric(TOTAL);
  const total =
    existingTotal instanceof Counter
      ? (existingTotal as Counter<"target" | "outcome">)
      : new Counter({
          name: TOTAL,
          help: "Notification deliveries by target (alertmanager, slack) and outcome (sent, retried, dropped).",
          labelNames: ["target", "outcome"] as const,
          registers: [registry],
        });
  const existingQueue = registry.getSingleMetric(QUEUE);
  const queue =
    existingQueue instanceof Gauge
      ? (existingQueue as Gauge<"target">)
      : new Gauge({
          name: QUEUE,
          help: "Notifications waiting or in flight, by target.",
          labelNames: ["target"] as const,
          registers: [registry],
        });
  // Export zeros for the configured targets so dashboards and alerts see the series from the start.
  for (const target of targets) {
    for (const outcome of OUTCOMES) total.inc({ target, outcome }, 0);
    queue.set({ target }, 0);
  }
  return {
    count: (target, outcome, n) => total.inc({ target, outcome }, n),
    setQueueLength: (target, n) => queue.set({ target }, n),
  };
}
