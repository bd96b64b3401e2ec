/**
 * `npm start` as the README's quick start runs it: `npm run build` (the service, the client's type
 * declarations, the Lua scripts) and `node dist/main.js`. The other process tests run src/ under
 * tsx, so only this one sees a build that does not compile or a dist/ that misses a file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { freePort, waitFor } from './helpers/redis.js';

const root = new URL('..', import.meta.url);

it('builds with npm run build, and the built service listens and answers', async () => {
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8' });
  expect(build.stdout + build.stderr).toBe('');
  expect(build.status).toBe(0);
  for (const file of ['dist/main.js', 'dist/store/lua/assign.lua', 'dist/client/index.js', 'dist/client/index.d.ts']) {
    expect(existsSync(new URL(file, root)), file).toBe(true);
  }
  const port = await freePort();
  const { REDIS_URL: _unused, ...env } = process.env;
  const dataDir = mkdtempSync(join(tmpdir(), 'bandit-build-')); // the SQLite store's, as the quick start's ./data
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: root, env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: dataDir }, stdio: 'ignore' });
  child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.ok === true, 20_000, 'the built service to be ready');
    const res = await fetch(`http://127.0.0.1:${port}/experiments`);
    expect(res.status).toBe(200);
  } finally {
    child.kill('SIGTERM');
  }
}, 120_000);
