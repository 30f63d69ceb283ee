/**
 * @module store/attempt
 * Runs a synchronous store operation and returns its outcome as a promise, so the in-process
 * stores meet the asynchronous `Store` contract with rejections (never synchronous throws).
 */

/** Runs `fn` now; resolves with its result or rejects with what it threw. */
export function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}
