/**
 * What a browser or a careless client could abuse: every POST, PUT and PATCH must say
 * `Content-Type: application/json` (415 otherwise, even without a body, so a page's no-cors
 * `fetch` cannot reach a write route); CORS only for the origins configured; security headers
 * (@fastify/helmet) on the HTML routes (/docs, /dashboard), not on the JSON API.
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;
const HTML_ROUTES = /^\/(docs|dashboard)(\/|$|\?)/;

export interface HardeningOptions {
  /** Origins allowed to call the API from a browser (CORS); none: CORS off. */
  corsOrigins?: string[];
}

export async function registerHardening(app: FastifyInstance, opts: HardeningOptions = {}): Promise<void> {
  app.addHook('onRequest', (req, _reply, done) => {
    if (WRITES.has(req.method) && !JSON_TYPE.test(req.headers['content-type'] ?? '')) {
      return done(new ApiError('unsupported_media_type', `${req.method} needs Content-Type: application/json (send {} when there is nothing to say)`));
    }
    done();
  });
  if (opts.corsOrigins && opts.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: opts.corsOrigins,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    });
  }
  await app.register(helmet, { global: false });
  // Callback style: an async hook costs a promise and a microtask on every request, and only the HTML routes need one.
  app.addHook('onRequest', (req, reply, done) => {
    if (!HTML_ROUTES.test(req.url)) return done();
    reply.helmet({ contentSecurityPolicy: false }); // synchronous: sets the headers on the raw response
    done();
  });
}
