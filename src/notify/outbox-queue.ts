/**
 * @module notify/outbox-queue
 * The durable twin of `DeliveryQueue` for several replicas: notifications are written to the
 * store's outbox (one row per key, so the same verdict change queued by two replicas, or
 * again after a replayed look, is kept once) and delivered by whichever replica claims them.
 *
 * - `enqueue` returns at once; the write happens in the background (a store that cannot
 *   answer drops the notification, counted and logged — the verdict path never waits).
 * - A worker claims due items with a lease (`claimNotifications`), delivers them with the
 *   destination's sender, and settles them: delivered, retry at a backoff time (exponential
 *   with jitter, `Retry-After` honoured, as `DeliveryQueue`), or dropped after
 *   `maxAttempts` or a permanent rejection. Only the claimer may settle, so a replica that
 *   stalls past its lease cannot overwrite the outcome of the replica that took over.
 * - Items of a replica that died are claimed again by another one when the lease expires
 *   (the worker polls every `pollSeconds`). Shutdown leaves undelivered items in the outbox
 *   for the other replicas (or the next start) instead of dropping them.
 * - A crash between the receiver's answer and the settle re-delivers that item once after
 *   the lease: delivery is at least once, exactly once in every run without such a crash.
 *
 * Times for claims and leases are the wall clock (leases are real time across processes).
 */
import type { Logger } from "../domain/verdict-event.ts";
import type { OutboxItem, Store } from "../app/store-port.ts";
import { describeError, failureInfo } from "./delivery-failure.ts";
import {
  retryDelayMs,
  sleep,
  type DeliverBatch,
  type DeliveryOutcome,
  type NotifyTarget,
} from "./delivery-queue.ts";
import type { DeliveryPolicy } from "../config/notify-config.ts";

/** What the queue needs of the store. */
export type NotificationOutbox = Pick<
  Store,
  "enqueueNotifications" | "claimNotifications" | "settleNotification" | "pendingNotifications"
>;

export interface OutboxQueueOptions<T> {
  readonly target: NotifyTarget;
  /**
   * The outbox target name of this destination (`slack:<route>`, `alertmanager:<url>`), the
   * same in every replica. Must not contain secrets.
   */
  readonly destination: string;
  readonly outbox: NotificationOutbox;
  /** This replica's name in claims. */
  readonly owner: string;
  readonly policy: DeliveryPolicy;
  readonly batchSize: number;
  readonly deliver: DeliverBatch<T>;
  readonly onOutcome: (outcome: DeliveryOutcome, count: number) => void;
  readonly onLengthChange: () => void;
  readonly logger: Logger;
  /** Seconds between polls for items queued by other replicas or left by dead ones (default 1). */
  readonly pollSeconds?: number;
  /** Wall clock in Unix seconds (default `Date.now() / 1000`). */
  readonly clock?: () => number;
  readonly random?: () => number;
}

/** The outbox-backed queue of one destination. */
export class OutboxQueue<T> {
  readonly #o: OutboxQueueOptions<T>;
  readonly #stop = new AbortController();
  readonly #writes = new Set<Promise<void>>();
  #inFlight = 0;
  #worker: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #again = false;
  #closing = false;
  #unavailable = false;

  constructor(options: OutboxQueueOptions<T>) {
    this.#o = options;
    this.#worker = this.#run();
  }

  /** Notifications being written or delivered by this replica (the outbox holds the rest). */
  get length(): number {
    return this.#writes.size + this.#inFlight;
  }

  #now(): number {
    return (this.#o.clock ?? ((): number => Date.now() / 1000))();
  }

  /** Writes `item` under `key` to the outbox in the background; false when closing. */
  enqueue(key: string, item: T): boolean {
    if (this.#closing) {
      this.#drop(1, "notifier is shutting down");
      return false;
    }
    const now = this.#now();
    const write = this.#o.outbox
      .enqueueNotifications(
        [{ target: this.#o.destination, key, payload: { item: item }, notBefore: now }],
        now,
      )
      .then(() => this.#kick())
      .catch((e: unknown) => this.#drop(1, `could not write to the outbox: ${describeError(e)}`))
      .finally(() => {
        this.#writes.delete(write);
        this.#o.onLengthChange();
      });
    this.#writes.add(write);
    this.#o.onLengthChange();
    return true;
  }

  /** Undelivered items of this destination in the outbox (all replicas). */
  pending(): Promise<number> {
    return this.#o.outbox.pendingNotifications(this.#o.destination);
  }

  /**
   * Waits for background writes, lets the worker finish its batch for up to
   * `closeTimeoutSeconds`, then stops. Undelivered items stay in the outbox.
   */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all([...this.#writes]);
    const grace = new AbortController();
    const flush = this.#inFlight > 0 ? this.#worker : Promise.resolve();
    await Promise.race([flush, sleep(this.#o.policy.closeTimeoutSeconds * 1000, grace.signal)]);
    grace.abort();
    this.#stop.abort(new Error("notifier closed"));
    this.#wake?.();
    await this.#worker;
  }

  #kick(): void {
    this.#again = true;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    const pollMs = (this.#o.pollSeconds ?? 1) * 1000;
    while (!this.#stop.signal.aborted) {
      this.#again = false;
      let claimed = 0;
      try {
        claimed = await this.#deliverOnce();
        if (this.#unavailable) {
          this.#unavailable = false;
          this.#o.logger.info("notification outbox available again", {
            target: this.#o.target,
            destination: this.#o.destination,
          });
        }
      } catch (e) {
        // Logged once per outage, not at every poll.
        if (!this.#unavailable) {
          this.#unavailable = true;
          this.#o.logger.warn("notification outbox unavailable, retrying", {
            target: this.#o.target,
            destination: this.#o.destination,
            reason: describeError(e),
          });
        }
      }
      if (this.#stop.signal.aborted || this.#closing) break;
      if (claimed > 0 || this.#again) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        timer.unref();
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Claims and delivers one batch; returns how many items were claimed. */
  async #deliverOnce(): Promise<number> {
    const { policy, outbox, owner, destination } = this.#o;
    const lease = policy.timeoutSeconds * 2 + 5;
    const items = await outbox.claimNotifications(destination, owner, this.#now(), lease, this.#o.batchSize);
    if (items.length === 0) return 0;
    this.#inFlight = items.length;
    this.#o.onLengthChange();
    try {
      await this.#deliver(items);
    } finally {
      this.#inFlight = 0;
      this.#o.onLengthChange();
    }
    return items.length;
  }

  async #deliver(items: readonly OutboxItem[]): Promise<void> {
    const { policy, outbox, owner, target, destination, logger } = this.#o;
    const signal = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(policy.timeoutSeconds * 1000)]);
    const settle = async (
      outcome: { readonly delivered: true } | { readonly retryAt: number } | { readonly dropped: string },
    ): Promise<void> => {
      const now = this.#now();
      await Promise.all(items.map((i) => outbox.settleNotification(i.id, owner, outcome, now)));
    };
    try {
      await this.#o.deliver(
        items.map((i) => i.payload.item as T),
        signal,
      );
    } catch (e) {
      const reason =
        signal.aborted && !this.#stop.signal.aborted
          ? `timed out after ${policy.timeoutSeconds}s (${describeError(e)})`
          : describeError(e);
      const info = failureInfo(e);
      const attempt = Math.max(...items.map((i) => i.attempts));
      if (!info.retryable || attempt >= policy.maxAttempts) {
        const why = info.retryable ? `gave up after ${attempt} attempts: ${reason}` : `rejected: ${reason}`;
        await settle({ dropped: why });
        this.#drop(items.length, why, info.status);
        return;
      }
      const delay = retryDelayMs(policy, attempt, info.retryAfterSeconds, (this.#o.random ?? Math.random)());
      await settle({ retryAt: this.#now() + delay / 1000 });
      this.#o.onOutcome("retried", items.length);
      logger.warn("notification failed, retrying", {
        target,
        destination,
        reason,
        attempt,
        retryInSeconds: Math.round(delay) / 1000,
        ...(info.status === undefined ? {} : { status: info.status }),
      });
      return;
    }
    await settle({ delivered: true });
    this.#o.onOutcome("sent", items.length);
  }

  #drop(count: number, reason: string, status?: number): void {
    this.#o.onOutcome("dropped", count);
    this.#o.logger.error("notification dropped", {
      target: this.#o.target,
      destination: this.#o.destination,
      reason,
      count,
      ...(status === undefined ? {} : { status }),
    });
  }
}
