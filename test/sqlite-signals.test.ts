/** Signals on SQLite survive a restart (issue 22): the store closed and the file opened again, a repeat is still a duplicate and the sums are kept. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { ExperimentConfig } from '../src/contract/domain.js';
import type { SignalInput } from '../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'bandit-signals-'));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('a signal and a reward\'s metrics recorded before a restart are duplicates after it; the sums and the events are kept', async () => {
  const file = join(dir, 'bandit.db');
  const config = {
    id: 'e', arms: [{ id: 'a' }, { id: 'b' }], baselineArmId: 'a', rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 }, policy: 'thompson', status: 'active',
    holdbackPercent: 0, trafficPercent: 100, stickiness: false, stickyTtlSeconds: 100, rewardWindowSeconds: 3600, guardrails: null, endsAt: null, seed: null,
    createdAt: '', updatedAt: '', metrics: [{ name: 'judge', kind: 'mean', direction: 'increase' }],
  } as ExperimentConfig;
  const signal: SignalInput = {
    experimentId: 'e', armId: 'b', population: 'b', decisionKey: 'k1', issuedAt: 1_750_000_000, rewardWindowSeconds: 3600, windowSize: 1000,
    baseline: false, nowMs: 1_750_000_000_000, metric: { name: 'judge', value: 0.7 }, log: { propensity: 0.5, retentionSeconds: 86400 },
  };
  const first = SqliteStore.open(file);
  await first.createExperiment(config);
  expect(await first.recordSignal(signal)).toEqual({ kind: 'accepted' });
  expect(await first.recordReward({ ...signal, decisionKey: 'k2', reward: 1, event: { error: false }, guardrails: null, log: { propensity: 0.5, retentionSeconds: 86400 }, metrics: [{ name: 'judge', value: 0.1 }] }))
    .toEqual({ kind: 'accepted' });
  await first.close();

  const again = SqliteStore.open(file);
  expect(await again.recordSignal(signal)).toEqual({ kind: 'duplicate' });
  expect(await again.recordSignal({ ...signal, decisionKey: 'k2' })).toEqual({ kind: 'duplicate' });
  expect((await again.getMetricStats('e', ['judge']))!.judge[1].bandit).toEqual({ n: 2, sum: 0.7 + 0.1, sumSq: 0.7 * 0.7 + 0.1 * 0.1 });
  expect((await again.readEvents('e', null, 10))!.map((e) => e.type)).toEqual(['signal', 'reward']);
  await again.close();
});
