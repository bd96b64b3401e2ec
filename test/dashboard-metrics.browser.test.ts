/**
 * The dashboard's metrics table (issue 22) in a real headless Chromium: each declared metric by
 * arm with the better direction, and an arm's established difference from the baseline shown as
 * better or worse, as /arms reports it.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { MemoryStore } from '../src/store/memory-store.js';
import { makeTestApp, TestClock, type TestApp } from './helpers/app.js';
import { describeWithChromium, openBrowser } from './helpers/browser.js';


describeWithChromium('dashboard metrics table in a real browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // The page reads the last hours of history by the browser's clock: the service's is now too.
    t = await makeTestApp(new MemoryStore(), new TestClock(Date.now()));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    expect((await t.post('/experiments', {
      id: 'm', rewardModel: 'bernoulli', policy: 'fixed', arms: [{ id: 'control' }, { id: 'good' }, { id: 'same' }],
      metrics: [{ name: 'judge', kind: 'mean', direction: 'increase' }, { name: 'latency_s', kind: 'mean', direction: 'decrease' }],
    })).status).toBe(201);
    // judge: 'good' is far above the baseline; 'same' equal. latency_s: 'good' is slower (worse).
    for (let i = 0; i < 900; i++) {
      const d = (await t.post('/select', { experimentId: 'm' })).body;
      const judge = (d.armId === 'good' ? 0.9 : 0.3) + (i % 2 ? 0.1 : -0.1);
      const latency = (d.armId === 'good' ? 2 : 1) + (i % 2 ? 0.2 : -0.2);
      expect((await t.post('/reward', { decisionId: d.decisionId, reward: 1, metrics: { judge, latency_s: latency } })).status).toBe(200);
    }
    ({ browser, page } = await openBrowser());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.app.close();
  });

  it('shows each metric by arm, the better direction, and whether each difference is established', async () => {
    await page.goto(`${base}/dashboard#e=m`);
    await page.locator('#metrics-table tr[data-metric="judge"]').waitFor();
    const report = (await t.get('/arms?experimentId=m')).body;
    expect(report.metrics.judge.vsBaseline.map((v: any) => [v.armId, v.established, v.better])).toEqual([['good', true, true], ['same', false, null]]);
    const cell = (metric: string, arm: string) => page.locator(`#metrics-table tr[data-metric="${metric}"] td[data-arm="${arm}"]`);
    expect(await page.locator('#metrics-table tr[data-metric="judge"] td.direction').textContent()).toBe('higher');
    expect(await page.locator('#metrics-table tr[data-metric="latency_s"] td.direction').textContent()).toBe('lower');
    expect(await cell('judge', 'good').getAttribute('class')).toBe('better');
    expect(await cell('judge', 'good').textContent()).toContain(`${report.metrics.judge.arms[1].mean.toFixed(3)} (n ${report.metrics.judge.arms[1].n})`);
    expect(await cell('judge', 'same').getAttribute('class')).toBe('pending');
    expect(await cell('latency_s', 'good').getAttribute('class')).toBe('worse');
    expect(await page.locator('#metrics-note').textContent()).toContain('4 comparisons');
  });
});
