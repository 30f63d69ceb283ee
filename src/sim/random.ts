/**
 * @module sim/random
 * A seeded, deterministic pseudo-random source and the samplers the traffic model needs:
 * uniform, Poisson (PTRS, Hörmann 1993), binomial (BTRS, Hörmann 1993, with inversion for
 * small means) and multinomial (sequential conditional binomials). Each sampler costs O(1)
 * expected uniforms whatever the mean, so 50 req/s × 600 looks needs no per-request loop.
 * Pure: no clock, no `Math.random`; the same seed always yields the same stream.
 */

/** A deterministic random source. */
export interface Rng {
  /** Uniform on [0, 1) with 53 bits of resolution. */
  uniform(): number;
}

/** Hashes a string or number seed to four 32-bit words (splitmix32). */
function seedWords(seed: number | string): [number, number, number, number] {
  let h = 0x9e3779b9;
  const text = typeof seed === "number" ? `n:${seed}` : `s:${seed}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x85ebca6b) >>> 0;
  const next = (): number => {
    h = (h + 0x9e3779b9) >>> 0;
    let z = h;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  return [next(), next(), next(), next() | 1];
}

/**
 * Creates a seeded generator (sfc32). Distinct seeds (numbers or strings) give independent
 * looking streams; derive sub-streams with `createRng(`${seed}/canary`)`.
 */
export function createRng(seed: number | string): Rng {
  let [a, b, c, d] = seedWords(seed);
  const next32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();
  return {
    uniform(): number {
      const hi = next32() >>> 5; // 27 bits
      const lo = next32() >>> 6; // 26 bits
      return (hi * 67108864 + lo) / 9007199254740992;
    },
  };
}

const LOG_FACTORIAL_TABLE: number[] = (() => {
  const t = [0];
  for (let k = 1; k <= 256; k++) t.push((t[k - 1] ?? 0) + Math.log(k));
  return t;
})();

/** ln(k!) for integers k ≥ 0 (table below 257, Stirling series above; ~1e-15 relative). */
export function logFactorial(k: number): number {
  if (k <= 256) return LOG_FACTORIAL_TABLE[k] ?? 0;
  const x = k + 1;
  const inv = 1 / x;
  const inv2 = inv * inv;
  return (
    (x - 0.5) * Math.log(x) -
    x +
    0.5 * Math.log(2 * Math.PI) +
    inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260))
  );
}

/** Poisson(mean) variate. Inversion below mean 10, PTRS above. */
export function samplePoisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean < 10) {
    // Sequential inversion from 0.
    let u = rng.uniform();
    let k = 0;
    let p = Math.exp(-mean);
    while (u > p) {
      u -= p;
      k++;
      p *= mean / k;
      if (p === 0) break;
    }
    return k;
  }
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.uniform() - 0.5;
    const v = rng.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
      -mean + k * loglam - logFactorial(k)
    ) {
      return k;
    }
  }
}

/** Stirling tail: ln(k!) − [(k+½)ln(k+1) − (k+1) + ½ln(2π)]. */
function stirlingTail(k: number): number {
  if (k <= 256) {
    return logFactorial(k) - ((k + 0.5) * Math.log(k + 1) - (k + 1) + 0.5 * Math.log(2 * Math.PI));
  }
  const kp1 = k + 1;
  const kp1sq = kp1 * kp1;
  return (1 / 12 - (1 / 360 - 1 / 1260 / kp1sq) / kp1sq) / kp1;
}

function binomialInversion(rng: Rng, n: number, p: number): number {
  const q = 1 - p;
  const qn = Math.exp(n * Math.log(q));
  const np = n * p;
  const bound = Math.min(n, np + 10 * Math.sqrt(np * q + 1));
  let x = 0;
  let px = qn;
  let u = rng.uniform();
  while (u > px) {
    x++;
    if (x > bound) {
      x = 0;
      px = qn;
      u = rng.uniform();
    } else {
      u -= px;
      px = ((n - x + 1) * p * px) / (x * q);
    }
  }
  return x;
}

function binomialBtrs(rng: Rng, n: number, p: number): number {
  const spq = Math.sqrt(n * p * (1 - p));
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const r = p / (1 - p);
  const alpha = (2.83 + 5.1 / b) * spq;
  const m = Math.floor((n + 1) * p);
  for (;;) {
    const u = rng.uniform() - 0.5;
    let v = rng.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    const upper =
      (m + 0.5) * Math.log((m + 1) / (r * (n - m + 1))) +
      (n + 1) * Math.log((n - m + 1) / (n - k + 1)) +
      (k + 0.5) * Math.log((r * (n - k + 1)) / (k + 1)) +
      stirlingTail(m) +
      stirlingTail(n - m) -
      stirlingTail(k) -
      stirlingTail(n - k);
    if (v <= upper) return k;
  }
}

/** Binomial(n, p) variate; n a non-negative integer, p clamped to [0, 1]. */
export function sampleBinomial(rng: Rng, n: number, p: number): number {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - sampleBinomial(rng, n, 1 - p);
  return n * p < 10 ? binomialInversion(rng, n, p) : binomialBtrs(rng, n, p);
}

/**
 * Multinomial(n, probs) variate by sequential conditional binomials. `probs` need not sum to
 * exactly 1: the last category takes what remains, so the counts always sum to `n`.
 */
export function sampleMultinomial(rng: Rng, n: number, probs: readonly number[]): number[] {
  const out = new Array<number>(probs.length).fill(0);
  let left = n;
  let mass = 1;
  for (let i = 0; i < probs.length - 1 && left > 0; i++) {
    const p = probs[i] ?? 0;
    const k = mass > 0 ? sampleBinomial(rng, left, Math.min(1, p / mass)) : 0;
    out[i] = k;
    left -= k;
    mass -= p;
  }
  if (probs.length > 0) out[probs.length - 1] = (out[probs.length - 1] ?? 0) + left;
  return out;
}

/** Standard normal variate (Box-Muller; one of the pair is discarded to keep the stream simple). */
export function sampleNormal(rng: Rng): number {
  let u = rng.uniform();
  while (u <= 0) u = rng.uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.uniform());
}

/** Gamma(shape, scale 1) variate (Marsaglia & Tsang 2000; shape < 1 by the U^{1/shape} boost). */
export function sampleGamma(rng: Rng, shape: number): number {
  if (!(shape > 0)) return 0;
  if (shape < 1) {
    let u = rng.uniform();
    while (u <= 0) u = rng.uniform();
    return sampleGamma(rng, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(a, b) variate from two gamma variates. */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = sampleGamma(rng, a);
  const y = sampleGamma(rng, b);
  return x + y > 0 ? x / (x + y) : a / (a + b);
}
