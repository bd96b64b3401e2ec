/**
 * Redis memory per history point (MEMORY USAGE of an experiment's history sorted set over 2,000
 * points, divided by 2,000), for 3 and 10 arms, and what the default retention costs per experiment:
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npm run bench:memory -- history
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { historyPoint } from '../../src/service/history.js';
import { connectRedisStore } from '../../src/store/redis-connect.js';
import type { ExperimentState, ExperimentStats, HistoryPoint } from '../../src/contract/domain.js';
import { deleteKeys } from '../../test/helpers/redis.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bench-history:${randomBytes(3).toString('hex')}:`;
const POINTS = 2000;
const RETAINED = 7 * 1440; // the default retention at the default interval
const store = await connectRedisStore(REDIS_URL, { prefix, commandTimeoutMs: 5000 });
const admin = new Redis(REDIS_URL);
const tally = (decisions: number) => ({ decisions, rewards: decisions, sum: Math.floor(decisions * 0.2), sumSq: Math.floor(decisions * 0.2), users: Math.floor(decisions / 3) });

console.log(`\nHistory memory (bench:memory -- history), Redis ${(await admin.info('server')).match(/redis_version:(\S+)/)?.[1]}\n`);
console.log('| arms | bytes per point | JSON bytes | per experiment, 7 days at 60 s |\n|--:|--:|--:|--:|');
try {
  for (const arms of [3, 10]) {
    const id = `e${arms}`;
    const ids = Array.from({ length: arms }, (_, i) => `arm-${i}`);
    const state = { config: { id, arms: ids.map((a) => ({ id: a })), rewardModel: 'bernoulli', policy: 'thompson', prior: { alpha: 1, beta: 1 } }, disabled: {}, version: 1 } as unknown as ExperimentState;
    let prev: HistoryPoint | null = null;
    for (let k = 0; k < POINTS; k++) {
      // Realistic magnitudes: counts in the hundreds of thousands by the end, shares that change.
      const stats: ExperimentStats = { arms: ids.map((armId, i) => ({ armId, bandit: tally(150 * k + 37 * i * (k % 7)), holdback: tally(20 * k), excluded: tally(0) })) };
      prev = historyPoint(state, stats, prev, 1_750_000_000 + 60 * k);
      await store.writeHistoryPoint(id, prev, 7 * 86_400);
    }
    const perPoint = Number(await admin.memory('USAGE', `${prefix}{exp:${id}}:h`, 'SAMPLES', 0)) / POINTS;
    console.log(`| ${arms} | ${perPoint.toFixed(0)} | ${JSON.stringify(prev).length} | ${((perPoint * RETAINED) / 2 ** 20).toFixed(1)} MiB |`);
  }
} finally {
  await store.close();
  await deleteKeys(admin, prefix);
  admin.disconnect();
}
