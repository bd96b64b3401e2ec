/**
 * The real process under autocannon load, SIGTERM in the middle, on both stores: /ready turns 503
 * at once, no request is reset (a refused new connection is fine: that is the point), the process
 * exits 0 within the grace period, and on Redis every 2xx reward is counted exactly once.
 * (On the embedded store the counts die with the process; there the check is the answers.)
 */
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ExperimentKeys } from '../src/store/redis-keys.js';
import { deleteKeys, REDIS_URL, redisAvailable, uniquePrefix, waitFor } from './helpers/redis.js';
import { startService } from './helpers/service-process.js';

const redisUp = await redisAvailable();
const kinds = redisUp ? ['memory', 'redis'] : ['memory'];

describe.each(kinds)('SIGTERM under load (%s store)', (kind) => {
  it('drains: /ready 503 at once, 0 resets, exit 0, every 2xx reward counted', async () => {
    const prefix = uniquePrefix();
    // REDIS_TIMEOUT_MS 2000: the drain is under test, not Redis's latency (at the default 250 ms, 8 of 244
    // rewards answered 503 on a machine at load 13 while the suite ran three files at once).
    const { child, base, logs, exited } = await startService({ RATE_LIMIT: '0', SHUTDOWN_GRACE_MS: '5000', ...(kind === 'redis' && { REDIS_URL, REDIS_PREFIX: prefix, REDIS_TIMEOUT_MS: '2000' }) });
    const post = (path: string, body: unknown) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    try {
      await waitFor(async () => (await fetch(`${base}/ready`).catch(() => null))?.ok === true, 20_000, 'the service to be ready');
      expect((await post('/experiments', { id: 'drain', arms: [{ id: 'a' }, { id: 'b' }], rewardModel: 'bernoulli', policy: 'fixed' })).status).toBe(201);
      const ids: string[] = [];
      for (let batch = 0; batch < 40; batch++) {
        const got = await Promise.all(Array.from({ length: 50 }, () => post('/select', { experimentId: 'drain' }).then((r) => r.json() as Promise<{ decisionId: string }>)));
        ids.push(...got.map((d) => d.decisionId));
      }
      let next = 0;
      let accepted = 0;
      const errors: Record<string, number> = {};
      const statuses: Record<number, number> = {};
      const load = autocannon({
        url: base, connections: 8, duration: 4,
        requests: [{
          method: 'POST', path: '/reward', headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ decisionId: ids[next++ % ids.length], reward: 1 }) }),
          onResponse: (status, body) => {
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (status === 200 && JSON.parse(body).duplicate === false) accepted++;
          },
        }],
      }, () => {}); // with a callback autocannon returns its instance (events, stop)
      load.on('reqError', (err: NodeJS.ErrnoException) => { errors[err.code ?? err.message] = (errors[err.code ?? err.message] ?? 0) + 1; });
      await new Promise((r) => setTimeout(r, 700));
      const before = accepted;
      child.kill('SIGTERM');
      const sentAt = Date.now();
      await waitFor(async () => logs().includes('shutting down'), 2000, 'the signal to be handled');
      // From then on /ready is 503 on an open connection, or refused on a new one; never 200.
      const ready = await fetch(`${base}/ready`).then((r) => r.status, () => 'refused');
      expect(ready === 503 || ready === 'refused', `ready answered ${ready}`).toBe(true);
      const code = await exited;
      const exitMs = Date.now() - sentAt;
      load.stop();
      await new Promise((r) => setTimeout(r, 100));
      expect(code, logs()).toBe(0);
      expect(exitMs).toBeLessThan(5000);
      expect(before).toBeGreaterThan(0);
      const resets = Object.entries(errors).filter(([c]) => c !== 'ECONNREFUSED');
      expect(resets, `request errors ${JSON.stringify(errors)}`).toEqual([]);
      expect(Object.keys(statuses).filter((s) => s !== '200'), JSON.stringify(statuses)).toEqual([]);
      if (kind === 'redis') {
        const redis = new Redis(REDIS_URL);
        const tallies = await redis.hgetall(new ExperimentKeys(prefix, 'drain').tallies());
        const counted = Object.entries(tallies).filter(([f]) => /^br:/.test(f)).reduce((s, [, v]) => s + Number(v), 0);
        expect(counted).toBe(accepted);
        await deleteKeys(redis, prefix);
        redis.disconnect();
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
