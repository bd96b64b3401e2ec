/** The real process with REDIS_URL at a closed port: it listens, /health 200, /ready 503, and the cause is logged once, not per probe. */
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { freePort, waitFor } from './helpers/redis.js';

it('listens while Redis is unreachable and logs host, port and ECONNREFUSED once', async () => {
  const [port, redisPort] = [await freePort(), await freePort()];
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: `redis://127.0.0.1:${redisPort}` };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: new URL('..', import.meta.url), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout.on('data', (d) => { logs += d; });
  child.stderr.on('data', (d) => { logs += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.ok === true, 20_000, 'the service to listen');
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${base}/ready`)).status).toBe(503);
      await new Promise((r) => setTimeout(r, 300));
    }
    const lines = logs.split('\n').filter((l) => l.includes('ECONNREFUSED'));
    expect(lines, logs).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${redisPort}`);
    expect(logs).not.toContain("Stream isn't writeable");
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}, 60_000);
