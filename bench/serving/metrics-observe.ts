/**
 * CPU nanoseconds per call of what the metrics add outside select()/reward() (which bench:serving -- hot-path
 * covers): the HTTP histogram's observation in the onResponse hook, and one store-call observation.
 * 2,000,000 calls per repetition, 5 repetitions, process.cpuUsage:
 *
 *   npx tsx bench/serving/metrics-observe.ts
 */
import { Metrics } from '../../src/observability/metrics.js';

const N = 2_000_000;
const m = new Metrics();
const routes = ['/select', '/reward'];
const ops = ['assign', 'recordReward'];

function nsPerCall(f: (i: number) => void): string {
  const out: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const start = process.cpuUsage();
    for (let i = 0; i < N; i++) f(i);
    const used = process.cpuUsage(start);
    out.push(((used.user + used.system) * 1000) / N);
  }
  out.sort((a, b) => a - b);
  return `${out[2].toFixed(0)} (${out[0].toFixed(0)}-${out[4].toFixed(0)})`;
}

console.log('| observation | ns per call, median (min-max) of 5 |\n|---|--:|');
console.log(`| httpRequest (onResponse hook) | ${nsPerCall((i) => m.httpRequest('POST', routes[i & 1], 200, 0.0003))} |`);
console.log(`| storeCall (timed store) | ${nsPerCall((i) => m.storeCall(ops[i & 1], 0.0002, false))} |`);
console.log(`| decision counter | ${nsPerCall((i) => m.decision('exp-1', routes[i & 1], 'b'))} |`);
