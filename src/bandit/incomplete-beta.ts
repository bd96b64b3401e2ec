// Regularized incomplete beta I_x(a, b), the Beta CDF. Hand-written because jstat.ibeta stops
// its continued fraction after 100 terms: near the centre of Beta(1e5, 4e5) it is off by ~2e-4,
// and posteriors of busy arms have parameters that large. The fraction needs O(sqrt(a + b))
// terms there (~1e3 for a + b = 1e6), fine for the one-off calls of meanCdf.
import jStat from 'jstat';

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_TERMS = 1_000_000;

/** Modified Lentz evaluation of the continued fraction for I_x(a, b) (Numerical Recipes 6.4). */
function continuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_TERMS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** I_x(a, b) for a, b > 0; 0 below the support and 1 above it. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new RangeError(`beta shapes must be positive, got ${a}, ${b}`);
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - jStat.betaln(a, b);
  // The fraction converges fast on the side of the mean nearer to x; use symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * continuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * continuedFraction(1 - x, b, a)) / b;
}
