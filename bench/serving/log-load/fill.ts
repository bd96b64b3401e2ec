/** Fills an experiment's event log through the store's own steps (assign, recordReward), as /select and /reward append to it. */
import { randomBytes } from 'node:crypto';
import { newNonce } from '../../../src/assignment/decision-token.js';
import type { AssignInput, RewardInput, Store } from '../../../src/store/store.js';

const assignInput = (experimentId: string, i: number, nowMs: number): AssignInput => ({
  experimentId, version: 1, population: 'b', armId: ['control', 'structured', 'large'][i % 3], propensity: 0.3333333333333333,
  userId: `user-${i}`, sticky: false, stickyTtlSeconds: 86400, now: Math.floor(nowMs / 1000), withStats: false,
  log: { nonce: newNonce(), nowMs, disabledArms: '', retentionSeconds: 30 * 86400, propensities: '.333,.333,.333' },
});
const rewardInput = (experimentId: string, i: number, nowMs: number, nonce?: string): RewardInput => ({
  experimentId, armId: ['control', 'structured', 'large'][i % 3], population: 'b', decisionKey: nonce ?? randomBytes(12).toString('base64url'), issuedAt: Math.floor(nowMs / 1000),
  rewardWindowSeconds: 86400, reward: i % 3 === 0 ? 1 : 0, event: { error: false }, guardrails: null, windowSize: 1000, baseline: false, nowMs,
  log: { propensity: 0.3333333333333333, retentionSeconds: 30 * 86400 },
});

/** `decisions` decision events, then `rewards` reward events (of the first decisions, so evaluate has units), `concurrency` store calls at a time. */
export async function fillLog(store: Store, experimentId: string, decisions: number, rewards: number, concurrency = 1000): Promise<void> {
  const nowMs = Date.now();
  const nonces: string[] = [];
  for (let i = 0; i < decisions; i += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, decisions - i) }, (_, j) => {
      const input = assignInput(experimentId, i + j, nowMs);
      nonces[i + j] = input.log.nonce;
      return store.assign(input);
    }));
  }
  for (let i = 0; i < rewards; i += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, rewards - i) }, (_, j) => store.recordReward(rewardInput(experimentId, i + j, nowMs, nonces[i + j]))));
  }
}
