/**
 * The typed client (src/client, `bandit-service/client`) against the real service process, on the
 * embedded store and on a private Redis (which the last test stops and restarts mid-run), plus the
 * fallbacks a dead or silent service gives.
 */
import { execFile } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BanditApiError, BanditClient, type RewardEvent } from '../src/client/index.js';
import { freePort, redisBinariesAvailable, startRedisServer, type RedisServer } from './helpers/redis.js';
import { startListeningService, type ListeningService } from './helpers/service-process.js';

const ARMS = [{ id: 'control', payload: { prompt: 'v1' } }, { id: 'structured', payload: { prompt: 'v2' } }, { id: 'large', payload: { prompt: 'v3' } }];
const DEFAULT = { armId: 'control', payload: { prompt: 'v1' } };

interface Kind { name: string; start(): Promise<{ service: ListeningService; redis: RedisServer | null }> }
const kinds: Kind[] = [
  { name: 'memory', start: async () => ({ service: await startListeningService(), redis: null }) },
];
if (redisBinariesAvailable()) {
  kinds.push({
    name: 'redis',
    async start() {
      // AOF on, so that the data survives the stop and restart of the last test.
      const redis = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
      // 1 s per Redis command: with every write fsynced, 250 ms timed a reward out on a loaded machine
      // (a 503 the batch counted as refused); a stopped Redis still fails at once (connection refused).
      const service = await startListeningService({ REDIS_URL: redis.url, REDIS_TIMEOUT_MS: '1000', DECISION_SECRET: 'client-test-secret-0123456789' });
      return { service, redis };
    },
  });
} else if (process.env.CI === 'true') {
  throw new Error('redis-server is required in CI (CI=true)');
}

describe.each(kinds)('BanditClient against the service process ($name store)', (kind) => {
  let service: ListeningService;
  let redis: RedisServer | null;
  let bandit: BanditClient;
  beforeAll(async () => {
    ({ service, redis } = await kind.start());
    bandit = new BanditClient({ baseUrl: service.baseUrl, selectTimeoutMs: 2000, retry: { baseDelayMs: 50 }, batch: { flushIntervalMs: 100 } });
  });
  afterAll(async () => {
    await bandit?.close();
    expect(await service?.stop()).toBe(0);
    await redis?.destroy();
  });

  it('admin calls are typed and throw the contract errors', async () => {
    const created = await bandit.createExperiment({ id: 'exp', arms: ARMS, rewardModel: 'bernoulli' });
    expect(created).toMatchObject({ id: 'exp', baselineArmId: 'control', policy: 'thompson', status: 'active', version: 1 });
    const err = await bandit.createExperiment({ id: 'exp', arms: ARMS, rewardModel: 'bernoulli' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BanditApiError);
    expect(err).toMatchObject({ status: 409, code: 'experiment_exists' });
    expect((await bandit.listExperiments()).map((e) => e.id)).toContain('exp');
    expect((await bandit.updateExperiment('exp', { trafficPercent: 100 })).version).toBe(2);
    expect((await bandit.disableArm('exp', 'large', 'too slow')).arms.find((a) => a.id === 'large')).toMatchObject({ status: 'disabled', disabled: { reason: 'too slow' } });
    expect((await bandit.enableArm('exp', 'large')).arms.find((a) => a.id === 'large')?.status).toBe('active');
    expect(await bandit.getExperiment('nope').catch((e: unknown) => e)).toMatchObject({ status: 404, code: 'experiment_not_found' });
    expect(await bandit.ready()).toBe(true);
  });

  it('select() and reward(): a sticky decision, rewarded exactly once; a 4xx is a fallback for select() and thrown by reward()', async () => {
    const d = await bandit.select('exp', { userId: 'u-1', default: DEFAULT });
    expect(d.fallback).toBeUndefined();
    expect(d.decisionId).toEqual(expect.any(String));
    expect((await bandit.select('exp', { userId: 'u-1', default: DEFAULT }))).toMatchObject({ armId: d.armId, sticky: true });
    expect(await bandit.reward({ decisionId: d.decisionId!, reward: 1, latencyMs: 120 })).toEqual({ accepted: true, duplicate: false });
    expect(await bandit.reward({ decisionId: d.decisionId!, reward: 1 })).toEqual({ accepted: true, duplicate: true });
    expect(await bandit.select('nope', { default: DEFAULT })).toMatchObject({ fallback: true, fallbackReason: 'not_found', status: 404, errorCode: 'experiment_not_found' });
    expect(await bandit.reward({ decisionId: 'forged', reward: 1 }).catch((e: unknown) => e)).toMatchObject({ status: 404, code: 'decision_not_found' });
    const report = await bandit.report('exp');
    expect(report.totals.rewards).toBe(1);
  });

  it('rewards: batched by the flush interval, refusals reported, each counted once', async () => {
    await bandit.createExperiment({ id: 'batched', arms: ARMS, rewardModel: 'bernoulli' });
    const refused: string[] = [];
    const client = new BanditClient({ baseUrl: service.baseUrl, batch: { flushIntervalMs: 50, batchSize: 7, onError: (_e, err) => refused.push(err.error) } });
    for (let i = 0; i < 30; i++) {
      const d = await client.select('batched', { userId: `b-${i}`, default: DEFAULT });
      expect(client.rewards.add({ decisionId: d.decisionId!, reward: i % 2 })).toBe(true);
    }
    client.rewards.add({ decisionId: 'forged', reward: 1 });
    await new Promise((r) => setTimeout(r, 400)); // the interval sends them without being asked
    expect(client.rewards.stats).toEqual({ accepted: 30, duplicates: 0, rejected: 1, dropped: 0, queued: 0 });
    expect(refused).toEqual(['decision_not_found']);
    expect((await client.close()).accepted).toBe(30);
    expect(client.rewards.add({ decisionId: 'late', reward: 1 })).toBe(false);
    expect((await bandit.report('batched')).totals).toMatchObject({ decisions: 30, rewards: 30 });
  });

  it('rewards: a process that ends on its own sends its queue first (beforeExit)', async () => {
    const d = await bandit.select('batched', { userId: 'exit-1', default: DEFAULT });
    const dir = mkdtempSync(join(tmpdir(), 'client-exit-'));
    const script = join(dir, 'exit.ts');
    // A long flush interval: only the exit hook can send the reward before the process ends.
    writeFileSync(script, [
      `import { BanditClient } from ${JSON.stringify(fileURLToPath(new URL('../src/client/index.ts', import.meta.url)))};`,
      `const c = new BanditClient({ baseUrl: ${JSON.stringify(service.baseUrl)}, batch: { flushIntervalMs: 600000 } });`,
      `c.rewards.add({ decisionId: ${JSON.stringify(d.decisionId)}, reward: 1 });`,
    ].join('\n'));
    try {
      await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { timeout: 30_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await bandit.reward({ decisionId: d.decisionId!, reward: 1 })).toEqual({ accepted: true, duplicate: true });
  });

  it('rewards: the queue is bounded', async () => {
    const client = new BanditClient({ baseUrl: 'http://127.0.0.1:1', batch: { maxQueue: 3, flushIntervalMs: 60_000, closeTimeoutMs: 0 } });
    const added = [1, 2, 3, 4, 5].map((i) => client.rewards.add({ decisionId: `d-${i}`, reward: 1 }));
    expect(added).toEqual([true, true, true, false, false]);
    expect(await client.close()).toMatchObject({ dropped: 2, queued: 3 });
  });

  if (kind.name !== 'redis') return;

  it('Redis stopped mid-run: select() falls back, reward() and rewards retry until Redis is back; each reward counts once', async () => {
    await bandit.createExperiment({ id: 'cold', arms: ARMS, rewardModel: 'bernoulli' }); // never served by this replica: not cached
    const before = await bandit.select('exp', { userId: 'u-outage', default: DEFAULT });
    const decisions: string[] = [];
    for (let i = 0; i < 10; i++) decisions.push((await bandit.select('exp', { userId: `o-${i}`, default: DEFAULT })).decisionId!);
    const rewardsBefore = (await bandit.report('exp')).totals.rewards;

    await redis!.stop();
    // Cached experiment: the service serves its own fallback (the baseline, with a decision id).
    const served = await bandit.select('exp', { userId: 'u-outage', default: DEFAULT });
    expect(served).toMatchObject({ armId: 'control', population: 'excluded', fallback: true });
    // Uncached experiment: the service answers 503; the client serves the caller's default instead of throwing.
    const cold = await bandit.select('cold', { userId: 'u-outage', default: { armId: 'structured', payload: { prompt: 'mine' } } });
    expect(cold).toMatchObject({ decisionId: null, armId: 'structured', payload: { prompt: 'mine' }, fallback: true, fallbackReason: 'server_error' });
    // OFREP too: the cached flag is the baseline, marked; the uncached one a 503 in the protocol's shape.
    const ofrep = await fetch(`${service.baseUrl}/ofrep/v1/evaluate/flags/exp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"context":{"targetingKey":"u-outage"}}' });
    expect(await ofrep.json()).toMatchObject({ key: 'exp', variant: 'control', metadata: { fallback: true, population: 'excluded' } });
    const ofrepCold = await fetch(`${service.baseUrl}/ofrep/v1/evaluate/flags/cold`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"context":{}}' });
    expect(ofrepCold.status).toBe(503);
    expect(await ofrepCold.json()).toMatchObject({ key: 'cold', errorCode: 'GENERAL' });
    const ofrepBulk = await fetch(`${service.baseUrl}/ofrep/v1/evaluate/flags`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"context":{}}' });
    expect(ofrepBulk.status).toBe(503);
    expect(ofrepBulk.headers.get('retry-after')).toBe('1');
    expect(await ofrepBulk.json()).toMatchObject({ errorCode: 'GENERAL' });

    // A reward now gets 503 + Retry-After and is retried; so is the batch.
    const attempts: number[] = [];
    const counting = new BanditClient({
      baseUrl: service.baseUrl, retry: { attempts: 20, baseDelayMs: 100, maxDelayMs: 500 }, batch: { flushIntervalMs: 100 },
      fetch: (input, init) => { if (String(input).endsWith('/reward')) attempts.push(Date.now()); return fetch(input, init); },
    });
    const pending = counting.reward({ decisionId: before.decisionId!, reward: 1 });
    for (const decisionId of decisions) counting.rewards.add({ decisionId, reward: 1 } satisfies RewardEvent);
    await new Promise((r) => setTimeout(r, 1500));
    expect(counting.rewards.stats).toMatchObject({ accepted: 0, queued: 10 });
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    // Retry-After is 1 s: the attempts are at least that far apart.
    for (let i = 1; i < attempts.length; i++) expect(attempts[i] - attempts[i - 1]).toBeGreaterThanOrEqual(950);

    await redis!.start();
    expect(await pending).toEqual({ accepted: true, duplicate: false });
    expect(await counting.close()).toMatchObject({ accepted: 10, duplicates: 0, rejected: 0, queued: 0 });
    expect(await counting.reward({ decisionId: before.decisionId!, reward: 1 })).toEqual({ accepted: true, duplicate: true });
    expect((await bandit.report('exp')).totals.rewards).toBe(rewardsBefore + 11);
    const after = await bandit.select('exp', { userId: 'u-outage', default: DEFAULT });
    expect(after).toMatchObject({ armId: before.armId, sticky: true });
    expect(after.fallback).toBeUndefined();
  }, 60_000);
});

describe('BanditClient when the service cannot answer', () => {
  let silent: Server;
  let silentUrl: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers: a hung service.
    silent = createServer((s) => { sockets.push(s); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('select(): the default arm within the timeout when nothing answers', async () => {
    const fallbacks: string[] = [];
    const client = new BanditClient({ baseUrl: silentUrl, selectTimeoutMs: 150, onFallback: (d) => fallbacks.push(d.fallbackReason) });
    const started = Date.now();
    const d = await client.select('exp', { userId: 'u-1', default: DEFAULT });
    const elapsed = Date.now() - started;
    expect(d).toEqual({
      decisionId: null, experimentId: 'exp', armId: 'control', payload: { prompt: 'v1' }, population: 'excluded', sticky: false, propensity: 1,
      fallback: true, fallbackReason: 'timeout', error: 'POST /select: no answer within 150 ms',
    });
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1500);
    expect(fallbacks).toEqual(['timeout']);
  });

  it('a 200 that is not the contract (a proxy page) is a fallback for select() and a retry for rewards', async () => {
    const proxy = createHttpServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end('<html>captive portal</html>'); });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const client = new BanditClient({ baseUrl: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, retry: { baseDelayMs: 20, maxDelayMs: 50 }, batch: { closeTimeoutMs: 100 } });
      expect(await client.select('exp', { default: DEFAULT })).toMatchObject({ armId: 'control', fallback: true, fallbackReason: 'server_error' });
      client.rewards.add({ decisionId: 'd-1', reward: 1 });
      await client.rewards.flush(300);
      expect(client.rewards.stats).toMatchObject({ accepted: 0, rejected: 0, queued: 1 });
      expect((await client.close()).queued).toBe(1);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });

  it('select(): the default arm on a refused connection; reward() gives up after its attempts', async () => {
    const client = new BanditClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, retry: { attempts: 3, baseDelayMs: 10 } });
    expect(await client.select('exp', { default: 'control' })).toMatchObject({ armId: 'control', payload: null, fallback: true, fallbackReason: 'network' });
    const err = await client.reward({ decisionId: 'd', reward: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'BanditNetworkError', timeout: false });
  });
});

describe('BanditClient with API keys (the service process, API_KEYS set)', () => {
  const ADMIN = 'admin-key-client-0123456789abcdef';
  const DECIDE = 'decide-key-client-0123456789abcdef';
  let service: ListeningService;
  beforeAll(async () => { service = await startListeningService({ API_KEYS: `admin:${ADMIN},decide:${DECIDE}` }); });
  afterAll(async () => { expect(await service?.stop()).toBe(0); });

  it('sends the key: admin calls need an admin key (403 forbidden with a decide key), no key is a 401 (a fallback for select())', async () => {
    const admin = new BanditClient({ baseUrl: service.baseUrl, apiKey: ADMIN });
    const decide = new BanditClient({ baseUrl: service.baseUrl, apiKey: DECIDE });
    const none = new BanditClient({ baseUrl: service.baseUrl });
    await admin.createExperiment({ id: 'keyed', arms: ARMS, rewardModel: 'bernoulli' });
    const d = await decide.select('keyed', { userId: 'u-1', default: DEFAULT });
    expect(d.fallback).toBeUndefined();
    expect(await decide.reward({ decisionId: d.decisionId!, reward: 1 })).toEqual({ accepted: true, duplicate: false });
    expect(await decide.createExperiment({ id: 'nope', arms: ARMS, rewardModel: 'bernoulli' }).catch((e: unknown) => e))
      .toMatchObject({ status: 403, code: 'forbidden' });
    expect(await none.select('keyed', { default: DEFAULT })).toMatchObject({ fallback: true, fallbackReason: 'unauthorized', status: 401, errorCode: 'unauthorized' });
    decide.rewards.add({ decisionId: (await decide.select('keyed', { userId: 'u-2', default: DEFAULT })).decisionId!, reward: 0 });
    expect(await decide.close()).toMatchObject({ accepted: 1, rejected: 0 });
    expect((await admin.report('keyed')).totals.rewards).toBe(2);
  });
});
