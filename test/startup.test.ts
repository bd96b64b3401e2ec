/** The real process with REDIS_URL at a closed port or an unknown host: it listens, /health 200, /ready 503, and the cause is logged once, not per probe. */
import { expect, it } from 'vitest';
import { freePort, waitFor } from './helpers/redis.js';
import { startService } from './helpers/service-process.js';

it.each([
  ['a closed port', async () => { const p = await freePort(); return { url: `redis://127.0.0.1:${p}`, where: `127.0.0.1:${p}`, cause: 'ECONNREFUSED' }; }],
  ['a host name that does not resolve', async () => ({ url: 'redis://no-such-host.invalid:6379', where: 'no-such-host.invalid:6379', cause: 'ENOTFOUND' })],
])('listens while Redis is unreachable (%s) and logs host, port and cause once', async (_name, target) => {
  const { url, where, cause } = await target();
  const { child, base, logs, exited } = await startService({ REDIS_URL: url });
  try {
    await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.ok === true, 20_000, 'the service to listen');
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${base}/ready`)).status).toBe(503);
      await new Promise((r) => setTimeout(r, 100));
    }
    const lines = logs().split('\n').filter((l) => l.includes(cause));
    expect(lines, logs()).toHaveLength(1);
    expect(lines[0]).toContain(where);
    expect(logs()).not.toContain("Stream isn't writeable");
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}, 60_000);
