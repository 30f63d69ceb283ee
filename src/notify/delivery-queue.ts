/**
 * @module notify/delivery-queue
 * A bounded queue in front of one destination (one Alertmanager URL, one Slack webhook) with
 * one worker that delivers in order, retries with exponential backoff and jitter, honours
 * `Retry-After` within a limit, and gives up after a bounded number of attempts.
 *
 * Why it looks like this:
 * - `enqueue` is synchronous and O(1); the worker starts on the next turn of the event loop,
 *   so the verdict path that calls it never waits for the network.
 * - When full, the OLDEST queued notification is dropped: the newest one carries the current
 *   state of an analysis, and Alertmanager alerts are re-sent anyway (Prometheus' notifier
 *   makes the same choice). Every drop is counted and logged.
 * - Items have a key; enqueueing a key that is still waiting replaces it in place (a newer
 *   version of the same alert), which deduplicates re-sends and keeps the queue small.
 * - One request in flight per destination keeps messages in order and bounds concurrency.
 */
import type { Logger } from "../domain/verdict-event.ts";
import type { DeliveryPolicy } from "../config/notify-config.ts";
import { describeError, failureInfo } from "./delivery-failure.ts";

export type NotifyTarget = "alertmanager" | "slack";
export type DeliveryOutcome = "sent" | "retried" | "dropped";

/** Sends one batch; must honour `signal` (timeout or shutdown) and throw on failure. */
export type DeliverBatch<T> = (items: readonly T[], signal: AbortSignal) => Promise<void>;

export interface DeliveryQueueOptions<T> {
  readonly target: NotifyTarget;
  /** How the destination appears in logs; must not contain secrets (no Slack webhook URLs). */
  readonly destination: string;
  readonly policy: DeliveryPolicy;
  /** Items per request: 1 for Slack messages, up to 64 alerts for Alertmanager. */
  readonly batchSize: number;
  readonly deliver: DeliverBatch<T>;
  /** Called with every outcome and the number of notifications it concerns. */
  readonly onOutcome: (outcome: DeliveryOutcome, count: number) => void;
  /** Called whenever `length` changed. */
  readonly onLengthChange: () => void;
  readonly logger: Logger;
  /** Jitter source in [0, 1); default Math.random. */
  readonly random?: () => number;
}

/** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Rejects when `signal` aborts, so a sender that ignores its signal cannot hold the worker. */
function abortable<R>(p: Promise<R>, signal: AbortSignal): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Backoff before retry number `attempt` (1 = first retry), in milliseconds: exponential with
 * equal jitter, at least the receiver's `Retry-After` capped at `maxRetryAfterSeconds`.
 */
export function retryDelayMs(
  policy: DeliveryPolicy,
  attempt: number,
  retryAfterSeconds: number | undefined,
  random: number,
): number {
  const base = Math.min(policy.maxBackoffSeconds, policy.initialBackoffSeconds * 2 ** (attempt - 1)) * 1000;
  const jittered = base / 2 + (random * base) / 2;
  if (retryAfterSeconds === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterSeconds, policy.maxRetryAfterSeconds) * 1000);
}

/** What a notifier needs of a destination's queue: `DeliveryQueue` or the durable `OutboxQueue`. */
export interface NotifyQueue<T> {
  readonly length: number;
  enqueue(key: string, item: T): boolean;
  close(): Promise<void>;
}

/** Builds the queue of one destination (in memory by default). */
export type NotifyQueueFactory = <T>(options: DeliveryQueueOptions<T>) => NotifyQueue<T>;

/** The in-memory queue factory. */
export const inMemoryQueues: NotifyQueueFactory = (options) => new DeliveryQueue(options);

/** The queue and worker of one destination. */
export class DeliveryQueue<T> implements NotifyQueue<T> {
  readonly #o: DeliveryQueueOptions<T>;
  readonly #waiting = new Map<string, T>();
  #inFlight = 0;
  #worker: Promise<void> | undefined;
  #closing = false;
  readonly #stop = new AbortController();

  constructor(options: DeliveryQueueOptions<T>) {
    this.#o = options;
  }

  /** Notifications not yet delivered (waiting and in flight). */
  get length(): number {
    return this.#waiting.size + this.#inFlight;
  }

  /**
   * Queues `item` under `key` (replacing a waiting item with the same key) and returns at
   * once. Returns false when the item was not accepted (queue closed).
   */
  enqueue(key: string, item: T): boolean {
    if (this.#closing) {
      this.#drop(1, "notifier is shutting down");
      return false;
    }
    if (this.#waiting.has(key)) {
      this.#waiting.set(key, item);
    } else {
      if (this.#waiting.size + this.#inFlight >= this.#o.policy.queueCapacity && this.#waiting.size > 0) {
        const oldest = this.#waiting.keys().next().value;
        if (oldest !== undefined) this.#waiting.delete(oldest);
        this.#drop(1, `queue full (capacity ${this.#o.policy.queueCapacity}), dropped the oldest`);
      } else if (this.#waiting.size + this.#inFlight >= this.#o.policy.queueCapacity) {
        // Capacity is used up by the batch in flight: the new item is the one that cannot wait.
        this.#drop(1, `queue full (capacity ${this.#o.policy.queueCapacity})`);
        return false;
      }
      this.#waiting.set(key, item);
    }
    this.#o.onLengthChange();
    this.#kick();
    return true;
  }

  /**
   * Stops accepting items, lets the worker flush for up to `closeTimeoutSeconds`, then aborts
   * what is in flight and drops (counts) what is left.
   */
  async close(): Promise<void> {
    this.#closing = true;
    const worker = this.#worker;
    if (worker !== undefined) {
      const graceMs = this.#o.policy.closeTimeoutSeconds * 1000;
      const grace = new AbortController();
      await Promise.race([worker, sleep(graceMs, grace.signal)]);
      grace.abort();
    }
    this.#stop.abort(new Error("notifier closed"));
    if (this.#worker !== undefined) await this.#worker;
    if (this.#waiting.size > 0) {
      this.#drop(this.#waiting.size, "notifier closed before delivery");
      this.#waiting.clear();
      this.#o.onLengthChange();
    }
  }

  #kick(): void {
    if (this.#worker !== undefined) return;
    // Start on the next turn: the caller (the verdict path) returns before any network work.
    this.#worker = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#drain())
      .catch((e: unknown) => {
        this.#o.logger.error("notification worker failed", {
          target: this.#o.target,
          destination: this.#o.destination,
          reason: describeError(e),
        });
      })
      .finally(() => {
        this.#worker = undefined;
        // Items queued while the worker was finishing.
        if (this.#waiting.size > 0 && !this.#stop.signal.aborted) this.#kick();
      });
  }

  async #drain(): Promise<void> {
    while (this.#waiting.size > 0 && !this.#stop.signal.aborted) {
      const batch: T[] = [];
      for (const [key, item] of this.#waiting) {
        if (batch.length >= this.#o.batchSize) break;
        batch.push(item);
        this.#waiting.delete(key);
      }
      this.#inFlight = batch.length;
      try {
        await this.#deliverWithRetries(batch);
      } finally {
        this.#inFlight = 0;
        this.#o.onLengthChange();
      }
    }
  }

  async #deliverWithRetries(batch: readonly T[]): Promise<void> {
    const { policy, target, destination, logger } = this.#o;
    for (let attempt = 1; ; attempt++) {
      if (this.#stop.signal.aborted) {
        this.#drop(batch.length, "notifier closed before delivery");
        return;
      }
      const signal = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(policy.timeoutSeconds * 1000)]);
      try {
        await abortable(this.#o.deliver(batch, signal), signal);
        this.#o.onOutcome("sent", batch.length);
        if (attempt > 1)
          logger.info("notification delivered after retries", { target, destination, attempt });
        return;
      } catch (e) {
        const reason =
          signal.aborted && !this.#stop.signal.aborted
            ? `timed out after ${policy.timeoutSeconds}s (${describeError(e)})`
            : describeError(e);
        if (this.#stop.signal.aborted) {
          this.#drop(batch.length, `notifier closed while sending: ${reason}`);
          return;
        }
        const info = failureInfo(e);
        if (!info.retryable || attempt >= policy.maxAttempts) {
          this.#drop(
            batch.length,
            info.retryable ? `gave up after ${attempt} attempts: ${reason}` : `rejected: ${reason}`,
            info.status,
          );
          return;
        }
        const delay = retryDelayMs(
          policy,
          attempt,
          info.retryAfterSeconds,
          (this.#o.random ?? Math.random)(),
        );
        this.#o.onOutcome("retried", batch.length);
        logger.warn("notification failed, retrying", {
          target,
          destination,
          reason,
          attempt,
          retryInSeconds: Math.round(delay) / 1000,
          ...(info.status === undefined ? {} : { status: info.status }),
        });
        await sleep(delay, this.#stop.signal);
      }
    }
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
