/**
 * The Redis log's per-type index (lua/log-of-type.lua, issue 19): a filtered page is read through
 * the index streams, which are brought up to date in slices of INDEX_SLICE log entries; each
 * type's stream holds exactly its events' ids; a page after the log was trimmed by age starts at
 * the oldest event kept, and is still complete.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExperimentKeys } from '../src/store/redis-keys.js';
import { connectRedisStore } from '../src/store/redis-connect.js';
import { INDEX_SLICE } from '../src/store/redis-log-reader.js';
import type { RedisStore } from '../src/store/redis-store.js';
import { fillLog } from '../bench/log-load/fill.js';
import { REDIS_URL, deleteKeys, describeIf, redisAvailable, uniquePrefix } from './helpers/redis.js';

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'redis log index', () => {
  const prefix = uniquePrefix();
  const admin = new Redis(REDIS_URL);
  const k = new ExperimentKeys(prefix, 'big');
  let store: RedisStore;
  beforeAll(async () => {
    store = await connectRedisStore(REDIS_URL, { prefix, commandTimeoutMs: 5000 });
    await store.createExperiment({ id: 'big', arms: [{ id: 'control' }, { id: 'structured' }, { id: 'large' }] } as never);
  });
  afterAll(async () => {
    await store.close();
    await deleteKeys(admin, prefix);
    admin.disconnect();
  });

  it('indexes the log in slices, one stream of ids per type, and answers a filtered page from it', async () => {
    await fillLog(store, 'big', 3 * INDEX_SLICE, 7, 100); // the 7 rewards come after 3 slices of decisions
    // Script calls on the (shared) server: EVALSHA, and EVAL for a script it did not hold yet.
    const evalsha = async () => [...(await admin.info('commandstats')).matchAll(/cmdstat_eval(?:sha)?:calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    const before = await evalsha();
    const page = (await store.readEventsOfType('big', 'reward', null, 5))!;
    expect(page.map((e) => e.type)).toEqual(Array(5).fill('reward'));
    expect(await evalsha() - before).toBeGreaterThanOrEqual(4); // 607 entries: three full slices, then the rest and the page

    expect(await admin.xlen(k.logIndex('r'))).toBe(7);
    expect(await admin.xlen(k.logIndex('d'))).toBe(3 * INDEX_SLICE);
    const [[lastId]] = await admin.xrevrange(k.log(), '+', '-', 'COUNT', 1);
    expect(await admin.get(k.logIndexed())).toBe(lastId);
    const rewards = (await store.readEvents('big', null, 10_000))!.filter((e) => e.type === 'reward');
    expect([...page, ...(await store.readEventsOfType('big', 'reward', page[4].eventId, 5))!]).toEqual(rewards);

    const decisions = (await store.readEvents('big', null, 10_000))!.filter((e) => e.type === 'decision');
    await admin.xtrim(k.log(), 'MINID', decisions[400].eventId); // the log trimmed by age (exactly here)
    const first = (await store.readEventsOfType('big', 'decision', decisions[10].eventId, 3))!;
    expect(first).toEqual(decisions.slice(400, 403));
    expect((await store.readEventsOfType('big', 'reward', null, 100))!).toEqual(rewards);
  });
});
