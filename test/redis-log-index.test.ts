/**
 * The Redis log's per-type index (lua/log-of-type.lua, issue 19): a filtered page is read through
 * the index streams, which are brought up to date in slices of INDEX_SLICE log entries; each
 * type's stream holds exactly its events' ids; a page after the log was trimmed by age starts at
 * the oldest event kept, and is still complete. The background indexer (service/log-indexer.ts),
 * run by two replicas at once while the log is written, indexes every entry exactly once, and a
 * filtered page after it then indexes only the tail.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExperimentKeys } from '../src/store/redis-keys.js';
import { connectRedisStore } from '../src/store/redis-connect.js';
import { INDEX_SLICE } from '../src/store/redis-log-reader.js';
import { LogIndexer } from '../src/jobs/log-indexer.js';
import { buildApp } from '../src/app.js';
import type { RedisStore } from '../src/store/redis-store.js';
import { fillLog } from '../bench/serving/log-load/fill.js';
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

  it('two replicas indexing in the background while the log is written: every entry indexed once, none skipped', async () => {
    const other = await connectRedisStore(REDIS_URL, { prefix, commandTimeoutMs: 5000 }); // a second replica on the same keys
    try {
      await store.createExperiment({ id: 'shared', arms: [{ id: 'control' }, { id: 'structured' }, { id: 'large' }] } as never);
      const calls = [0, 0];
      const replica = (s: RedisStore, n: number) => new LogIndexer({
        experimentIds: () => s.experimentIds(),
        advanceLogIndex: (id) => { calls[n]++; return s.advanceLogIndex(id); },
      }, (err) => { throw err; });
      const [a, b] = [replica(store, 0), replica(other, 1)];
      let writing = true;
      const keepUp = async (x: LogIndexer) => { while (writing || !(await x.pass())) await x.pass(); };
      await Promise.all([
        fillLog(store, 'shared', 6 * INDEX_SLICE, 3 * INDEX_SLICE, 50).then(() => { writing = false; }),
        keepUp(a), keepUp(b),
      ]);
      expect(calls[0]).toBeGreaterThan(2);
      expect(calls[1]).toBeGreaterThan(2);

      const s = new ExperimentKeys(prefix, 'shared');
      const log = await admin.xrange(s.log(), '-', '+');
      expect(log).toHaveLength(9 * INDEX_SLICE);
      const idsOf = (t: string) => log.filter(([, f]) => f[0] === t).map(([id]) => id);
      for (const t of ['d', 'r'] as const) expect((await admin.xrange(s.logIndex(t), '-', '+')).map(([id]) => id)).toEqual(idsOf(t));
      expect(await admin.xlen(s.logIndex('g'))).toBe(0);
      expect(await admin.get(s.logIndexed())).toBe(log.at(-1)![0]);

      // A filtered page now indexes only what was written since: one script call for 5 new decisions.
      await fillLog(store, 'shared', 5, 0);
      const evalsha = async () => [...(await admin.info('commandstats')).matchAll(/cmdstat_evalsha:calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
      const before = await evalsha();
      const page = (await other.readEventsOfType('shared', 'decision', idsOf('d').at(-1)!, 10))!;
      expect(page).toHaveLength(5);
      // The shared server counts other suites' calls too: at least this page's one, far fewer than a full re-index.
      expect(await evalsha() - before).toBeLessThan(9);
    } finally {
      await other.close();
    }
  });

  it('the app keeps the index current by itself on Redis', async () => {
    await store.createExperiment({ id: 'bg', arms: [{ id: 'control' }, { id: 'structured' }, { id: 'large' }] } as never);
    await fillLog(store, 'bg', 2 * INDEX_SLICE, 10, 100);
    const app = await buildApp({ store, secret: 'log-indexer-test-secret-0123456789' });
    try {
      const s = new ExperimentKeys(prefix, 'bg');
      const [[lastId]] = await admin.xrevrange(s.log(), '+', '-', 'COUNT', 1);
      const deadline = Date.now() + 10_000;
      while (await admin.get(s.logIndexed()) !== lastId && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await admin.get(s.logIndexed())).toBe(lastId);
      expect(await admin.xlen(s.logIndex('r'))).toBe(10);
    } finally {
      await app.close();
    }
  });
});
