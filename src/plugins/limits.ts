/**
 * Request size limits, each answered in the contract's error shape:
 * - the body: `BODY_LIMIT_BYTES` (default 2 MiB: the largest valid experiment, 100 arms of 16 KiB
 *   payload, is 1.6 MiB), and far less on the hot path (/select 64 KiB, /reward 16 KiB; /rewards
 *   1000 x 16 KiB, the batch of 1000 the contract allows), so a
 *   huge body is refused (413) before it is read or parsed;
 * - the URL: Fastify's own answers to a path parameter over 100 characters (414) and a malformed
 *   URL (400) are replaced by ours, with `x-request-id` (Fastify answers these before any hook).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

export const DEFAULT_BODY_LIMIT_BYTES = 2 * 1024 * 1024;
// /rewards takes up to 1000 events, each as large as a /reward body may be.
const ROUTE_BODY_LIMITS: Record<string, number> = { '/select': 64 * 1024, '/reward': 16 * 1024, '/rewards': 1000 * 16 * 1024 };

/** Must run before the routes are added (onRoute sees only routes added after it). */
export function registerRouteLimits(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const limit = Object.hasOwn(ROUTE_BODY_LIMITS, route.url) ? ROUTE_BODY_LIMITS[route.url] : undefined;
    if (limit !== undefined && route.bodyLimit === undefined) route.bodyLimit = limit;
  });
}

/** Fastify's `frameworkErrors`: a bad URL or an over-long path parameter, answered like every other error. */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const api = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? new ApiError('uri_too_long', 'a path parameter is longer than 100 characters')
    : new ApiError('invalid_request', err.code === 'FST_ERR_BAD_URL' ? 'the URL is malformed (bad percent-encoding?)' : err.message);
  reply.errorCode = api.code;
  void reply.code(api.status).header('x-request-id', req.id).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(api.toBody()));
}
