/**
 * Change detection on the dashboard (issue 24), in a real headless Chromium: an arm that leads and
 * then falls is detected, and the page marks the change on the time charts (a dotted line in the
 * arm's colour, labelled "<arm> changed", at the change point) and says it in the arm's row. The
 * screenshot goes to artifacts/dashboard-changes.png.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import seedrandom from 'seedrandom';
import { ServiceContext } from '../src/service/context.js';
import { writeHistory } from '../src/service/history.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { makeTestApp, TestClock, TEST_SECRET, type TestApp } from './helpers/app.js';
import { describeWithChromium, openBrowser } from './helpers/browser.js';

const EXP = 'prompt-drift';

describeWithChromium('dashboard change marks in a real browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const clock = new TestClock(Date.now() - 20 * 60_000);
    t = await makeTestApp(new MemoryStore(), clock);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    expect((await t.post('/experiments', {
      id: EXP, rewardModel: 'bernoulli', seed: 'dashboard-changes', stickiness: false, changeDetection: { method: 'glr' },
      arms: [{ id: 'v1' }, { id: 'v2' }, { id: 'v3' }],
    })).status).toBe(201);
    // 'v3' leads at 0.6, then its provider changes the model and it falls to 0.1 (decision 600 of 1,200, two a second).
    const rng = seedrandom('dashboard-changes');
    const writer = new ServiceContext(t.store, TEST_SECRET, clock);
    for (let i = 0; i < 1200; i++) {
      if (i % 120 === 0) await writeHistory(writer, { intervalSeconds: 60, retentionSeconds: 86_400 });
      const d = (await t.post('/select', { experimentId: EXP })).body;
      const p = d.armId === 'v3' ? (i < 600 ? 0.6 : 0.1) : d.armId === 'v2' ? 0.3 : 0.2;
      expect((await t.post('/reward', { decisionId: d.decisionId, reward: rng() < p ? 1 : 0 })).status).toBe(200);
      clock.advance(500);
    }
    await writeHistory(writer, { intervalSeconds: 60, retentionSeconds: 86_400 });
    ({ browser, page } = await openBrowser());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.app.close();
  });

  it('marks the detected change on the time charts and in the arm\'s row', async () => {
    const v3 = (await t.get(`/arms?experimentId=${EXP}`)).body.arms.find((a: any) => a.armId === 'v3');
    expect(v3.changes.length, JSON.stringify(v3)).toBeGreaterThan(0);
    await page.goto(`${base}/dashboard#e=${EXP}`);
    await page.locator('#leaderboard tr[data-arm="v3"]').waitFor();
    await page.locator('#chart-mean[data-marks*="v3 changed"]').waitFor();
    for (const id of ['chart-pbest', 'chart-allocation', 'chart-mean']) {
      expect(await page.locator(`#${id}`).getAttribute('data-marks')).toContain('v3 changed');
    }
    expect(await page.locator('#chart-mean').getAttribute('data-marks')).not.toContain('v1 changed');
    const why = await page.locator('#leaderboard tr[data-arm="v3"] td.why').textContent();
    expect(why).toContain('reward changed at');
    expect(why).toContain(`evidence now: ${v3.rewardsSinceChange} rewards`);
    // The mean beside the since-change interval is the since-change one (v3 fell from 0.6 to 0.1), not the all-time 0.5-ish.
    const mean = page.locator('#leaderboard tr[data-arm="v3"] td.mean');
    expect(await mean.textContent()).toMatch(/since change$/);
    expect(Number.parseFloat((await mean.textContent())!)).toBeLessThan(0.35);
    expect(await mean.getAttribute('title')).toContain(`all-time mean`);
    // The mark is drawn: the canvas has pixels of the arm's colour (#16a34a, the third) along a vertical line.
    const columns = await page.evaluate(() => {
      const c = document.querySelector('#chart-mean canvas') as HTMLCanvasElement;
      const ctx = c.getContext('2d')!;
      const { data, width, height } = ctx.getImageData(0, 0, c.width, c.height);
      const hits = new Map<number, number>();
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = 4 * (y * width + x);
          if (Math.abs(data[i] - 0x16) < 8 && Math.abs(data[i + 1] - 0xa3) < 8 && Math.abs(data[i + 2] - 0x4a) < 8) hits.set(x, (hits.get(x) ?? 0) + 1);
        }
      }
      return Math.max(0, ...hits.values()) / height;
    });
    expect(columns).toBeGreaterThan(0.2); // a vertical run of the arm's colour over a fifth of the canvas: the dotted line
    await page.screenshot({ path: 'artifacts/dashboard-changes.png', fullPage: true });
  });
});
