/** Issue 19 item 7: GET / leads to the dashboard, with or without keys; the start-up log names the dashboard's address. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { startService } from '../helpers/service-process.js';
import { waitFor } from '../helpers/redis.js';

it('redirects GET / to the dashboard, also when keys are required', async () => {
  const app = await buildApp({ store: new MemoryStore(), secret: 'newcomer-secret-0123456789', auth: { apiKeys: 'admin:admin-key-0123456789abcdefghij', mode: 'keys' } });
  const res = await app.inject({ method: 'GET', url: '/' });
  expect(res.statusCode).toBe(302);
  expect(res.headers.location).toBe('/dashboard/');
  expect((await app.inject({ method: 'GET', url: '/dashboard/' })).statusCode).toBe(200);
  await app.close();
});

it('prints the dashboard address when it is ready', async () => {
  const s = await startService({ STORE: 'memory' });
  try {
    await waitFor(async () => s.logs().includes('bandit service ready'), 30_000, 'the ready line');
    const ready = s.logs().split('\n').find((l) => l.includes('bandit service ready'))!;
    expect(JSON.parse(ready)).toMatchObject({ dashboard: `${s.base}/dashboard/`, msg: expect.stringContaining(`${s.base}/dashboard/`) });
  } finally {
    s.child.kill('SIGTERM');
  }
  expect(await s.exited).toBe(0);
}, 40_000);

it("README's /select example answer has the service's decision id length and propensity digits", async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const example = /# (\{"decisionId":[^\n]+)\n# ([^\n]+)\n# ([^\n]+)\n/.exec(readme)!;
  const shown = JSON.parse(example.slice(1).join('')) as { decisionId: string; armId: string; population: string; propensity: number };
  const create = /curl -s -X POST localhost:3000\/experiments -H 'content-type: application\/json' -d '(\{[\s\S]*?\})'/.exec(readme)![1];
  const app = await buildApp({ store: new MemoryStore(), secret: 'newcomer-secret-0123456789' });
  const post = (url: string, body: string) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: body });
  expect((await post('/experiments', create)).statusCode).toBe(201);
  // The first answer of the shown arm and population (a holdback user is served the baseline too, with propensity 1).
  type Answer = { decisionId: string; armId: string; population: string; propensity: number };
  const same = (a: Answer | undefined): boolean => a?.armId === shown.armId && a.population === shown.population;
  let answer: Answer | undefined;
  for (let i = 0; i < 200 && !same(answer); i++) answer = (await post('/select', JSON.stringify({ experimentId: 'summarize-prompt', userId: `u-${i}` }))).json();
  expect([answer!.armId, answer!.population]).toEqual([shown.armId, shown.population]);
  expect(answer!.decisionId).toHaveLength(shown.decisionId.length);
  expect(answer!.propensity).toBe(shown.propensity);
  await app.close();
});
