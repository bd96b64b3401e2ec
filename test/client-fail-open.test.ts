/** Issue 19 item 6: select() fails open, a 404 after the store lost the experiment included (a real service on Redis, listening). */
import { expect, it } from 'vitest';
import { BanditClient } from '../src/client/index.js';
import { experimentBody } from './helpers/app.js';
import { describeIf, REDIS_URL, redisAvailable } from './helpers/redis.js';
import { useRedisReplicas } from './helpers/redis-replicas.js';

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'the client fails open', () => {
  const { replica, loseData } = useRedisReplicas();

  it('serves the default arm with a reason on a 404 after data loss, a 401 and a 400, and never throws', async () => {
    const t = await replica();
    expect((await t.post('/experiments', experimentBody())).status).toBe(201);
    const baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const reasons: string[] = [];
    const bandit = new BanditClient({ baseUrl, selectTimeoutMs: 2000, onFallback: (d) => reasons.push(d.fallbackReason) });
    const served = await bandit.select('exp-1', { userId: 'u', default: 'control' });
    expect(served.decisionId).toEqual(expect.any(String));

    expect(await loseData()).toBeGreaterThan(0);
    const lost = await bandit.select('exp-1', { userId: 'u', default: { armId: 'control', payload: { prompt: 'mine' } } });
    expect(lost).toMatchObject({ decisionId: null, armId: 'control', payload: { prompt: 'mine' }, fallback: true, fallbackReason: 'not_found', status: 404, errorCode: 'experiment_not_found' });

    const badKey = new BanditClient({ baseUrl, apiKey: 'not-a-key-of-this-service-0123456789' });
    const created = await t.post('/keys', { scope: 'admin', name: 'first' }); // keys now required
    expect(created.status).toBe(201);
    const keyed = new BanditClient({ baseUrl, apiKey: created.body.key });
    expect(await keyed.select('', { default: 'control' })).toMatchObject({ fallback: true, fallbackReason: 'rejected', status: 400, errorCode: 'invalid_request' });
    expect(await badKey.select('exp-1', { default: 'control' })).toMatchObject({ fallback: true, fallbackReason: 'unauthorized', status: 401 });
    expect(await bandit.select('', { default: 'control' })).toMatchObject({ fallback: true, fallbackReason: 'unauthorized' });
    expect(reasons).toEqual(['not_found', 'unauthorized']);
    await bandit.close();
    await badKey.close();
    await keyed.close();
  });
});
