/** Admin routes: experiments and the per-arm kill switch. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../service/context.js';
import { listExperimentPage } from '../service/experiment-pages.js';
import { createExperiment, getExperiment, patchExperiment, setArmEnabled } from '../service/experiments.js';
import { ExperimentResponse } from '../contract/experiment-config.js';
import { errors } from './responses.js';
import { CreateExperimentSchema, PatchExperimentSchema } from '../contract/experiment.js';
import { ArmParams, DisableArmSchema, ExperimentParams, ListQuery } from './schemas.js';

const ExperimentPage = z.object({
  experiments: z.array(ExperimentResponse),
  next: z.string().nullable().describe('Pass as `after` for the next page; null on the last page.'),
});

export const experimentRoutes = (ctx: ServiceContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['experiments'];
  app.post('/experiments', { schema: { tags, summary: 'Create an experiment (409 experiment_exists, or layer_conflict when its layer range overlaps a live experiment\'s)', body: CreateExperimentSchema, response: { 201: ExperimentResponse, ...errors(400, 409) } } },
    async (req, reply) => reply.code(201).send(await createExperiment(ctx, req.body)));

  app.get('/experiments', {
    schema: { tags, summary: 'List experiments, a page at a time (ordered by id)', querystring: ListQuery, response: { 200: ExperimentPage, ...errors(400) } },
  }, async (req) => listExperimentPage(ctx, req.query.limit, req.query.after));

  app.get('/experiments/:id', { schema: { tags, summary: 'Read an experiment', params: ExperimentParams, response: { 200: ExperimentResponse, ...errors(404) } } },
    async (req) => getExperiment(ctx, req.params.id));

  app.patch('/experiments/:id', {
    schema: { tags, summary: 'Change status, traffic, holdback, guardrails, end date, targeting or layer range (grow only; 409 layer_conflict)', params: ExperimentParams, body: PatchExperimentSchema, response: { 200: ExperimentResponse, ...errors(400, 404, 409) } },
  }, async (req) => patchExperiment(ctx, req.params.id, req.body));

  app.post('/experiments/:id/arms/:armId/disable', {
    schema: { tags, summary: 'Kill switch: never serve this arm again', params: ArmParams, body: DisableArmSchema, response: { 200: ExperimentResponse, ...errors(400, 404, 409) } },
  }, async (req) => setArmEnabled(ctx, req.params.id, req.params.armId, false, req.body?.reason));

  app.post('/experiments/:id/arms/:armId/enable', {
    schema: { tags, summary: 'Serve a disabled arm again', params: ArmParams, response: { 200: ExperimentResponse, ...errors(404) } },
  }, async (req) => setArmEnabled(ctx, req.params.id, req.params.armId, true));
};
