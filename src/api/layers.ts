/** GET /layers/:id (read): a layer's live experiments, their ranges, and the free ranges (issue 21). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LayerResponse } from '../contract/targeting.js';
import type { ServiceContext } from '../service/context.js';
import { getLayer } from '../service/layers.js';
import { errors } from './responses.js';

const LayerParams = z.object({ id: z.string().min(1).max(64) });

export const layerRoutes = (ctx: ServiceContext): FastifyPluginAsyncZod => async (app) => {
  app.get('/layers/:id', {
    schema: { tags: ['experiments'], summary: 'A layer: its live experiments, their ranges of buckets, and the free ranges', params: LayerParams, response: { 200: LayerResponse, ...errors(400) } },
  }, async (req) => getLayer(ctx, req.params.id));
};
