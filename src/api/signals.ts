/** POST /signals (issue 22): a declared metric's value for a decision, once per (decision, name); one or a batch of up to 1000. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { RETRY_AFTER_SECONDS } from '../errors.js';
import type { ServiceContext } from '../service/context.js';
import { signal, signalBatch } from '../service/signals.js';
import { errors } from './responses.js';
import { MAX_SIGNALS_PER_BATCH, SignalAnswerSchema, SignalRequestSchema } from '../contract/metrics.js';

export const signalRoutes = (ctx: ServiceContext): FastifyPluginAsyncZod => async (app) => {
  app.post('/signals', {
    // A decision route: the `decide` scope, as /reward.
    config: { access: 'decide' },
    bodyLimit: MAX_SIGNALS_PER_BATCH * 4096,
    schema: {
      tags: ['decisions'], summary: 'Record a quality signal of a decision (exactly once per decision and metric), or up to 1000',
      body: SignalRequestSchema, response: { 200: SignalAnswerSchema, ...errors(400, 404, 410, 503) },
    },
  }, async (req, reply) => {
    const body = req.body;
    if (!('signals' in body)) {
      const res = await signal(ctx, body);
      if (res.autoDisabled) req.log.warn({ autoDisabled: res.autoDisabled }, 'metric guardrail disabled an arm');
      return res;
    }
    const results = await signalBatch(ctx, body.signals);
    for (const r of results) if ('autoDisabled' in r && r.autoDisabled) req.log.warn({ autoDisabled: r.autoDisabled }, 'metric guardrail disabled an arm');
    if (results.some((r) => r.status === 503)) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return { results };
  });
};
