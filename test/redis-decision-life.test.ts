/**
 * Issue 19 item 4: a decision id belongs to one life of its experiment. After Redis lost its data
 * and the experiment was created again (in the same second: the test clock does not move), none of
 * the 200 decisions issued before counts; decisions of the new life do.
 */
import { expect, it } from 'vitest';
import { experimentBody, type TestApp } from './helpers/app.js';
import { describeIf, REDIS_URL, redisAvailable } from './helpers/redis.js';
import { useRedisReplicas } from './helpers/redis-replicas.js';

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'decision ids across a loss of the store', () => {
  const { replica, loseData } = useRedisReplicas();
  const rewardsOf = async (t: TestApp): Promise<number> => ((await t.get('/arms?experimentId=exp-1')).body.arms as { rewards: number }[]).reduce((n, a) => n + a.rewards, 0);

  it('refuses the 200 decisions of the lost life (404) and counts none of them, on both replicas', async () => {
    const [a, b] = [await replica(), await replica()];
    expect((await a.post('/experiments', experimentBody())).status).toBe(201);
    const old: string[] = [];
    for (let i = 0; i < 200; i++) old.push((await (i % 2 ? a : b).post('/select', { experimentId: 'exp-1', userId: `u${i}` })).body.decisionId);

    expect(await loseData()).toBeGreaterThan(0);
    expect((await a.post('/experiments', experimentBody())).status).toBe(201);

    const one = await b.post('/reward', { decisionId: old[0], reward: 1 });
    expect(one.status).toBe(404);
    expect(one.body.error).toBe('decision_not_found');
    const batch = await a.post('/rewards', { events: old.slice(1).map((decisionId) => ({ decisionId, reward: 1 })) });
    expect(batch.body.results.map((r: { status: number }) => r.status)).toEqual(old.slice(1).map(() => 404));
    expect(await rewardsOf(a)).toBe(0);

    const fresh = (await b.post('/select', { experimentId: 'exp-1', userId: 'new' })).body.decisionId;
    expect((await a.post('/reward', { decisionId: fresh, reward: 1 })).status).toBe(200);
    expect(await rewardsOf(b)).toBe(1);
  });
});
