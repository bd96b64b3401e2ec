/** The real process with REDIS_URL at a closed port: it listens, /health 200, /ready 503, and the cause is logged once, not per probe. */
import { expect, it } from 'vitest';
import { freePort, waitFor } from './helpers/redis.js';
import { startService } from './helpers/service-process.js';

it('listens while Redis is unreachable and logs host, port and ECONNREFUSED once', async () => {
  const redisPort = await freePort();
  const { child, base, logs, exited } = await startService({ REDIS_URL: `redis://127.0.0.1:${redisPort}` });
  try {
    await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.ok === true, 20_000, 'the service to listen');
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${base}/ready`)).status).toBe(503);
      await new Promise((r) => setTimeout(r, 300));
    }
    const lines = logs().split('\n').filter((l) => l.includes('ECONNREFUSED'));
    expect(lines, logs()).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${redisPort}`);
    expect(logs()).not.toContain("Stream isn't writeable");
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}, 60_000);
