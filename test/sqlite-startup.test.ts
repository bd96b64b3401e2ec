/**
 * The real process on the SQLite store at start: where its data lives, and a one-line error with
 * exit 1 for a DATA_DIR it cannot write and for a database it must not use (another application's
 * file, a damaged one, one locked by another process, one from a newer release).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../src/store/sqlite-schema.js';
import { waitFor } from './helpers/redis.js';
import { startService } from './helpers/service-process.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'bandit-start-')); });
afterEach(() => { chmodSync(dir, 0o700); rmSync(dir, { recursive: true, force: true }); });

/** Starts the service on DATA_DIR, expects it to exit 1, and returns its one log line (the fatal one). */
async function refused(env: Record<string, string>): Promise<string> {
  const s = await startService({ DATA_DIR: join(dir, 'data'), ...env });
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 20_000);
  const code = await s.exited;
  clearTimeout(timer);
  expect(code, s.logs()).toBe(1);
  const lines = s.logs().trim().split('\n');
  expect(lines, s.logs()).toHaveLength(1);
  const { level, msg } = JSON.parse(lines[0]) as { level: number; msg: string };
  expect(level).toBe(60); // fatal
  return msg;
}

it('creates DATA_DIR and names the store and its database file when ready; the data is there after a restart', async () => {
  for (let round = 0; round < 2; round++) {
    const s = await startService({ DATA_DIR: join(dir, 'data', 'nested') });
    try {
      await waitFor(async () => s.logs().includes('bandit service ready'), 20_000, 'the service to be ready');
      const ready = JSON.parse(s.logs().split('\n').find((l) => l.includes('bandit service ready'))!) as Record<string, unknown>;
      expect(ready).toMatchObject({ store: 'sqlite', database: join(dir, 'data', 'nested', 'bandit.db') });
      const list = await (await fetch(`${s.base}/experiments`)).json() as { experiments: { id: string }[] };
      if (round === 0) {
        expect(list.experiments).toEqual([]);
        const body = { id: 'kept', arms: [{ id: 'a' }, { id: 'b' }], rewardModel: 'bernoulli' };
        expect((await fetch(`${s.base}/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status).toBe(201);
      } else expect(list.experiments.map((e) => e.id)).toEqual(['kept']);
    } finally {
      s.child.kill('SIGTERM');
    }
    expect(await s.exited).toBe(0);
  }
}, 60_000);

it('STORE=memory says at start that nothing survives, and writes nothing to DATA_DIR', async () => {
  const s = await startService({ STORE: 'memory', DATA_DIR: join(dir, 'data') });
  try {
    await waitFor(async () => s.logs().includes('bandit service ready'), 20_000, 'the service to be ready');
    expect(s.logs()).toContain('STORE=memory: experiments, rewards, keys and the event log live in this process only');
    expect(s.logs()).toContain('"store":"memory"');
  } finally {
    s.child.kill('SIGTERM');
  }
  await s.exited;
  expect(existsSync(join(dir, 'data'))).toBe(false);
}, 60_000);

it('a DATA_DIR that cannot be written: one line naming it, exit 1', async () => {
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'x'), '');
  chmodSync(join(dir, 'data'), 0o500);
  // root writes anywhere: a path under a regular file cannot be created by anyone.
  const msg = await refused({ DATA_DIR: join(dir, 'data', 'x', 'sub') });
  expect(msg).toMatch(new RegExp(`^DATA_DIR ${join(dir, 'data', 'x', 'sub')} cannot be written \\(ENOTDIR\\)`));
  chmodSync(join(dir, 'data'), 0o700);
}, 30_000);

it('refuses another application\'s SQLite file, a file that is not a database, and a damaged one', async () => {
  mkdirSync(join(dir, 'data'));
  const file = join(dir, 'data', 'bandit.db');
  const other = new Database(file);
  other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
  other.close();
  expect(await refused({})).toMatch(/is not a bandit-service database/);

  writeFileSync(file, Buffer.from('PK\x03\x04 this is a zip file, not SQLite '.repeat(200)));
  expect(await refused({})).toMatch(/is damaged or not a database \(SQLITE_NOTADB\)/);

  rmSync(file);
  const ours = new Database(file);
  ours.close();
  const s = await startService({ DATA_DIR: join(dir, 'data') }); // an empty file: created as ours
  await waitFor(async () => s.logs().includes('bandit service ready'), 20_000, 'the service to be ready');
  s.child.kill('SIGTERM');
  await s.exited;
  // Damage: overwrite the pages after the header (the schema page survives, the tables do not).
  const db = new Database(file);
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const { openSync, writeSync, closeSync } = await import('node:fs');
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(pageSize * 3, 0xa5), 0, pageSize * 3, 100);
  closeSync(fd);
  expect(await refused({})).toMatch(/is damaged or not a database \(SQLITE_(CORRUPT|NOTADB)/);
}, 60_000);

it('refuses a database locked by another process, and one written by a newer release', async () => {
  mkdirSync(join(dir, 'data'));
  const file = join(dir, 'data', 'bandit.db');
  // Another process holds an exclusive lock on the file.
  const holder = spawn(process.execPath, ['-e', `
    const D = require('better-sqlite3'); const db = new D(${JSON.stringify(file)});
    db.pragma('locking_mode = EXCLUSIVE'); db.exec('BEGIN EXCLUSIVE; CREATE TABLE t (x); '); console.log('locked'); setInterval(() => {}, 1000);`],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve) => holder.stdout!.on('data', (d: Buffer) => { if (String(d).includes('locked')) resolve(); }));
    expect(await refused({})).toMatch(/is locked by another process \(SQLITE_BUSY/);
  } finally {
    holder.kill('SIGKILL');
  }
  rmSync(file, { force: true });
  rmSync(`${file}-journal`, { force: true });
  const s = await startService({ DATA_DIR: join(dir, 'data') });
  await waitFor(async () => s.logs().includes('bandit service ready'), 20_000, 'the service to be ready');
  s.child.kill('SIGTERM');
  await s.exited;
  const db = new Database(file);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  expect(await refused({})).toMatch(new RegExp(`has schema version ${SCHEMA_VERSION + 1}, newer than this release's ${SCHEMA_VERSION}`));
}, 60_000);
