// Panel breakpoints for integrating over the means of several arms at once. Each arm asks for
// panels of about one sd near its centre, growing geometrically into its tails (Student-t tails
// with few dof reach 1e10 scales and more), graded towards 0 or 1 where a Beta density is not
// smooth; the union is thinned so that overlapping arms do not multiply the panel count.
import type { MeanDensity } from './mean-density.js';

const CORE = 4; // sds either side of the centre meshed at unit spacing
const TAIL_RATIO = 1.4; // panel growth beyond the core
const GRADE_RATIO = 0.25; // panel shrink towards a non-smooth Beta boundary
const THIN = 0.5; // drop a breakpoint closer than THIN x its own spacing to the previous one

/** Standardized breakpoints -k..k: unit steps in [-CORE, CORE], geometric beyond. */
function standardizedBreaks(k: number): number[] {
  const right: number[] = [];
  for (let u = 1; u <= CORE && u < k; u++) right.push(u);
  for (let u = CORE * TAIL_RATIO; u < k; u *= TAIL_RATIO) right.push(u);
  right.push(k);
  return [...right.map((u) => -u).reverse(), 0, ...right];
}

/** Breakpoints of powers of GRADE_RATIO from below `first` down to where the mass is ~1e-10 of it. */
function graded(first: number, shape: number): number[] {
  const steps = Math.min(60, Math.ceil(10 / (shape * Math.log10(1 / GRADE_RATIO))));
  // A shared grid (powers of GRADE_RATIO) so that arms graded at the same boundary share points.
  let t = Math.pow(GRADE_RATIO, Math.ceil(Math.log(first) / Math.log(GRADE_RATIO)));
  if (t >= first) t *= GRADE_RATIO;
  const out: number[] = [];
  for (let i = 0; i < steps && t > 1e-300; i++, t *= GRADE_RATIO) out.push(t);
  return out;
}

/** One arm's breakpoints, ascending, inside [lower, upper]. */
function armBreaks(d: MeanDensity): number[] {
  const k = Math.max((d.center - d.lower) / d.scale, (d.upper - d.center) / d.scale);
  const xs = standardizedBreaks(k).map((u) => d.center + u * d.scale).filter((x) => x > d.lower && x < d.upper);
  const out = [d.lower, ...xs, d.upper];
  if (d.kind === 'beta') {
    // x^(a-1) at 0 (and (1-x)^(b-1) at 1) is not smooth unless the exponent is a whole number.
    if (d.lower === 0 && !Number.isInteger(d.p1)) out.splice(1, 0, ...graded(out[1], d.p1 + 1).reverse());
    // Grading towards 1 stops at 1 - 4^-25: closer points round to 1 in double precision.
    if (d.upper === 1 && !Number.isInteger(d.p2)) {
      const near = graded(1 - out[out.length - 2], d.p2 + 1).filter((t) => t > 1e-15).map((t) => 1 - t);
      out.splice(out.length - 1, 0, ...near);
    }
  }
  return out;
}

/** Sorted breakpoints covering every arm's [lower, upper]. */
export function buildMesh(ds: MeanDensity[]): Float64Array {
  const xs: number[] = [];
  const spacing: number[] = [];
  for (const d of ds) {
    const b = armBreaks(d);
    for (let i = 0; i < b.length; i++) {
      const left = i > 0 ? b[i] - b[i - 1] : Infinity;
      const right = i + 1 < b.length ? b[i + 1] - b[i] : Infinity;
      xs.push(b[i]);
      spacing.push(Math.min(left, right));
    }
  }
  const order = xs.map((_, i) => i).sort((i, j) => xs[i] - xs[j]);
  const kept: number[] = [xs[order[0]]];
  for (const i of order) {
    if (xs[i] - kept[kept.length - 1] >= THIN * spacing[i]) kept.push(xs[i]);
  }
  const top = xs[order[order.length - 1]];
  if (kept[kept.length - 1] < top) kept.push(top);
  return Float64Array.from(kept);
}
