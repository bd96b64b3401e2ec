/**
 * What a browser or a careless client could abuse: every POST, PUT and PATCH must say
 * `Content-Type: application/json` (415 otherwise, even without a body, so a page's no-cors
 * `fetch` cannot reach a write route); CORS only for the origins configured; security headers
 * (@fastify/helmet) on the HTML routes (/docs, /dashboard), not on the JSON API.
 * The content-type check is one of the request pipeline's checks (request-pipeline.ts).
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;

export interface HardeningOptions {
  /** Origins allowed to call the API from a browser (CORS); none: CORS off. */
  corsOrigins?: string[];
}

export async function registerHardening(app: FastifyInstance, opts: HardeningOptions = {}): Promise<void> {
  app.requestCheck((req) => (WRITES.has(req.method) && !JSON_TYPE.test(req.headers['content-type'] ?? '')
    ? new ApiError('unsupported_media_type', `${req.method} needs Content-Type: application/json (send {} when there is nothing to say)`)
    : undefined));
  if (opts.corsOrigins && opts.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: opts.corsOrigins,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    });
  }
}

/**
 * The HTML routes (/docs, /dashboard) in a scope of their own, with helmet's security headers (its
 * own two hooks run there only); the JSON API's routes have neither the headers nor the hooks.
 */
export async function registerHtmlRoutes(app: FastifyInstance, routes: (html: FastifyInstance) => Promise<void>): Promise<void> {
  await app.register(async (html) => {
    await html.register(helmet, { contentSecurityPolicy: false }); // the pages' CSP: swagger-ui's staticCSP; the dashboard has none
    await routes(html);
  });
}
