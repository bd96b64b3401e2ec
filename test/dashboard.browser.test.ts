/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core), on a
 * listening app with API keys, fed by real HTTP traffic: the page loads the experiment, every chart
 * has drawn, the leaderboard matches /arms, the kill switch works and shows, and an admin action
 * without the admin key is refused in the page with the API's message. Screenshots (desktop and
 * phone width) go to artifacts/ (gitignored; CI keeps the folder). With DASHBOARD_SCREENSHOT=<path>
 * the desktop one is also written there (docs/dashboard.png for the README).
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import seedrandom from 'seedrandom';
import { ServiceContext } from '../src/service/context.js';
import { writeHistory } from '../src/service/history.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { makeTestApp, TestClock, TEST_SECRET, type TestApp } from './helpers/app.js';

/** The dashboard's formats (web/summary.js): a probability as a percent, a loss to 2 significant digits. */
const prob = (v: number | null) => (v === null ? '–' : v > 0.999 ? '>99.9%' : v < 0.001 ? '<0.1%' : `${(100 * v).toFixed(1)}%`);
const sig2 = (v: number | null) => (v === null ? '–' : String(Number(v.toPrecision(2))));
import { describeIf } from './helpers/redis.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'artifacts';
const KEYS = { admin: 'admin-dashboard-key-0123456789', read: 'read-dashboard-key-01234567890' };
const EXP = 'checkout-copy';
/** True success rates of the arms, and how often 'risky' answers with an error (it trips its guardrail). */
const RATES: Record<string, number> = { control: 0.1, short: 0.14, long: 0.22, risky: 0.3 };

describeIf(existsSync(CHROMIUM), `Chromium at ${CHROMIUM} (apt-get install -y chromium)`, 'dashboard in a real browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;

  const call = async (method: string, path: string, body?: unknown, k: string | null = KEYS.admin) => {
    const res = await fetch(base + path, {
      method, headers: { ...(k && { authorization: `Bearer ${k}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as any };
  };

  beforeAll(async () => {
    // The history's times are the service clock's; start it in the recent past so the page's window (the last 6 h) holds them.
    const clock = new TestClock(Date.now() - 10 * 60_000);
    t = await makeTestApp(new MemoryStore(), clock, { auth: { apiKeys: `admin:${KEYS.admin},read:${KEYS.read}` } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    expect((await call('POST', '/experiments', {
      id: EXP, rewardModel: 'bernoulli', holdbackPercent: 20, seed: 'dashboard-test',
      arms: Object.keys(RATES).map((id) => ({ id, payload: { copy: id } })),
      guardrails: { errorRate: 0.25, minSamples: 20, windowSize: 30 },
    })).status).toBe(201);

    // Real traffic over HTTP, one history point per simulated minute (the writer every replica runs).
    const rng = seedrandom('dashboard');
    const writer = new ServiceContext(t.store, TEST_SECRET, clock);
    let user = 0;
    for (let minute = 0; minute < 8; minute++) {
      await writeHistory(writer, { intervalSeconds: 60, retentionSeconds: 86_400 });
      for (let i = 0; i < 80; i++) {
        const d = (await call('POST', '/select', { experimentId: EXP, userId: `u${user++}` })).body;
        const error = d.armId === 'risky' && minute >= 3 && rng() < 0.7;
        const reward = error ? { error: true } : { reward: rng() < RATES[d.armId] ? 1 : 0, latencyMs: 200 + Math.round(rng() * 300), cost: 0.002 };
        expect((await call('POST', '/reward', { decisionId: d.decisionId, ...reward })).status).toBe(200);
      }
      clock.advance(60_000);
    }
    await writeHistory(writer, { intervalSeconds: 60, retentionSeconds: 86_400 });
    const risky = (await call('GET', `/arms?experimentId=${EXP}`)).body.arms.find((a: any) => a.armId === 'risky');
    expect(risky.disabled?.source, JSON.stringify(risky)).toBe('guardrail');

    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.app.close();
  });

  const alertText = () => page.locator('#alert').textContent();
  const rowCell = (arm: string, cls: string) => page.locator(`#leaderboard tr[data-arm="${arm}"] td.${cls}`);

  it('without a key, shows the API\'s refusal; with a read key, the experiment', async () => {
    await page.goto(`${base}/dashboard#e=${EXP}`);
    const refused = await call('GET', '/experiments', undefined, null);
    expect(refused.status).toBe(401);
    await page.locator('#alert').filter({ hasText: refused.body.message }).waitFor();
    expect(await alertText()).toContain(`401 unauthorized: ${refused.body.message}`);

    await page.getByLabel('API key').fill(KEYS.read);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.locator(`#leaderboard tr[data-arm="control"]`).waitFor();
    expect(await page.locator('#alert').isHidden()).toBe(true);
    expect(await page.getByRole('link', { name: EXP }).getAttribute('aria-current')).toBe('page');
  });

  it('shows the leaderboard as /arms reports it', async () => {
    const report = (await call('GET', `/arms?experimentId=${EXP}`, undefined, KEYS.read)).body;
    expect(await page.locator('#leaderboard tbody tr').count()).toBe(report.arms.length);
    for (const a of report.arms) {
      expect(await rowCell(a.armId, 'decisions').textContent()).toBe(String(a.decisions));
      expect(await rowCell(a.armId, 'status').textContent()).toBe(a.status);
      expect(await rowCell(a.armId, 'mean').textContent()).toBe(a.meanReward === null ? '–' : a.meanReward.toFixed(3));
      expect(await rowCell(a.armId, 'pbest').textContent()).toBe(prob(a.probabilityBest));
      expect(await rowCell(a.armId, 'loss').textContent()).toBe(sig2(a.expectedLoss));
    }
    // Rounded to what they support: a latency in whole ms.
    expect(await rowCell('risky', 'guardrails').textContent()).toMatch(/^p95 \d+ /);
    expect(await rowCell('risky', 'why').textContent()).toMatch(/^guardrail errorRate: observed 0\.\d{1,3} above limit 0\.25 /);
    expect(await rowCell('risky', 'guardrails').textContent()).toContain('/ 25.0%');
  });

  it('leads with the decision: the recommendation and its reason, the lift in percent with both means and its band, the split check', async () => {
    const report = (await call('GET', `/arms?experimentId=${EXP}`, undefined, KEYS.read)).body;
    const r = report.recommendation;
    const headline: Record<string, string> = { ship: `Ship ${r.armId}`, continue: 'Keep running', stop_no_difference: 'Stop: no arm is worth more than the threshold', check_split: 'Check the split: the figures cannot be trusted yet' };
    expect(await page.locator('#decision-action').textContent()).toBe(headline[r.action]);
    expect(await page.locator('#decision-reason').textContent()).toBe(r.reason);
    expect(await page.locator('#decision-claims').textContent()).toContain('bandit beats the holdback');
    const h = report.holdback;
    const lift = await page.locator('#decision-lift').textContent();
    expect(lift).toContain(`Bandit ${Number(h.banditMeanReward.toPrecision(3))} vs holdback ${Number(h.meanReward.toPrecision(3))}`);
    expect(lift).toMatch(/\([+-]\d+\.\d%\)/);
    expect(lift).toMatch(/always-valid 95% band [+-]\d+\.\d% to [+-]\d+\.\d%|no always-valid band yet/);
    expect(await page.locator('#decision-split').textContent()).toMatch(/^Split check (passes|FAILS): /);
    const box = await page.locator('#decision').boundingBox();
    const table = await page.locator('#leaderboard').boundingBox();
    expect(box!.y).toBeLessThan(table!.y); // above the leaderboard
  });

  it('has drawn every chart: arm lines on each canvas, the lift band in its SVG, the trip marked', async () => {
    const drawn = await page.evaluate(() => {
      // Pixels of the first arm's colour (#2563eb) on each chart's canvas: the series was drawn, not only the axes.
      const ofColour = (canvas: HTMLCanvasElement) => {
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - 0x25) < 24 && Math.abs(data[i + 1] - 0x63) < 24 && Math.abs(data[i + 2] - 0xeb) < 24 && data[i + 3] > 200) n++;
        return n;
      };
      const red = (canvas: HTMLCanvasElement) => {
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] > 200 && data[i + 1] < 60 && data[i + 2] < 60 && data[i + 3] > 200) n++;
        return n;
      };
      const charts = ['chart-pbest', 'chart-allocation', 'chart-mean', 'chart-density'];
      return {
        blue: Object.fromEntries(charts.map((id) => [id, ofColour(document.querySelector(`#${id} canvas`) as HTMLCanvasElement)])),
        red: red(document.querySelector('#chart-pbest canvas') as HTMLCanvasElement),
        lift: { rect: document.querySelectorAll('#chart-lift svg rect').length, circle: document.querySelectorAll('#chart-lift svg circle').length },
      };
    });
    for (const [id, n] of Object.entries(drawn.blue)) expect(n, id).toBeGreaterThan(50);
    expect(drawn.red).toBeGreaterThan(20); // risky's line and its guardrail mark are red
    expect(drawn.lift).toEqual({ rect: 1, circle: 1 });
    const report = (await call('GET', `/arms?experimentId=${EXP}`, undefined, KEYS.read)).body;
    const band = report.holdback.alwaysValid ? 'always-valid' : 'fixed-horizon';
    expect(await page.locator('#chart-lift').textContent()).toContain(band);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-desktop.png`, fullPage: true });
  });

  it('refuses the kill switch without the admin key, in the page, with the API\'s message', async () => {
    // A read key: 403.
    const forbidden = await call('POST', `/experiments/${EXP}/arms/long/disable`, { reason: 'x' }, KEYS.read);
    expect(forbidden.status).toBe(403);
    await page.getByRole('button', { name: 'Disable arm long' }).click();
    await page.getByRole('button', { name: 'Confirm disabling arm long' }).click();
    await page.locator('#alert').filter({ hasText: forbidden.body.message }).waitFor();
    expect(await alertText()).toBe(`403 forbidden: ${forbidden.body.message}`);
    // No key at all: 401.
    await page.getByRole('button', { name: 'Forget key' }).click();
    const unauthorized = await call('POST', `/experiments/${EXP}/arms/long/disable`, { reason: 'x' }, null);
    expect(unauthorized.status).toBe(401);
    const answered = page.waitForResponse((r) => r.url().endsWith('/arms/long/disable') && r.status() === 401);
    await page.getByRole('button', { name: 'Disable arm long' }).click();
    await page.getByRole('button', { name: 'Confirm disabling arm long' }).click();
    await answered;
    await page.locator('#alert').filter({ hasText: unauthorized.body.message }).waitFor();
    expect(await alertText()).toBe(`401 unauthorized: ${unauthorized.body.message}`);
    expect((await call('GET', `/experiments/${EXP}`)).body.arms.find((a: any) => a.id === 'long').status).toBe('active');
  });

  it('disables an arm with the admin key (checked through the API) and shows it; enables it again', async () => {
    await page.getByLabel('API key').fill(KEYS.admin);
    await page.getByRole('button', { name: 'Use key' }).click();
    // The first click only asks to confirm: nothing is disabled yet.
    await page.getByRole('button', { name: 'Disable arm long' }).click();
    await page.getByRole('button', { name: 'Confirm disabling arm long' }).waitFor();
    expect((await call('GET', `/experiments/${EXP}`)).body.arms.find((a: any) => a.id === 'long').status).toBe('active');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-desktop-confirm.png` });
    await page.getByRole('button', { name: 'Confirm disabling arm long' }).click();
    await page.getByRole('button', { name: 'Enable arm long' }).waitFor();
    const arm = (await call('GET', `/experiments/${EXP}`)).body.arms.find((a: any) => a.id === 'long');
    expect(arm).toMatchObject({ status: 'disabled', disabled: { source: 'manual', reason: 'disabled from the dashboard' } });
    expect(await rowCell('long', 'status').textContent()).toBe('disabled');
    expect(await rowCell('long', 'why').textContent()).toContain('by hand: disabled from the dashboard');
    expect(await rowCell('long', 'pbest').textContent()).toBe(prob((await call('GET', `/arms?experimentId=${EXP}`)).body.arms.find((a: any) => a.armId === 'long').probabilityBest));
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-desktop-disabled.png`, fullPage: true });
    if (process.env.DASHBOARD_SCREENSHOT) copyFileSync(`${ARTIFACTS}/dashboard-desktop.png`, process.env.DASHBOARD_SCREENSHOT);

    await page.getByRole('button', { name: 'Enable arm long' }).click();
    await page.getByRole('button', { name: 'Disable arm long' }).waitFor();
    expect((await call('GET', `/experiments/${EXP}`)).body.arms.find((a: any) => a.id === 'long').status).toBe('active');
  });

  it('updates itself without a reload', async () => {
    const before = Number(await page.locator('body').getAttribute('data-refreshed'));
    for (let i = 0; i < 20; i++) await call('POST', '/select', { experimentId: EXP, userId: `late-${i}` });
    const { totals } = (await call('GET', `/arms?experimentId=${EXP}`)).body;
    await page.locator('#exp-meta').filter({ hasText: `${totals.decisions} decisions` }).waitFor({ timeout: 15_000 });
    expect(Number(await page.locator('body').getAttribute('data-refreshed'))).toBeGreaterThan(before);
  });

  it('shows a new gaussian experiment with no history yet: densities drawn, the lift waiting for rewards', async () => {
    expect((await call('POST', '/experiments', { id: 'latency-model', rewardModel: 'gaussian', arms: [{ id: 'a' }, { id: 'b' }] })).status).toBe(201);
    for (let i = 0; i < 30; i++) {
      const d = (await call('POST', '/select', { experimentId: 'latency-model' })).body;
      await call('POST', '/reward', { decisionId: d.decisionId, reward: (d.armId === 'a' ? 3 : 5) + (i % 5) / 5 });
    }
    await page.getByRole('link', { name: 'latency-model' }).click();
    await page.locator('#exp-title').filter({ hasText: 'latency-model' }).waitFor();
    await page.locator('#leaderboard tr[data-arm="b"] td.decisions').filter({ hasText: /^[1-9]/ }).waitFor();
    expect(await page.locator('#alert').isHidden()).toBe(true);
    expect(await page.locator('#chart-lift').textContent()).toContain('No holdback: holdbackPercent is 0');
    const canvases = await page.evaluate(() => ['chart-pbest', 'chart-allocation', 'chart-mean', 'chart-density']
      .map((id) => (document.querySelector(`#${id} canvas`) as HTMLCanvasElement | null)?.width ?? 0));
    expect(canvases.every((w) => w > 0)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-gaussian-no-history.png`, fullPage: true });
    await page.getByRole('link', { name: EXP }).click();
    await page.locator('#exp-title').filter({ hasText: EXP }).waitFor();
  });

  it('fits a phone width without sideways scrolling of the page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(400); // the charts resize after 150 ms
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone-screen.png` });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('lands on a page that says what there is and what each page shows', async () => {
    await page.goto(`${base}/dashboard`);
    await page.locator('#landing-count').filter({ hasText: /experiments? \(\d+ active\)/ }).waitFor();
    expect(await page.locator('#empty').isVisible()).toBe(true);
    expect(await page.locator('#empty').textContent()).toContain('opens with its decision');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone-landing.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-desktop-landing.png`, fullPage: true });
  });
});
