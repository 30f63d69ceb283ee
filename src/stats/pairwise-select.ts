/**
 * @module stats/pairwise-select
 * The k-th smallest of the n·m pairwise differences x_i − y_j of two sorted samples, without
 * forming them: a selection in the sorted matrix D[i][j] = x_i − y_{m−1−j} (rows and columns
 * ascending). Each round draws a small sample of the remaining candidates, takes two pivots
 * that bracket the wanted rank in the sample, and counts the differences below and at each
 * pivot in one O(n + m) walk; the candidates outside the bracket are dropped. When few
 * candidates remain they are listed and sorted. Pivots are actual differences, so ties (many
 * equal points, e.g. zero error ratios) end the search at once. The result is exact: the same
 * double as sorting all x_i − y_j computed in floating point and indexing it. Deterministic
 * (the sample comes from a fixed-seed generator). Pure.
 *
 * Cost: about three rounds of O(n + m + sample) for n·m up to 10⁶, against sorting n·m values
 * or bisecting a rank statistic to machine precision (≈ 40 walks).
 */

/** Candidates below which the rest are listed and sorted. */
const LIST_LIMIT = 512;
/** Sample size per round. */
const SAMPLE = 256;

/** Deterministic xorshift32 in [0, 1). */
function generator(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * Per row i, the number of columns j (in D's ascending order) with D[i][j] < v (`lt`) and
 * ≤ v (`le`); totals too. Both counts are non-increasing in i, so one pointer walk each.
 */
function countRows(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  v: number,
  lt: Int32Array,
  le: Int32Array,
): { lt: number; le: number } {
  const n = x.length;
  const m = y.length;
  // D[i][j] = x_i − y_{m−1−j}: ascending in j. Count of j with D < v is non-increasing in i.
  let a = m;
  let b = m;
  let tl = 0;
  let te = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i] ?? 0;
    while (a > 0 && !(xi - (y[m - a] ?? 0) < v)) a--;
    while (b > 0 && !(xi - (y[m - b] ?? 0) <= v)) b--;
    lt[i] = a;
    le[i] = b;
    tl += a;
    te += b;
  }
  return { lt: tl, le: te };
}

/**
 * The k-th smallest (1-based, 1 ≤ k ≤ n·m) of x_i − y_j, x and y sorted ascending, as computed
 * in floating point. NaN when k is out of range or a sample is empty.
 */
export function kthPairwiseDifference(x: ArrayLike<number>, y: ArrayLike<number>, k: number): number {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0 || !(k >= 1 && k <= n * m) || !Number.isInteger(k)) return Number.NaN;
  const at = (i: number, j: number): number => (x[i] ?? 0) - (y[m - 1 - j] ?? 0);
  // Candidates of row i: columns [lo[i], hi[i]); columns below lo are all below the answer.
  const lo = new Int32Array(n);
  const hi = new Int32Array(n).fill(m);
  const lt = new Int32Array(n);
  const le = new Int32Array(n);
  const lt2 = new Int32Array(n);
  const le2 = new Int32Array(n);
  const rand = generator(n * 7919 + m * 104729 + k);
  let below = 0;
  let left = n * m;
  for (;;) {
    if (left <= LIST_LIMIT) {
      const list = new Float64Array(left);
      let t = 0;
      for (let i = 0; i < n; i++) for (let j = lo[i] ?? 0; j < (hi[i] ?? 0); j++) list[t++] = at(i, j);
      list.sort();
      return list[k - below - 1] ?? Number.NaN;
    }
    // A stratified sample of the candidates (one uniform draw in each of SAMPLE equal slices of
    // the candidates in row order): the draws come in order, so one pass finds their rows.
    const sample = new Float64Array(SAMPLE);
    let row = 0;
    let before = 0; // candidates in the rows before `row`
    for (let s = 0; s < SAMPLE; s++) {
      const u = ((s + rand()) / SAMPLE) * left;
      while (row < n - 1 && before + ((hi[row] ?? 0) - (lo[row] ?? 0)) <= u) {
        before += (hi[row] ?? 0) - (lo[row] ?? 0);
        row++;
      }
      const j = (lo[row] ?? 0) + Math.floor(u - before);
      sample[s] = at(row, Math.max(lo[row] ?? 0, Math.min(j, (hi[row] ?? 1) - 1)));
    }
    sample.sort();
    // Pivots ±2.5 sample standard deviations of the wanted rank around its expected place.
    const q = (k - below) / left;
    const sd = Math.sqrt(SAMPLE * q * (1 - q)) + 1;
    const p1 = sample[Math.max(0, Math.floor(q * SAMPLE - 2.5 * sd))] ?? Number.NaN;
    const p2 = sample[Math.min(SAMPLE - 1, Math.ceil(q * SAMPLE + 2.5 * sd))] ?? Number.NaN;
    const c1 = countRows(x, y, p1, lt, le);
    if (c1.lt < k && k <= c1.le) return p1;
    if (k <= c1.lt) {
      // The answer is below p1: drop every candidate ≥ p1.
      for (let i = 0; i < n; i++) hi[i] = Math.min(hi[i] ?? 0, lt[i] ?? 0);
    } else {
      const c2 = countRows(x, y, p2, lt2, le2);
      if (c2.lt < k && k <= c2.le) return p2;
      if (k > c2.le) {
        // Above p2: every candidate ≤ p2 is below the answer.
        for (let i = 0; i < n; i++) lo[i] = Math.max(lo[i] ?? 0, le2[i] ?? 0);
      } else {
        // Strictly between p1 and p2.
        for (let i = 0; i < n; i++) {
          lo[i] = Math.max(lo[i] ?? 0, le[i] ?? 0);
          hi[i] = Math.min(hi[i] ?? 0, lt2[i] ?? 0);
        }
      }
    }
    below = 0;
    left = 0;
    for (let i = 0; i < n; i++) {
      if ((hi[i] ?? 0) < (lo[i] ?? 0)) hi[i] = lo[i] ?? 0;
      below += lo[i] ?? 0;
      left += (hi[i] ?? 0) - (lo[i] ?? 0);
    }
  }
}
