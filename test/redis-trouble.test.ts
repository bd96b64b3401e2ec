/**
 * Redis trouble at the store level: a paused server, a port where nothing listens, a server that
 * stops and comes back. Every call must fail fast with StoreUnavailableError, and the same store
 * instance must work again once Redis does. Bugs (a wrong reply) must not pass for unavailability.
 * Each test uses its own redis-server child, so pausing it disturbs no other test file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectRedisStore } from '../src/store/redis-connect.js';
import { ExperimentKeys } from '../src/store/redis-keys.js';
import { isUnavailable, type RedisStore } from '../src/store/redis-store.js';
import { StoreUnavailableError, type AssignInput, type RewardInput } from '../src/store/store.js';
import type { ExperimentConfig } from '../src/contract/domain.js';
import { describeIf, freePort, redisBinariesAvailable, startRedisServer, uniquePrefix, waitFor, type RedisServer } from './helpers/redis.js';

const NOW = 1_750_000_000;
const ISO = new Date(NOW * 1000).toISOString();
/** The bound on how long a failing call may take (the command timeout is 250 ms). */
const FAST_MS = 1500;

const config: ExperimentConfig = {
  id: 'trouble', arms: [{ id: 'a' }, { id: 'b' }], baselineArmId: 'a', rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 },
  policy: 'thompson', holdbackPercent: 0, trafficPercent: 100, stickiness: true, stickyTtlSeconds: 60, rewardWindowSeconds: 600,
  guardrails: null, endsAt: null, seed: null, status: 'active', createdAt: ISO, updatedAt: ISO,
};
const assign = (version = 1): AssignInput => ({
  experimentId: 'trouble', version, population: 'b', armId: 'b', propensity: 0.5, userId: 'u1', sticky: true, stickyTtlSeconds: 60, now: NOW, withStats: false,
  log: { nonce: 'AAAAAAAAAAAAAAAA', nowMs: NOW * 1000, disabledArms: '', retentionSeconds: 600 },
});
const reward = (decisionKey: string): RewardInput => ({
  experimentId: 'trouble', armId: 'b', population: 'b', decisionKey, issuedAt: NOW, rewardWindowSeconds: 600, reward: 1,
  event: { error: false }, guardrails: null, windowSize: 10, baseline: false, nowMs: NOW * 1000, log: { propensity: 0.5, retentionSeconds: 600 },
});

/** Expects every call to reject with StoreUnavailableError, each within FAST_MS. */
async function expectUnavailable(calls: Record<string, () => Promise<unknown>>): Promise<void> {
  await Promise.all(Object.entries(calls).map(async ([name, call]) => {
    const started = Date.now();
    const err = await call().then(() => null, (e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err, name).toBeInstanceOf(StoreUnavailableError);
    expect(elapsed, `${name} took ${elapsed} ms`).toBeLessThan(FAST_MS);
  }));
}

const storeWorks = (store: RedisStore) => (): Promise<boolean> => store.ping().then(() => true, () => false);

describeIf(redisBinariesAvailable(), 'redis-server', 'redis trouble', () => {
  let server: RedisServer;
  beforeAll(async () => { server = await startRedisServer(); });
  afterAll(async () => { await server?.destroy(); });

  it('fails fast while Redis is paused, then the same store works; the retried reward is a duplicate', async () => {
    const store = await connectRedisStore(server.url, { prefix: uniquePrefix(), commandTimeoutMs: 250 });
    try {
      await store.createExperiment(config);
      expect(await store.assign(assign())).toMatchObject({ kind: 'served' });

      const pauser = new Redis(server.url);
      await pauser.call('CLIENT', 'PAUSE', '2000', 'ALL');
      const pausedAt = Date.now();
      await expectUnavailable({
        assign: () => store.assign(assign()),
        recordReward: () => store.recordReward(reward('retried')),
        ping: () => store.ping(),
      });
      expect(Date.now() - pausedAt).toBeLessThan(2000); // all of it happened during the pause

      // Wait out the pause without calling (the queued reward is then applied as Redis resumes).
      await new Promise((r) => setTimeout(r, 2000 - (Date.now() - pausedAt) + 100));
      await waitFor(storeWorks(store), 5000, 'the store to answer after the pause');
      pauser.disconnect();
      expect(await store.assign(assign())).toEqual({ kind: 'served', armId: 'b', propensity: 0.5, sticky: true, firstExposure: false });
      // The reward that timed out was applied when the pause ended: its retry is a duplicate.
      expect(await store.recordReward(reward('retried'))).toEqual({ kind: 'duplicate' });
      expect((await store.getStats('trouble'))!.arms[1].bandit.rewards).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('redials a connection on which nothing has been answered for 2 s', async () => {
    const store = await connectRedisStore(server.url, { prefix: uniquePrefix(), commandTimeoutMs: 250 });
    const client = (store as unknown as { client: Redis }).client;
    let redials = 0;
    client.on('reconnecting', () => { redials += 1; });
    try {
      await store.ping();
      const pauser = new Redis(server.url);
      await pauser.call('CLIENT', 'PAUSE', '3000', 'ALL');
      const pausedAt = Date.now();
      while (Date.now() - pausedAt < 2700) {
        await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(redials).toBeGreaterThanOrEqual(1);
      pauser.disconnect();
      await waitFor(storeWorks(store), 5000, 'the store to answer after the pause');
    } finally {
      await store.close();
    }
  });

  it('fails fast while the server is down, and recovers when it is back', async () => {
    const store = await connectRedisStore(server.url, { prefix: uniquePrefix(), commandTimeoutMs: 250 });
    try {
      await store.createExperiment(config);
      await server.stop();
      await expectUnavailable({
        assign: () => store.assign(assign()),
        recordReward: () => store.recordReward(reward('k1')),
        ping: () => store.ping(),
        getExperiment: () => store.getExperiment('trouble'),
      });
      await server.start(); // an empty server: no persistence
      await waitFor(storeWorks(store), 5000, 'the store to reconnect');
      expect(await store.createExperiment(config)).toBe(true);
      expect(await store.recordReward(reward('k1'))).toEqual({ kind: 'accepted' });
    } finally {
      await store.close();
    }
  });

  it('starts without Redis (connect does not hang), fails fast, and connects once Redis appears', async () => {
    const port = await freePort();
    const started = Date.now();
    const store = await connectRedisStore(`redis://127.0.0.1:${port}`, { prefix: uniquePrefix(), commandTimeoutMs: 250, connectWaitMs: 500 });
    expect(Date.now() - started).toBeLessThan(FAST_MS);
    let late: RedisServer | null = null;
    try {
      await expectUnavailable({
        assign: () => store.assign(assign()),
        recordReward: () => store.recordReward(reward('k1')),
        ping: () => store.ping(),
        secret: () => store.getOrCreateSecret('s'),
      });
      late = await startRedisServer({ port });
      await waitFor(storeWorks(store), 5000, 'the store to connect');
      expect(await store.createExperiment(config)).toBe(true);
      expect(await store.assign(assign())).toMatchObject({ kind: 'served' });
    } finally {
      await store.close();
      await late?.destroy();
    }
  });

  it('passes a wrong reply (a bug) through as itself, not as unavailability', async () => {
    const prefix = uniquePrefix();
    const store = await connectRedisStore(server.url, { prefix, commandTimeoutMs: 250 });
    const admin = new Redis(server.url);
    try {
      await admin.set(new ExperimentKeys(prefix, 'broken').meta(), 'not a hash');
      const err = await store.assign({ ...assign(), experimentId: 'broken' }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(StoreUnavailableError);
      expect((err as Error).message).toMatch(/WRONGTYPE/);
    } finally {
      admin.disconnect();
      await store.close();
    }
  });
});

describe('redis error classification', () => {
  const reply = (message: string): Error => Object.assign(new Error(message), { name: 'ReplyError' });
  it('treats connection loss, timeouts and transient server states as unavailability', () => {
    for (const err of [new Error('Command timed out'), new Error('Connection is closed.'),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      reply('LOADING Redis is loading the dataset in memory'), reply('CLUSTERDOWN The cluster is down'),
      reply('BUSY Redis is busy running a script'), reply('OOM command not allowed'), reply('READONLY You can\'t write')]) {
      expect(isUnavailable(err), err.message).toBe(true);
    }
  });
  it('treats script errors, wrong types and programming errors as bugs', () => {
    for (const err of [reply('ERR user_script:12: Script attempted to access nonexistent global variable'),
      reply('WRONGTYPE Operation against a key holding the wrong kind of value'), new TypeError('x is undefined'), 'a string']) {
      expect(isUnavailable(err), String(err)).toBe(false);
    }
  });
});
