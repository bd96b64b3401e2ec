/**
 * One worker process of test/redis-concurrency.test.ts (run with `node --import tsx`): its own
 * store client, rewards sent with many in flight, counts of the answers sent back.
 *
 * Protocol over IPC: parent -> {job}; worker -> 'ready'; parent -> 'go'; worker -> {result}.
 */
import { createRedisClient, firstConnection } from '../../src/store/redis-connect.js';
import { RedisStore } from '../../src/store/redis-store.js';
import type { RewardInput } from '../../src/store/store.js';
import { NaiveRewardStore } from './naive-store.js';

export interface RewardJob {
  url: string;
  prefix: string;
  experimentId: string;
  store: 'atomic' | 'naive';
  /** [decisionKey, armId, reward] */
  rewards: [string, string, number][];
  issuedAt: number;
  inFlight: number;
}

export interface RewardJobResult {
  accepted: number;
  duplicate: number;
  other: string[];
}

const send = (msg: unknown): Promise<void> => new Promise((resolve, reject) => process.send!(msg, (err: Error | null) => (err ? reject(err) : resolve())));

process.once('message', async (job: RewardJob) => {
  const client = createRedisClient(job.url, 5000);
  const Store = job.store === 'naive' ? NaiveRewardStore : RedisStore;
  const store = new Store(client, { prefix: job.prefix, commandTimeoutMs: 5000 });
  await firstConnection(client, 5000);
  await send('ready');
  await new Promise((resolve) => process.once('message', resolve));

  const result: RewardJobResult = { accepted: 0, duplicate: 0, other: [] };
  const nowMs = job.issuedAt * 1000;
  let next = 0;
  async function lane(): Promise<void> {
    while (next < job.rewards.length) {
      const [decisionKey, armId, reward] = job.rewards[next++];
      const input: RewardInput = {
        experimentId: job.experimentId, armId, population: 'b', decisionKey, issuedAt: job.issuedAt, rewardWindowSeconds: 3600,
        reward, event: { error: false }, guardrails: null, windowSize: 100, baseline: false, nowMs,
        log: { propensity: 0.5, retentionSeconds: 86400 },
      };
      try {
        const res = await store.recordReward(input);
        if (res.kind === 'accepted') result.accepted += 1;
        else if (res.kind === 'duplicate') result.duplicate += 1;
        else result.other.push(res.kind);
      } catch (err) {
        result.other.push(String(err));
      }
    }
  }
  await Promise.all(Array.from({ length: job.inFlight }, lane));
  await store.close();
  await send(result);
  process.exit(0);
});
