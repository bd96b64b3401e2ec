/**
 * The staged rollout of POST /experiments/:id/promote (issue 8 item 9), as a pure function of the
 * stored config, the arm states and the time: every replica computes the same stage from what the
 * store holds, so the schedule advances with whichever replica is up, and no job has to run.
 * A promoted arm that is disabled (a guardrail trip, or by hand) after the promotion started
 * rolls the promotion back: the bandit serves as before.
 */
import type { z } from 'zod';
import type { PromotionStatusSchema } from '../contract/report.js';
import type { DisabledInfo, Promotion } from '../contract/domain.js';

/** The report's `promotion` (PromotionStatusSchema): the state, the share served now, and why it was rolled back. */
export type PromotionStatus = z.infer<typeof PromotionStatusSchema>;
export type PromotionState = PromotionStatus['state'];

/** The promotion's status at `nowMs`, or null without one. */
export function promotionStatus(p: Promotion | null | undefined, disabled: Record<string, DisabledInfo>, nowMs: number): PromotionStatus | null {
  if (!p) return null;
  const info = disabled[p.armId];
  const started = Date.parse(p.startedAt);
  const base = { armId: p.armId, startedAt: p.startedAt, stages: p.stages };
  if (info) return { ...base, state: 'rolled_back', percent: 0, rolledBack: info };
  const elapsed = (nowMs - started) / 1000;
  const stage = [...p.stages].reverse().find((s) => s.afterSeconds <= elapsed);
  if (!stage) return { ...base, state: 'scheduled', percent: 0, rolledBack: null };
  const last = p.stages[p.stages.length - 1];
  return { ...base, state: stage === last && stage.percent === 100 ? 'complete' : 'rolling_out', percent: stage.percent, rolledBack: null };
}
