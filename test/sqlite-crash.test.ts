/**
 * A crash loses nothing answered 2xx (issue 18, item 3): the real process on the SQLite store,
 * under concurrent selects, rewards (with duplicates, and for decisions issued before earlier
 * crashes) and admin changes, is killed with SIGKILL at a random moment, 20 times, and restarted on
 * the same DATA_DIR. Then: every reward answered 2xx is counted once in /arms and once in the
 * event log; every decision answered is in the log once; experiments, settings, keys, the secret
 * and sticky users survived. (POST /signals does not exist yet, so no signals are sent.)
 *
 * The service runs from an esbuild bundle of src/main.ts (built once here): the same code as
 * `tsx src/main.ts`, started in under a second instead of three.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, waitFor } from './helpers/redis.js';

const root = new URL('..', import.meta.url).pathname;
const ADMIN = 'crash-test-admin-key-0123456789';
const ROUNDS = 20;
const bundle = join(root, 'tmp', `crash-${process.pid}`, 'main.mjs');
const dataDir = mkdtempSync(join(tmpdir(), 'bandit-crash-'));

beforeAll(async () => {
  await build({ entryPoints: [join(root, 'src/main.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'warning' });
}, 60_000);
afterAll(() => {
  rmSync(join(bundle, '..'), { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

interface Running { child: ChildProcess; base: string; exited: Promise<unknown> }

async function start(): Promise<Running> {
  const port = await freePort();
  const { REDIS_URL: _r, STORE: _s, ...env } = process.env;
  const child = spawn(process.execPath, [bundle], {
    cwd: root, stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error', DATA_DIR: dataDir, API_KEYS: `admin:${ADMIN}`, RATE_LIMIT: '0' },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/ready`).catch(() => null))?.ok === true, 20_000, 'the service to be ready');
  return { child, base, exited };
}

/** One request; null when the connection failed (the process was killed): nothing can be concluded from it. */
async function call(base: string, method: string, path: string, body?: unknown, key = ADMIN): Promise<{ status: number; body: any } | null> {
  try {
    const res = await fetch(base + path, {
      method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
  } catch {
    return null;
  }
}

// What the clients saw answered (the truth the store must keep).
const decisions = new Map<string, { armId: string; userId?: string }>(); // decisionId answered by /select
const rewarded = new Map<string, number>(); // decisionId -> reward, answered 2xx
const sentRewards = new Map<string, number>(); // every reward sent, answered or not
const stickyArm = new Map<string, string>(); // userId -> the arm every answer gave
const unrewarded: string[] = []; // decisions answered, never rewarded yet (some are rewarded after a later crash)
const admin = { created: new Set<string>(), patched: new Set<string>(), disabled: new Set<string>(), keys: new Map<string, string>() };
const odd: string[] = []; // any answer that is not what the contract says

function expectOk(what: string, res: { status: number; body: unknown } | null, ok: number): boolean {
  if (res === null) return false;
  if (res.status !== ok) odd.push(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.status === ok;
}

async function reward(base: string, decisionId: string, value: number, expectDuplicate?: boolean): Promise<void> {
  sentRewards.set(decisionId, value);
  const res = await call(base, 'POST', '/reward', { decisionId, reward: value });
  if (!expectOk('reward', res, 200)) return;
  if (expectDuplicate !== undefined && res!.body.duplicate !== expectDuplicate) odd.push(`reward of ${decisionId}: duplicate ${res!.body.duplicate}`);
  rewarded.set(decisionId, value);
}

/** One client: selects (a user from a small pool, or none), rewards most decisions (some twice at once), and rewards old ones. */
async function client(base: string, id: number, alive: () => boolean): Promise<void> {
  for (let i = 0; alive(); i++) {
    const userId = i % 3 === 0 ? undefined : `user-${(id * 7 + i) % 40}`;
    const res = await call(base, 'POST', '/select', { experimentId: 'main', ...(userId && { userId }) });
    if (!expectOk('select', res, 200)) continue;
    const { decisionId, armId, sticky } = res!.body as { decisionId: string; armId: string; sticky: boolean };
    decisions.set(decisionId, { armId, userId });
    if (userId) {
      const before = stickyArm.get(userId);
      if (before !== undefined && before !== armId) odd.push(`user ${userId} moved from ${before} to ${armId} (sticky ${sticky})`);
      stickyArm.set(userId, armId);
    }
    const value = ((id + i) % 5) / 4;
    if (i % 4 === 3) unrewarded.push(decisionId);
    else if (i % 4 === 2) await Promise.all([reward(base, decisionId, value), reward(base, decisionId, value)]);
    else await reward(base, decisionId, value);
    if (i % 5 === 0 && unrewarded.length > 40) await reward(base, unrewarded.shift()!, 1, false); // issued before a crash
    if (i % 7 === 0 && rewarded.size > 0) {
      const [old, v] = [...rewarded][Math.floor(Math.random() * rewarded.size)];
      await reward(base, old, v, true);
    }
  }
}

/** Admin changes, one after another: a new experiment, a settings patch, an arm disabled, a key created. */
async function adminChanges(base: string, round: number): Promise<void> {
  const id = `adm-${round}`;
  const created = await call(base, 'POST', '/experiments', { id, arms: [{ id: 'a' }, { id: 'b' }], rewardModel: 'bernoulli' });
  if (!expectOk('create', created, 201)) return;
  admin.created.add(id);
  if (!expectOk('patch', await call(base, 'PATCH', `/experiments/${id}`, { trafficPercent: 50 }), 200)) return;
  admin.patched.add(id);
  if (!expectOk('disable', await call(base, 'POST', `/experiments/${id}/arms/b/disable`, { reason: 'crash test' }), 200)) return;
  admin.disabled.add(id);
  const key = await call(base, 'POST', '/keys', { scope: 'read', name: `k-${round}` });
  if (expectOk('key', key, 201)) admin.keys.set(key!.body.id, key!.body.key);
}

it(`loses nothing answered 2xx across ${ROUNDS} SIGKILLs under load`, async () => {
  let s = await start();
  const main = { id: 'main', arms: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], rewardModel: 'gaussian', holdbackPercent: 0 };
  expect((await call(s.base, 'POST', '/experiments', main))?.status).toBe(201);
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) s = await start();
    let alive = true;
    const load = Promise.all([...Array.from({ length: 6 }, (_, c) => client(s.base, round * 10 + c, () => alive)), adminChanges(s.base, round)]);
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 700));
    s.child.kill('SIGKILL');
    await s.exited;
    alive = false;
    await load;
  }
  s = await start();
  try {
    expect(odd).toEqual([]);
    expect(rewarded.size).toBeGreaterThan(100 * 1);
    // The report: every reward answered is counted, and nothing beyond what was sent.
    const report = (await call(s.base, 'GET', '/arms?experimentId=main'))!.body as { arms: { armId: string; decisions: number; rewards: number; rewardSum: number }[] };
    const lines = String((await call(s.base, 'GET', '/experiments/main/events'))!.body).trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    const rewardEvents = new Map<string, number>();
    const decisionEvents = new Map<string, number>();
    for (const e of lines) {
      const seen = e.type === 'reward' ? rewardEvents : decisionEvents;
      seen.set(e.decisionId, (seen.get(e.decisionId) ?? 0) + 1);
    }
    expect([...rewardEvents.values()].every((n) => n === 1)).toBe(true);
    expect([...decisionEvents.values()].every((n) => n === 1)).toBe(true);
    expect([...rewarded.keys()].filter((d) => !rewardEvents.has(d))).toEqual([]);
    expect([...decisions.keys()].filter((d) => !decisionEvents.has(d))).toEqual([]);
    expect([...rewardEvents.keys()].filter((d) => !sentRewards.has(d))).toEqual([]);
    for (const arm of report.arms) {
      const mine = lines.filter((e) => e.type === 'reward' && e.armId === arm.armId);
      expect(arm.rewards).toBe(mine.length);
      expect(arm.rewardSum).toBe(mine.reduce((a, e) => a + sentRewards.get(e.decisionId)!, 0));
      expect(arm.decisions).toBe(lines.filter((e) => e.type === 'decision' && e.armId === arm.armId).length);
    }
    // Sticky users keep their arm; decisions issued before any crash are still accepted (once).
    for (const [userId, armId] of stickyArm) {
      expect((await call(s.base, 'POST', '/select', { experimentId: 'main', userId }))!.body).toMatchObject({ armId, sticky: true });
    }
    const [firstDecision] = [...decisions.keys()].filter((d) => !sentRewards.has(d));
    if (firstDecision) expect((await call(s.base, 'POST', '/reward', { decisionId: firstDecision, reward: 1 }))!.body).toEqual({ accepted: true, duplicate: false });
    // Admin changes answered 2xx are all there.
    for (const id of admin.created) {
      const exp = (await call(s.base, 'GET', `/experiments/${id}`))!;
      expect(exp.status).toBe(200);
      if (admin.patched.has(id)) expect(exp.body.trafficPercent).toBe(50);
      if (admin.disabled.has(id)) expect(JSON.stringify(exp.body)).toContain('crash test');
    }
    expect(admin.created.size).toBeGreaterThan(ROUNDS / 2);
    const listed = ((await call(s.base, 'GET', '/keys'))!.body as { keys: { id: string }[] }).keys.map((k) => k.id);
    for (const [id, key] of admin.keys) {
      expect(listed).toContain(id);
      expect((await call(s.base, 'GET', '/experiments/main', undefined, key))!.status).toBe(200);
    }
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
  }
}, 120_000);
