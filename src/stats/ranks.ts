/**
 * @module stats/ranks
 * Mid-ranks of a pooled sample and the sizes of its tie groups (what rank tests need). Pure.
 */

/** Mid-ranks (1-based, ties get the average rank) of `values`, and tie-group sizes (> 1 only). */
export function midRanks(values: ArrayLike<number>): { ranks: Float64Array; ties: number[] } {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  const ranks = new Float64Array(n);
  const ties: number[] = [];
  let i = 0;
  while (i < n) {
    let j = i + 1;
    const v = values[order[i] ?? 0];
    while (j < n && values[order[j] ?? 0] === v) j++;
    const r = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) ranks[order[k] ?? 0] = r;
    if (j - i > 1) ties.push(j - i);
    i = j;
  }
  return { ranks, ties };
}

/** Σ (t³ − t) over tie groups: the tie-correction term of rank-test variances. */
export function tieTerm(ties: readonly number[]): number {
  let s = 0;
  for (const t of ties) s += t * t * t - t;
  return s;
}
