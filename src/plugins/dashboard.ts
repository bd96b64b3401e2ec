/**
 * GET /dashboard (and GET /, which redirects to it): the static page in web/ and uPlot from its npm package, served by the service
 * itself (@fastify/static). Nothing is built: the page is plain HTML, CSS and ES modules that read
 * the same JSON API as any client. Open by the access rules; the data it reads needs a key.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** web/ at the repository root: two levels up from src/plugins/ and from dist/plugins/. */
const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
const UPLOT_DIST = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));

export const dashboardPlugin: FastifyPluginAsync = async (app) => {
  app.get('/dashboard', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/dashboard/', 302));
  // A newcomer opening the service's address lands on the dashboard.
  app.get('/', { schema: { hide: true }, config: { access: 'open' } }, async (_req, reply) => reply.redirect('/dashboard/', 302));
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/dashboard/', index: ['index.html'], cacheControl: true, maxAge: '60s' });
  await app.register(fastifyStatic, {
    root: UPLOT_DIST, prefix: '/dashboard/vendor/', decorateReply: false, allowedPath: (path) => /^\/uPlot\.(iife\.min\.js|min\.css)$/.test(path),
  });
};
