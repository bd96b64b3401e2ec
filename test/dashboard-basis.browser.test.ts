/**
 * The dashboard's P(best) chart judges what the report judges (bandit/judge-experiment.ts), in a real
 * headless Chromium: with objective.costWeight the arm with the best reward and the worst net
 * value (c) leads on the plain reward, and must not lead in the chart; the chart's latest values
 * are the report's probabilityBest. Screenshot: artifacts/dashboard-basis.png.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ServiceContext } from '../src/service/context.js';
import { writeHistory } from '../src/service/history.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { makeTestApp, TestClock, TEST_SECRET, type TestApp } from './helpers/app.js';
import { describeWithChromium, openBrowser } from './helpers/browser.js';

const EXP = 'priced';
// README example: with costWeight 5 the net values are a 0.05, b 0.04, c -0.05; c has the best reward.
const RATE: Record<string, number> = { a: 0.1, b: 0.14, c: 0.2 };
const COST: Record<string, number> = { a: 0.01, b: 0.02, c: 0.05 };

describeWithChromium('dashboard P(best) chart on the report\'s basis', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const clock = new TestClock(Date.now() - 10 * 60_000);
    t = await makeTestApp(new MemoryStore(), clock);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const body = { id: `${EXP}-net`, rewardModel: 'bernoulli', policy: 'thompson', seed: 'basis', stickiness: false, objective: { costWeight: 5 }, arms: Object.keys(RATE).map((id) => ({ id })) };
    expect((await t.post('/experiments', body)).status).toBe(201);
    const writer = new ServiceContext(t.store, TEST_SECRET, clock);
    const seen: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let minute = 0; minute < 5; minute++) {
      for (let i = 0; i < 400; i++) {
        const d = (await t.post('/select', { experimentId: `${EXP}-net` })).body;
        const k = seen[d.armId]++;
        const success = Math.floor((k + 1) * RATE[d.armId]) > Math.floor(k * RATE[d.armId]) ? 1 : 0;
        await t.post('/reward', { decisionId: d.decisionId, reward: success, cost: COST[d.armId] });
      }
      clock.advance(60_000);
      await writeHistory(writer, { intervalSeconds: 60, retentionSeconds: 86_400 });
    }
    ({ browser, page } = await openBrowser());
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.app.close();
  });

  it('draws the net value\'s P(best), the report\'s, and says so', async () => {
    const report = (await t.get(`/arms?experimentId=${EXP}-net`)).body;
    const pb = Object.fromEntries(report.arms.map((a: { armId: string; probabilityBest: number }) => [a.armId, a.probabilityBest]));
    expect(pb.c).toBeLessThan(0.01); // c, the best reward, is the worst net value
    await page.goto(`${base}/dashboard#e=${EXP}-net`);
    await page.locator('#chart-pbest[data-latest]').waitFor({ state: 'attached' });
    const latest = JSON.parse((await page.locator('#chart-pbest').getAttribute('data-latest'))!);
    for (const arm of Object.keys(RATE)) expect(latest[arm]).toBeCloseTo(pb[arm], 6);
    const leader = Object.keys(latest).reduce((x, y) => (latest[y] > latest[x] ? y : x));
    expect(leader).not.toBe('c');
    expect(await page.locator('#pbest-basis').textContent()).toBe('of the net value (reward − 5 × cost)');
    await page.screenshot({ path: 'artifacts/dashboard-basis.png', fullPage: true });
  });
});
