/**
 * Default rewards (issue 11, `defaultReward: {afterSeconds, value}`): a decision with no reward
 * after `afterSeconds` counts as `value`, exactly once, applied by whichever replica is up.
 *
 * The store keeps the to-do list: a due set, written by the store's `assign` in the same atomic step
 * that counts the decision (`AssignInput.defaultReward`, set by select.ts), so no decision is
 * counted without its default whatever fails or dies after it. Applying an
 * entry is an ordinary `recordReward` with `defaults.apply`, so the dedupe entry of the decision
 * makes it exactly once whoever applies it, and however many replicas try at the same time. A real
 * reward takes the decision off the due set; one after the default answers 410 `decision_expired`.
 * Every replica runs the sweep (jobs/default-reward-sweeper.ts; the state is the store's, so nothing is
 * lost with a process). A read never writes: `/arms` counts the defaults the sweep has applied.
 */
import { DEFAULT_WINDOW_SIZE } from '../bandit/guardrails.js';
import { DEFAULT_EVENT_RETENTION_SECONDS } from '../contract/event-log.js';
import type { DueDefault } from '../store/store.js';
import type { ExperimentConfig } from '../contract/domain.js';
import type { ServiceContext } from './context.js';
import { changeSpecOf, engineSumsInput } from './engine-config.js';
import { changeDetected } from './reward.js';

/** Applied per store call; the sweep goes on while a batch comes back full. */
const BATCH = 500;

/** Applies every default of the experiment that is due now; returns how many were counted (0 for ones a reward beat). */
export async function applyDueDefaults(ctx: ServiceContext, config: ExperimentConfig): Promise<number> {
  const d = config.defaultReward;
  if (!d) return 0;
  const nowMs = ctx.clock.now();
  let applied = 0;
  for (;;) {
    const due = await ctx.store.dueDefaultRewards(config.id, Math.floor(nowMs / 1000), BATCH);
    for (const entry of due) if (await applyOne(ctx, config, entry, d.value, nowMs)) applied++;
    if (due.length < BATCH) return applied;
  }
}

async function applyOne(ctx: ServiceContext, config: ExperimentConfig, e: DueDefault, value: number, nowMs: number): Promise<boolean> {
  const res = await ctx.store.recordReward({
    experimentId: config.id, armId: e.armId, population: e.population, decisionKey: e.decisionKey, issuedAt: e.issuedAt,
    rewardWindowSeconds: config.rewardWindowSeconds, reward: value, event: { error: false }, guardrails: null,
    windowSize: config.guardrails?.windowSize ?? DEFAULT_WINDOW_SIZE, baseline: e.armId === config.baselineArmId, nowMs,
    engine: engineSumsInput(config), defaults: { apply: true }, changes: changeSpecOf(config, e.population, value),
    // The decision's user, so the default adds to that user's sums and its event re-signs the served decisionId.
    ...(e.userKey !== undefined && { userKey: e.userKey, userSumsTtlSeconds: config.stickyTtlSeconds + config.rewardWindowSeconds }),
    log: { propensity: e.propensity, retentionSeconds: config.eventRetentionSeconds ?? DEFAULT_EVENT_RETENTION_SECONDS },
  });
  if (res.kind === 'accepted' && res.changeDetected) changeDetected(ctx, config.id, e.armId);
  return res.kind === 'accepted';
}
