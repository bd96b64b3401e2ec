/** Operations: liveness, readiness, the report, and the OpenAPI document. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../service/context.js';
import { report } from '../service/report.js';
import { ReportResponse } from '../contract/report.js';
import { errors } from './responses.js';
import { ArmsQuery } from './schemas.js';

export const operationRoutes = (ctx: ServiceContext): FastifyPluginAsyncZod => async (app) => {
  app.get('/arms', { schema: { tags: ['report'], summary: 'Posteriors, probability of being best, regret, holdback lift, sample-ratio check', querystring: ArmsQuery, response: { 200: ReportResponse, ...errors(400, 404) } } },
    async (req) => report(ctx, req.query.experimentId));

  app.get('/health', { schema: { tags: ['operations'], summary: 'The process is up', response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }));

  app.get('/ready', { schema: { tags: ['operations'], summary: 'The store answers (503 otherwise)', response: { 200: z.object({ status: z.literal('ready') }), ...errors(503) } } },
    async () => {
      await ctx.store.ping();
      return { status: 'ready' as const };
    });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
