import { describe, expect, it } from "vitest";
import { DeliveryQueue, retryDelayMs, type DeliveryOutcome } from "./delivery-queue.ts";
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from "../config/notify-config.ts";
import { deliveryFailure } from "./delivery-failure.ts";
import { recordingLogger } from "./testdata/verdict-events.ts";

const FAST: DeliveryPolicy = {
  ...DEFAULT_DELIVERY_POLICY,
  initialBackoffSeconds: 0.001,
  maxBackoffSeconds: 0.005,
  maxRetryAfterSeconds: 0.01,
  timeoutSeconds: 2,
  closeTimeoutSeconds: 0.05,
};

/** A queue whose `deliver` is driven by the test; records outcomes and calls. */
function harness(
  policy: DeliveryPolicy,
  deliver: (items: readonly string[], attempt: number) => Promise<void>,
  batchSize = 1,
): {
  queue: DeliveryQueue<string>;
  outcomes: Record<DeliveryOutcome, number>;
  calls: string[][];
  logger: ReturnType<typeof recordingLogger>;
} {
  const outcomes: Record<DeliveryOutcome, number> = { sent: 0, retried: 0, dropped: 0 };
  const calls: string[][] = [];
  const logger = recordingLogger();
  const attempts = new Map<string, number>();
  const queue = new DeliveryQueue<string>({
    target: "slack",
    destination: "test",
    policy,
    batchSize,
    deliver: (items) => {
      calls.push([...items]);
      const k = items.join(",");
      const n = (attempts.get(k) ?? 0) + 1;
      attempts.set(k, n);
      return deliver(items, n);
    },
    onOutcome: (o, n) => (outcomes[o] += n),
    onLengthChange: () => {},
    logger,
    random: () => 0.5,
  });
  return { queue, outcomes, calls, logger };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met");
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("retryDelayMs", () => {
  const p: DeliveryPolicy = {
    ...DEFAULT_DELIVERY_POLICY,
    initialBackoffSeconds: 1,
    maxBackoffSeconds: 8,
    maxRetryAfterSeconds: 60,
  };
  it.each([
    ["the first retry waits between half and all of the initial backoff", 1, undefined, 0, 500],
    ["the first retry with full jitter waits the initial backoff", 1, undefined, 1, 1000],
    ["the third retry doubles twice", 3, undefined, 1, 4000],
    ["a late retry is capped at maxBackoff", 10, undefined, 1, 8000],
    ["a Retry-After longer than the backoff is honoured", 1, 20, 0, 20_000],
    ["a Retry-After beyond the limit is capped to maxRetryAfter", 1, 600, 0, 60_000],
    ["a Retry-After shorter than the backoff does not shorten it", 4, 1, 1, 8000],
  ])("%s", (_n, attempt, retryAfter, random, expected) => {
    expect(retryDelayMs(p, attempt, retryAfter, random)).toBe(expected);
  });
});

describe("DeliveryQueue", () => {
  it("returns from enqueue before delivery starts", async () => {
    const h = harness(FAST, () => Promise.resolve());
    h.queue.enqueue("a", "a");
    expect(h.calls).toEqual([]);
    expect(h.queue.length).toBe(1);
    await until(() => h.outcomes.sent === 1);
    expect(h.queue.length).toBe(0);
  });

  it("delivers in order, one request at a time, batching up to batchSize", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const h = harness(
      FAST,
      async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
      },
      2,
    );
    for (const k of ["a", "b", "c", "d", "e"]) h.queue.enqueue(k, k);
    await until(() => h.outcomes.sent === 5);
    expect(h.calls).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(maxInFlight).toBe(1);
  });

  it("replaces a waiting item with the same key instead of queueing it twice", async () => {
    const h = harness(FAST, () => Promise.resolve());
    h.queue.enqueue("alert-1", "v1");
    h.queue.enqueue("alert-2", "x");
    h.queue.enqueue("alert-1", "v2");
    expect(h.queue.length).toBe(2);
    await until(() => h.outcomes.sent === 2);
    expect(h.calls).toEqual([["v2"], ["x"]]);
  });

  it("drops the oldest waiting item when full and counts it", async () => {
    let release = (): void => {};
    const gate = new Promise<void>((r) => (release = r));
    const h = harness({ ...FAST, queueCapacity: 3 }, () => gate);
    h.queue.enqueue("a", "a");
    await until(() => h.calls.length === 1); // "a" in flight
    for (const k of ["b", "c", "d", "e"]) h.queue.enqueue(k, k);
    expect(h.queue.length).toBe(3);
    expect(h.outcomes.dropped).toBe(2);
    release();
    await until(() => h.outcomes.sent === 3);
    expect(h.calls.map((c) => c[0])).toEqual(["a", "d", "e"]);
    expect(h.logger.lines.filter((l) => l.msg === "notification dropped")[0]?.fields).toMatchObject({
      target: "slack",
      destination: "test",
      reason: expect.stringContaining("queue full"),
    });
  });

  it("retries a retryable failure with backoff and counts each retry", async () => {
    const h = harness(FAST, (_items, attempt) =>
      attempt < 3
        ? Promise.reject(deliveryFailure("HTTP 500", { retryable: true, status: 500 }))
        : Promise.resolve(),
    );
    h.queue.enqueue("a", "a");
    await until(() => h.outcomes.sent === 1);
    expect(h.outcomes).toEqual({ sent: 1, retried: 2, dropped: 0 });
    expect(h.logger.lines.filter((l) => l.level === "warn")[0]?.fields).toMatchObject({
      status: 500,
      attempt: 1,
    });
  });

  it("gives up after maxAttempts and logs the target and reason", async () => {
    const h = harness({ ...FAST, maxAttempts: 3 }, () =>
      Promise.reject(deliveryFailure("connection refused", { retryable: true })),
    );
    h.queue.enqueue("a", "a");
    await until(() => h.outcomes.dropped === 1);
    expect(h.outcomes).toEqual({ sent: 0, retried: 2, dropped: 1 });
    const drop = h.logger.lines.find((l) => l.msg === "notification dropped");
    expect(drop?.fields.reason).toBe("gave up after 3 attempts: connection refused");
  });

  it("drops a rejected (non-retryable) notification at once", async () => {
    const h = harness(FAST, () =>
      Promise.reject(deliveryFailure("HTTP 404: no_service", { retryable: false, status: 404 })),
    );
    h.queue.enqueue("a", "a");
    await until(() => h.outcomes.dropped === 1);
    expect(h.outcomes.retried).toBe(0);
    expect(h.logger.lines.find((l) => l.msg === "notification dropped")?.fields).toMatchObject({
      status: 404,
    });
  });

  it("treats a sender that never settles as a timeout", async () => {
    const h = harness({ ...FAST, timeoutSeconds: 0.02, maxAttempts: 2 }, () => new Promise<void>(() => {}));
    h.queue.enqueue("a", "a");
    await until(() => h.outcomes.dropped === 1);
    expect(h.outcomes.retried).toBe(1);
    expect(String(h.logger.lines.find((l) => l.msg === "notification dropped")?.fields.reason)).toContain(
      "timed out after 0.02s",
    );
  });

  it("on close, flushes within the grace period, then drops and counts what is left", async () => {
    const h = harness({ ...FAST, closeTimeoutSeconds: 0.05 }, () => new Promise<void>(() => {}));
    h.queue.enqueue("a", "a");
    h.queue.enqueue("b", "b");
    await until(() => h.calls.length === 1);
    await h.queue.close();
    expect(h.outcomes).toEqual({ sent: 0, retried: 0, dropped: 2 });
    expect(h.queue.length).toBe(0);
    expect(h.queue.enqueue("c", "c")).toBe(false);
    expect(h.outcomes.dropped).toBe(3);
  });
});
