/**
 * @module prometheus/read-queue
 * A bounded queue in front of one Prometheus backend: at most `maxConcurrent` calls in flight,
 * the others wait in arrival order, at most `maxQueued` of them. A call that cannot start —
 * the queue is full, or its caller's deadline (its `AbortSignal`) passes while it waits —
 * fails at once with PROMETHEUS_UNAVAILABLE (503, retried by the controller), never reaching
 * the backend: looks beyond what the backend can answer in time do not pile up on it.
 * `queuedClient` puts a `PrometheusClient` behind one.
 */
import { SlogateError } from "../errors.ts";
import type { PrometheusClient } from "./http-client.ts";

export interface ReadQueueOptions {
  /** Calls in flight at once (≥ 1). */
  readonly maxConcurrent: number;
  /** Calls waiting at most; one more fails at once. Default 64 × `maxConcurrent`. */
  readonly maxQueued?: number;
  /** The backend, for messages. */
  readonly backend: string;
}

interface Waiter {
  readonly start: () => void;
}

/** What the queue holds now (for metrics and tests). */
export interface ReadQueueStats {
  readonly inFlight: number;
  readonly waiting: number;
  /** Calls refused since creation (queue full or deadline passed while waiting). */
  readonly refused: number;
}

/** The bounded queue of one backend. */
export class ReadQueue {
  readonly #max: number;
  readonly #maxQueued: number;
  readonly #backend: string;
  readonly #waiting: Waiter[] = [];
  #inFlight = 0;
  #refused = 0;

  constructor(opts: ReadQueueOptions) {
    if (!(Number.isSafeInteger(opts.maxConcurrent) && opts.maxConcurrent >= 1)) {
      throw new SlogateError(
        "CONFIG_INVALID",
        `maxConcurrentReads ${String(opts.maxConcurrent)} is not a positive integer`,
        {
          hint: "set prometheus.maxConcurrentReads to a whole number ≥ 1, e.g. 8",
        },
      );
    }
    this.#max = opts.maxConcurrent;
    this.#maxQueued = opts.maxQueued ?? 64 * opts.maxConcurrent;
    this.#backend = opts.backend;
  }

  get stats(): ReadQueueStats {
    return { inFlight: this.#inFlight, waiting: this.#waiting.length, refused: this.#refused };
  }

  /** Runs `fn` when a slot is free; see the module comment for when it fails instead. */
  async run<T>(what: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#inFlight >= this.#max || this.#waiting.length > 0) await this.#wait(what, signal);
    else this.#inFlight++;
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#inFlight--;
    else next.start(); // the slot passes on
  }

  #refuse(what: string, why: string, waitedMs: number): SlogateError {
    this.#refused++;
    return new SlogateError(
      "PROMETHEUS_UNAVAILABLE",
      `read from Prometheus at ${this.#backend} not started: ${why} (${this.#inFlight} in flight, ${this.#waiting.length} waiting): ${what}`,
      {
        hint: "the backend cannot answer this many reads in time: retry later, spread the looks, or raise prometheus.maxConcurrentReads if Prometheus has CPU to spare",
        details: {
          backend: this.#backend,
          query: what,
          inFlight: this.#inFlight,
          waiting: this.#waiting.length,
          waitedMs: Math.round(waitedMs),
        },
      },
    );
  }

  #wait(what: string, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(this.#refuse(what, "its deadline had passed", 0));
    if (this.#waiting.length >= this.#maxQueued) {
      return Promise.reject(this.#refuse(what, `the queue is full (${this.#maxQueued} waiting)`, 0));
    }
    return new Promise<void>((resolve, reject) => {
      const since = performance.now();
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(waiter);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(this.#refuse(what, "its deadline passed while it waited", performance.now() - since));
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.#waiting.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/** `client` with every call through `queue` (the same answers and errors otherwise). */
export function queuedClient<C extends PrometheusClient>(client: C, queue: ReadQueue): PrometheusClient {
  return {
    query: (q, time, signal) => queue.run(q, () => client.query(q, time, signal), signal),
    rawSamples: (selection, time, signal) =>
      queue.run(selection, () => client.rawSamples(selection, time, signal), signal),
    queryRange: (q, range, signal) => queue.run(q, () => client.queryRange(q, range, signal), signal),
    labelValues: (label, opts, signal) =>
      queue.run(`label values of ${label}`, () => client.labelValues(label, opts, signal), signal),
    series: (match, opts, signal) =>
      queue.run(`series ${match.join(", ")}`, () => client.series(match, opts, signal), signal),
  };
}
