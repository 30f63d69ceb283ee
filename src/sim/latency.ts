/**
 * @module sim/latency
 * The latency model of the synthetic traffic: a log-normal body (median, sigma) with an
 * optional log-normal tail component, and its exact probabilities per histogram bucket —
 * the truth a reader of `http_request_duration_seconds_bucket` should recover.
 * Pure; the normal CDF is computed to ~1e-15 (series below |z| = 3, continued fraction above).
 */

/** A log-normal component: median in seconds and sigma of ln(latency). */
export interface LogNormal {
  readonly median: number;
  readonly sigma: number;
}

/**
 * Latency of one request: with probability `1 − tail.weight` from `body`, else from
 * `tail.dist` (a slow mode: GC pauses, a cold cache, a bad dependency).
 */
export interface LatencyModel {
  readonly body: LogNormal;
  readonly tail?: { readonly weight: number; readonly dist: LogNormal };
}

/** The model with every request `scale` times slower (both modes' medians scaled). */
export function scaleLatency(model: LatencyModel, scale: number): LatencyModel {
  return {
    body: { median: model.body.median * scale, sigma: model.body.sigma },
    ...(model.tail
      ? {
          tail: {
            weight: model.tail.weight,
            dist: { median: model.tail.dist.median * scale, sigma: model.tail.dist.sigma },
          },
        }
      : {}),
  };
}

/** Default classic-histogram bucket bounds (seconds), `+Inf` last. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.015,
  0.025,
  0.05,
  0.1,
  0.2,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  Infinity,
];

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** Standard normal density. */
function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / SQRT_2PI;
}

/** Upper tail Q(z) = 1 − Φ(z) for z ≥ 3, by continued fraction (evaluated backwards). */
function upperTail(z: number): number {
  let f = z;
  for (let k = 120; k >= 1; k--) f = z + k / f;
  return normalPdf(z) / f;
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  if (z >= 3) return 1 - upperTail(z);
  if (z <= -3) return upperTail(-z);
  // Φ(z) = ½ + φ(z)·Σ z^(2n+1)/(1·3·…·(2n+1)): all terms share the sign of z, no cancellation.
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (z * z) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return 0.5 + normalPdf(z) * sum;
}

function logNormalCdf(d: LogNormal, x: number): number {
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  if (d.sigma <= 0) return x >= d.median ? 1 : 0;
  return normalCdf((Math.log(x) - Math.log(d.median)) / d.sigma);
}

/** P(latency ≤ x) under the model. */
export function latencyCdf(model: LatencyModel, x: number): number {
  const w = model.tail ? Math.min(1, Math.max(0, model.tail.weight)) : 0;
  const body = logNormalCdf(model.body, x);
  return model.tail && w > 0 ? (1 - w) * body + w * logNormalCdf(model.tail.dist, x) : body;
}

/**
 * Exact probability of each bucket (bounds[i-1], bounds[i]] (first bucket (0, bounds[0]]).
 * `bounds` must ascend and end with `Infinity`; the result sums to 1.
 */
export function bucketProbabilities(model: LatencyModel, bounds: readonly number[]): number[] {
  const out: number[] = [];
  let prev = 0;
  for (const b of bounds) {
    const c = latencyCdf(model, b);
    out.push(Math.max(0, c - prev));
    prev = c;
  }
  return out;
}

/** E[X·1{a < X ≤ b}] for one log-normal component (partial expectation). */
function logNormalPartialMean(d: LogNormal, a: number, b: number): number {
  const mu = Math.log(d.median);
  const s = d.sigma;
  if (s <= 0) return d.median > a && d.median <= b ? d.median : 0;
  const mean = Math.exp(mu + (s * s) / 2);
  const z = (x: number): number =>
    x <= 0 ? -Infinity : x === Infinity ? Infinity : (Math.log(x) - mu - s * s) / s;
  return mean * (normalCdf(z(b)) - normalCdf(z(a)));
}

/**
 * Mean latency of a request that fell into each bucket (for `_sum`). A bucket with
 * negligible probability gets its midpoint (its lower bound for `+Inf`).
 */
export function bucketMeans(model: LatencyModel, bounds: readonly number[]): number[] {
  const probs = bucketProbabilities(model, bounds);
  const w = model.tail ? Math.min(1, Math.max(0, model.tail.weight)) : 0;
  const out: number[] = [];
  let prev = 0;
  bounds.forEach((b, i) => {
    let partial = (1 - w) * logNormalPartialMean(model.body, prev, b);
    if (model.tail && w > 0) partial += w * logNormalPartialMean(model.tail.dist, prev, b);
    const p = probs[i] ?? 0;
    const fallback = b === Infinity ? prev : (prev + b) / 2;
    // Below ~1e-9 the partial expectation is rounding noise; the bucket gets no requests anyway.
    out.push(p > 1e-9 ? Math.min(b, Math.max(prev, partial / p)) : fallback);
    prev = b;
  });
  return out;
}
