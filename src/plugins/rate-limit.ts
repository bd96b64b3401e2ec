/**
 * Requests per second per API key (in open mode, per client address), with @fastify/rate-limit.
 * On Redis the counters are shared by every replica (its Redis store: one EVALSHA per request);
 * on the embedded store they are in process. When Redis cannot answer, the request is let through
 * (`skipOnError`): a limit is a protection, and refusing every request while Redis is down would
 * also take away the `/select` fallback that must keep the caller working. Open routes are not limited.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import { accessOf } from './access.js';

export interface RateLimitOptions {
  /** Requests per second per key or address; 0 turns limiting off. */
  perSecond: number;
  /** An ioredis client to share the counters through (Redis store), or none for in-process counters. */
  redis?: unknown;
  /** Namespace of the Redis counters. */
  prefix?: string;
}

export async function registerRateLimit(app: FastifyInstance, opts: RateLimitOptions | undefined): Promise<void> {
  if (!opts || opts.perSecond <= 0) return;
  await app.register(rateLimit, {
    max: opts.perSecond,
    timeWindow: 1000,
    hook: 'onRequest',
    skipOnError: true,
    ...(opts.redis ? { redis: opts.redis, nameSpace: `${opts.prefix ?? 'bandit:'}rl:` } : {}),
    keyGenerator: (req) => (req.apiKey ? `k:${req.apiKey.id}` : `a:${req.ip}`),
    allowList: (req) => accessOf(req) === 'open',
    errorResponseBuilder: (_req, ctx) => new ApiError('rate_limited', `over the limit of ${ctx.max} requests per second for this key; retry after ${ctx.after}`),
  });
}
