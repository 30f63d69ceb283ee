/**
 * @module notify/delivery-failure
 * How a failed delivery is described to the delivery queue: a SlogateError with code
 * NOTIFY_FAILED whose details say whether trying again can help and how long the receiver
 * asked us to wait (HTTP 429/503 `Retry-After`).
 */
import { SlogateError, isSlogateError } from "../errors.ts";

/** What the queue needs to know about a failure. */
export interface FailureInfo {
  readonly retryable: boolean;
  /** Seconds the receiver asked to wait (from `Retry-After`), if it said. */
  readonly retryAfterSeconds?: number;
  /** HTTP status, when a response came back. */
  readonly status?: number;
}

/** Builds the NOTIFY_FAILED error of one delivery attempt. */
export function deliveryFailure(message: string, info: FailureInfo, cause?: unknown): SlogateError {
  return new SlogateError("NOTIFY_FAILED", message, {
    hint: info.retryable
      ? "the receiver is down, slow or rate limiting; slogate retries with backoff, check the receiver"
      : "the receiver rejected the notification; check the URL, the webhook and the receiver's logs",
    details: { ...info },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Reads the retry information of any error thrown by a sender (unknown errors are retryable). */
export function failureInfo(e: unknown): FailureInfo {
  if (isSlogateError(e, "NOTIFY_FAILED")) {
    const d = e.details;
    return {
      retryable: d.retryable === true,
      ...(typeof d.retryAfterSeconds === "number" ? { retryAfterSeconds: d.retryAfterSeconds } : {}),
      ...(typeof d.status === "number" ? { status: d.status } : {}),
    };
  }
  return { retryable: true };
}

/** Whether an HTTP status is worth retrying: 408, 425, 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP date (relative to `nowMs`).
 * Returns undefined when absent or unparseable; never negative.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, (at - nowMs) / 1000);
}

/** Builds the failure for a non-2xx HTTP response. */
export function httpFailure(
  what: string,
  status: number,
  body: string,
  retryAfterHeader: string | null,
  nowMs: number,
): SlogateError {
  const retryAfterSeconds = parseRetryAfter(retryAfterHeader, nowMs);
  const snippet = body.length > 200 ? `${body.slice(0, 200)}…` : body;
  return deliveryFailure(`${what} answered HTTP ${status}${snippet === "" ? "" : `: ${snippet.trim()}`}`, {
    retryable: isRetryableStatus(status),
    status,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

/** Describes a thrown error in one line for logs (network errors carry their code in `cause`). */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${e.message} (${typeof code === "string" ? `${code}: ` : ""}${cause.message})`;
  }
  return e.message;
}
