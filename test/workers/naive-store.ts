/**
 * A deliberately broken store for the concurrency test: recordReward reads the tallies, adds in
 * Node and writes them back, and checks the dedupe set apart from adding to it. Concurrent
 * rewards lose updates and duplicates slip through; the test must notice.
 */
import { dedupeBucket } from '../../src/store/redis-keys.js';
import { RedisStore } from '../../src/store/redis-store.js';
import type { RewardInput, RewardResult } from '../../src/store/store.js';

export class NaiveRewardStore extends RedisStore {
  override async recordReward(input: RewardInput): Promise<RewardResult> {
    const k = this.keys(input.experimentId);
    const dedupe = k.dedupe(dedupeBucket(input.issuedAt, input.rewardWindowSeconds, input.issuedAt).bucket);
    if (await this.client.sismember(dedupe, input.decisionKey)) return { kind: 'duplicate' };
    if (input.reward !== undefined) {
      const f = (x: string): string => `${input.population}${x}:${input.armId}`;
      const [r, s, q] = await this.client.hmget(k.tallies(), f('r'), f('s'), f('q'));
      await this.client.hset(k.tallies(), {
        [f('r')]: Number(r ?? 0) + 1, [f('s')]: Number(s ?? 0) + input.reward, [f('q')]: Number(q ?? 0) + input.reward ** 2,
      });
    }
    await this.client.sadd(dedupe, input.decisionKey);
    return { kind: 'accepted' };
  }
}
