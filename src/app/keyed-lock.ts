/**
 * @module app/keyed-lock
 * Serializes work per key within one process (one analysis id): two looks of the same
 * analysis never interleave their read-judge-persist steps, while different analyses run
 * concurrently. The in-process stores lock with it; `PostgresStore` puts it in front of its
 * advisory lock so waiters in one replica do not each hold a database connection.
 */

/** A per-key mutex. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` after every earlier `run` with the same key has settled. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const current = previous.then(fn, fn);
    const tail = current.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
