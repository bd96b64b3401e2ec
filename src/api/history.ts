/** GET /experiments/:id/history: the experiment's points over time, for charts. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../service/context.js';
import { readHistory, type HistorySettings } from '../service/history.js';
import { errors } from './responses.js';
import { ExperimentParams } from './schemas.js';

/** Without `from`, this far back from `to`. */
const DEFAULT_SPAN_SECONDS = 86_400;

const isoDate = z.iso.datetime({ offset: true }).describe('ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z');
const HistoryQuery = z.strictObject({
  from: isoDate.optional().describe(`Oldest point to return (default: ${DEFAULT_SPAN_SECONDS / 3600} h before to).`),
  to: isoDate.optional().describe('Newest point to return (default: now).'),
});

const nullableNumber = z.number().nullable();
const HistoryResponse = z.object({
  experimentId: z.string(),
  intervalSeconds: z.number().describe('One point per this many seconds (HISTORY_INTERVAL_SECONDS).'),
  retentionSeconds: z.number().describe('Points older than this are dropped (HISTORY_RETENTION_SECONDS).'),
  from: z.string(),
  to: z.string(),
  points: z.array(z.object({
    ts: z.string().describe('Start of the interval; the figures are cumulative as of the moment the point was written, just after it.'),
    arms: z.array(z.object({
      armId: z.string(),
      decisions: z.number().describe('Bandit decisions so far.'),
      rewards: z.number(),
      meanReward: nullableNumber,
      probabilityBest: nullableNumber.describe('Over the enabled arms; null when disabled.'),
      allocation: nullableNumber.describe('Share of the bandit decisions made since the previous point; null when none were made.'),
      status: z.enum(['active', 'disabled']),
    })),
    holdback: z.object({
      users: nullableNumber.describe('Distinct holdback users (first exposures) as of the point; null in points written before users were counted.'),
      decisions: z.number(),
      rewards: z.number(),
      meanReward: nullableNumber,
    }),
  })),
});

export const historyRoutes = (ctx: ServiceContext, settings: HistorySettings): FastifyPluginAsyncZod => async (app) => {
  app.get('/experiments/:id/history', {
    schema: {
      tags: ['report'], summary: 'The experiment over time: one point per interval', params: ExperimentParams, querystring: HistoryQuery,
      response: { 200: HistoryResponse, ...errors(400, 404) },
    },
  }, async (req) => {
    const toTs = req.query.to ? Math.floor(Date.parse(req.query.to) / 1000) : Math.floor(ctx.clock.now() / 1000);
    const fromTs = req.query.from ? Math.ceil(Date.parse(req.query.from) / 1000) : toTs - DEFAULT_SPAN_SECONDS;
    return readHistory(ctx, req.params.id, fromTs, toTs, settings);
  });
};
