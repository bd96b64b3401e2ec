/** The event log routes: export (streamed NDJSON or DSJSON) and off-policy evaluation. */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../service/context.js';
import { evaluate } from '../service/evaluate.js';
import { exportEvents } from '../service/events.js';
import { EvaluateResponse, EvaluateSchema, EventLine, EventsQuery } from '../contract/events.js';
import { errors } from './responses.js';
import { ExperimentParams } from './schemas.js';

export const eventRoutes = (ctx: ServiceContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['events'];
  app.get('/experiments/:id/events', {
    schema: {
      tags, summary: 'Export the event log (streamed, oldest first)', params: ExperimentParams, querystring: EventsQuery,
      produces: ['application/x-ndjson'], response: { 200: EventLine, ...errors(400, 404, 503) },
    },
  }, async (req, reply) => {
    const lines = await exportEvents(ctx, req.params.id, req.query);
    const body = Readable.from(lines);
    // The status is sent with the first line; a store failure after it can only cut the stream short.
    body.on('error', (err) => req.log.error({ err }, 'event export failed mid-stream'));
    // The 200 schema documents one line; the body is the stream of them (the type provider cannot say that).
    return reply.type('application/x-ndjson; charset=utf-8').send(body as never);
  });

  app.post('/experiments/:id/evaluate', {
    schema: {
      tags, summary: "Off-policy estimate of another policy's mean reward per decision (IPS, SNIPS, DR)", params: ExperimentParams,
      body: EvaluateSchema, response: { 200: EvaluateResponse, ...errors(400, 404, 503) },
    },
  }, async (req) => evaluate(ctx, req.params.id, req.body.policy));
};
