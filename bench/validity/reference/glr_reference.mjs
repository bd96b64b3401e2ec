// Independent reference for the change-detection table of bench:validity (PART=changes, issue 24).
//
// Written from the papers, sharing no code with src/ or bench/validity/sim/: plain JavaScript, seedrandom's
// generator with its own seeds, its own Beta and Student-t samplers. It keeps EVERY reward of an
// arm since its last restart and recomputes the GLR from scratch at each check (prefix sums over
// the whole history, every split), where the service keeps bounded block sums: the difference
// between the two tables is what the bound costs.
//
//  - Thompson Sampling: Beta(1 + S, 1 + F) (Bernoulli), Normal-Gamma with the service's default
//    prior mu 0, lambda 0.01, alpha 1, beta 1 (Murphy 2007, eq. 85-89) for the Gaussian instance.
//  - GLR (Besson, Kaufmann, Maillard, Seznec, JMLR 2022): every 10 rewards of an arm, for every
//    split s = 10, 20, ..., n - 10 of its rewards since the restart, the Bernoulli GLR
//    s kl(mu_1:s, mu_1:n) + (n - s) kl(mu_s+1:n, mu_1:n), or the Gaussian one with unknown common
//    variance (n / 2) ln(S0 / S1); change when the largest exceeds ln(3 n^1.5 / delta).
//    Bonferroni with the trend test below: each at delta / 2.
//  - When no split crosses: the trend test, the least-squares line of the rewards on their rank
//    i = 0..n-1 against a constant mean, Gaussian likelihood with unknown variance,
//    (n / 2) ln(S0 / (S0 - Sxy^2 / Sxx)); change when it exceeds ln(2 ln(n) / (delta / 2)), the split
//    then at the middle of the history (n / 2 rounded up to a multiple of 10).
//  - On a change at split s: if the arm leads (highest posterior mean) and its mean fell, or it does
//    not lead and its mean rose, its evidence is its rewards after s; in every case the test's
//    history becomes the rewards after s. When the leader fell, every other arm's evidence is
//    emptied (its test goes on).
//
//   node bench/validity/reference/glr_reference.mjs [reps] [delta]      prints JSON
import seedrandom from 'seedrandom';

const REPS = Number(process.argv[2] ?? 200);
const DELTA = Number(process.argv[3] ?? 0.001);
const CHECK = 10;

const constant = (m) => () => m;
const INSTANCES = {
  abrupt: { T: 20000, gauss: false, means: (t) => (t < 10000 ? [0.1, 0.05] : [0.05, 0.1]) },
  drift: { T: 20000, gauss: false, means: (t) => [0.1 - (0.05 * t) / 20000, 0.05 + (0.05 * t) / 20000] },
  'ten-close': { T: 10000, gauss: false, means: constant([0.1, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08]) },
  'two-high': { T: 5000, gauss: false, means: constant([0.9, 0.8]) },
  'ten-low': { T: 10000, gauss: false, means: constant([0.1, 0.05, 0.05, 0.05, 0.02, 0.02, 0.02, 0.01, 0.01, 0.01]) },
  'gauss-5': { T: 10000, gauss: true, means: constant([0, 0.1, 0.2, 0.3, 0.5]) },
  many: {
    T: 20000, gauss: false,
    means: (t) => {
      const seg = Math.floor(t / 500) % 4;
      return [t < 10000 ? 0.1 : 0.12, [0.05, 0.08, 0.02, 0.07][seg], [0.03, 0.06, 0.085, 0.01][seg]];
    },
  },
};

function normal(rng) {
  // Box-Muller.
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function gamma(shape, rng) {
  // Marsaglia and Tsang 2000; shape < 1 by Gamma(shape + 1) U^(1 / shape).
  if (shape < 1) return gamma(shape + 1, rng) * Math.pow(rng(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x;
    let v;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

const beta = (a, b, rng) => {
  const x = gamma(a, rng);
  return x / (x + gamma(b, rng));
};
const studentT = (nu, rng) => normal(rng) / Math.sqrt((2 * gamma(nu / 2, rng)) / nu);

function kl(p, q) {
  q = Math.min(Math.max(q, 1e-15), 1 - 1e-15);
  return (p > 0 ? p * Math.log(p / q) : 0) + (p < 1 ? (1 - p) * Math.log((1 - p) / (1 - q)) : 0);
}

/** The split of a detected change in xs (recomputed from the rewards) and the means either side; null when none. */
function glr(xs, gauss) {
  const n = xs.length;
  const S = [0];
  const Q = [0];
  for (const x of xs) {
    S.push(S[S.length - 1] + x);
    Q.push(Q[Q.length - 1] + x * x);
  }
  const half = DELTA / 2;
  let best = -Infinity;
  let at = -1;
  for (let s = CHECK; s <= n - CHECK; s += CHECK) {
    let g;
    if (!gauss) {
      const m = S[n] / n;
      g = s * kl(S[s] / s, m) + (n - s) * kl((S[n] - S[s]) / (n - s), m);
    } else {
      const ss = (q, sum, k) => Math.max(0, q - (sum * sum) / k);
      const s0 = ss(Q[n], S[n], n);
      const s1 = Math.max(ss(Q[s], S[s], s) + ss(Q[n] - Q[s], S[n] - S[s], n - s), s0 * 1e-12);
      g = s0 > 0 ? (n / 2) * Math.log(s0 / s1) : 0;
    }
    if (g > best) {
      best = g;
      at = s;
    }
  }
  if (!(best > Math.log((3 * Math.pow(n, 1.5)) / half))) {
    // The trend: regression on the rank.
    const c = (n - 1) / 2;
    let sxy = 0;
    for (let i = 0; i < n; i++) sxy += (i - c) * xs[i];
    const sxx = (n * (n * n - 1)) / 12;
    const s0 = Q[n] - (S[n] * S[n]) / n;
    const g = s0 > 0 ? (n / 2) * Math.log(s0 / Math.max(s0 - (sxy * sxy) / sxx, s0 * 1e-12)) : 0;
    if (!(g > Math.log((2 * Math.log(n)) / half))) return null;
    at = Math.ceil(n / 2 / CHECK) * CHECK;
  }
  return { at, mean1: S[at] / at, mean2: (S[n] - S[at]) / (n - at) };
}

/** An arm's evidence: its count, sum and sum of squares (recomputed from the rewards on a restart). */
const sumsOf = (xs) => ({ n: xs.length, sum: xs.reduce((a, b) => a + b, 0), sq: xs.reduce((a, b) => a + b * b, 0) });

function posteriorMeanOf(ev, gauss) {
  const { n, sum } = ev;
  return gauss ? sum / (0.01 + n) : (1 + sum) / (2 + n);
}

function draw(ev, gauss, rng) {
  const { n, sum, sq } = ev;
  if (!gauss) return beta(1 + sum, 1 + n - sum, rng);
  if (n === 0) return 0 + Math.sqrt(1 / (1 * 0.01)) * studentT(2, rng);
  const mean = sum / n;
  const lam = 0.01 + n;
  const mu = sum / lam;
  const a = 1 + n / 2;
  const b = 1 + Math.max(0, sq - n * mean * mean) / 2 + (0.01 * n * mean * mean) / (2 * lam);
  return mu + Math.sqrt(b / (a * lam)) * studentT(2 * a, rng);
}

function run(inst, detect, seed) {
  const rng = seedrandom(seed);
  const k = inst.means(0).length;
  const ev = Array.from({ length: k }, () => sumsOf([]));
  const hist = Array.from({ length: k }, () => []);
  let regret = 0;
  let detections = 0;
  for (let t = 0; t < inst.T; t++) {
    let a = 0;
    let top = -Infinity;
    for (let j = 0; j < k; j++) {
      const d = draw(ev[j], inst.gauss, rng);
      if (d > top) {
        top = d;
        a = j;
      }
    }
    const mu = inst.means(t);
    regret += Math.max(...mu) - mu[a];
    const x = inst.gauss ? mu[a] + normal(rng) : rng() < mu[a] ? 1 : 0;
    ev[a] = { n: ev[a].n + 1, sum: ev[a].sum + x, sq: ev[a].sq + x * x };
    if (!detect) continue;
    hist[a].push(x);
    if (hist[a].length % CHECK !== 0 || hist[a].length < 2 * CHECK) continue;
    const r = glr(hist[a], inst.gauss);
    if (r === null) continue;
    detections++;
    const means = ev.map((e) => posteriorMeanOf(e, inst.gauss));
    const leader = means.indexOf(Math.max(...means));
    const after = hist[a].slice(r.at);
    if ((leader === a && r.mean2 < r.mean1) || (leader !== a && r.mean2 > r.mean1)) ev[a] = sumsOf(after);
    if (leader === a && r.mean2 < r.mean1) for (let j = 0; j < k; j++) if (j !== a) ev[j] = sumsOf([]);
    hist[a] = after;
  }
  return { regret, detections };
}

const stat = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  return { mean: m, se: Math.sqrt(v / xs.length) };
};

const out = {};
for (const [key, inst] of Object.entries(INSTANCES)) {
  const ts = [];
  const glrRuns = [];
  for (let r = 0; r < REPS; r++) {
    ts.push(run(inst, false, `ref-ts/${key}/${r}`).regret);
    glrRuns.push(run(inst, true, `ref-glr/${key}/${r}`));
  }
  const a = stat(glrRuns.map((x) => x.regret));
  const b = stat(ts);
  const ratio = a.mean / b.mean;
  out[key] = {
    thompson: b, glr: a,
    ratio: { mean: ratio, se: ratio * Math.sqrt((a.se / a.mean) ** 2 + (b.se / b.mean) ** 2) },
    detectionsPerRun: stat(glrRuns.map((x) => x.detections)).mean,
  };
  process.stderr.write(`${key} done\n`);
}
process.stdout.write(`${JSON.stringify({ reps: REPS, delta: DELTA, instances: out }, null, 1)}\n`);
