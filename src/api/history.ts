/** GET /experiments/:id/history: the experiment's points over time, for charts. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../service/context.js';
import { readHistory, type HistorySettings } from '../service/history.js';
import { HistoryResponse } from '../contract/history.js';
import { errors } from './responses.js';
import { ExperimentParams } from './schemas.js';

/** Without `from`, this far back from `to`. */
const DEFAULT_SPAN_SECONDS = 86_400;

const isoDate = z.iso.datetime({ offset: true }).describe('ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z');
const HistoryQuery = z.strictObject({
  from: isoDate.optional().describe(`Oldest point to return (default: ${DEFAULT_SPAN_SECONDS / 3600} h before to).`),
  to: isoDate.optional().describe('Newest point to return (default: now).'),
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
