/** The hot path: /select, /reward, /rewards. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { RETRY_AFTER_SECONDS } from '../errors.js';
import type { ServiceContext } from '../service/context.js';
import { reward, rewardBatch } from '../service/reward.js';
import { select } from '../service/select.js';
import { errors } from './responses.js';
import { RewardBatchResponse, RewardResponse, RewardSchema, SelectResponse, SelectSchema } from '../contract/decision.js';
import { RewardBatchSchema } from './schemas.js';

export const decisionRoutes = (ctx: ServiceContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['decisions'];
  app.post('/select', { schema: { tags, summary: 'Choose an arm for one request', body: SelectSchema, response: { 200: SelectResponse, ...errors(400, 404, 503) } } },
    async (req, reply) => {
      const res = await select(ctx, req.body.experimentId, req.body.userId, { context: req.body.context, traceparent: req.headers.traceparent as string | undefined });
      if (res.fallback) req.log.warn({ experimentId: res.experimentId }, 'store unavailable: served the baseline as a fallback');
      reply.header('x-experiment-id', res.experimentId).header('x-decision-id', res.decisionId).header('x-arm-id', res.armId);
      return res;
    });

  app.post('/reward', { schema: { tags, summary: 'Report the outcome of a decision (exactly once)', body: RewardSchema, response: { 200: RewardResponse, ...errors(400, 404, 410, 503) } } },
    async (req) => {
      const res = await reward(ctx, req.body);
      if (res.autoDisabled) req.log.warn({ autoDisabled: res.autoDisabled }, 'guardrail disabled an arm');
      return res;
    });

  app.post('/rewards', { schema: { tags, summary: 'Report up to 1000 outcomes', body: RewardBatchSchema, response: { 200: RewardBatchResponse, ...errors(400) } } },
    async (req, reply) => {
      const results = await rewardBatch(ctx, req.body.events);
      for (const r of results) if ('autoDisabled' in r && r.autoDisabled) req.log.warn({ autoDisabled: r.autoDisabled }, 'guardrail disabled an arm');
      if (results.some((r) => r.status === 503)) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return { results };
    });
};
