/**
 * The real process (src/main.ts) on the embedded store: it starts, answers the README's quick-start
 * requests, and shuts down gracefully on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { waitFor } from './helpers/redis.js';
import { startService } from './helpers/service-process.js';

/** The JSON body of the README's `curl ... /experiments` example, so the docs cannot drift from the service. */
function readmeExperiment(): Record<string, unknown> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const m = readme.match(/curl -s -X POST localhost:3000\/experiments -H 'content-type: application\/json' -d '([^']+)'/);
  if (!m) throw new Error('README has no curl example creating an experiment');
  return JSON.parse(m[1]);
}

it('starts on the embedded store, answers the README examples, and exits 0 on SIGTERM', async () => {
  // No REDIS_URL: the embedded store, as in the quick start.
  const { child, base, logs, exited } = await startService({});
  const post = async (path: string, body: unknown) => {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() as any };
  };
  try {
    await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.ok === true, 20_000, 'the service to listen');
    expect((await post('/experiments', readmeExperiment())).status).toBe(201);
    const d = await post('/select', { experimentId: 'summarize-prompt', userId: 'u-123' });
    expect(d.status).toBe(200);
    expect((await post('/reward', { decisionId: d.body.decisionId, reward: 1, latencyMs: 840, cost: 0.0031 })).body).toEqual({ accepted: true, duplicate: false });
    const rep = await fetch(`${base}/arms?experimentId=summarize-prompt`);
    expect(rep.status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    expect(logs()).toContain('bandit service ready');
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(logs()).toContain('shutting down');
}, 60_000);
