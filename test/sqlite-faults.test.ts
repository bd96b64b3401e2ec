/**
 * A disk that fills up or turns read-only under the SQLite store (issue 18, item 5): writes answer
 * 503 store_unavailable (never another 5xx), /ready answers 503, nothing answered 2xx is lost and
 * nothing refused is half written (the refused reward is accepted as new once the disk has room).
 *
 * The full disk is real: a small tmpfs mounted for the test (root only; without the right to mount
 * it is simulated with SQLite's `PRAGMA max_page_count`). The read-only one is SQLite's
 * SQLITE_READONLY from `PRAGMA query_only` (Linux will not remount read-only a file system with a
 * file open for writing).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { experimentBody, makeTestApp, type TestApp } from './helpers/app.js';

const mountable = process.getuid?.() === 0 && (() => {
  const dir = mkdtempSync(join(tmpdir(), 'bandit-mount-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status === 0;
  if (ok) spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
  return ok;
})();
if (!mountable) console.warn('[simulated] full disk via PRAGMA max_page_count: mounting a tmpfs needs root');

let dir: string;
let store: SqliteStore;
let t: TestApp;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bandit-faults-'));
  if (mountable) expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir]).status).toBe(0);
  mkdirSync(join(dir, 'data'));
  store = SqliteStore.open(join(dir, 'data', 'bandit.db'));
  t = await makeTestApp(store);
  expect((await t.post('/experiments', experimentBody({ rewardModel: 'gaussian' }))).status).toBe(201);
});

afterEach(async () => {
  await t.app.close();
  await store.close();
  if (mountable) spawnSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
});

/** Fills the disk but `leaveBytes` (tmpfs), or caps the database at its size plus `pages` (simulation). Returns what undoes it. */
function fillDisk(leaveBytes: number): () => void {
  if (!mountable) {
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages + 8}`);
    return () => { store.db.pragma('max_page_count = 1073741823'); };
  }
  const { bavail, bsize } = statfsSync(dir);
  const filler = join(dir, 'filler');
  writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - leaveBytes)));
  return () => rmSync(filler);
}

/** `n` decisions stored while the disk has room. */
async function decide(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = await t.post('/select', { experimentId: 'exp-1', userId: `u-${i}` });
    expect(d.body.fallback).toBeUndefined();
    ids.push(d.body.decisionId);
  }
  return ids;
}

/**
 * Rewards the decisions 8 at a time (concurrent requests share a group commit) until one is
 * refused; returns those rewarded 2xx and the first refused one's answer.
 */
async function rewardUntilRefused(decisions: string[]): Promise<{ accepted: string[]; refused: string; body: any }> {
  const accepted: string[] = [];
  for (let i = 0; i < decisions.length; i += 8) {
    const group = decisions.slice(i, i + 8);
    const answers = await Promise.all(group.map((decisionId, j) => t.post('/reward', { decisionId, reward: (i + j) % 3, metadata: { pad: 'y'.repeat(3000) } })));
    answers.forEach((r, j) => { if (r.status === 200) accepted.push(group[j]); });
    const k = answers.findIndex((r) => r.status !== 200);
    if (k >= 0) return { accepted, refused: group[k], body: { status: answers[k].status, ...answers[k].body } };
  }
  throw new Error('every reward was accepted: the disk never refused one');
}

/** Every reward answered 2xx is in the tallies and the log once; nothing else is. */
async function expectExactly(accepted: string[]): Promise<void> {
  const report = await t.get('/arms?experimentId=exp-1');
  const counted = report.body.arms.reduce((a: number, arm: { rewards: number }) => a + arm.rewards, 0) + report.body.holdback.rewards;
  const log = (await t.app.inject({ method: 'GET', url: '/experiments/exp-1/events?type=reward' })).body.trim().split('\n').filter(Boolean).map((l: string) => JSON.parse(l));
  expect(log.map((e: { decisionId: string }) => e.decisionId).sort()).toEqual([...accepted].sort());
  expect(counted).toBe(accepted.length);
}

describe.each(['full', 'read-only'])('a %s disk under the SQLite store', (kind) => {
  it('answers writes 503 store_unavailable and /ready 503, loses nothing answered, half-writes nothing, and recovers', async () => {
    const decisions = await decide(120);
    const before = decisions.splice(0, 10);
    for (const decisionId of before) expect((await t.post('/reward', { decisionId, reward: 1 })).status).toBe(200);
    let undo: () => void;
    if (kind === 'full') undo = fillDisk(64 * 1024);
    else {
      // SQLITE_READONLY under the open database. Simulated: Linux refuses to remount a file system
      // read-only while a file on it is open for writing ("mount point is busy").
      store.db.pragma('query_only = 1');
      undo = () => { store.db.pragma('query_only = 0'); };
    }
    const { accepted: during, refused, body } = await rewardUntilRefused(decisions);
    const accepted = [...before, ...during];
    expect(body).toMatchObject({ status: 503, error: 'store_unavailable' });
    expect((await t.get('/ready')).status).toBe(503);
    // Another write: refused on a read-only disk; on a full one, it is stored if it fits (never a 500).
    const create = (await t.post('/experiments', experimentBody({ id: 'exp-2' }))).status;
    expect(kind === 'full' ? [201, 503] : [503]).toContain(create);
    await expectExactly(accepted);
    undo();
    expect((await t.get('/ready')).status).toBe(200);
    expect((await t.post('/reward', { decisionId: refused, reward: 1 })).body).toEqual({ accepted: true, duplicate: false });
    await expectExactly([...accepted, refused]);
  }, 120_000);
});
