/** Issue 8's routes: planning, archive, staged rollout. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../service/context.js';
import { archiveExperiment, promoteArm } from '../service/experiments.js';
import { plan } from '../service/plan.js';
import { PlanResponse, PlanSchema, PromoteSchema } from '../contract/lifecycle.js';
import { ExperimentResponse } from '../contract/experiment-config.js';
import { errors } from './responses.js';
import { ExperimentParams } from './schemas.js';

export const lifecycleRoutes = (ctx: ServiceContext): FastifyPluginAsyncZod => async (app) => {
  app.post('/plan', {
    schema: { tags: ['planning'], summary: 'Users and days needed to detect a lift over the holdback', body: PlanSchema, response: { 200: PlanResponse, ...errors(400) } },
  }, async (req) => plan(req.body));

  app.delete('/experiments/:id', {
    schema: { tags: ['experiments'], summary: 'Archive: /select answers 404 from then on; the report stays readable', params: ExperimentParams, response: { 200: ExperimentResponse, ...errors(404) } },
  }, async (req) => archiveExperiment(ctx, req.params.id));

  app.post('/experiments/:id/promote', {
    schema: {
      tags: ['experiments'], summary: 'Staged rollout of one arm to the bandit population (the holdback stays)',
      params: ExperimentParams, body: PromoteSchema, response: { 200: ExperimentResponse, ...errors(400, 404) },
    },
  }, async (req) => promoteArm(ctx, req.params.id, req.body));
};
