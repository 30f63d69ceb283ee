/**
 * @module app/settle-all
 * `Promise.all` for work that writes: answers only once every promise settled.
 */

/**
 * Resolves the values once every promise settled, or throws the first failure then — so an
 * answer (a webhook's 503) is never sent while a sibling SLO's look is still reading or storing.
 */
export async function settleAll<T>(ps: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(ps);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}
