/** POST /rewards takes the 1000 events the contract allows, each as large as a single /reward may be. */
import { expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { experimentBody, makeTestApp } from '../helpers/app.js';

it('accepts a batch of 1000 rewards each with 4 KiB of metadata (well over the 2 MiB default body limit)', async () => {
  const t = await makeTestApp(new MemoryStore());
  try {
    expect((await t.post('/experiments', experimentBody())).status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push((await t.post('/select', { experimentId: 'exp-1', userId: `u-${i}` })).body.decisionId);
    const metadata = { note: 'x'.repeat(4000) };
    const res = await t.post('/rewards', { events: ids.map((decisionId) => ({ decisionId, reward: 1, metadata })) });
    expect(res.status).toBe(200);
    expect(res.body.results.filter((r: { status: number }) => r.status === 200)).toHaveLength(1000);
  } finally {
    await t.app.close();
  }
}, 60_000);
