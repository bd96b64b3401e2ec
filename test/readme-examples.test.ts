/**
 * The README's two five-line examples (the TypeScript client, OpenFeature), run as they are
 * written against the service process with API keys: each block is taken from README.md, its
 * base URL pointed at the test's port, and run with node + tsx from inside the repository, so
 * that `import ... from 'bandit-service/client'` resolves through package.json `exports`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BanditClient } from '../src/client/index.js';
import { startListeningService, type ListeningService } from './helpers/service-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = 'admin-key-readme-0123456789abcdef';
const DECIDE = 'decide-key-readme-0123456789abcdef';

/** The ```ts block of README.md whose first line is `firstLine`. */
function readmeBlock(firstLine: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.startsWith(firstLine));
  if (!block) throw new Error(`README.md has no \`\`\`ts block starting with ${firstLine}`);
  return block;
}

let service: ListeningService;
let admin: BanditClient;
let dir: string;
beforeAll(async () => {
  service = await startListeningService({ API_KEYS: `admin:${ADMIN},decide:${DECIDE}` });
  admin = new BanditClient({ baseUrl: service.baseUrl, apiKey: ADMIN });
  await admin.createExperiment({
    id: 'summarize-prompt', rewardModel: 'bernoulli',
    arms: [{ id: 'control', payload: { model: 'small', prompt: 'v1' } }, { id: 'structured', payload: { model: 'small', prompt: 'v2' } }],
  });
  // One decision first, so that the examples' /select (the client's default budget is 300 ms, then it
  // fails open) does not pay the new process's first-request work (the experiment's cache, JIT):
  // on the parallel suite at load 5-8 it did, and the example served its default arm.
  const warm = await admin.select('summarize-prompt', { userId: 'warm-up', default: 'control', timeoutMs: 10_000 });
  expect(warm.fallback).not.toBe(true);
  // Inside the repository (package scope), so that the package's self-reference resolves.
  dir = mkdtempSync(join(ROOT, '.readme-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  expect(await service?.stop()).toBe(0);
});

async function run(name: string, code: string): Promise<void> {
  expect(code.trim().split('\n')).toHaveLength(5);
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, code.replaceAll('http://127.0.0.1:3000', service.baseUrl));
  await promisify(execFile)(process.execPath, ['--conditions=development', '--import', 'tsx', file], {
    cwd: ROOT, env: { ...process.env, BANDIT_API_KEY: DECIDE }, timeout: 30_000,
  });
}

it('the client example decides, rewards and flushes on close', async () => {
  const before = (await admin.report('summarize-prompt')).totals;
  await run('client', readmeBlock("import { BanditClient } from 'bandit-service/client';"));
  expect((await admin.report('summarize-prompt')).totals).toMatchObject({ decisions: before.decisions + 1, rewards: before.rewards + 1 });
}, 60_000);

it('the OpenFeature example evaluates the flag and its decision id is rewarded', async () => {
  const before = (await admin.report('summarize-prompt')).totals;
  await run('openfeature', readmeBlock("import { OpenFeature } from '@openfeature/server-sdk';"));
  expect((await admin.report('summarize-prompt')).totals).toMatchObject({ decisions: before.decisions + 1, rewards: before.rewards + 1 });
}, 60_000);
