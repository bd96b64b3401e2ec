/**
 * The dashboard's browser tests: Debian's Chromium driven by playwright-core (which downloads no
 * browser). A missing Chromium skips the file locally and fails it in CI (describeIf).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describeIf } from './redis.js';

export const CHROMIUM = '/usr/bin/chromium';

/** describe(name, fn) when Chromium is installed. */
export function describeWithChromium(name: string, fn: () => void): void {
  describeIf(existsSync(CHROMIUM), `Chromium at ${CHROMIUM} (apt-get install -y chromium)`, name, fn);
}

/** A headless Chromium and a desktop-sized page; screenshots go to artifacts/ (created here). */
export async function openBrowser(): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  mkdirSync('artifacts', { recursive: true });
  return { browser, page };
}
