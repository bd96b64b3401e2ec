/**
 * Issue 21: the cost of evaluating a targeting condition per request (compiled once per condition,
 * src/contract/condition.ts), for a 5-clause condition on a realistic context, against a match
 * and a miss; and the one-off compile.
 *
 *   npx tsx bench/serving/condition-cost.ts [iterations=2000000]
 */
import { compileCondition } from '../../src/contract/condition.js';

const FIVE_CLAUSES = {
  plan: { $in: ['pro', 'team'] },
  'device.os': 'ios',
  app: { $vgte: '2.3.0' },
  country: { $nin: ['ru', 'by'] },
  email: { $regex: '@example\\.com$' },
};
const MATCH = { plan: 'team', device: { os: 'ios', model: 'iPhone15,2' }, app: '2.10.1', country: 'fr', email: 'ana@example.com', sessions: 42 };
const MISS_LAST = { ...MATCH, email: 'ana@other.org' };

function perCall(test: (c: unknown) => boolean, context: unknown, n: number): number {
  let hits = 0;
  for (let i = 0; i < n / 10; i++) hits += test(context) ? 1 : 0; // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) hits += test(context) ? 1 : 0;
  const ns = Number(process.hrtime.bigint() - t0) / n;
  if (hits < 0) console.log(hits); // keeps the loop
  return ns;
}

const n = Number(process.argv[2] ?? 2_000_000);
const t0 = process.hrtime.bigint();
const compiles = 10_000;
for (let i = 0; i < compiles; i++) compileCondition(FIVE_CLAUSES);
const compileUs = Number(process.hrtime.bigint() - t0) / compiles / 1000;
const test = compileCondition(FIVE_CLAUSES);
console.log(`5-clause condition ($in, dotted literal, $vgte, $nin, $regex), ${n} evaluations each, Node ${process.version}`);
for (let round = 1; round <= 3; round++) {
  console.log(`round ${round}: match ${(perCall(test, MATCH, n) / 1000).toFixed(3)} µs, miss on the last clause ${(perCall(test, MISS_LAST, n) / 1000).toFixed(3)} µs per evaluation`);
}
console.log(`compile: ${compileUs.toFixed(2)} µs (once per distinct condition)`);
