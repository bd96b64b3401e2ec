/**
 * Calibration of the trend test's threshold (src/bandit/glr.ts trendThreshold, issue 24): on
 * stationary streams, the largest value over the checks (every BLOCK rewards) of the trend GLR
 * minus a candidate growth term, per stream; its upper quantiles give P(max > x) ~ C e^-x, so the
 * threshold ln(C g(n) / delta) holds the chance of any false alarm over the stream near delta.
 * The detector's state is the service's (observe with a delta so small that nothing fires, so the
 * segments are merged exactly as in the service). Then, directly, the share of streams on which
 * the service's detector (both tests) raises any alarm, at deltas large enough to count them.
 *
 *   STREAMS=300 LENGTH=20000 npx tsx bench/validity/trend-calibration.ts
 */
import { BLOCK, emptyGlrState, observe, sumOf, trendStatistic } from '../../src/bandit/glr.js';
import { makeRng, sampleNormal } from '../../src/bandit/random.js';

const STREAMS = Number(process.env.STREAMS ?? 300);
const LENGTH = Number(process.env.LENGTH ?? 20_000);
const GROWTH: Record<string, (n: number) => number> = {
  'none': () => 0,
  '0.5 ln n (the split threshold without its union over splits)': (n) => 0.5 * Math.log(n),
  'ln ln n (the trend threshold)': (n) => Math.log(Math.log(n)),
};
const STREAM_KINDS: { label: string; draw: (r: () => number) => number }[] = [
  { label: 'Bernoulli 0.1', draw: (r) => (r() < 0.1 ? 1 : 0) },
  { label: 'Gaussian (0, 1)', draw: (r) => sampleNormal(r) },
];

console.log(`${STREAMS} stationary streams of ${LENGTH.toLocaleString('en-US')} rewards each; quantiles over the streams of max over the checks of (trend GLR - growth term); `
  + 'C = the fitted constant of P(max > x) = C e^-x at the 90% and 99% quantiles.\n');
console.log('| stream | growth term | median | 90% | 99% | C at 90% | C at 99% |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const kind of STREAM_KINDS) {
  const maxima = Object.fromEntries(Object.keys(GROWTH).map((k) => [k, [] as number[]]));
  for (let s = 0; s < STREAMS; s++) {
    const rng = makeRng(`trend-calibration/${kind.label}/${s}`);
    let state = emptyGlrState();
    const top = Object.fromEntries(Object.keys(GROWTH).map((k) => [k, -Infinity]));
    for (let i = 0; i < LENGTH; i++) {
      state = observe(state, 'gaussian', 1e-300, kind.draw(rng), i).state;
      if ((i + 1) % BLOCK !== 0 || i + 1 < 2 * BLOCK) continue;
      const total = sumOf(state.blocks);
      const { statistic } = trendStatistic(state.blocks, total);
      for (const [k, g] of Object.entries(GROWTH)) top[k] = Math.max(top[k], statistic - g(total.n));
    }
    for (const k of Object.keys(GROWTH)) maxima[k].push(top[k]);
  }
  for (const [k, xs] of Object.entries(maxima)) {
    xs.sort((a, b) => a - b);
    const q = (p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
    console.log(`| ${kind.label} | ${k} | ${q(0.5).toFixed(2)} | ${q(0.9).toFixed(2)} | ${q(0.99).toFixed(2)} | ${(0.1 * Math.exp(q(0.9))).toFixed(2)} | ${(0.01 * Math.exp(q(0.99))).toFixed(2)} |`);
  }
}

// Directly: the share of streams with any detection by the service's detector (both tests, delta
// split), at deltas large enough for the alarms to be counted; nominally delta.
console.log(`\nThe detector itself (both tests), share of the ${STREAMS} streams with any false alarm in ${LENGTH.toLocaleString('en-US')} rewards (± binomial standard error):\n`);
console.log('| stream | delta | share of streams with an alarm | share / delta |');
console.log('| --- | ---: | ---: | ---: |');
for (const kind of STREAM_KINDS) {
  for (const delta of [0.05, 0.01]) {
    let alarmed = 0;
    for (let s = 0; s < STREAMS; s++) {
      const rng = makeRng(`trend-calibration/direct/${kind.label}/${delta}/${s}`);
      let state = emptyGlrState();
      for (let i = 0; i < LENGTH; i++) {
        const o = observe(state, kind.label.startsWith('Bernoulli') ? 'bernoulli' : 'gaussian', delta, kind.draw(rng), i);
        state = o.state;
        if (o.detection) { alarmed++; break; }
      }
    }
    const p = alarmed / STREAMS;
    const se = Math.sqrt(Math.max(p * (1 - p), 1 / STREAMS) / STREAMS);
    console.log(`| ${kind.label} | ${delta} | ${p.toFixed(3)} ± ${se.toFixed(3)} | ${(p / delta).toFixed(2)} ± ${(se / delta).toFixed(2)} |`);
  }
}
