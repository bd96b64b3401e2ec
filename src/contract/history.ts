/**
 * GET /experiments/:id/history: the answer's schema, the source of its part of openapi/openapi.json
 * and of the store's history point (the same figures, with ts in unix seconds instead of ISO).
 */
import { z } from 'zod';
import { ARM_STATUSES } from './experiment.js';

const nullableNumber = z.number().nullable();

/** One arm in a history point: cumulative bandit figures as of the point, and its share of the interval's bandit decisions. */
export const HistoryArmSchema = z.object({
  armId: z.string(),
  decisions: z.number().describe('Bandit decisions so far.'),
  rewards: z.number(),
  meanReward: nullableNumber,
  probabilityBest: nullableNumber.describe('Over the enabled arms; null when disabled.'),
  allocation: nullableNumber.describe('Share of the bandit decisions made since the previous point; null when none were made.'),
  status: z.enum(ARM_STATUSES),
  metrics: z.record(z.string(), nullableNumber).optional().describe('Each declared metric\'s mean in the bandit population so far (issue 22); null before its first value.'),
  changes: z.array(z.object({ detectedAt: z.string(), at: z.string() })).optional()
    .describe('With changeDetection (issue 24): the changes of this arm detected since the previous point\'s ts and before this one\'s (as in /arms); absent when none.'),
});

export const HistoryHoldbackSchema = z.object({
  users: nullableNumber.describe('Distinct holdback users (first exposures) as of the point; null in points written before users were counted.'),
  decisions: z.number(),
  rewards: z.number(),
  meanReward: nullableNumber,
});

export const HistoryResponse = z.object({
  experimentId: z.string(),
  intervalSeconds: z.number().describe('One point per this many seconds (HISTORY_INTERVAL_SECONDS).'),
  retentionSeconds: z.number().describe('Points older than this are dropped (HISTORY_RETENTION_SECONDS).'),
  from: z.string(),
  to: z.string(),
  points: z.array(z.object({
    ts: z.string().describe('Start of the interval; the figures are cumulative as of the moment the point was written, just after it.'),
    arms: z.array(HistoryArmSchema),
    holdback: HistoryHoldbackSchema,
  })),
});
