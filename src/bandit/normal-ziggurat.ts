// Standard normal sampler: the 128-layer ziggurat of Marsaglia & Tsang (2000), in Doornik's
// "ZIGNOR" form (2005). Hand-written because jstat.randn uses Math.random and the polar method
// (two logs and a sqrt per pair); this path costs one uniform and one multiply ~99% of the time.

const LAYERS = 128;
const R = 3.442619855899; // start of the tail, for 128 layers
const V = 9.91256303526217e-3; // area of each layer

// X[i]: right edge of layer i (X[0] is the base strip's pseudo-width V / f(R)); RATIO[i] = X[i+1] / X[i].
const X = new Float64Array(LAYERS + 1);
const RATIO = new Float64Array(LAYERS);
{
  let f = Math.exp(-0.5 * R * R);
  X[0] = V / f;
  X[1] = R;
  X[LAYERS] = 0;
  for (let i = 2; i < LAYERS; i++) {
    X[i] = Math.sqrt(-2 * Math.log(V / X[i - 1] + f));
    f = Math.exp(-0.5 * X[i] * X[i]);
  }
  for (let i = 0; i < LAYERS; i++) RATIO[i] = X[i + 1] / X[i];
}

/** Marsaglia's exact sampler for |z| > R, sign chosen by the caller. */
function tail(negative: boolean, rng: () => number): number {
  let x: number;
  let y: number;
  do {
    // 1 - rng() is in (0, 1], so the logs are finite.
    x = Math.log(1 - rng()) / R;
    y = Math.log(1 - rng());
  } while (-2 * y < x * x);
  return negative ? x - R : R - x;
}

/**
 * One standard normal draw. A single uniform supplies both the layer (its top 7 bits) and the
 * position inside the layer (the remaining bits, 25 of them with the 32-bit alea generator).
 */
export function sampleNormal(rng: () => number): number {
  for (;;) {
    const scaled = rng() * LAYERS;
    const i = scaled | 0;
    const u = 2 * (scaled - i) - 1;
    if (Math.abs(u) < RATIO[i]) return u * X[i]; // inside the rectangle: accept at once
    if (i === 0) return tail(u < 0, rng);
    // Wedge between the rectangle and the curve: accept against the density itself.
    const x = u * X[i];
    const f0 = Math.exp(-0.5 * (X[i] * X[i] - x * x));
    const f1 = Math.exp(-0.5 * (X[i + 1] * X[i + 1] - x * x));
    if (f1 + (f0 - f1) * rng() < 1) return x;
  }
}
