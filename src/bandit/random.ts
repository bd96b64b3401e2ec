// Seeded uniforms and the fast samplers Thompson sampling draws from. All samplers take the
// uniform source as an argument and allocate nothing: a benchmark draws ~1e8 of them.
import { randomBytes } from 'node:crypto';
import seedrandom from 'seedrandom';
import { sampleNormal } from './normal-ziggurat.js';

export { sampleNormal };

/** Uniform in [0, 1). */
export type Rng = () => number;

/** alea: seedrandom's fastest generator (32-bit output). No seed: 128 bits from the OS. */
export function makeRng(seed?: string | null): Rng {
  const s = seed ?? randomBytes(16).toString('hex');
  return seedrandom.alea(s);
}

/**
 * Gamma(shape, scale 1), Marsaglia & Tsang (2000), "A simple method for generating gamma
 * variables"; for shape < 1 the boost Gamma(shape) = Gamma(shape + 1) * U^(1/shape).
 * Hand-written: jstat.randg uses Math.random and is several times slower.
 */
export function sampleGamma(shape: number, rng: Rng): number {
  if (!(shape > 0) || shape === Infinity) throw new RangeError(`gamma shape must be positive and finite, got ${shape}`);
  if (shape < 1) return gammaAtLeastOne(shape + 1, rng) * Math.pow(1 - rng(), 1 / shape);
  return gammaAtLeastOne(shape, rng);
}

function gammaAtLeastOne(shape: number, rng: Rng): number {
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
    const u = rng();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v; // squeeze: skips the logs ~98% of the time
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** log of a Gamma(shape) draw, exact for tiny shapes where the draw itself underflows to 0. */
function logGamma(shape: number, rng: Rng): number {
  if (shape < 1) return Math.log(gammaAtLeastOne(shape + 1, rng)) + Math.log(1 - rng()) / shape;
  return Math.log(gammaAtLeastOne(shape, rng));
}

/** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(a: number, b: number, rng: Rng): number {
  if (!(a > 0) || !(b > 0) || a === Infinity || b === Infinity) {
    throw new RangeError(`beta shapes must be positive and finite, got ${a}, ${b}`);
  }
  if (a >= 1 && b >= 1) {
    const x = gammaAtLeastOne(a, rng);
    return x / (x + gammaAtLeastOne(b, rng));
  }
  // A shape below 1 can give Gamma draws that underflow to 0 (then 0/0): work in logs.
  const lx = logGamma(a, rng);
  const ly = logGamma(b, rng);
  return 1 / (1 + Math.exp(ly - lx));
}

/** Student-t with `dof` degrees of freedom: Z / sqrt(ChiSq(dof) / dof), ChiSq(dof) = 2 Gamma(dof / 2). */
export function sampleStudentT(dof: number, rng: Rng): number {
  if (!(dof > 0)) throw new RangeError(`Student-t dof must be positive, got ${dof}`);
  const z = sampleNormal(rng);
  if (dof === Infinity) return z;
  return z * Math.sqrt(dof / (2 * sampleGamma(dof / 2, rng)));
}
