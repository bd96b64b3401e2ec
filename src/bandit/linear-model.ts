/**
 * The linear model of one arm's reward (issue 23): Bayesian ridge regression with a
 * Normal-Inverse-Gamma prior (theta | s2 ~ N(0, s2 / lambda I), s2 ~ IG(a0, b0); Bishop 2006
 * section 3.3, Murphy 2012 section 7.6.3), kept as sufficient statistics so that a reward is one
 * atomic addition wherever the counts live:
 *
 *   sums = [n, sum r^2, b = sum r x (d), S = sum x x^T (upper triangle, row-major, d(d+1)/2)]
 *
 * The stores add to these (`addLinear` in memory and SQLite, store/lua/linear.lua in Redis, the
 * same arithmetic); the policies read the posterior, computed once per refresh by `armPosterior`:
 *   A = lambda I + S,  mean = A^-1 b,  a = a0 + n/2,  b' = b0 + (sum r^2 - mean . b) / 2,
 *   s2 = b' / a (the noise variance's posterior mean), cov(theta) = s2 A^-1.
 * Bernoulli rewards are modelled the same way (a linear probability model, as LinTS and LinUCB do).
 */

/** Ridge: the prior's precision relative to the noise (MABWiser's l2 = 1, BanditDB's identity start). */
export const RIDGE_LAMBDA = 1;

export const linearLength = (d: number): number => 2 + d + (d * (d + 1)) / 2;

/** Index of S[i][j] (i <= j) in the sums. */
const sAt = (d: number, i: number, j: number): number => 2 + d + i * d - (i * (i - 1)) / 2 + (j - i);

/** The sums after one reward r at x (a new array; `prev` absent: from zero). Only x's nonzero entries are visited. */
export function addLinear(prev: Float64Array | undefined, x: ArrayLike<number>, r: number): Float64Array {
  const d = x.length;
  const s = prev && prev.length === linearLength(d) ? Float64Array.from(prev) : new Float64Array(linearLength(d));
  s[0] += 1;
  s[1] += r * r;
  const nz: number[] = [];
  for (let i = 0; i < d; i++) if (x[i] !== 0) nz.push(i);
  for (const i of nz) {
    s[2 + i] += r * x[i];
    for (const j of nz) if (j >= i) s[sAt(d, i, j)] += x[i] * x[j];
  }
  return s;
}

/** Sums as little-endian doubles (the SQLite blob and the Redis field; linear.lua reads them with struct '<d'). */
export function packLinear(s: Float64Array): Buffer {
  const b = Buffer.allocUnsafe(8 * s.length);
  for (let i = 0; i < s.length; i++) b.writeDoubleLE(s[i], 8 * i);
  return b;
}

export function unpackLinear(b: Uint8Array): Float64Array {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const s = new Float64Array(Math.floor(buf.length / 8));
  for (let i = 0; i < s.length; i++) s[i] = buf.readDoubleLE(8 * i);
  return s;
}

export interface ArmPosterior {
  readonly d: number;
  /** Rewards counted. */
  readonly n: number;
  readonly mean: Float64Array;
  /** A^-1, full d x d, row-major. */
  readonly inverse: Float64Array;
  /** The noise variance's posterior mean. */
  readonly s2: number;
  /** log det A (for the Bayes factor of bandit/linear-evidence.ts). */
  readonly logDet: number;
  /** The noise posterior's b' = b0 + (sum r^2 - mean . b) / 2 (its a' is a0 + n/2). */
  readonly noiseRate: number;
}

/** Noise prior IG(a0, b0): a bernoulli reward's variance is at most 1/4; a gaussian experiment's prior alpha/beta. */
export interface NoisePrior { a0: number; b0: number }

/** The posterior of one arm from its sums (undefined or empty: the prior). */
export function armPosterior(sums: Float64Array | undefined, d: number, prior: NoisePrior, lambda = RIDGE_LAMBDA): ArmPosterior {
  const s = sums && sums.length === linearLength(d) ? sums : new Float64Array(linearLength(d));
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) a[i * d + j] = a[j * d + i] = s[sAt(d, i, j)];
    a[i * d + i] += lambda;
  }
  const l = cholesky(a, d);
  const inverse = inverseOf(l, d);
  let logDet = 0;
  for (let i = 0; i < d; i++) logDet += 2 * Math.log(l[i * d + i]);
  const mean = new Float64Array(d);
  let fit = 0;
  for (let i = 0; i < d; i++) {
    let m = 0;
    for (let j = 0; j < d; j++) m += inverse[i * d + j] * s[2 + j];
    mean[i] = m;
    fit += m * s[2 + i];
  }
  const n = s[0];
  const noiseRate = prior.b0 + Math.max(0, s[1] - fit) / 2;
  return { d, n, mean, inverse, s2: noiseRate / (prior.a0 + n / 2), logDet, noiseRate };
}

/** x . mean and x^T A^-1 x of one arm. */
export function scoreOf(p: ArmPosterior, x: ArrayLike<number>): { mean: number; spread: number } {
  const { d, inverse } = p;
  let mean = 0;
  let q = 0;
  for (let i = 0; i < d; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    mean += xi * p.mean[i];
    let row = 0;
    for (let j = 0; j < d; j++) row += inverse[i * d + j] * x[j];
    q += xi * row;
  }
  return { mean, spread: Math.max(0, q) };
}

/** Inverse of a symmetric positive-definite matrix by its Cholesky factor (A = L L^T, A^-1 = L^-T L^-1). */
export const spdInverse = (a: Float64Array, d: number): Float64Array => inverseOf(cholesky(a, d), d);

/** The lower Cholesky factor L of A = L L^T (row-major). */
function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j];
      for (let k = 0; k < j; k++) sum -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / l[j * d + j];
    }
  }
  return l;
}

/** A^-1 from A's Cholesky factor. */
function inverseOf(l: Float64Array, d: number): Float64Array {
  // L^-1 by forward substitution, column by column.
  const li = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    for (let i = c; i < d; i++) {
      let sum = i === c ? 1 : 0;
      for (let k = c; k < i; k++) sum -= l[i * d + k] * li[k * d + c];
      li[i * d + c] = sum / l[i * d + i];
    }
  }
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = i; k < d; k++) sum += li[k * d + i] * li[k * d + j];
      inv[i * d + j] = inv[j * d + i] = sum;
    }
  }
  return inv;
}
