/**
 * `npm run backup -- <file>` while the service serves rewards: the copy is consistent (its tallies
 * equal its event log), holds every reward answered before the backup started, and the service
 * starts on it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { replayStats } from '../src/service/replay.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { waitFor } from './helpers/redis.js';
import { startService } from './helpers/service-process.js';

const dir = mkdtempSync(join(tmpdir(), 'bandit-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = new URL('..', import.meta.url).pathname;

function backup(target: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/tools/backup.ts', target], { cwd: root, env: { ...process.env, DATA_DIR: join(dir, 'data') } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

it('copies a consistent database while the service serves, that the service starts on', async () => {
  const s = await startService({ DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', RATE_LIMIT: '0' });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(s.base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() as any };
  };
  let answered = 0;
  let stop = false;
  try {
    await waitFor(async () => (await fetch(`${s.base}/ready`).catch(() => null))?.ok === true, 20_000, 'the service');
    expect((await post('/experiments', { id: 'e', arms: [{ id: 'a' }, { id: 'b' }], rewardModel: 'bernoulli' })).status).toBe(201);
    const load = Promise.all(Array.from({ length: 4 }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        const d = await post('/select', { experimentId: 'e', userId: `u${c}-${i}`, context: { i } });
        if ((await post('/reward', { decisionId: d.body.decisionId, reward: i % 2 })).status === 200) answered += 1;
      }
    }));
    await waitFor(async () => answered >= 200, 30_000, '200 rewards');
    const before = answered;
    const target = join(dir, 'copy.db');
    const done = await backup(target);
    stop = true;
    await load;
    expect(done.code, done.out).toBe(0);
    expect(done.out).toMatch(/pages, checked\)/);
    expect(answered).toBeGreaterThan(before); // the service kept serving during the backup
    // A second backup to the same file is refused.
    expect(await backup(target)).toMatchObject({ code: 1, out: expect.stringContaining('exists: give a new file name') });

    mkdirSync(join(dir, 'restored'));
    renameSync(target, join(dir, 'restored', 'bandit.db'));
    const copy = SqliteStore.open(join(dir, 'restored', 'bandit.db'));
    try {
      const stats = (await copy.getStats('e'))!;
      const rewards = stats.arms.reduce((a, arm) => a + arm.bandit.rewards + arm.holdback.rewards + arm.excluded.rewards, 0);
      expect(rewards).toBeGreaterThanOrEqual(before);
      expect(await replayStats(copy, 'e')).toEqual(stats); // the log and the tallies of one instant
    } finally {
      await copy.close();
    }
  } finally {
    stop = true;
    s.child.kill('SIGTERM');
    await s.exited;
  }
  const restored = await startService({ DATA_DIR: join(dir, 'restored'), LOG_LEVEL: 'warn' });
  try {
    await waitFor(async () => (await fetch(`${restored.base}/ready`).catch(() => null))?.ok === true, 20_000, 'the service on the copy');
    expect((await fetch(`${restored.base}/arms?experimentId=e`)).status).toBe(200);
  } finally {
    restored.child.kill('SIGTERM');
    await restored.exited;
  }
}, 90_000);
